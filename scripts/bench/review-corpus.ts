/**
 * The review bench's seeded corpus: 5,000+ terms (real list words first, then made-up ones) and
 * 10,000 chat messages (plain sentences, terms, evasions, links, long lines, non-ASCII), the same on
 * every run. Shared by `npm run bench:review` and its tail breakdown (review-tail.ts).
 */
import naughtyWordsEnglish from 'naughty-words/en.json' with { type: 'json' };

export const MESSAGES = 10_000;
export const TERMS = 5_000;

/** mulberry32: small, seeded, deterministic. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(20261122);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
const between = (low: number, high: number): number => low + Math.floor(next() * (high - low + 1));

const VOCABULARY = (
  'the a to and of in is it you that for on with this was are be have at not but what all were we when ' +
  'your can said there use an each which she do how their if will up other about out many then them these ' +
  'so some her would make like him into time has look two more write go see number no way could people my ' +
  'than first water been call who oil its now find long down day did get come made may part stream chat ' +
  'game play win lost great nice love hello thanks lol gg wow music song class assistant Scunthorpe ' +
  'cocktail passage bass grass classic glass analysis therapist cumulative Essex Sussex Dickens shitake ' +
  'button butter hello title mass pass assess assume'
).split(' ');

/** Real list terms first (single words only, so every library reads them the same way), then made-up ones. */
export function buildTerms(): string[] {
  const terms = new Set(naughtyWordsEnglish.filter((term) => /^[a-z]+$/u.test(term)));
  const vocabulary = new Set(VOCABULARY.map((word) => word.toLowerCase()));
  const consonants = Array.from('bcdfghjklmnprstvwz');
  const vowels = Array.from('aeiou');
  while (terms.size < TERMS) {
    let word = '';
    for (let syllable = between(2, 4); syllable > 0; syllable--) word += pick(consonants) + pick(vowels);
    if (next() < 0.5) word += pick(consonants);
    if (!vocabulary.has(word)) terms.add(word);
  }
  return [...terms];
}

function evade(term: string): string {
  switch (between(0, 5)) {
    case 0:
      return Array.from(term).join('.');
    case 1:
      return term.replace(/[aeios]/gu, (char) => ({ a: '4', e: '3', i: '1', o: '0', s: '$' })[char] ?? char);
    case 2:
      return term.replace(/[aeiou]/u, (vowel) => vowel.repeat(4));
    case 3:
      return Array.from(term)
        .map((char) => String.fromCodePoint((char.codePointAt(0) ?? 0) + 0xfee0))
        .join('');
    case 4:
      return Array.from(term).join('\u200b');
    default:
      return term.toUpperCase();
  }
}

export function buildCorpus(terms: readonly string[]): string[] {
  const sentence = (words: number): string => Array.from({ length: words }, () => pick(VOCABULARY)).join(' ');
  return Array.from({ length: MESSAGES }, () => {
    const kind = next();
    if (kind < 0.55) return sentence(between(2, 20));
    if (kind < 0.7) return `${sentence(between(1, 8))} ${pick(terms)} ${sentence(between(0, 8))}`;
    if (kind < 0.8) return `${sentence(between(1, 8))} ${evade(pick(terms))} ${sentence(between(0, 6))}`;
    if (kind < 0.87)
      return `${sentence(between(1, 6))} https://example.com/${between(1, 9999)} or evil.example/x`;
    if (kind < 0.94) return sentence(between(60, 75)).slice(0, 480);
    return `${sentence(between(2, 8))} 😀🎉 ${pick(['naïve café', 'ｆｕｌｌ ｗｉｄｔｈ', 'Grüße', 'привет'])} ${sentence(3)}`;
  });
}

/** The kind of a corpus message, as `buildCorpus` makes them, for figures by kind. */
export function messageKind(text: string): 'non-ASCII' | 'link' | 'long' | 'short' {
  if (/[^\p{ASCII}]/u.test(text)) return 'non-ASCII';
  if (text.includes('://')) return 'link';
  return text.length > 300 ? 'long' : 'short';
}
