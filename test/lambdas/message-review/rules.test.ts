import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyRules } from '../../../lambdas/message-review/rules.js';
import { codePointLength } from '../../../shared/ivs/limits.js';
import { countCodePoints } from '../../../lambdas/message-review/text.js';
import { policyOf } from './helpers.js';

function content(verdict: ReturnType<typeof applyRules>): string {
  assert.equal(verdict.result, 'ALLOW');
  return verdict.content;
}

describe('rule: blocked terms', () => {
  it('masks each original character of a match with "*"', () => {
    const verdict = applyRules(policyOf({ blockedTerms: ['darn'], blockedTermAction: 'MASK' }), 'oh darn it');

    assert.deepEqual(verdict, { result: 'ALLOW', content: 'oh **** it', fired: ['blockedTerms'] });
  });

  it('masks the original code points of an evasion, keeping the length in code points', () => {
    const text = 'ｄ\u200bａ𝐫n! d.a.r.n';

    const masked = content(applyRules(policyOf({ blockedTerms: ['darn'] }), text));

    assert.equal(masked, '*****! *******');
    assert.equal(codePointLength(masked), codePointLength(text));
  });

  it('masks a word that a right-to-left override displays, keeping the controls', () => {
    const text = 'say \u202ekcuf\u202c ok';

    assert.equal(content(applyRules(policyOf({}), text)), 'say \u202e****\u202c ok');
  });

  it('denies a word displayed through overrides nested in an isolate', () => {
    const verdict = applyRules(policyOf({ blockedTermAction: 'DENY' }), '\u2067\u202etihs uoy\u202c\u2069');

    assert.equal(verdict.result, 'DENY');
  });

  it('lets an override that displays an innocent word pass', () => {
    assert.equal(
      content(applyRules(policyOf({}), '\u202eolleh\u202c \u202bשלום\u202c')),
      '\u202eolleh\u202c \u202bשלום\u202c',
    );
  });

  it('denies with DENY', () => {
    const verdict = applyRules(policyOf({ blockedTerms: ['darn'], blockedTermAction: 'DENY' }), 'oh darn');

    assert.deepEqual(verdict, { result: 'DENY', rule: 'blockedTerms', fired: ['blockedTerms'] });
  });

  it('uses the default list when the policy names no terms', () => {
    assert.equal(content(applyRules(policyOf({}), 'what the fuck')), 'what the ****');
  });

  it('drops default terms listed in allowedTerms', () => {
    assert.equal(content(applyRules(policyOf({ allowedTerms: ['bastard'] }), 'you bastard')), 'you bastard');
  });

  it('adds the default list to its own terms with includeDefaultTerms', () => {
    const policy = policyOf({ blockedTerms: ['darn'], includeDefaultTerms: true });

    assert.equal(content(applyRules(policy, 'darn shit')), '**** ****');
  });
});

describe('rule: links', () => {
  it('denies a bare domain with a path ("evil.example/x")', () => {
    const verdict = applyRules(policyOf({ links: { action: 'DENY' } }), 'go to evil.example/x now');

    assert.deepEqual(verdict, { result: 'DENY', rule: 'links', fired: ['links'] });
  });

  for (const link of [
    'https://evil.example',
    'http://evil.example:8080/a?b',
    'www.evil.example',
    'evil.com',
    'EVIL.COM',
  ]) {
    it(`denies "${link}"`, () => {
      assert.equal(applyRules(policyOf({ links: { action: 'DENY' } }), `see ${link}`).result, 'DENY');
    });
  }

  it('does not take file names, abbreviations or version numbers for links', () => {
    const verdict = applyRules(
      policyOf({ links: { action: 'DENY' } }),
      'node.js, e.g. file.txt or v1.2.3, i.e. fine',
    );

    assert.equal(verdict.result, 'ALLOW');
  });

  it('masks links with MASK, without the trailing full stop', () => {
    const verdict = applyRules(policyOf({ links: { action: 'MASK' } }), 'see https://evil.example/a.');

    assert.equal(content(verdict), `see ${'*'.repeat('https://evil.example/a'.length)}.`);
  });

  it('allows an allowlisted domain and its subdomains', () => {
    const policy = policyOf({ links: { action: 'DENY', allowedDomains: ['amazon.com'] } });

    assert.equal(applyRules(policy, 'https://amazon.com/x and docs.aws.amazon.com/ivs').result, 'ALLOW');
  });

  it('does not allow a look-alike of an allowlisted domain', () => {
    const policy = policyOf({ links: { action: 'DENY', allowedDomains: ['amazon.com'] } });

    assert.equal(applyRules(policy, 'https://notamazon.com/x').result, 'DENY');
    assert.equal(applyRules(policy, 'https://amazon.com.evil.example/x').result, 'DENY');
  });

  it('allows every link with ALLOW', () => {
    assert.equal(
      applyRules(policyOf({ links: { action: 'ALLOW' } }), 'https://evil.example').result,
      'ALLOW',
    );
  });
});

describe('rule: personal data', () => {
  it('masks e-mail addresses', () => {
    const verdict = applyRules(policyOf({ pii: { email: true } }), 'write to ann.lee@example.co.uk');

    assert.equal(content(verdict), `write to ${'*'.repeat('ann.lee@example.co.uk'.length)}`);
  });

  it('masks phone numbers written with separators', () => {
    const verdict = applyRules(policyOf({ pii: { phone: true } }), 'call +44 (20) 7946-0958 today');

    assert.equal(content(verdict), 'call ****************** today');
  });

  it('leaves short numbers alone', () => {
    assert.equal(applyRules(policyOf({ pii: { phone: true } }), 'room 404 at 10:30').result, 'ALLOW');
  });

  it('denies with DENY', () => {
    const verdict = applyRules(policyOf({ pii: { email: true, action: 'DENY' } }), 'ann@example.com');

    assert.deepEqual(verdict, { result: 'DENY', rule: 'email', fired: ['email'] });
  });

  it('is off unless the policy turns it on', () => {
    assert.equal(content(applyRules(policyOf({}), 'ann@example.com')), 'ann@example.com');
  });

  it('does not treat the domain of an e-mail address as a link', () => {
    assert.equal(applyRules(policyOf({ links: { action: 'DENY' } }), 'ann@example.com').result, 'ALLOW');
  });
});

describe('rule: flood', () => {
  it('denies a run of one character past the limit', () => {
    const policy = policyOf({ flood: { maxRepeatedCharacters: 5 } });

    assert.equal(applyRules(policy, 'noooooo').result, 'DENY');
    assert.equal(applyRules(policy, 'nooooo').result, 'ALLOW');
  });

  it('denies a long message mostly in capitals', () => {
    const verdict = applyRules(policyOf({}), 'WHY IS NOBODY ANSWERING MY QUESTION');

    assert.deepEqual(verdict, { result: 'DENY', rule: 'capitals', fired: ['capitals'] });
  });

  it('lets a short message in capitals pass', () => {
    assert.equal(applyRules(policyOf({}), 'OK LOL').result, 'ALLOW');
  });

  it('turns off with 0 and 1', () => {
    const policy = policyOf({ flood: { maxRepeatedCharacters: 0, maxCapitalsShare: 1 } });

    assert.equal(applyRules(policy, 'A'.repeat(100)).result, 'ALLOW');
  });
});

describe('rules together', () => {
  it('lets the first DENY win', () => {
    const policy = policyOf({ blockedTerms: ['darn'], blockedTermAction: 'MASK', links: { action: 'DENY' } });

    const verdict = applyRules(policy, 'darn https://evil.example');

    assert.deepEqual(verdict, { result: 'DENY', rule: 'links', fired: ['blockedTerms', 'links'] });
  });

  it('accumulates MASK rewrites', () => {
    const policy = policyOf({ blockedTerms: ['darn'], links: { action: 'MASK' }, pii: { email: true } });

    const verdict = applyRules(policy, 'darn evil.com ann@x.io');

    assert.deepEqual(verdict, {
      result: 'ALLOW',
      content: '**** ******** ********',
      fired: ['blockedTerms', 'links', 'email'],
    });
  });

  it('denies content past the room limit in code points', () => {
    const policy = policyOf({ maximumMessageLength: 3 });

    assert.deepEqual(applyRules(policy, '😀😀😀😀'), { result: 'DENY', rule: 'length', fired: ['length'] });
    assert.equal(applyRules(policy, '😀😀😀').result, 'ALLOW');
  });

  it('denies empty content (an ALLOW must carry some)', () => {
    assert.equal(applyRules(policyOf({}), '').result, 'DENY');
  });
});

describe('countCodePoints', () => {
  it('counts like codePointLength, lone surrogates included', () => {
    for (const text of ['', 'abc', '😀a😀', '\ud800x', 'x\udc00', '\udc00\ud800', 'ﬁ\u0301']) {
      assert.equal(countCodePoints(text), codePointLength(text), JSON.stringify(text));
    }
  });
});
