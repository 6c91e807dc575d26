/**
 * Turns a message into a sequence of comparable "units" that defeat common evasions, while keeping
 * for every unit the index of the original code point it came from (so a match can be masked in the
 * original text, one `*` per original code point, and the length never changes).
 *
 * Per code point: invisible characters (Default_Ignorable: zero-width space/joiners, soft hyphen,
 * variation selectors, bidi controls, tag characters) vanish; compatibility forms fold (NFKC:
 * fullwidth "ｆ", mathematical "𝐟", ligature "ﬁ"); diacritics are stripped (NFD, marks removed);
 * case folds to lower; common Cyrillic/Greek look-alikes fold to Latin; digits and a few symbols also
 * stand for the letters they imitate (leetspeak), as extra candidates next to their own value.
 */

/** Part of a word: a letter or a digit. Word boundaries are decided on this kind only. */
export const WORD = 1;
/** A symbol that may stand for a letter inside a word ("sh!t", "a$$"); not a word character itself. */
export const LEET = 2;
/** A separator that may split letters ("f.u.c.k", "f u c k", "f-u-c-k"). */
export const SEP = 3;
/** Anything else (punctuation, emoji…). */
export const OTHER = 0;

export interface Units {
  /** Number of units. */
  readonly length: number;
  /** Primary (normalised) code point of each unit. */
  readonly code: Int32Array;
  /** Kind of each unit (WORD, LEET, SEP, OTHER). */
  readonly kind: Uint8Array;
  /** Index into LEET_CANDIDATES of the letters a unit may also stand for, or -1. */
  readonly leet: Int8Array;
  /** Whether the unit is a real letter (not a digit or a symbol standing for one). */
  readonly letter: Uint8Array;
  /** Index of the original code point each unit came from. */
  readonly origin: Int32Array;
  /** The original code points, as strings (one per code point). */
  readonly original: readonly string[];
}

const c = (text: string): number => text.codePointAt(0) ?? 0;

/** Letters a digit or a symbol may stand for. */
export const LEET_CANDIDATES: readonly (readonly number[])[] = [
  [c('o')], // 0
  [c('i'), c('l')], // 1 |
  [c('e')], // 3 €
  [c('a')], // 4 @
  [c('s')], // 5 $
  [c('t')], // 7 +
  [c('b')], // 8
  [c('g')], // 9
  [c('i')], // ! ¡
];
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
]);

/** Cyrillic and Greek letters that look like Latin ones (after lower-casing). */
const CONFUSABLES: ReadonlyMap<number, number> = new Map(
  [
    ['а', 'a'],
    ['в', 'b'],
    ['е', 'e'],
    ['ё', 'e'],
    ['к', 'k'],
    ['м', 'm'],
    ['н', 'h'],
    ['о', 'o'],
    ['р', 'p'],
    ['с', 'c'],
    ['т', 't'],
    ['у', 'y'],
    ['х', 'x'],
    ['і', 'i'],
    ['ј', 'j'],
    ['ѕ', 's'],
    ['ԁ', 'd'],
    ['ԛ', 'q'],
    ['ԝ', 'w'],
    ['α', 'a'],
    ['β', 'b'],
    ['ε', 'e'],
    ['ι', 'i'],
    ['κ', 'k'],
    ['ν', 'v'],
    ['ο', 'o'],
    ['ρ', 'p'],
    ['τ', 't'],
    ['υ', 'u'],
    ['χ', 'x'],
  ].map(([from = '', to = '']) => [c(from), c(to)]),
);

const SEPARATORS = new Set([' ', '\t', '\n', '\r', '.', '-', '_', '~', '·', '•'].map(c));
const INVISIBLE = /^\p{Default_Ignorable_Code_Point}$/u;
const MARKS = /\p{M}/gu;
const WORD_CHAR = /^[\p{L}\p{N}]$/u;
const SPACE_CHAR = /^\s$/u;
const LETTER = /^\p{L}$/u;

interface Folded {
  /** Normalised code points (none for an invisible character, several for a ligature). */
  readonly codes: readonly number[];
  readonly kinds: readonly number[];
  readonly letters: readonly boolean[];
}

const LEET_SYMBOLS_ASCII = '@$!|+';
const ASCII_SEPARATORS = ' \t\n\r\v\f.-_~';

/**
 * ASCII folds to exactly one unit each (NFKC and NFD leave it alone; nothing in it is invisible), so
 * it is tabled directly: flat arrays keep the common case to a few reads, and cold start cheap.
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
  else if (isLetter || isDigit) kind = WORD;
  ASCII_CODE[code] = lower;
  ASCII_KIND[code] = kind;
  ASCII_LEET[code] = LEET_OF.get(lower) ?? -1;
  // An emoji or other symbol matched as itself counts as a real character too ("🖕").
  ASCII_LETTER[code] = isLetter || kind === OTHER ? 1 : 0;
}

function kindOf(code: number): number {
  if (code < 128) return ASCII_KIND[code] ?? OTHER;
  if (SEPARATORS.has(code)) return SEP;
  if (LEET_OF.has(code)) return LEET;
  const text = String.fromCodePoint(code);
  if (WORD_CHAR.test(text)) return WORD;
  if (SPACE_CHAR.test(text)) return SEP;
  return OTHER;
}

/** Whether a folded code point is a letter (not a digit, not a symbol). */
export function isLetterCode(code: number): boolean {
  if (code < 128) return code >= 0x61 && code <= 0x7a;
  return LETTER.test(String.fromCodePoint(code));
}

function fold(code: number): Folded {
  if (code < 128) {
    return {
      codes: [ASCII_CODE[code] ?? code],
      kinds: [ASCII_KIND[code] ?? OTHER],
      letters: [ASCII_LETTER[code] === 1],
    };
  }
  const text = String.fromCodePoint(code);
  if (INVISIBLE.test(text)) return { codes: [], kinds: [], letters: [] };
  const folded = text.normalize('NFKC').toLowerCase().normalize('NFD').replace(MARKS, '');
  const codes: number[] = [];
  const kinds: number[] = [];
  const letters: boolean[] = [];
  for (const char of folded) {
    const point = char.codePointAt(0) ?? 0;
    const mapped = CONFUSABLES.get(point) ?? point;
    codes.push(mapped);
    const kind = kindOf(mapped);
    kinds.push(kind);
    letters.push(kind === OTHER || (kind === WORD && isLetterCode(mapped)));
  }
  return { codes, kinds, letters };
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

/**
 * @param original the text's code points, when the caller already has them (`Array.from(text)`)
 */
export function toUnits(text: string, original: readonly string[] = Array.from(text)): Units {
  // A code point folds to at most a few units (ligatures); grow if a rare one folds to more.
  let capacity = original.length + 8;
  let code = new Int32Array(capacity);
  let kind = new Uint8Array(capacity);
  let leet = new Int8Array(capacity);
  let letter = new Uint8Array(capacity);
  let origin = new Int32Array(capacity);
  let length = 0;
  for (let index = 0; index < original.length; index++) {
    const point = original[index]?.codePointAt(0) ?? 0;
    if (point < 128) {
      code[length] = ASCII_CODE[point] ?? 0;
      kind[length] = ASCII_KIND[point] ?? OTHER;
      leet[length] = ASCII_LEET[point] ?? -1;
      letter[length] = ASCII_LETTER[point] ?? 0;
      origin[length] = index;
      length++;
      continue;
    }
    const folded = foldCached(point);
    for (let part = 0; part < folded.codes.length; part++) {
      if (length === capacity) {
        capacity *= 2;
        code = grow(code, new Int32Array(capacity));
        kind = grow(kind, new Uint8Array(capacity));
        leet = grow(leet, new Int8Array(capacity));
        letter = grow(letter, new Uint8Array(capacity));
        origin = grow(origin, new Int32Array(capacity));
      }
      const mapped = folded.codes[part] ?? 0;
      code[length] = mapped;
      kind[length] = folded.kinds[part] ?? OTHER;
      leet[length] = LEET_OF.get(mapped) ?? -1;
      letter[length] = folded.letters[part] === true ? 1 : 0;
      origin[length] = index;
      length++;
    }
  }
  return { length, code, kind, leet, letter, origin, original };
}

function grow<T extends Int32Array | Uint8Array | Int8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
