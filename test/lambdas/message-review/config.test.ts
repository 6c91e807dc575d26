import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, DEFAULT_BUDGET_MS } from '../../../lambdas/message-review/config.js';

const noFile = (): string => {
  throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
};

describe('loadConfig', () => {
  it('reads defaults from an empty environment', () => {
    const config = loadConfig({}, noFile);

    assert.deepEqual(
      {
        fallback: config.fallbackResult,
        budget: config.budgetMs,
        level: config.logLevel,
        problems: config.problems,
      },
      { fallback: 'ALLOW', budget: DEFAULT_BUDGET_MS, level: 'info', problems: [] },
    );
    assert.ok(config.policy);
  });

  it('reads an inline policy', () => {
    const config = loadConfig({ REVIEW_POLICY: '{"blockedTermAction":"DENY"}' }, noFile);

    assert.equal(config.policy?.blockedTermAction, 'DENY');
  });

  it('reads a policy file', () => {
    const config = loadConfig({ REVIEW_POLICY_FILE: '/p.json' }, (path) =>
      path === '/p.json' ? '{"reportRules":true}' : noFile(),
    );

    assert.equal(config.policy?.reportRules, true);
  });

  it('accepts FALLBACK_RESULT in any case', () => {
    assert.equal(loadConfig({ FALLBACK_RESULT: 'deny' }, noFile).fallbackResult, 'DENY');
  });

  for (const [label, env, problem] of [
    ['a policy that is not JSON', { REVIEW_POLICY: '{oops' }, 'REVIEW_POLICY is not valid JSON'],
    ['an invalid policy', { REVIEW_POLICY: '{"blockedTermAction":"NOPE"}' }, 'blockedTermAction'],
    ['a missing policy file', { REVIEW_POLICY_FILE: '/missing.json' }, 'ENOENT'],
    ['both policy variables', { REVIEW_POLICY: '{}', REVIEW_POLICY_FILE: '/p.json' }, 'not both'],
    ['a budget at the IVS timeout', { REVIEW_BUDGET_MS: '200' }, 'REVIEW_BUDGET_MS'],
    ['a budget that is not a number', { REVIEW_BUDGET_MS: 'fast' }, 'REVIEW_BUDGET_MS'],
    ['an unknown FALLBACK_RESULT', { FALLBACK_RESULT: 'BLOCK' }, 'FALLBACK_RESULT'],
  ] as const) {
    it(`keeps ${label} as a problem instead of throwing`, () => {
      const config = loadConfig(env, noFile);

      assert.ok(
        config.problems.some((text) => text.includes(problem)),
        JSON.stringify(config.problems),
      );
    });
  }

  it("takes a budget under the caller's timeout: 1-199 ms for IVS, longer only for a stand-in that says it waits longer", () => {
    const ivs = loadConfig({ REVIEW_BUDGET_MS: '199' }, noFile);
    const local = loadConfig({ REVIEW_BUDGET_MS: '4000', REVIEW_TIMEOUT_MS: '5000' }, noFile);
    const past = loadConfig({ REVIEW_BUDGET_MS: '5000', REVIEW_TIMEOUT_MS: '5000' }, noFile);
    const noTimeout = loadConfig({ REVIEW_TIMEOUT_MS: '1' }, noFile);

    assert.deepEqual([ivs.budgetMs, ivs.problems], [199, []]);
    assert.deepEqual([local.budgetMs, local.problems], [4000, []]);
    // Refused, and kept under the timeout meanwhile (the fallback answers every message anyway).
    assert.equal(past.budgetMs, 150);
    assert.ok(
      past.problems.some((text) => text.includes('under the caller')),
      JSON.stringify(past.problems),
    );
    assert.ok(noTimeout.problems.some((text) => text.includes('REVIEW_TIMEOUT_MS')));
  });

  it('reads an unknown FALLBACK_RESULT as DENY', () => {
    assert.equal(loadConfig({ FALLBACK_RESULT: 'BLOCK' }, noFile).fallbackResult, 'DENY');
  });

  it('keeps the rules on with a bad LOG_LEVEL, as a warning', () => {
    const config = loadConfig({ LOG_LEVEL: 'loud' }, noFile);

    assert.deepEqual([config.problems.length, config.warnings.length, config.logLevel], [0, 1, 'info']);
  });

  it('reads HELD_MESSAGE_HOURS (default 24), and keeps the rules on with a bad one, as a warning', () => {
    const unset = loadConfig({}, noFile);
    const set = loadConfig({ HELD_MESSAGE_HOURS: '72' }, noFile);
    const bad = ['0', '721', '1.5', 'day'].map((value) => loadConfig({ HELD_MESSAGE_HOURS: value }, noFile));

    assert.equal(unset.heldMessageHours, 24);
    assert.equal(set.heldMessageHours, 72);
    for (const config of bad) {
      assert.deepEqual([config.problems.length, config.warnings.length, config.heldMessageHours], [0, 1, 24]);
      assert.match(config.warnings[0] ?? '', /^HELD_MESSAGE_HOURS must be an integer from 1 to 720/);
    }
  });
});
