import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyRules } from '../../../lambdas/message-review/rules.js';
import { policyOf } from './helpers.js';
import { EVASIONS, INNOCENTS, score } from './labelled-set.js';

const policy = policyOf({ blockedTermAction: 'DENY' });
const detects = (text: string): boolean => applyRules(policy, text).result === 'DENY';

describe('the labelled evasion set, with the default list', () => {
  it('holds at least 300 hard evasions across the seven classes and 300 close innocent phrases', () => {
    const classes = new Set(EVASIONS.map((entry) => entry.class));

    assert.ok(EVASIONS.length >= 300, `${EVASIONS.length} evasions`);
    assert.ok(INNOCENTS.length >= 300, `${INNOCENTS.length} innocents`);
    assert.deepEqual([...classes].sort(), [
      'bidi',
      'context-vowel',
      'look-alike',
      'one-letter-word',
      'sound',
      'split',
      'symbol-split',
    ]);
  });

  it('holds at least 50 evasions in each of the two classes added last', () => {
    for (const name of ['symbol-split', 'context-vowel']) {
      const count = EVASIONS.filter((entry) => entry.class === name).length;

      assert.ok(count >= 50, `${name}: ${count}`);
    }
  });

  it('catches every evasion', () => {
    const { recall, missed } = score(detects);

    assert.equal(recall, 1, `missed ${JSON.stringify(missed)}`);
  });

  it('lets every innocent phrase pass', () => {
    assert.deepEqual(score(detects).falsePositives, []);
  });
});
