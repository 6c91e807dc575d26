/**
 * Blocked-term matching over normalised units (normalise.ts), built once per policy at cold start.
 *
 * A trie of folded terms is walked only from word starts, so matching is whole-word by construction
 * ("class", "assistant", "Scunthorpe", "cocktail" never match "ass", "cunt" or "cock"). The walk
 * collapses stretched letters ("fuuuck"), tries leetspeak candidates ("sh1t", "a$$"), lets a term's
 * space match any separators or none ("blow-job", "blowjob"), and skips separators between *single*
 * letters only ("f.u.c.k", "f u c k"), so that "an al" or "pen is" stay innocent.
 *
 * Term syntax: a plain term matches a whole word (and its plural with -s/-es); a trailing `*` matches
 * any word that starts with the term ("fuck*" also catches "fuckface").
 */
import { foldText, isSeparator, LEET, LEET_CANDIDATES, OTHER, SEP, WORD, type Units } from './normalise.js';

const SPACE = 32;
/** Bound on walk steps from one word start: hostile input cannot make a walk explode. */
const STEP_LIMIT = 2000;

interface Node {
  readonly next: Map<number, Node>;
  /** A whole-word term ends here. */
  end: boolean;
  /** A prefix term (`term*`) ends here. */
  prefix: boolean;
}

const newNode = (): Node => ({ next: new Map(), end: false, prefix: false });

/** A match in unit indices, end exclusive. */
export interface TermMatch {
  readonly start: number;
  readonly end: number;
}

/** Folds a term the way messages are folded; separators become one space; undefined if empty. */
export function foldTerm(term: string): { codes: number[]; prefix: boolean } | undefined {
  let text = term.trim();
  const prefix = text.endsWith('*');
  if (prefix) text = text.slice(0, -1);
  const codes: number[] = [];
  for (const code of foldText(text)) {
    if (isSeparator(code)) {
      if (codes.length > 0 && codes[codes.length - 1] !== SPACE) codes.push(SPACE);
    } else {
      codes.push(code);
    }
  }
  while (codes[codes.length - 1] === SPACE) codes.pop();
  return codes.length === 0 ? undefined : { codes, prefix };
}

const PLURAL_ES = ['s', 'x', 'z', 'ch', 'sh'];

export class TermMatcher {
  readonly size: number;
  private readonly root = newNode();

  constructor(terms: Iterable<string>) {
    let size = 0;
    for (const term of terms) {
      const folded = foldTerm(term);
      if (!folded) continue;
      size++;
      this.insert(folded.codes, folded.prefix);
      if (folded.prefix) continue;
      // Plurals are whole words of their own; adding them keeps whole-word matching strict.
      const spelled = String.fromCodePoint(...folded.codes);
      if (!/\p{L}$/u.test(spelled)) continue;
      this.insert([...folded.codes, 0x73], false);
      if (PLURAL_ES.some((ending) => spelled.endsWith(ending)))
        this.insert([...folded.codes, 0x65, 0x73], false);
    }
    this.size = size;
  }

  private insert(codes: readonly number[], prefix: boolean): void {
    let node = this.root;
    for (const code of codes) {
      let child = node.next.get(code);
      if (!child) {
        child = newNode();
        node.next.set(code, child);
      }
      node = child;
    }
    if (prefix) node.prefix = true;
    else node.end = true;
  }

  /** Matches in order; with `all` false, stops at the first (enough to DENY). */
  find(units: Units, all: boolean): TermMatch[] {
    const matches: TermMatch[] = [];
    if (this.size === 0) return matches;
    const { kind } = units;
    for (let start = 0; start < units.length; start++) {
      if (kind[start] === SEP) continue;
      if (start > 0 && kind[start - 1] === WORD) continue;
      const end = new Walk(units, start).run(this.root);
      if (end > start) {
        matches.push({ start, end });
        if (!all) break;
        start = end - 1;
      }
    }
    return matches;
  }
}

/** One depth-first walk of the trie from one word start; returns the longest match end or -1. */
class Walk {
  private steps = 0;

  constructor(
    private readonly units: Units,
    private readonly start: number,
  ) {}

  run(root: Node): number {
    return this.walk(root, this.start, 0, false, false);
  }

  /**
   * @param segment letter runs since the last separator (a run of one stretched letter counts once)
   * @param split whether separators between single letters were skipped
   * @param sawLetter whether a real letter (not a digit or a symbol) was matched
   */
  private walk(node: Node, at: number, segment: number, split: boolean, sawLetter: boolean): number {
    if (++this.steps > STEP_LIMIT) return -1;
    const { length, kind } = this.units;
    let best = -1;
    if (sawLetter && (!split || segment === 1)) {
      if (node.end && this.boundaryAfter(at, split)) best = at;
      if (node.prefix && !split) {
        let end = at;
        while (end < length && kind[end] === WORD) end++;
        best = Math.max(best, end);
      }
    }
    if (at >= length) return best;
    const k = kind[at];
    if (k === SEP) {
      let next = at;
      while (next < length && kind[next] === SEP) next++;
      const space = node.next.get(SPACE);
      if (space && segment > 0) best = Math.max(best, this.walk(space, next, 0, split, sawLetter));
      // "f.u.c.k": skip a short separator run only between single letters.
      if (segment === 1 && next - at <= 3 && next < length) {
        best = Math.max(best, this.walk(node, next, 0, true, sawLetter));
      }
      return best;
    }
    if (k === OTHER)
      return Math.max(best, this.follow(node, at, this.units.code[at] ?? 0, segment, split, sawLetter));
    // A term's space may also match nothing: "blowjob" for "blow job".
    const space = node.next.get(SPACE);
    if (space && segment > 0) best = Math.max(best, this.walk(space, at, 0, split, sawLetter));
    const primary = this.units.code[at] ?? 0;
    best = Math.max(best, this.follow(node, at, primary, segment, split, sawLetter));
    const leet = this.units.leet[at] ?? -1;
    if (leet >= 0) {
      for (const candidate of LEET_CANDIDATES[leet] ?? []) {
        if (candidate !== primary)
          best = Math.max(best, this.follow(node, at, candidate, segment, split, sawLetter));
      }
    }
    return best;
  }

  /** Consumes the whole run of units that can read as `char` ("fuuu"), along 1..run trie edges. */
  private follow(
    node: Node,
    at: number,
    char: number,
    segment: number,
    split: boolean,
    sawLetter: boolean,
  ): number {
    let child = node.next.get(char);
    if (!child) return -1;
    const { length, code, letter } = this.units;
    let end = at;
    let letterInRun = false;
    while (end < length && this.canRead(end, char)) {
      if (letter[end] === 1 && code[end] === char) letterInRun = true;
      end++;
    }
    const saw = sawLetter || letterInRun;
    let best = -1;
    for (let step = 1; step <= end - at && child; step++) {
      best = Math.max(best, this.walk(child, end, segment + 1, split, saw));
      child = child.next.get(char);
    }
    return best;
  }

  private canRead(at: number, char: number): boolean {
    if (this.units.code[at] === char) return true;
    const k = this.units.kind[at];
    if (k !== WORD && k !== LEET) return false;
    const leet = this.units.leet[at] ?? -1;
    return leet >= 0 && (LEET_CANDIDATES[leet] ?? []).includes(char);
  }

  /** Whole word: no word character follows; a split match must not run on into more single letters. */
  private boundaryAfter(at: number, split: boolean): boolean {
    const { length, kind } = this.units;
    if (at < length && kind[at] === WORD) return false;
    if (!split) return true;
    if (this.singleLetterBeyondSeparators(at, 1)) return false;
    return !this.singleLetterBeyondSeparators(this.start - 1, -1);
  }

  /** From a separator at `from`, whether the word past the separators (going `direction`) is one letter. */
  private singleLetterBeyondSeparators(from: number, direction: 1 | -1): boolean {
    const { length, kind } = this.units;
    let at = from;
    if (at < 0 || at >= length || kind[at] !== SEP) return false;
    while (at >= 0 && at < length && kind[at] === SEP) at += direction;
    if (at < 0 || at >= length || kind[at] !== WORD) return false;
    const beyond = at + direction;
    return beyond < 0 || beyond >= length || kind[beyond] !== WORD;
  }
}
