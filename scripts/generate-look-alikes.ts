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
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../shared/json.js';
import { DEFAULT_BLOCKED_TERMS } from '../lambdas/message-review/default-terms.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUTPUT = join(root, 'lambdas/message-review/look-alikes.generated.ts');
const MARKS = /\p{M}/gu;
const LATIN = /^[a-z]{1,3}$/u;
const CAPITALS = /^[A-Z]+$/u;

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

  // Compact: per entry, the code point's distance from the previous one in upper-case base 36, then
  // its letters in lower case (so the two never run together).
  let encoded = '';
  let previous = 0;
  for (const [code, letters] of entries) {
    encoded += (code - previous).toString(36).toUpperCase() + letters;
    previous = code;
  }
  return [
    '// Generated by scripts/generate-look-alikes.ts from Unicode confusables data (UTS #39, via the npm',
    '// package unhomoglyph@1.0.6). Do not edit: run `npx tsx scripts/generate-look-alikes.ts`.',
    '// Unicode data © Unicode, Inc., Unicode License: https://www.unicode.org/license.txt',
    '',
    `/** ${entries.length} characters that look like Latin letters: per entry, the distance from the previous code point (base 36, upper case), then the letters. */`,
    // Laid out as prettier lays it out, so that the format check and this script agree.
    'export const LOOK_ALIKES =',
    `  '${encoded}';`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OUTPUT, generate());
  console.log(`wrote ${OUTPUT}`);
}
