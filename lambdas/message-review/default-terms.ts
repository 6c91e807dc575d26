/*! Default blocked terms: "List of Dirty, Naughty, Obscene, and Otherwise Bad Words" (English), by
 * Shutterstock, https://github.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words, from
 * the npm package naughty-words@1.2.0. Licence: CC-BY-4.0, https://creativecommons.org/licenses/by/4.0/.
 * Changed by this project: everyday words removed and missing forms added; see THIRD_PARTY_NOTICES.md. */
/**
 * The default English blocked-term list, used when the policy names no terms of its own.
 *
 * Source: the "List of Dirty, Naughty, Obscene, and Otherwise Bad Words" (LDNOOBW, maintained by
 * Shutterstock), English list, as published in the npm package naughty-words@1.2.0 — licence
 * CC-BY-4.0 (attribution: Shutterstock, https://github.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words).
 * esbuild inlines the JSON into the bundle at build time.
 *
 * That list was made to filter image search suggestions, so a few everyday chat words are taken out
 * (EXCLUDED), and a few common forms it lacks are added (ADDED, this project's own, MIT).
 */
import naughtyWordsEnglish from 'naughty-words/en.json' with { type: 'json' };

/** Everyday words in chat, anatomy and history talk, names, or warnings people give each other. */
const EXCLUDED: ReadonlySet<string> = new Set([
  'suck',
  'sucks',
  'xx',
  'butt',
  'sex',
  'sexy',
  'sexo',
  'sexual',
  'sexually',
  'sexuality',
  'escort',
  'domination',
  'erotic',
  'erotism',
  'nude',
  'nudity',
  'intercourse',
  'bondage',
  'busty',
  'panties',
  'panty',
  'playboy',
  'voyeur',
  'swinger',
  'topless',
  'undressing',
  'tied up',
  'tight white',
  'taste my',
  'tongue in a',
  'girl on',
  'hot chick',
  'big black',
  'big breasts',
  'huge fat',
  'how to kill',
  'how to murder',
  'jelly donut',
  'hard core',
  'hardcore',
  'snatch',
  'grope',
  'kinky',
  'horny',
  'lovemaking',
  'mong',
  'nipple',
  'nipples',
  'twinkie',
  'scat',
  'santorum',
  'god damn',
  'strip club',
  'nsfw',
  'nsfw images',
  'sadism',
  'eunuch',
  'genitals',
  'ejaculation',
  'spread legs',
  'sultry women',
  'tainted love',
  'wrapping men',
]);

const ADDED: readonly string[] = [
  'fuck*',
  'motherfuck*',
  'fucker',
  'shithead',
  'dickhead',
  'dumbass',
  'jackass',
  'cocksucker',
  'wanker',
  'retard',
  'retarded',
];

export const DEFAULT_BLOCKED_TERMS: readonly string[] = [
  ...naughtyWordsEnglish.filter((term) => !EXCLUDED.has(term)),
  ...ADDED,
];
