import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TermMatcher } from '../../../lambdas/message-review/terms.js';
import { toUnits } from '../../../lambdas/message-review/normalise.js';
import { DEFAULT_BLOCKED_TERMS } from '../../../lambdas/message-review/default-terms.js';

const defaults = new TermMatcher(DEFAULT_BLOCKED_TERMS);
const found = (matcher: TermMatcher, text: string): boolean => matcher.find(toUnits(text), false).length > 0;

describe('blocked terms with the default list', () => {
  for (const innocent of [
    'class',
    'assistant',
    'Scunthorpe',
    'cocktail',
    'bass',
    'passage',
    'shitake',
    'analysis',
  ]) {
    it(`lets "${innocent}" pass (no Scunthorpe false positive)`, () => {
      assert.equal(found(defaults, `a ${innocent} here`), false);
    });
  }

  for (const [label, text] of [
    ['a plain term', 'what the fuck'],
    ['upper case', 'WHAT THE FUCK'],
    ['full-width compatibility forms', 'ｆｕｃｋ'],
    ['mathematical letters', '𝐟𝐮𝐜𝐤'],
    ['diacritics', 'fück'],
    ['a combining diacritic', 'fu\u0308ck'],
    ['zero-width characters', 'f\u200bu\u200dc\u2060k'],
    ['a soft hyphen', 'sh\u00adit'],
    ['stretched letters', 'fuuuuuuck'],
    ['leetspeak digits', 'sh1t'],
    ['leetspeak symbols', 'a$$hole'],
    ['letters split by dots', 'f.u.c.k'],
    ['letters split by spaces', 'f u c k'],
    ['letters split by dashes', 'f-u-c-k'],
    ['Cyrillic look-alikes', 'fu\u0441k'],
    ['a plural', 'bitches'],
    ['a prefix term', 'fuckface'],
  ] as const) {
    it(`catches ${label}`, () => {
      assert.equal(found(defaults, text), true);
    });
  }

  it('does not join real words split by spaces ("an al", "pen is", "s hit")', () => {
    assert.equal(found(defaults, 'an al pen is s hit'), false);
  });

  it('does not take a run of digits alone for a word ("455")', () => {
    const matcher = new TermMatcher(['ass']);

    assert.equal(found(matcher, 'room 455'), false);
  });

  it('does not find a single-letter chain inside a longer one ("b.a.s.s", "a.s.s.e.t")', () => {
    const matcher = new TermMatcher(['ass']);

    assert.equal(found(matcher, 'b.a.s.s and a.s.s.e.t'), false);
  });
});

describe('TermMatcher', () => {
  it('matches a term with a space written joined, spaced or hyphenated', () => {
    const matcher = new TermMatcher(['blow job']);

    assert.deepEqual(
      ['blowjob', 'blow job', 'blow-job', 'blow jobs'].map((text) => found(matcher, text)),
      [true, true, true, true],
    );
  });

  it('returns unit ranges of every match when asked for all', () => {
    const matcher = new TermMatcher(['darn']);

    const matches = matcher.find(toUnits('darn it, DARN'), true);

    assert.deepEqual(matches, [
      { start: 0, end: 4 },
      { start: 9, end: 13 },
    ]);
  });

  it('matches a symbol term such as an emoji', () => {
    const matcher = new TermMatcher(['🖕']);

    assert.equal(found(matcher, 'you 🖕'), true);
  });

  it('stays bounded on hostile input (long runs of one letter)', () => {
    const matcher = new TermMatcher(['sssss', 'ssss s', 's s s']);

    const matches = matcher.find(toUnits('s'.repeat(500) + ' ' + 's.'.repeat(200)), true);

    assert.ok(matches.length >= 1);
  });

  it('skips empty and separator-only terms', () => {
    const matcher = new TermMatcher(['', '  ', '...', 'ok*']);

    assert.equal(matcher.size, 1);
  });
});
