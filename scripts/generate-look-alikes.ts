/**
 * `npx tsx scripts/generate-look-alikes.ts`: writes lambdas/message-review/look-alikes.generated.ts,
 * the table of non-ASCII characters that look like Latin letters, from Unicode's confusables data
 * (UTS #39, confusables.txt as shipped in the npm package unhomoglyph@1.0.6, MIT, Unicode 13.0.0).
 *
 * The output is committed rather than made by `npm run build`: the tests and the type check import
 * the table without a build step, and a test regenerates it and compares, so it cannot drift from the
 * data or from this script.
 *
 * For each character the UTS #39 skeleton is taken (NFD, each character replaced by its prototype,
 * NFD again), then marks are dropped and the result lower-cased. It is kept when that gives one to
 * three Latin letters, all of them letters that occur in the default blocked terms. Small capitals
 * ("ʙ", "ʜ", "ᴛ") are prototypes of their own in the data, not Latin letters; they are resolved
 * through the same data: a prototype stands for a Latin letter when the capital form of a character
 * that maps onto it ("в" → "ʙ", capital "В") has a skeleton that is that Latin capital ("B").
 *
 * Kept only where the Lambda's own fold (NFKC, lower case, NFD without marks) does not already give
 * the same letters ("é", "𝐟" are left out). The Lambda looks a character up before NFKC and again
 * after it, so a compatibility form that NFKC would turn into something else ("ϲ" into final
 * sigma "ς") still reads as the letter it looks like.
 *
 * A second table holds context vowels: Greek and Cyrillic letters that stand for a Latin vowel other
 * than the letter UTS #39 makes of them (or where it makes none), when they are written inside a
 * word of Latin letters: Cyrillic "у" is the vowel u (UTS #39: "y"), Greek "η" is i (UTS #39: "n"),
 * "μ" and "ц" look like a u, "Д", "Λ" and "Δ" like an A, "Σ" like an E, "Ф" like an O. Each is
 * taken from two published tables, never guessed: the vowel the letter is transliterated to (its
 * sound; npm any-ascii@0.3.3, ISC) and the vowel decancer reads it as (its look in stylised "faux"
 * text; npm decancer@3.3.3, MIT, whose readings beyond pure homoglyphs are exactly these). Only the
 * five vowels are kept, and only where they differ from the letter the Lambda already reads. The
 * Lambda uses them as extra readings, like leetspeak, and only inside a match that also has a Latin
 * letter, so that a whole Greek or Russian word keeps its own reading.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import anyAscii from 'any-ascii';
import { isRecord } from '../shared/json.js';
import { DEFAULT_BLOCKED_TERMS } from '../lambdas/message-review/default-terms.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = join(root, 'lambdas/message-review/look-alikes.generated.ts');
const MARKS = /\p{M}/gu;
const LATIN = /^[a-z]{1,3}$/u;
const CAPITALS = /^[A-Z]+$/u;
const GREEK_OR_CYRILLIC = /^[\p{Script=Greek}\p{Script=Cyrillic}]$/u;
const LETTER = /^\p{L}$/u;
const VOWEL = /^[aeiou]$/u;

/**
 * decancer's reading of a text. The package is CommonJS exporting a function, which its typings
 * declare as a default export that Node's ESM loader does not give; so it is required and checked.
 */
function decancer(text: string): string {
  const cure: unknown = createRequire(import.meta.url)('decancer');
  if (typeof cure !== 'function') throw new Error('decancer did not load as a function');
  return String(Reflect.apply(cure, undefined, [text]));
}

function loadPrototypes(): ReadonlyMap<string, string> {
  const path = createRequire(import.meta.url).resolve('unhomoglyph/data.json');
  const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isRecord(data)) throw new Error('unhomoglyph/data.json is not an object');
  const prototypes = new Map<string, string>();
  for (const [from, to] of Object.entries(data)) {
    if (typeof to !== 'string') throw new Error(`unhomoglyph/data.json: ${from} maps to a non-string`);
    prototypes.set(from, to);
  }
  return prototypes;
}

/** The UTS #39 skeleton: NFD, each character replaced by its prototype, NFD again. */
function skeleton(prototypes: ReadonlyMap<string, string>, text: string): string {
  let out = '';
  for (const char of text.normalize('NFD')) out += prototypes.get(char) ?? char;
  return out.normalize('NFD');
}

const plain = (text: string): string => text.replace(MARKS, '');

/** What the Lambda's fold gives for a character when no look-alike applies. */
const defaultFold = (char: string): string => plain(char.normalize('NFKC').toLowerCase().normalize('NFD'));

export function generate(): string {
  const prototypes = loadPrototypes();
  const termLetters = new Set(
    DEFAULT_BLOCKED_TERMS.join('')
      .toLowerCase()
      .replace(/[^a-z]/gu, ''),
  );
  const fits = (letters: string): boolean =>
    LATIN.test(letters) && Array.from(letters).every((letter) => termLetters.has(letter));

  // Prototypes that are not Latin letters, resolved through the capital forms of what maps onto them.
  const votes = new Map<string, Map<string, number>>();
  for (const from of prototypes.keys()) {
    const proto = plain(skeleton(prototypes, from));
    if (fits(proto.toLowerCase())) continue;
    const capital = from.toUpperCase();
    if (capital === from || Array.from(capital).length !== 1) continue;
    const letters = plain(skeleton(prototypes, capital));
    if (!CAPITALS.test(letters)) continue;
    const tally = votes.get(proto) ?? new Map<string, number>();
    tally.set(letters.toLowerCase(), (tally.get(letters.toLowerCase()) ?? 0) + 1);
    votes.set(proto, tally);
  }
  const byCapital = new Map<string, string>();
  for (const [proto, tally] of votes) {
    // A prototype whose capitals disagree is left out rather than guessed.
    if (tally.size === 1) byCapital.set(proto, [...tally.keys()][0] ?? '');
  }

  const entries: [number, string][] = [];
  for (let code = 0x80; code <= 0x2ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    const proto = plain(skeleton(prototypes, char));
    let letters = proto.toLowerCase();
    // Capital I and small l share the prototype "l"; a capital that looks like one reads as "i".
    if (letters === 'l' && char.toLowerCase() !== char) letters = 'i';
    if (!fits(letters)) letters = byCapital.get(proto) ?? '';
    if (!fits(letters) || letters === defaultFold(char)) continue;
    entries.push([code, letters]);
  }

  const table = new Map(entries);
  const context = contextVowels(table);
  return [
    '// Generated by scripts/generate-look-alikes.ts from Unicode confusables data (UTS #39, via the npm',
    '// package unhomoglyph@1.0.6), and from any-ascii@0.3.3 (ISC) and decancer@3.3.3 (MIT) for the',
    '// context vowels. Do not edit: run `npx tsx scripts/generate-look-alikes.ts`.',
    '// Unicode data © Unicode, Inc., Unicode License: https://www.unicode.org/license.txt',
    '',
    `/** ${entries.length} characters that look like Latin letters: per entry, the distance from the previous code point (base 36, upper case), then the letters. */`,
    // Laid out as prettier lays it out, so that the format check and this script agree.
    'export const LOOK_ALIKES =',
    `  '${encode(entries)}';`,
    '',
    `/** ${context.length} Greek and Cyrillic letters that may read as these Latin vowels inside a word of Latin letters; encoded as LOOK_ALIKES. */`,
    'export const CONTEXT_VOWELS =',
    `  '${encode(context)}';`,
    '',
  ].join('\n');
}

/**
 * Compact: per entry, the code point's distance from the previous one in upper-case base 36, then
 * its letters in lower case (so the two never run together).
 */
function encode(entries: readonly (readonly [number, string])[]): string {
  let encoded = '';
  let previous = 0;
  for (const [code, letters] of entries) {
    encoded += (code - previous).toString(36).toUpperCase() + letters;
    previous = code;
  }
  return encoded;
}

/**
 * What the Lambda reads a character as (normalise.ts): its look-alike, else the look-alike or the
 * plain fold (lower case, no marks) of each character of its NFKC form.
 */
function lambdaReading(char: string, table: ReadonlyMap<number, string>): string {
  const whole = table.get(char.codePointAt(0) ?? 0);
  if (whole !== undefined) return whole;
  let out = '';
  for (const compatible of char.normalize('NFKC')) {
    const mapped = table.get(compatible.codePointAt(0) ?? 0);
    if (mapped !== undefined) {
      out += mapped;
      continue;
    }
    for (const part of plain(compatible.toLowerCase().normalize('NFD'))) {
      out += table.get(part.codePointAt(0) ?? 0) ?? part;
    }
  }
  return out;
}

/** Greek and Cyrillic letters, with the vowels (by sound or by look) other than what they read as. */
function contextVowels(table: ReadonlyMap<number, string>): [number, string][] {
  const entries: [number, string][] = [];
  for (let code = 0x370; code <= 0x1ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    if (!GREEK_OR_CYRILLIC.test(char) || !LETTER.test(char)) continue;
    const reading = lambdaReading(char, table);
    // One unit only: a reading of several letters ("Ы" as "bl") has no single vowel to stand for.
    if (Array.from(reading).length !== 1) continue;
    const sound = anyAscii(char).toLowerCase();
    const look = decancer(char).toLowerCase();
    const vowels = [...new Set([sound, look])].filter((vowel) => VOWEL.test(vowel) && vowel !== reading);
    if (vowels.length > 0) entries.push([code, vowels.sort().join('')]);
  }
  return entries;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OUTPUT, generate());
  console.log(`wrote ${OUTPUT}`);
}
