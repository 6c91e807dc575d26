/**
 * Turns a message into a sequence of comparable "units" that defeat common evasions, while keeping
 * for every unit the index of the original code point it came from (so a match can be masked in the
 * original text, one `*` per original code point, and the length never changes).
 *
 * Per code point: invisible characters (Default_Ignorable: zero-width space/joiners, soft hyphen,
 * variation selectors, bidi controls, tag characters) vanish; compatibility forms fold (NFKC:
 * fullwidth "ｆ", mathematical "𝐟", ligature "ﬁ"); diacritics are stripped (NFD, marks removed);
 * characters that look like Latin letters fold to them (Greek, Cyrillic, small capitals, dotless i:
 * Unicode's confusables data, look-alikes.generated.ts); control characters vanish; digits, a few
 * symbols, "v" (for "u") and "z" (for "s") also stand for the letters they imitate, as extra
 * candidates next to their own value; so do Greek and Cyrillic letters for the Latin vowel they
 * stand for by sound or look ("у" for u, "η" for i, "Д" for a: CONTEXT_VOWELS), a reading the matcher
 * accepts only inside a match with a Latin letter; `*`, `#`, `%`, `?` and `+` may stand for any one
 * letter inside a word (WILD).
 */
import { CONTEXT_VOWELS, LOOK_ALIKES } from './look-alikes.generated.js';

/** Part of a word: a letter or a digit. Word boundaries are decided on this kind only. */
export const WORD = 1;
/** A symbol that may stand for a letter inside a word ("sh!t", "a$$"); not a word character itself. */
export const LEET = 2;
/** A separator that may split letters ("f.u.c.k", "f u c k", "f-u-c-k"). */
export const SEP = 3;
/** Anything else (punctuation, emoji…). */
export const OTHER = 0;
/** A symbol that may stand for any one letter inside a word ("f*ck", "sh#t"); `+` also reads "t". */
export const WILD = 4;

/** `Units.letter` bits. */
export const REAL = 1;
export const LATIN = 2;

export interface Units {
  /** Number of units. */
  readonly length: number;
  /** Primary (normalised) code point of each unit. */
  readonly code: Int32Array;
  /** Kind of each unit (WORD, LEET, WILD, SEP, OTHER). */
  readonly kind: Uint8Array;
  /**
   * Index into LEET_CANDIDATES of the letters a unit may also stand for, or -1; from CONTEXT_FIRST on,
   * context vowels, which count only in a match that also has a Latin letter.
   */
  readonly leet: Int8Array;
  /**
   * REAL when the unit is a real letter (not a digit or a symbol standing for one), plus LATIN when
   * it is a Latin letter as written (not a Greek or Cyrillic one read as Latin). One array for both:
   * every array is written for every character of every message.
   */
  readonly letter: Uint8Array;
  /** Index (in code points) of the original code point each unit came from. */
  readonly origin: Int32Array;
  /** Whether the text has explicit bidirectional controls, which may display it in another order. */
  readonly explicitBidi: boolean;
}

const c = (text: string): number => text.codePointAt(0) ?? 0;

/**
 * Letters a unit may also stand for: leetspeak (a digit or a symbol) first, then, from CONTEXT_FIRST
 * on, the sets of context vowels found in CONTEXT_VOWELS, added as its table is decoded.
 */
const candidates: number[][] = [
  [c('o')], // 0
  [c('i'), c('l')], // 1 |
  [c('e')], // 3 €
  [c('a')], // 4 @
  [c('s')], // 5 $
  [c('t')], // 7 +
  [c('b')], // 8
  [c('g')], // 9
  [c('i')], // ! ¡
  [c('u')], // v, spelled by sound ("fvck")
  [c('s')], // z, spelled by sound ("azz")
];
export const LEET_CANDIDATES: readonly (readonly number[])[] = candidates;
/** The first index of LEET_CANDIDATES that holds context vowels. */
export const CONTEXT_FIRST = candidates.length;
const LEET_OF: ReadonlyMap<number, number> = new Map([
  [c('0'), 0],
  [c('1'), 1],
  [c('|'), 1],
  [c('3'), 2],
  [c('€'), 2],
  [c('4'), 3],
  [c('@'), 3],
  [c('5'), 4],
  [c('$'), 4],
  [c('7'), 5],
  [c('+'), 5],
  [c('8'), 6],
  [c('9'), 7],
  [c('!'), 8],
  [c('¡'), 8],
  [c('v'), 9],
  [c('z'), 10],
]);

/** Decodes a generated table (look-alikes.generated.ts): distance in base 36, upper case, then letters. */
function decode(encoded: string, entry: (point: number, letters: number[]) => void): void {
  let point = 0;
  let at = 0;
  while (at < encoded.length) {
    let distance = 0;
    for (let digit = encoded.charCodeAt(at); digit < 0x61; digit = encoded.charCodeAt(++at)) {
      distance = distance * 36 + (digit <= 0x39 ? digit - 0x30 : digit - 0x41 + 10);
    }
    const letters: number[] = [];
    for (; at < encoded.length && encoded.charCodeAt(at) >= 0x61; at++) letters.push(encoded.charCodeAt(at));
    point += distance;
    entry(point, letters);
  }
}

/**
 * Characters that look like Latin letters, by code point: decoded from the generated table on the
 * first non-ASCII character that needs it, so an ASCII-only cold start never pays for it.
 */
let lookAlikes: ReadonlyMap<number, readonly number[]> | undefined;

function lookAlike(code: number): readonly number[] | undefined {
  if (!lookAlikes) {
    const table = new Map<number, readonly number[]>();
    decode(LOOK_ALIKES, (point, letters) => table.set(point, letters));
    lookAlikes = table;
  }
  return lookAlikes.get(code);
}

/** Greek and Cyrillic letters with context vowels: the LEET_CANDIDATES index of their vowels. */
let contextVowels: ReadonlyMap<number, number> | undefined;

function contextIndex(code: number): number {
  if (!contextVowels) {
    const table = new Map<number, number>();
    const indexOf = new Map<string, number>();
    decode(CONTEXT_VOWELS, (point, vowels) => {
      const key = String.fromCharCode(...vowels);
      let index = indexOf.get(key);
      if (index === undefined) {
        index = candidates.push(vowels) - 1;
        indexOf.set(key, index);
      }
      table.set(point, index);
    });
    contextVowels = table;
  }
  return contextVowels.get(code) ?? -1;
}

const SEPARATORS = new Set([' ', '\t', '\n', '\r', '.', '-', '_', '~', '·', '•'].map(c));
/**
 * Line breaks: separators, but a word split by one alone ("fu\nck") is read whole (the walk joins
 * across a run of them, see terms.ts). Vertical tab, form feed, next line, line and paragraph separators.
 */
const LINE_BREAKS = new Set([0x0a, 0x0b, 0x0c, 0x0d, 0x85, 0x2028, 0x2029]);
export const isLineBreak = (code: number): boolean => LINE_BREAKS.has(code);
/** Control characters other than tab and line breaks show nothing, so they vanish like invisibles. */
const isHiddenControl = (code: number): boolean =>
  (code < 0x20 && code !== 0x09 && !LINE_BREAKS.has(code)) || (code >= 0x7f && code <= 0x9f && code !== 0x85);
const INVISIBLE = /^\p{Default_Ignorable_Code_Point}$/u;
const MARKS = /\p{M}/gu;
const WORD_CHAR = /^[\p{L}\p{N}]$/u;
const SPACE_CHAR = /^\s$/u;
const LETTER = /^\p{L}$/u;
const GREEK_OR_CYRILLIC = /^[\p{Script=Greek}\p{Script=Cyrillic}]$/u;

interface Folded {
  /** Normalised code points (none for an invisible character, several for a ligature). */
  readonly codes: readonly number[];
  readonly kinds: readonly number[];
  /** LEET_CANDIDATES index per code, or -1. */
  readonly leets: readonly number[];
  /** `Units.letter` bits per code. */
  readonly letters: readonly number[];
}

const NOTHING: Folded = { codes: [], kinds: [], leets: [], letters: [] };

const LEET_SYMBOLS_ASCII = '@$!|';
const WILD_SYMBOLS_ASCII = '*#%?+';
const ASCII_SEPARATORS = ' \t\n\r\v\f.-_~';

/**
 * Printable ASCII, tab and line breaks fold to exactly one unit each (NFKC and NFD leave them alone),
 * so they are tabled directly: flat arrays keep the common case to a few reads, and cold start cheap.
 * Other control characters fold to none and take the general path.
 */
const ASCII_CODE = new Int32Array(128);
const ASCII_KIND = new Uint8Array(128);
const ASCII_LEET = new Int8Array(128);
const ASCII_LETTER = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const lower = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
  const char = String.fromCharCode(lower);
  const isLetter = lower >= 0x61 && lower <= 0x7a;
  const isDigit = lower >= 0x30 && lower <= 0x39;
  let kind = OTHER;
  if (ASCII_SEPARATORS.includes(char)) kind = SEP;
  else if (LEET_SYMBOLS_ASCII.includes(char)) kind = LEET;
  else if (WILD_SYMBOLS_ASCII.includes(char)) kind = WILD;
  else if (isLetter || isDigit) kind = WORD;
  ASCII_CODE[code] = lower;
  ASCII_KIND[code] = kind;
  ASCII_LEET[code] = LEET_OF.get(lower) ?? -1;
  // An emoji or other symbol matched as itself counts as a real character too ("🖕").
  ASCII_LETTER[code] = (isLetter || kind === OTHER ? REAL : 0) | (isLetter ? LATIN : 0);
}

/** Pictographs and emoji (U+1F300–U+1FAFF): plain symbols, classified without Unicode tables. */
const isPictograph = (code: number): boolean => code >= 0x1f300 && code <= 0x1faff;

function kindOf(code: number): number {
  if (code < 128) return ASCII_KIND[code] ?? OTHER;
  if (isPictograph(code)) return OTHER;
  if (SEPARATORS.has(code)) return SEP;
  if (LEET_OF.has(code)) return LEET;
  if (isLineBreak(code)) return SEP;
  const text = String.fromCodePoint(code);
  if (WORD_CHAR.test(text)) return WORD;
  if (SPACE_CHAR.test(text)) return SEP;
  return OTHER;
}

/** Whether a folded code point is a letter (not a digit, not a symbol). */
export function isLetterCode(code: number): boolean {
  if (code < 128) return code >= 0x61 && code <= 0x7a;
  if (isPictograph(code)) return false;
  return LETTER.test(String.fromCodePoint(code));
}

function fold(code: number): Folded {
  if (isHiddenControl(code)) return NOTHING;
  if (code < 128) {
    const lower = ASCII_CODE[code] ?? code;
    return {
      codes: [lower],
      kinds: [ASCII_KIND[code] ?? OTHER],
      leets: [ASCII_LEET[code] ?? -1],
      letters: [ASCII_LETTER[code] ?? 0],
    };
  }
  // Pictographs and emoji (U+1F300–U+1FAFF) fold to themselves: no compatibility form, no case, not
  // invisible, not a letter (a test checks the whole block). Skipping the general path keeps the
  // Unicode tables it needs out of cold start, where the default list's one emoji term would load them.
  if (isPictograph(code)) return { codes: [code], kinds: [OTHER], leets: [-1], letters: [REAL] };
  const text = String.fromCodePoint(code);
  if (INVISIBLE.test(text)) return NOTHING;
  const codes: number[] = [];
  const kinds: number[] = [];
  const leets: number[] = [];
  const letters: number[] = [];
  // A Greek or Cyrillic letter read as a Latin one does not make its word a Latin word.
  const foreign = GREEK_OR_CYRILLIC.test(text);
  const push = (mapped: number): void => {
    codes.push(mapped);
    const kind = kindOf(mapped);
    kinds.push(kind);
    leets.push(LEET_OF.get(mapped) ?? -1);
    const real = kind === OTHER || (kind === WORD && isLetterCode(mapped));
    letters.push((real ? REAL : 0) | (!foreign && mapped >= 0x61 && mapped <= 0x7a ? LATIN : 0));
  };
  // A look-alike is looked up before NFKC (which turns lunate sigma "ϲ", a "c", into final sigma)
  // and before lower-casing (capital eta "Η" looks like "H", small "η" like "n").
  const whole = lookAlike(code);
  if (whole) {
    whole.forEach(push);
  } else {
    for (const compatible of text.normalize('NFKC')) {
      const latin = lookAlike(compatible.codePointAt(0) ?? 0);
      if (latin) {
        latin.forEach(push);
        continue;
      }
      for (const char of compatible.toLowerCase().normalize('NFD').replace(MARKS, '')) {
        const point = char.codePointAt(0) ?? 0;
        const mapped = lookAlike(point);
        if (mapped) mapped.forEach(push);
        else push(point);
      }
    }
  }
  // Context vowels are generated for letters that fold to one unit; a leetspeak reading ("ν" as "v",
  // so "u") would take precedence, though no letter with context vowels has one today.
  if (foreign && codes.length === 1 && leets[0] === -1) {
    const context = contextIndex(code);
    if (context >= 0) leets[0] = context;
  }
  return { codes, kinds, leets, letters };
}

/** ASCII folds, for callers that want the Folded shape. */
const ASCII: readonly Folded[] = Array.from({ length: 128 }, (_, code) => fold(code));

/**
 * Non-ASCII folds are cached: the set of code points seen in chat is small, and NFKC per code point
 * is the costliest step. Bounded, so hostile input cannot grow the cache without limit.
 */
const cache = new Map<number, Folded>();
const CACHE_LIMIT = 8192;

function foldCached(code: number): Folded {
  if (code < 128) return ASCII[code] ?? fold(code);
  const hit = cache.get(code);
  if (hit) return hit;
  const folded = fold(code);
  if (cache.size < CACHE_LIMIT) cache.set(code, folded);
  return folded;
}

/** Normalises one string (e.g. a blocked term) to its folded code points, without leetspeak. */
export function foldText(text: string): number[] {
  const out: number[] = [];
  for (const char of text) out.push(...foldCached(char.codePointAt(0) ?? 0).codes);
  return out;
}

/** Whether a folded code point separates words (whitespace or a splitting separator). */
export function isSeparator(code: number): boolean {
  return kindOf(code) === SEP;
}

/** The arrays `toUnits` fills. */
interface Buffers {
  readonly code: Int32Array;
  readonly kind: Uint8Array;
  readonly leet: Int8Array;
  readonly letter: Uint8Array;
  readonly origin: Int32Array;
}

function allocate(capacity: number): Buffers {
  return {
    code: new Int32Array(capacity),
    kind: new Uint8Array(capacity),
    leet: new Int8Array(capacity),
    letter: new Uint8Array(capacity),
    origin: new Int32Array(capacity),
  };
}

/** A copy of `from` with room for `capacity` units. */
function grow(from: Buffers, capacity: number): Buffers {
  const to = allocate(capacity);
  to.code.set(from.code);
  to.kind.set(from.kind);
  to.leet.set(from.leet);
  to.letter.set(from.letter);
  to.origin.set(from.origin);
  return to;
}

/**
 * The arrays are kept from one call to the next: six fresh typed arrays a message, their backing
 * stores outside the V8 heap, were most of what a review allocated (bench:review). Room for a message
 * at IVS's 500 code point limit; a longer text or a ligature that folds to several units grows them.
 */
let buffers = allocate(512 + 8);

/**
 * The units of `text`. Their arrays are reused by the next call, so a Units is read before
 * `toUnits` is called again (matching is synchronous, and bidi.ts copies what it keeps); `length`
 * tells how much of each array is this text's.
 */
export function toUnits(text: string): Units {
  // A code point folds to at most a few units (ligatures); grow if a rare one folds to more.
  if (buffers.code.length < text.length + 8) buffers = allocate(text.length + 8);
  let { code, kind, leet, letter, origin } = buffers;
  let length = 0;
  let index = 0;
  let explicitBidi = false;
  // UTF-16 walk by hand: no array of code points is made for the common, ASCII-only message.
  for (let offset = 0; offset < text.length; offset++, index++) {
    let point = text.charCodeAt(offset);
    if (point < 128 && point >= 0x20 && point !== 0x7f) {
      code[length] = ASCII_CODE[point] ?? 0;
      kind[length] = ASCII_KIND[point] ?? OTHER;
      leet[length] = ASCII_LEET[point] ?? -1;
      letter[length] = ASCII_LETTER[point] ?? 0;
      origin[length] = index;
      length++;
      continue;
    }
    if (point >= 0xd800 && point <= 0xdbff && offset + 1 < text.length) {
      const low = text.charCodeAt(offset + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        point = (point - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        offset++;
      }
    }
    // Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): see bidi.ts.
    if ((point >= 0x202a && point <= 0x202e) || (point >= 0x2066 && point <= 0x2069)) explicitBidi = true;
    const folded = foldCached(point);
    for (let part = 0; part < folded.codes.length; part++) {
      if (length === code.length) {
        buffers = grow(buffers, code.length * 2);
        ({ code, kind, leet, letter, origin } = buffers);
      }
      code[length] = folded.codes[part] ?? 0;
      kind[length] = folded.kinds[part] ?? OTHER;
      leet[length] = folded.leets[part] ?? -1;
      letter[length] = folded.letters[part] ?? 0;
      origin[length] = index;
      length++;
    }
  }
  return { length, code, kind, leet, letter, origin, explicitBidi };
}
