import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { codePointLength } from '../../../shared/ivs/limits.js';
import { createLogger } from '../../../shared/logger.js';
import { parseReviewAnswer } from '../../../shared/review/contract.js';
import { loadConfig } from '../../../lambdas/message-review/config.js';
import { createReviewHandler } from '../../../lambdas/message-review/review-handler.js';
import { reviewEvent } from './helpers.js';

const MASKING_POLICY = JSON.stringify({
  links: { action: 'MASK' },
  pii: { email: true, phone: true, action: 'MASK' },
  reportRules: true,
  maximumMessageLength: 120,
});

const handlers = [
  { label: 'the default policy', limit: 500, env: {} },
  { label: 'a masking policy', limit: 120, env: { REVIEW_POLICY: MASKING_POLICY } },
  { label: 'a DENY policy', limit: 500, env: { REVIEW_POLICY: '{"blockedTermAction":"DENY"}' } },
].map(({ label, limit, env }) => ({
  label,
  limit,
  // A frozen clock: these properties are about the rules, and a loaded test machine must not run out
  // the 150 ms budget mid-property (budget exhaustion has its own tests in review-handler.test.ts).
  handler: createReviewHandler({
    config: loadConfig(env),
    logger: createLogger({ level: 'silent' }),
    now: () => 0,
  }),
}));

/** Text built from pieces that exercise the rules: terms, evasions, links, numbers, invisibles. */
const chatText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('fuck', 'f.u.c.k', 'sh1t', 'a$$', 'ｆｕｃｋ', 'bi\u200btch', 'class', 'Scunthorpe'),
      fc.constantFrom('evil.example/x', 'https://a.b.com/p?q', 'ann@example.com', '+1 555 123 4567'),
      fc.constantFrom(' ', '.', '-', '\u200b', '\u0301', '😀', 'ﬁ', 'İ', 'ß', '\ud800'),
      // Bidi controls (display-order matching), wild symbols, line breaks, controls, look-alikes.
      fc.constantFrom(
        '\u202e',
        '\u202d',
        '\u202c',
        '\u2067',
        '\u2069',
        '*',
        '#',
        '\n',
        '\u0007',
        'ᴀ',
        'ϲ',
        'ph',
      ),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

describe('review handler properties', () => {
  for (const { label, limit, handler } of handlers) {
    it(`never throws and always answers validly for arbitrary JSON events (${label})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.jsonValue(), async (event) => {
          const answer = await handler(event);

          assert.ok(parseReviewAnswer(answer, limit).ok, JSON.stringify(answer));
        }),
        { numRuns: 300 },
      );
    });

    it(`answers validly, within the limit, deterministically for arbitrary Unicode content (${label})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(chatText, fc.string({ unit: 'binary', maxLength: 600 })),
          fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
          async (content, attributes) => {
            const event = reviewEvent(content, { Attributes: attributes });

            const first = await handler(structuredClone(event));
            const second = await handler(structuredClone(event));

            assert.ok(parseReviewAnswer(first, limit).ok, JSON.stringify(first));
            assert.deepEqual(second, first);
            if (first.ReviewResult === 'ALLOW') {
              // Masking rewrites characters one for one: the length in code points never changes.
              assert.equal(codePointLength(first.Content ?? ''), codePointLength(content));
            }
          },
        ),
        { numRuns: 400 },
      );
    });
  }
});
