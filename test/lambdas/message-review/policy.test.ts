import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicy, DEFAULT_POLICY } from '../../../lambdas/message-review/policy.js';
import { DEFAULT_BLOCKED_TERMS } from '../../../lambdas/message-review/default-terms.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const POLICIES = join(import.meta.dirname, '../../../lambdas/message-review/events/policies');

describe('compilePolicy', () => {
  it('fills every default for an empty policy', () => {
    const compiled = compilePolicy({});

    assert.ok(compiled.ok);
    const { matcher: _matcher, holdMatcher: _holdMatcher, ...policy } = compiled.value;
    assert.deepEqual(policy, DEFAULT_POLICY);
  });

  it('replaces the default list with the policy own terms', () => {
    const compiled = compilePolicy({ blockedTerms: ['darn', 'heck*'] });

    assert.ok(compiled.ok);
    assert.deepEqual(compiled.value.blockedTerms, ['darn', 'heck*']);
  });

  it('normalises allowed domains (case, leading "*.", trailing dot)', () => {
    const compiled = compilePolicy({ links: { allowedDomains: ['*.Example.COM.'] } });

    assert.ok(compiled.ok);
    assert.deepEqual(compiled.value.links.allowedDomains, ['example.com']);
  });

  for (const [label, input, field] of [
    ['a non-object', [], 'policy'],
    ['an unknown key (a typo)', { blockedterms: ['x'] }, 'blockedterms'],
    ['a non-list of terms', { blockedTerms: 'darn' }, 'blockedTerms'],
    ['an empty term', { blockedTerms: [' '] }, 'blockedTerms[0]'],
    ['a term with nothing to match', { blockedTerms: ['...'] }, 'blockedTerms[0]'],
    ['an unknown action', { blockedTermAction: 'BLOCK' }, 'blockedTermAction'],
    ['an unknown link action', { links: { action: 'WARN' } }, 'links.action'],
    [
      'a domain that is not one',
      { links: { allowedDomains: ['https://x.com/'] } },
      'links.allowedDomains[0]',
    ],
    ['a length over the IVS maximum', { maximumMessageLength: 501 }, 'maximumMessageLength'],
    ['a fractional length', { maximumMessageLength: 10.5 }, 'maximumMessageLength'],
    ['a share over 1', { flood: { maxCapitalsShare: 2 } }, 'flood.maxCapitalsShare'],
    ['a non-boolean switch', { pii: { email: 'yes' } }, 'pii.email'],
    ['a remote check that is not http(s)', { remoteCheck: { url: 'file:///etc/passwd' } }, 'remoteCheck.url'],
    ['roles that are not strings', { trustedRoles: [1] }, 'trustedRoles[0]'],
  ] as const) {
    it(`refuses ${label}, naming the field`, () => {
      const compiled = compilePolicy(input);

      assert.ok(!compiled.ok);
      assert.ok(compiled.problem.includes(field), compiled.problem);
    });
  }
});

describe('example policies (events/policies, the one docs/message-review.md shows)', () => {
  for (const file of readdirSync(POLICIES).filter((name) => name.endsWith('.json'))) {
    it(`accepts ${file}`, () => {
      const compiled = compilePolicy(JSON.parse(readFileSync(join(POLICIES, file), 'utf8')));

      assert.ok(compiled.ok, compiled.ok ? '' : compiled.problem);
    });
  }
});

describe('the default term list', () => {
  it('holds the English naughty-words list minus everyday words', () => {
    assert.ok(DEFAULT_BLOCKED_TERMS.length > 300);
    assert.ok(DEFAULT_BLOCKED_TERMS.includes('bastard'));
    assert.ok(!DEFAULT_BLOCKED_TERMS.includes('suck'));
  });
});
