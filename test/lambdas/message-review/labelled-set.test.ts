import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyRules } from '../../../lambdas/message-review/rules.js';
import { policyOf } from './helpers.js';
import { EVASIONS, INNOCENTS, score } from './labelled-set.js';

const policy = policyOf({ blockedTermAction: 'DENY' });
const detects = (text: string): boolean => applyRules(policy, text).result === 'DENY';

describe('the labelled evasion set, with the default list', () => {
  it('holds at least 200 hard evasions across the five classes and 200 close innocent phrases', () => {
    const classes = new Set(EVASIONS.map((entry) => entry.class));

    assert.ok(EVASIONS.length >= 200, `${EVASIONS.length} evasions`);
    assert.ok(INNOCENTS.length >= 200, `${INNOCENTS.length} innocents`);
    assert.deepEqual([...classes].sort(), ['bidi', 'look-alike', 'one-letter-word', 'sound', 'split']);
  });

  it('catches at least 95 % of the evasions', () => {
    const { recall, missed } = score(detects);

    assert.ok(recall >= 0.95, `recall ${recall}; missed ${JSON.stringify(missed)}`);
  });

  it('lets every innocent phrase pass', () => {
    assert.deepEqual(score(detects).falsePositives, []);
  });
});
