/**
 * The documentation states the ranges the code and the template enforce: each template parameter with a
 * MinValue/MaxValue is given as "min–max" in docs/deploy.md's parameter table, and REVIEW_BUDGET_MS's
 * range is the one the review Lambda accepts, in every table of the README and docs/ that names it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../lambdas/message-review/config.js';
import { readTemplate, repoRoot } from '../../scripts/sam-template.js';
import { isRecord } from '../../shared/json.js';

const DEPLOY = 'docs/deploy.md';
const pages = ['README.md', ...readdirSync(join(repoRoot, 'docs')).map((name) => `docs/${name}`)].filter(
  (page) => page.endsWith('.md'),
);

/** Table rows of `page` whose first cell names `name` (as inline code). */
function rows(page: string, name: string): string[] {
  return readFileSync(join(repoRoot, page), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith(`| \`${name}\``));
}

/** The smallest and largest REVIEW_BUDGET_MS the review Lambda accepts, found by asking it. */
function acceptedBudgetRange(): { min: number; max: number } {
  const accepted = Array.from({ length: 302 }, (_, ms) => ms - 1).filter(
    (ms) => loadConfig({ REVIEW_BUDGET_MS: String(ms) }).problems.length === 0,
  );
  return { min: Math.min(...accepted), max: Math.max(...accepted) };
}

describe('ranges in the documentation', () => {
  it('gives every template parameter with MinValue/MaxValue its range in the deploy page', () => {
    const parameters = readTemplate().Parameters;
    assert.ok(isRecord(parameters));
    let checked = 0;
    for (const [name, parameter] of Object.entries(parameters)) {
      if (!isRecord(parameter)) continue;
      const { MinValue: min, MaxValue: max } = parameter;
      if (typeof min !== 'number' || typeof max !== 'number') continue;
      const [row] = rows(DEPLOY, name);
      assert.ok(row, `${DEPLOY} has a row for ${name}`);
      assert.ok(row.includes(`${min}–${max}`), `${name}: ${DEPLOY} says ${min}–${max}`);
      checked += 1;
    }
    assert.ok(checked >= 4);
  });

  it('gives REVIEW_BUDGET_MS the range the review Lambda accepts, in every table that names it', () => {
    const { min, max } = acceptedBudgetRange();
    const named = pages.flatMap((page) => rows(page, 'REVIEW_BUDGET_MS'));
    assert.ok(named.length >= 2, 'the configuration and the review Lambda tables');
    for (const row of named)
      assert.ok(row.includes(`${min}–${max}`), `${row.slice(0, 60)}… says ${min}–${max}`);
  });
});
