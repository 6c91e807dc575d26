/**
 * Blocked-term matching over normalised units (normalise.ts), built once per policy at cold start.
 *
 * A trie of folded terms is walked only from word starts, so matching is whole-word by construction
 * ("class", "assistant", "Scunthorpe", "cocktail" never match "ass", "cunt" or "cock"). The walk
 * collapses stretched letters ("fuuuck"), tries leetspeak candidates ("sh1t", "a$$"), lets a term's
 * space match any separators or none ("blow-job", "blowjob"), and skips any run of non-letters
 * (separators, punctuation, symbols, digits, emoji) between *single* letters only ("f.u.c.k",
 * "f / u / c / k", "f♥u♥c♥k"), so that "an al" or "pen is" stay innocent. A word split by line
 * breaks alone ("fu\nck") is read whole; a WILD symbol reads as any one letter inside a word ("f*ck"),
 * "ph" as "f" ("phuck"), and a Greek or Cyrillic letter as the Latin vowel it stands for ("fуck")
 * when the match has a Latin letter too.
 *
 * Term syntax: a plain term matches a whole word (and its plural with -s/-es); a trailing `*` matches
 * any word that starts with the term ("fuck*" also catches "fuckface").
 */
import {
  CONTEXT_FIRST,
  foldText,
  isLetterCode,
  isLineBreak,
  isSeparator,
  LATIN,
  LEET,
  LEET_CANDIDATES,
  OTHER,
  REAL,
  SEP,
  WILD,
  WORD,
  type Units,
} from './normalise.js';

const SPACE = 32;
/** Bound on walk steps from one word start: hostile input cannot make a walk explode. */
const STEP_LIMIT = 2000;
/** Bound on the plain descent's steps from one word start; past it, the walk decides. */
const PLAIN_STEP_LIMIT = 64;
/** Longest run of non-letters a walk skips between single letters ("f  -  u  -  c  -  k"). */
const GAP_LIMIT = 16;

/** What a walk has done so far, as bits. */
/** Non-letters between single letters were skipped ("f.u.c.k"). */
const SPLIT = 1;
/** A real letter (not a digit or a symbol) was matched as itself. */
const SAW_LETTER = 2;
/** The last unit read was a WILD symbol read as a letter. */
const AFTER_WILD = 4;
/** A Greek or Cyrillic letter was read as a context vowel. */
const CONTEXT = 8;

interface Node {
  /** Children a–z, in letter order, indexed through `letters` (a bitmap trie: no hashing). */
  lettered: Node[] | undefined;
  /** Other children by folded code point; made on the first one. */
  next: Map<number, Node> | undefined;
  /** A whole-word term ends here. */
  end: boolean;
  /** A prefix term (`term*`) ends here. */
  prefix: boolean;
  /** The child along a term's space, kept apart because the walk asks for it at every step. */
  space: Node | undefined;
  /** Plurals a whole-word term ending here also matches: PLURAL_S, PLURAL_ES or both. */
  plural: number;
  /** Bit per child among a–z: most lookups miss, and a bit test answers them. */
  letters: number;
  /** Some term through this node has a space further on (a split walk may still reset there). */
  spaceAhead: boolean;
}

const newNode = (): Node => ({
  lettered: undefined,
  next: undefined,
  end: false,
  prefix: false,
  space: undefined,
  plural: 0,
  letters: 0,
  spaceAhead: false,
});

const LOWER_A = 0x61;
const LOWER_Z = 0x7a;
const LOWER_F = 0x66;
const LOWER_H = 0x68;
const LOWER_I = 0x69;
const LOWER_P = 0x70;

/** Set bits in a 32-bit integer. */
function popcount(value: number): number {
  let x = value - ((value >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

function childOf(node: Node, code: number): Node | undefined {
  if (code >= LOWER_A && code <= LOWER_Z) {
    const bit = 1 << (code - LOWER_A);
    if ((node.letters & bit) === 0) return undefined;
    return node.lettered?.[popcount(node.letters & (bit - 1))];
  }
  return node.next?.get(code);
}

/** A match in unit indices, end exclusive. */
export interface TermMatch {
  readonly start: number;
  readonly end: number;
}

const asciiLower = (code: number): number => (code >= 0x41 && code <= 0x5a ? code + 0x20 : code);

function asciiFold(text: string): number[] {
  const codes = new Array<number>(text.length);
  for (let index = 0; index < text.length; index++) codes[index] = asciiLower(text.charCodeAt(index));
  return codes;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/u;

/** A term's text without surrounding space or its trailing `*`, and whether it had one. */
function termBody(term: string): { text: string; prefix: boolean } {
  const text = term.trim();
  return text.endsWith('*') ? { text: text.slice(0, -1), prefix: true } : { text, prefix: false };
}

/** Folds a term the way messages are folded; separators become one space; undefined if empty. */
export function foldTerm(term: string): { codes: number[]; prefix: boolean } | undefined {
  const { text, prefix } = termBody(term);
  const codes: number[] = [];
  // Printable ASCII (almost every list term) folds by lower-casing: no per-character lookups.
  const folded = PRINTABLE_ASCII.test(text) ? asciiFold(text) : foldText(text);
  for (const code of folded) {
    if (isSeparator(code)) {
      if (codes.length > 0 && codes[codes.length - 1] !== SPACE) codes.push(SPACE);
    } else {
      codes.push(code);
    }
  }
  while (codes[codes.length - 1] === SPACE) codes.pop();
  return codes.length === 0 ? undefined : { codes, prefix };
}

/**
 * The first code of `foldTerm(term)`, or undefined when the term folds to nothing, without folding
 * the whole term when it is printable ASCII (almost every list term): its first non-separator
 * character, lower-cased.
 */
export function firstFoldedCode(term: string): number | undefined {
  if (!PRINTABLE_ASCII.test(term)) return foldTerm(term)?.codes[0];
  const { text } = termBody(term);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (!isSeparator(code)) return asciiLower(code);
  }
  return undefined;
}

/** Plural flags: "-s" for every term ending in a letter, "-es" after s, x, z, ch and sh. */
const PLURAL_S = 1;
const PLURAL_ES = 2;
const LOWER_S = 0x73;
const LOWER_E = 0x65;

export class TermMatcher {
  readonly size: number;
  private readonly root = newNode();
  /**
   * Terms not yet in the trie, by their first folded code. A walk from a word start reads the root
   * only for that start's code (and its leetspeak readings), so each branch of the root is built the
   * first time a word could enter it. Cold start then costs one pass to group the terms, not a whole
   * trie build (which was most of the bundle's load time, and made V8 optimise `insert` on a
   * background thread); a message pays only for the few branches its word starts need, once.
   */
  private readonly pending = new Map<number, string[]>();
  /** Which ASCII codes still have a pending group: a word start asks this rather than the map. */
  private readonly pendingAscii = new Uint8Array(128);
  /**
   * The first three letters of every term built into the trie (a bit per trigram, 2 KB), and the
   * first letters (one, two) where a term ends, ends as a prefix or has a space: a plain word whose
   * first three letters are in neither set cannot start a match, shown without reading the trie.
   */
  private readonly trigrams = new Uint8Array((26 * 26 * 26) / 8 + 1);
  private readonly openFirst = new Uint8Array(26);
  private readonly openSecond = new Uint8Array(26 * 26);
  /** One walk and one descent, reused by every `find` (matching is synchronous: never two at once). */
  private readonly walk = new Walk();
  private readonly descent = new PlainDescent();

  /**
   * @param options.prefilter whether word starts go through `cannotStart` before a walk (default true;
   *   tests turn it off to show that it never changes an answer)
   */
  constructor(
    terms: Iterable<string>,
    private readonly options: { readonly prefilter: boolean } = { prefilter: true },
  ) {
    let size = 0;
    for (const term of terms) {
      const first = firstFoldedCode(term);
      if (first === undefined) continue;
      size++;
      const group = this.pending.get(first);
      if (group) group.push(term);
      else this.pending.set(first, [term]);
      if (first < 128) this.pendingAscii[first] = 1;
    }
    this.size = size;
  }

  /** Inserts the terms whose first folded code is `code`, if not done yet. */
  private ensureBranch(code: number): void {
    if (code < 128) {
      if (this.pendingAscii[code] === 0) return;
      this.pendingAscii[code] = 0;
    }
    const group = this.pending.get(code);
    if (group === undefined) return;
    this.pending.delete(code);
    for (const term of group) {
      const folded = foldTerm(term);
      if (folded) this.add(folded.codes, folded.prefix);
    }
  }

  private add(codes: readonly number[], prefix: boolean): void {
    this.noteStart(codes);
    const node = this.insert(codes);
    if (prefix) {
      node.prefix = true;
      return;
    }
    node.end = true;
    // Plurals are checked by the walk rather than stored: half the trie, a cheaper cold start.
    const last = codes[codes.length - 1] ?? 0;
    if (!isLetterCode(last)) return;
    node.plural |= PLURAL_S;
    const beforeLast = codes[codes.length - 2] ?? 0;
    const sibilant = last === LOWER_S || last === 0x78 || last === 0x7a;
    const digraph = last === 0x68 && (beforeLast === 0x63 || beforeLast === LOWER_S);
    if (sibilant || digraph) node.plural |= PLURAL_ES;
  }

  /**
   * Records the term's first three letters for `cannotStart`, or, when it ends or has a space within
   * them, that words starting with its first one or two letters need the trie.
   */
  private noteStart(codes: readonly number[]): void {
    const [a = 0, b = 0, c = 0] = codes;
    const letter = (code: number): boolean => code >= LOWER_A && code <= LOWER_Z;
    if (!letter(a)) return;
    const first = a - LOWER_A;
    if (codes.length < 2 || !letter(b)) {
      this.openFirst[first] = 1;
      return;
    }
    const second = first * 26 + b - LOWER_A;
    if (codes.length < 3 || !letter(c)) {
      this.openSecond[second] = 1;
      return;
    }
    const third = second * 26 + c - LOWER_A;
    this.trigrams[third >> 3] = (this.trigrams[third >> 3] ?? 0) | (1 << (third & 7));
  }

  private insert(codes: readonly number[]): Node {
    let node = this.root;
    let spaces = codes.filter((code) => code === SPACE).length;
    for (const code of codes) {
      if (spaces > 0) node.spaceAhead = true;
      if (code === SPACE) spaces--;
      let child = childOf(node, code);
      if (!child) {
        child = newNode();
        if (code >= LOWER_A && code <= LOWER_Z) {
          const bit = 1 << (code - LOWER_A);
          const index = popcount(node.letters & (bit - 1));
          const lettered = (node.lettered ??= []);
          // Sorted lists (the default one is) only ever append.
          if (index === lettered.length) lettered.push(child);
          else lettered.splice(index, 0, child);
          node.letters |= bit;
        } else {
          node.next ??= new Map();
          node.next.set(code, child);
          if (code === SPACE) node.space = child;
        }
      }
      node = child;
    }
    return node;
  }

  /** Matches in order; with `all` false, stops at the first (enough to DENY). */
  find(units: Units, all: boolean): TermMatch[] {
    const matches: TermMatch[] = [];
    if (this.size === 0) return matches;
    const { kind, code } = units;
    const walk = this.walk;
    walk.units = units;
    for (let start = 0; start < units.length; start++) {
      if (kind[start] === SEP) continue;
      if (start > 0 && kind[start - 1] === WORD) continue;
      // Inside a run of one character ("$$$$"): the walk from the run's first unit covered it.
      if (start > 0 && code[start - 1] === code[start]) continue;
      if (this.pending.size > 0) this.ensureBranches(units, start);
      if (this.options.prefilter && this.cannotStart(units, start)) continue;
      const end = walk.run(this.root, start);
      if (end > start) {
        matches.push({ start, end });
        if (!all) break;
        start = end - 1;
      }
    }
    return matches;
  }

  /** The root branches a walk from `start` can read: its code and, for leetspeak, each reading. */
  private ensureBranches(units: Units, start: number): void {
    this.ensureBranch(units.code[start] ?? 0);
    const leet = units.leet[start] ?? -1;
    if (leet >= 0) for (const candidate of LEET_CANDIDATES[leet] ?? []) this.ensureBranch(candidate);
    if (startsWithPh(units, start)) this.ensureBranch(LOWER_F);
  }

  /**
   * Most words cannot begin a term, and a plain descent of the trie shows it without a walk: over a
   * word of real letters, a walk only follows each letter's readings (itself, leetspeak, a context
   * vowel), a stretched letter along 1..run edges, and the few other paths that `PlainDescent` rules
   * out before it goes on. So when no reading has an edge, nothing can match from `start`.
   */
  private cannotStart(units: Units, start: number): boolean {
    if (this.noTrigram(units, start)) return true;
    const descent = this.descent;
    descent.units = units;
    descent.start = start;
    descent.steps = 0;
    return descent.noMatch(this.root, start, 0);
  }

  /**
   * Whether the units from `start` are three plain ASCII letters (one reading each, none stretched,
   * no "ph") that begin no term and pass no term's end or space: `PlainDescent` would say the same
   * after reading up to three nodes of the trie.
   */
  private noTrigram(units: Units, start: number): boolean {
    const { code, kind, leet, length } = units;
    if (start + 2 >= length) return false;
    const a = code[start] ?? 0;
    const b = code[start + 1] ?? 0;
    const c = code[start + 2] ?? 0;
    for (let at = start; at < start + 3; at++) {
      const char = code[at] ?? 0;
      if (kind[at] !== WORD || char < LOWER_A || char > LOWER_Z || (leet[at] ?? -1) >= 0) return false;
    }
    if (
      a === b ||
      b === c ||
      (b === LOWER_H && (a === LOWER_P || c === LOWER_P)) ||
      (a === LOWER_P && b === LOWER_H)
    )
      return false;
    const first = a - LOWER_A;
    const second = first * 26 + b - LOWER_A;
    const third = second * 26 + c - LOWER_A;
    if (this.openFirst[first] === 1 || this.openSecond[second] === 1) return false;
    return ((this.trigrams[third >> 3] ?? 0) & (1 << (third & 7))) === 0;
  }
}

/**
 * The walk's paths over a plain word, without its bookkeeping: `noMatch` is true only when no walk
 * from `start` can match, and false whenever one might (it then leaves the answer to the walk).
 */
class PlainDescent {
  units: Units = EMPTY_UNITS;
  start = 0;
  steps = 0;

  /**
   * @param node the node reached after the units before `at`
   * @param runs letter runs read so far (a stretched letter is one run)
   */
  noMatch(node: Node, at: number, runs: number): boolean {
    if (++this.steps > PLAIN_STEP_LIMIT) return false;
    const { code, kind, leet, letter, length } = this.units;
    // A prefix term matches the rest of the word; a space may be read as nothing.
    if (node.prefix || node.space) return false;
    if (at >= length || kind[at] !== WORD) return this.noMatchAfterWord(node, at, runs);
    // Digits (leetspeak, or a gap between single letters) and "ph" (for "f") take the walk.
    const char = code[at] ?? 0;
    if (((letter[at] ?? 0) & REAL) === 0 || (char === LOWER_P && startsWithPh(this.units, at))) return false;
    // A term ending here could only match as a plural, its "-s" or "-es" read from `at`.
    if (node.end && this.mayBePlural(node.plural, at)) return false;
    if (!this.noMatchReading(node, at, runs, char)) return false;
    const index = leet[at] ?? -1;
    if (index < 0) return true;
    for (const candidate of LEET_CANDIDATES[index] ?? []) {
      if (candidate !== char && !this.noMatchReading(node, at, runs, candidate)) return false;
    }
    return true;
  }

  private mayBePlural(plural: number, at: number): boolean {
    return (
      ((plural & PLURAL_S) !== 0 && canRead(this.units, at, LOWER_S)) ||
      ((plural & PLURAL_ES) !== 0 && canRead(this.units, at, LOWER_E))
    );
  }

  /** The walk's `follow` for one reading: the whole run that reads as `char`, 1..run edges deep. */
  private noMatchReading(node: Node, at: number, runs: number, char: number): boolean {
    let child = childOf(node, char);
    if (!child) return true;
    const { length, kind, letter } = this.units;
    let end = at;
    while (end < length && canRead(this.units, end, char)) {
      // A symbol read as a letter ("a$$") may also end a single letter's run: the walk's case.
      if (kind[end] !== WORD || ((letter[end] ?? 0) & REAL) === 0) return false;
      end++;
    }
    for (let step = 1; step <= end - at && child; step++) {
      if (!this.noMatch(child, end, runs + 1)) return false;
      child = childOf(child, char);
    }
    return true;
  }

  /**
   * At the end of the word: a single letter may go on past a gap ("f.u.c.k"), a term may end, a
   * line break may join the next word, and a symbol may be read (as itself, as a letter, or as any
   * letter); only a space, plain punctuation with no edge, or the end of the message rule all out.
   */
  private noMatchAfterWord(node: Node, at: number, runs: number): boolean {
    const { code, kind, length } = this.units;
    if (runs < 2 || node.end) return false;
    if (at >= length) return true;
    const after = kind[at];
    if (after === SEP) return !isLineBreak(code[at] ?? 0);
    return after === OTHER && childOf(node, code[at] ?? 0) === undefined;
  }
}

/** Whether the unit at `at` may read as `char`: itself, or one of its leetspeak or context readings. */
function canRead(units: Units, at: number, char: number): boolean {
  if (at >= units.length) return false;
  if (units.code[at] === char) return true;
  const k = units.kind[at];
  if (k !== WORD && k !== LEET && k !== WILD) return false;
  const leet = units.leet[at] ?? -1;
  return leet >= 0 && (LEET_CANDIDATES[leet] ?? []).includes(char);
}

/** Whether the units at `at` read "ph", which may stand for "f" ("phuck"). */
function startsWithPh(units: Units, at: number): boolean {
  return units.code[at] === LOWER_P && units.code[at + 1] === LOWER_H && units.kind[at + 1] === WORD;
}

const EMPTY_UNITS: Units = {
  length: 0,
  code: new Int32Array(0),
  kind: new Uint8Array(0),
  leet: new Int8Array(0),
  letter: new Uint8Array(0),
  origin: new Int32Array(0),
  explicitBidi: false,
};

/** One depth-first walk of the trie from one word start; returns the longest match end or -1. */
class Walk {
  private steps = 0;
  private start = 0;
  /** The units of the message being matched; set by `find` before each use. */
  units: Units = EMPTY_UNITS;

  run(root: Node, start: number): number {
    this.start = start;
    this.steps = 0;
    return this.walk(root, start, 0, 0, 0);
  }

  /**
   * @param segment letter runs since the last separator (a run of one stretched letter counts once)
   * @param state SPLIT, SAW_LETTER, AFTER_WILD and CONTEXT bits
   * @param wilds how many WILD symbols were read as letters
   */
  private walk(node: Node, at: number, segment: number, state: number, wilds: number): number {
    if (++this.steps > STEP_LIMIT) return -1;
    const { length, kind } = this.units;
    const split = (state & SPLIT) !== 0;
    let best = -1;
    if (
      (state & SAW_LETTER) !== 0 &&
      (!split || segment === 1) &&
      (wilds === 0 || this.wildsFit(at, wilds, (state & AFTER_WILD) !== 0)) &&
      ((state & CONTEXT) === 0 || this.hasLatin(at))
    ) {
      if (node.end) {
        if (this.boundaryAfter(at, split)) best = at;
        else if (node.plural !== 0 && !split) best = Math.max(best, this.plural(node.plural, at));
      }
      if (node.prefix && !split) {
        let end = at;
        while (end < length && kind[end] === WORD) end++;
        best = Math.max(best, end);
      }
    }
    if (at >= length) return best;
    // A split walk past a segment of several letters can only end well after a term's space.
    if (split && segment > 1 && !node.spaceAhead) return best;
    // "f.u.c.k", "f / u / c / k", "f♥u♥c♥k": after a single letter, a run of non-letters may part it
    // from the next.
    if (segment === 1 && !this.isLetter(at)) best = Math.max(best, this.skipGap(node, at, state, wilds));
    const k = kind[at];
    if (k === SEP) {
      let next = at;
      while (next < length && kind[next] === SEP) next++;
      const space = node.space;
      if (space && segment > 0) best = Math.max(best, this.walk(space, next, 0, state, wilds));
      // "fu\nck": line breaks alone inside a word do not end it.
      if (segment > 0 && next < length && this.lineBreaksOnly(at, next)) {
        best = Math.max(best, this.walk(node, next, segment, state, wilds));
      }
      return best;
    }
    const code = this.units.code;
    const read = state & ~AFTER_WILD;
    if (k === OTHER) return Math.max(best, this.follow(node, at, code[at] ?? 0, segment, read, wilds));
    // A term's space may also match nothing: "blowjob" for "blow job".
    const space = node.space;
    if (space && segment > 0) best = Math.max(best, this.walk(space, at, 0, state, wilds));
    const primary = code[at] ?? 0;
    best = Math.max(best, this.follow(node, at, primary, segment, read, wilds));
    const leet = this.units.leet[at] ?? -1;
    if (leet >= 0) {
      const reading = leet >= CONTEXT_FIRST ? read | CONTEXT : read;
      for (const candidate of LEET_CANDIDATES[leet] ?? []) {
        if (candidate !== primary)
          best = Math.max(best, this.follow(node, at, candidate, segment, reading, wilds));
      }
    }
    // Spelled by sound: "ph" for "f" ("phuck").
    if (primary === LOWER_P && startsWithPh(this.units, at)) {
      const child = childOf(node, LOWER_F);
      if (child) best = Math.max(best, this.walk(child, at + 2, segment + 1, read | SAW_LETTER, wilds));
    }
    // "f*ck", "sh#t": a WILD symbol reads as any one letter, but never first in a match (segment > 0)
    // and, through wildsFit, never last nor more often than real letters.
    if (k === WILD && segment > 0 && node.lettered) {
      for (const child of node.lettered) {
        best = Math.max(best, this.walk(child, at + 1, segment + 1, state | AFTER_WILD, wilds + 1));
      }
    }
    return best;
  }

  /**
   * Skips the run of non-letters from `at` (the unit after a single letter) and walks on from `node`
   * at each unit that may begin the next letter: the real letter that ends the run, or a digit or a
   * symbol inside it that may itself read as one ("s.h.1.t").
   */
  private skipGap(node: Node, at: number, state: number, wilds: number): number {
    const { length, kind } = this.units;
    const limit = Math.min(length - 1, at + GAP_LIMIT);
    let best = -1;
    for (let next = at + 1; next <= limit; next++) {
      if (kind[next] === SEP) continue;
      best = Math.max(best, this.walk(node, next, 0, state | SPLIT, wilds));
      if (this.isLetter(next)) break;
    }
    return best;
  }

  /**
   * Consumes the whole run of units that can read as `char` ("fuuu"), along 1..run trie edges. A
   * single letter whose run goes on in symbols ("i!" in "b!i!t!c!h") may also end before them, so that
   * they can part it from the next letter.
   */
  private follow(
    node: Node,
    at: number,
    char: number,
    segment: number,
    state: number,
    wilds: number,
  ): number {
    const first = childOf(node, char);
    if (!first) return -1;
    const { length, code, letter, leet } = this.units;
    let end = at;
    let read = state;
    let best = -1;
    while (end < length && this.canRead(end, char)) {
      if (end > at && segment === 0 && !this.isLetter(end) && this.isLetter(end - 1)) {
        best = Math.max(best, this.walk(first, end, 1, read, wilds));
      }
      if (code[end] === char) {
        if (((letter[end] ?? 0) & REAL) !== 0) read |= SAW_LETTER;
      } else if ((leet[end] ?? -1) >= CONTEXT_FIRST) {
        read |= CONTEXT;
      }
      end++;
    }
    let child: Node | undefined = first;
    for (let step = 1; step <= end - at && child; step++) {
      best = Math.max(best, this.walk(child, end, segment + 1, read, wilds));
      child = childOf(child, char);
    }
    return best;
  }

  /** Whether the unit at `at` is a real letter (a letter of any script; not a digit or a symbol). */
  private isLetter(at: number): boolean {
    return this.units.kind[at] === WORD && ((this.units.letter[at] ?? 0) & REAL) !== 0;
  }

  /** Whether the units from the walk's start to `at` hold a Latin letter as written. */
  private hasLatin(at: number): boolean {
    for (let unit = this.start; unit < at; unit++)
      if (((this.units.letter[unit] ?? 0) & LATIN) !== 0) return true;
    return false;
  }

  /**
   * A match that read WILD symbols as letters must end on a real reading, and have at least two
   * real letters and no fewer real letters than wild ones ("f**k" yes, "a**" or "*ss" no).
   */
  private wildsFit(at: number, wilds: number, afterWild: boolean): boolean {
    if (afterWild) return false;
    let letters = 0;
    for (let unit = this.start; unit < at; unit++) letters += (this.units.letter[unit] ?? 0) & REAL;
    return letters >= 2 && wilds <= letters;
  }

  /** Whether the separators in [from, to) are all line breaks. */
  private lineBreaksOnly(from: number, to: number): boolean {
    for (let unit = from; unit < to; unit++) if (!isLineBreak(this.units.code[unit] ?? 0)) return false;
    return true;
  }

  /** The end of "-s" or "-es" (stretched too: "bitchesss") ending a word at `at`, or -1. */
  private plural(flags: number, at: number): number {
    let end = at;
    if ((flags & PLURAL_ES) !== 0 && this.canRead(end, LOWER_E)) {
      while (end < this.units.length && this.canRead(end, LOWER_E)) end++;
      if (!this.canRead(end, LOWER_S)) end = at;
    }
    if (!this.canRead(end, LOWER_S)) return -1;
    while (end < this.units.length && this.canRead(end, LOWER_S)) end++;
    return this.boundaryAfter(end, false) ? end : -1;
  }

  private canRead(at: number, char: number): boolean {
    return canRead(this.units, at, char);
  }

  /**
   * Whole word: no word character follows; a split match must not run on into more single letters,
   * nor continue a chain of them before it, except the one-letter words "a" and "I" ("a f u c k").
   */
  private boundaryAfter(at: number, split: boolean): boolean {
    const { length, kind, code } = this.units;
    if (at < length && kind[at] === WORD) return false;
    if (!split) return true;
    if (this.singleLetterPastGap(at, 1) >= 0) return false;
    const before = this.singleLetterPastGap(this.start - 1, -1);
    return before < 0 || code[before] === LOWER_A || code[before] === LOWER_I;
  }

  /**
   * From `from`, past a run of non-word units that continues a chain of single letters, the index of
   * the word beyond it (going `direction`) if that word is one unit long, else -1. A run continues a
   * chain when it is separators only ("a s s e t") or the same run as the match's own first gap
   * ("a/s/s/e/t"); other punctuation ends it ("f.u.c.k, u").
   */
  private singleLetterPastGap(from: number, direction: 1 | -1): number {
    const { length, kind } = this.units;
    let at = from;
    let separatorsOnly = true;
    while (at >= 0 && at < length && kind[at] !== WORD && Math.abs(at - from) < GAP_LIMIT) {
      if (kind[at] !== SEP) separatorsOnly = false;
      at += direction;
    }
    if (at === from || at < 0 || at >= length || kind[at] !== WORD) return -1;
    const low = direction === 1 ? from : at + 1;
    const high = direction === 1 ? at : from + 1;
    if (!separatorsOnly && !this.isFirstGap(low, high)) return -1;
    const beyond = at + direction;
    return beyond < 0 || beyond >= length || kind[beyond] !== WORD ? at : -1;
  }

  /** Whether units [low, high) repeat the non-letters after the match's first letter. */
  private isFirstGap(low: number, high: number): boolean {
    const { length, code } = this.units;
    let gap = this.start;
    while (gap < length && code[gap] === code[this.start]) gap++;
    for (let unit = low; unit < high; unit++, gap++) {
      if (gap >= length || this.isLetter(gap) || code[gap] !== code[unit]) return false;
    }
    return gap >= length || this.isLetter(gap);
  }
}
