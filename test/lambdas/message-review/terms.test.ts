import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { firstFoldedCode, foldTerm, TermMatcher } from '../../../lambdas/message-review/terms.js';
import { OTHER, toUnits } from '../../../lambdas/message-review/normalise.js';
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

describe('evasions beyond the leet table, with the default list', () => {
  for (const [label, text] of [
    ['Greek capitals used as Latin ones', 'SΗΙT'],
    ['a Cyrillic capital soft sign for b', 'Ьitch'],
    ['a Cyrillic ghe for r, read through the data rather than a hand list', 'whoгe'],
    ['small capitals', 'ʙɪᴛᴄʜ'],
    ['a dotless i', 'bıtch'],
    ['a Greek lunate sigma for c (which NFKC turns into a final sigma)', 'fuϲk'],
    ['a word split by a line break', 'fu\nck'],
    ['a word split by CR LF', 'bit\r\nch'],
    ['a word split by a line separator', 'sh\u2028it'],
    ['a control character inside a word', 'fu\u0007ck'],
    ['a C1 control character inside a word', 'sh\u0090it'],
    ['"*" standing for a letter', 'f*ck'],
    ['"**" standing for two letters', 'f**k'],
    ['"#" standing for a letter', 'sh#t'],
    ['"+" standing for a letter other than t', 'c+nt'],
    ['"v" spelled for "u"', 'fvck'],
    ['"ph" spelled for "f"', 'phuck'],
    ['"z" spelled for "s"', 'azzhole'],
    ['"ph" for "f" inside a longer term', 'motherphucker'],
    ['split letters after the one-letter word "a"', 'what a f u c k'],
    ['split letters after the one-letter word "I"', 'I f.u.c.k you'],
  ] as const) {
    it(`catches ${label}`, () => {
      assert.equal(found(defaults, text), true);
    });
  }

  for (const [label, text] of [
    ['Greek words', 'Καλημέρα, ευχαριστώ πολύ'],
    ['Cyrillic words', 'Привет, спасибо, Тит и Марк'],
    ['words spelled with "ph", "v" and "z"', 'fuchsia Phuket pharmacy Vancouver dvd jazz pizza buzz fizz'],
    ['symbols between digits or around words', '5*3 = 15, C++, A+ grade, **bold**, #1 fan, 100% sure'],
    ['a symbol standing for more letters than the word has real ones', 'a** *ss f***'],
    ['a line break between two words', 'see you\nsoon'],
    ['split letters after a letter that is not a word', 'b.a.s.s'],
  ] as const) {
    it(`lets ${label} pass`, () => {
      assert.equal(found(defaults, text), false);
    });
  }
});

describe('single letters parted by any run of non-letters, with the default list', () => {
  for (const [label, text] of [
    ['a slash with spaces', 'f / u / c / k'],
    ['an emoji', 'f😀u😀c😀k'],
    ['a symbol', 'f♥u♥c♥k'],
    ['a long run of separators', 'f  -  u  -  c  -  k'],
    ['runs that mix separators and symbols', 'f.-.u..c*~k'],
    ['digits that are no leetspeak for the letter', 's6h6i6t'],
    ['a digit that is leetspeak, but for another letter', 'f0u0c0k'],
    ['a leetspeak symbol that also reads as a letter', 'b!i!t!c!h'],
    ['a leetspeak letter among them', 's.h.1.t'],
    ['punctuation', 'c,u,n,t'],
  ] as const) {
    it(`catches ${label}`, () => {
      assert.equal(found(defaults, text), true);
    });
  }

  for (const [label, text] of [
    ['dotted and slashed abbreviations', 'a.s.a.p, p.s., U.S.A, f/x, c/o, w/o, b/w, n/a, y/n'],
    ['contractions after a one-letter word', "I'm sure I'd say y'all c'mon"],
    ['emoticons', 'o_O T_T -_- ^_^ x_x :-) :P xD <3 \\o/'],
    ['letters with digits', 'b2b p2p h2o r2d2 k8s i18n a11y x1 x2 x3 e4 e5'],
    ['a chain that goes on past the same symbol', 'a/s/s/e/t and b_a_s_s'],
    ['ratios and fractions', '16:9, 3/4 cup, 24/7, 1:1'],
  ] as const) {
    it(`lets ${label} pass`, () => {
      assert.equal(found(defaults, text), false);
    });
  }

  it('stays bounded on hostile input (single letters parted by long runs of symbols)', () => {
    const matcher = new TermMatcher(['s s s', 'sssss']);

    const matches = matcher.find(toUnits('s♥'.repeat(250) + 's!1$'.repeat(60)), true);

    assert.ok(matches.length >= 1);
  });
});

describe('Greek and Cyrillic letters read as a Latin vowel, with the default list', () => {
  for (const [label, text] of [
    ['a Cyrillic u (which UTS #39 reads as "y")', 'fуck'],
    ['a Cyrillic straight u', 'fүck'],
    ['a Greek mu for u', 'cμnt'],
    ['a Cyrillic tse for u', 'slцt'],
    ['a Greek eta for i (which UTS #39 reads as "n")', 'bηtch'],
    ['a Cyrillic i', 'shиt'],
    ['a Cyrillic e', 'whorэ'],
    ['a Greek capital sigma for E', 'PΣNIS'],
    ['a Cyrillic de for a', 'ДSS'],
    ['a Greek capital lambda for A', 'bλstard'],
    ['a Cyrillic ef for o', 'pФrn'],
    ['a Greek omega for o', 'cωck'],
    ['a context vowel among split letters', 'f.у.c.k'],
  ] as const) {
    it(`catches ${label} inside a Latin word`, () => {
      assert.equal(found(defaults, text), true);
    });
  }

  for (const [label, text] of [
    ['Russian words with those letters', 'улица друг музыка суп цирк фото это Индия'],
    ['Greek words with those letters', 'μουσική ήλιος ωραία ΣΑΣ ΔΕΛΦΟΙ ΛΑΟΣ ΦΩΣ'],
    ['Latin words that read as innocent words through them', 'shуt pμsh fцn bДnana Scцnthorpe clДss'],
    ['Greek letters in formulas and units', 'Δt = 3 s, Σx, 5 μm, ω = 2πf, η = 0.5'],
  ] as const) {
    it(`lets ${label} pass`, () => {
      assert.equal(found(defaults, text), false);
    });
  }

  it('reads a context vowel only in a match that has a Latin letter', () => {
    const matcher = new TermMatcher(['cunt', 'dick', 'shit']);

    // "сцηт" and "ԁиск" are Greek and Cyrillic throughout; "ѕһіт" reads as "shit" by look alone.
    assert.deepEqual(
      ['cцnt', 'сцηт', 'dиck', 'ԁиск', 'ѕһіт'].map((text) => found(matcher, text)),
      [true, false, true, false, true],
    );
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

  it('finds a term whose first letter is written in leetspeak, on a matcher that has built nothing yet', () => {
    for (const text of ['$hit', '5hit', 'what a $h1t day']) {
      assert.equal(found(new TermMatcher(['shit']), text), true, text);
    }
  });

  it('answers the same before and after every branch is built (branches are built on first use)', () => {
    const everyStart = 'a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 @ $ ! | + 🖕';
    const built = new TermMatcher(DEFAULT_BLOCKED_TERMS);
    built.find(toUnits(everyStart), true);
    const words = fc.constantFrom(
      ...DEFAULT_BLOCKED_TERMS,
      'class',
      'f.u.c.k',
      'sh1t',
      '@ss',
      'ok',
      '🖕',
      ' ',
    );
    const message = fc.oneof(
      fc.array(words, { maxLength: 8 }).map((parts) => parts.join(' ')),
      fc.string(),
    );

    fc.assert(
      fc.property(message, (text) => {
        const units = toUnits(text);
        assert.deepEqual(new TermMatcher(DEFAULT_BLOCKED_TERMS).find(units, true), built.find(units, true));
      }),
      { numRuns: 300 },
    );
  });

  it('answers the same with and without the plain-descent filter that spares most words a walk', () => {
    const filtered = new TermMatcher(DEFAULT_BLOCKED_TERMS);
    const unfiltered = new TermMatcher(DEFAULT_BLOCKED_TERMS, { prefilter: false });
    const words = fc.constantFrom(
      ...DEFAULT_BLOCKED_TERMS,
      'class',
      'the',
      'pen',
      'cocktail',
      'phuck',
      'f.u.c.k',
      'f / u',
      'fуck',
      'sh1t',
      '@ss',
      'a',
      'I',
      '🖕',
      '&',
      '\n',
      ' ',
      ', ',
    );
    const message = fc.oneof(
      fc.array(words, { maxLength: 10 }).map((parts) => parts.join(' ')),
      fc.array(words, { maxLength: 10 }).map((parts) => parts.join('')),
      fc.string(),
    );

    fc.assert(
      fc.property(message, (text) => {
        const units = toUnits(text);
        assert.deepEqual(filtered.find(units, true), unfiltered.find(units, true));
      }),
      { numRuns: 1000 },
    );
  });

  it('groups a term under the first code it folds to, for any term', () => {
    const term = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom(' ', '.', '-', '*', 'A', 'b', '$', '\t', 'É', 'ﬁ', '🖕', '\u200b') }),
    );

    fc.assert(
      fc.property(term, (text) => {
        assert.equal(firstFoldedCode(text), foldTerm(text)?.codes[0]);
      }),
      { numRuns: 2000 },
    );
  });

  it('skips empty and separator-only terms', () => {
    const matcher = new TermMatcher(['', '  ', '...', 'ok*']);

    assert.equal(matcher.size, 1);
  });
});

describe('toUnits', () => {
  it('folds every pictograph in U+1F300–U+1FAFF to itself, as the general path would', () => {
    for (let code = 0x1f300; code <= 0x1faff; code++) {
      const text = String.fromCodePoint(code);
      const general = text.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
      const isPlainSymbol = !/\p{Default_Ignorable_Code_Point}|[\p{L}\p{N}]|\s/u.test(text);

      const units = toUnits(text);

      assert.ok(general === text && isPlainSymbol, `U+${code.toString(16)} has a fold of its own`);
      assert.deepEqual([units.length, units.code[0], units.kind[0]], [1, code, OTHER]);
    }
  });

  it('folds every ASCII character to one unit, except control characters that show nothing', () => {
    const ascii = String.fromCharCode(...Array.from({ length: 128 }, (_, code) => code));
    // Tab, line feed, vertical tab, form feed and carriage return stay; 0x00–0x1f otherwise and 0x7f go.
    const hidden = 32 - 5 + 1;

    assert.equal(toUnits(ascii).length, 128 - hidden);
  });
});
