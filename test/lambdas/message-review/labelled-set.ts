/**
 * The labelled evasion set (fixtures/evasions.json: hard evasions of blocked terms, by class) and its
 * innocent counterpart (fixtures/innocents.json: phrases that look close but are not), with a typed
 * loader and the scoring shared by the test and `npm run bench:review`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../../../shared/json.js';

export interface Labelled {
  /** What the case exercises ("look-alike", "bidi", "Greek"…). */
  readonly class: string;
  readonly text: string;
}

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function load(name: string): readonly Labelled[] {
  const data: unknown = JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
  if (!Array.isArray(data)) throw new Error(`${name}: not an array`);
  return data.map((entry: unknown, index) => {
    if (!isRecord(entry) || typeof entry.class !== 'string' || typeof entry.text !== 'string')
      throw new Error(`${name}[${index}]: needs a string class and text`);
    return { class: entry.class, text: entry.text };
  });
}

export const EVASIONS = load('evasions.json');
export const INNOCENTS = load('innocents.json');

export interface Score {
  /** Share of evasions caught, 0–1. */
  readonly recall: number;
  readonly missed: readonly Labelled[];
  readonly falsePositives: readonly Labelled[];
}

/** Scores a detector (true: the text holds a blocked term) on both sets. */
export function score(detects: (text: string) => boolean): Score {
  const missed = EVASIONS.filter((entry) => !detects(entry.text));
  return {
    recall: (EVASIONS.length - missed.length) / EVASIONS.length,
    missed,
    falsePositives: INNOCENTS.filter((entry) => detects(entry.text)),
  };
}
