/**
 * What the review Lambda logs per message at the default level: a line for refusals, none for what
 * is delivered (plain or masked), which is counted in a metric line once a minute instead.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../shared/logger.js';
import { loadConfig, type Environment } from '../../../lambdas/message-review/config.js';
import { createReviewHandler } from '../../../lambdas/message-review/review-handler.js';
import { createReviewRecorder, METRICS_NAMESPACE } from '../../../lambdas/message-review/review-log.js';
import { reviewEvent } from './helpers.js';

const context = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 3000 };

function harness(env: Environment = {}) {
  const lines: Record<string, unknown>[] = [];
  // The default level.
  const logger = createLogger({
    level: 'info',
    write: (line) => {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed === 'object' && parsed !== null) lines.push({ ...parsed });
    },
  });
  const clock = { now: 1_700_000_000_000 };
  const recorder = createReviewRecorder({ logger, now: () => clock.now });
  // A budget no loaded machine runs out: these tests are about what is logged, and a review that fell
  // back (a first call compiling the rules can take over 150 ms when other work loads the machine)
  // would be logged and counted as a fallback instead (allows for load).
  const handler = createReviewHandler({ config: { ...loadConfig(env), budgetMs: 10_000 }, logger, recorder });
  return { handler, lines, clock };
}

describe('review log at the default level', () => {
  it('writes no line for a plain ALLOW', async () => {
    const { handler, lines } = harness();

    await handler(reviewEvent('hello there'), context);
    await handler(reviewEvent('nice game'), context);

    assert.deepEqual(lines, []);
  });

  it('writes one line for a refusal, with the rules and never the text', async () => {
    const { handler, lines } = harness({ REVIEW_POLICY: '{"blockedTermAction":"DENY"}' });

    await handler(reviewEvent('you bastard'), context);

    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.ok(line);
    assert.equal(line.message, 'reviewed');
    assert.equal(line.result, 'DENY');
    assert.deepEqual(line.rules, ['blockedTerms']);
    assert.doesNotMatch(JSON.stringify(lines), /bastard/);
  });

  it('writes no line for a rewrite (masked, but delivered): it is counted', async () => {
    const { handler, lines } = harness();

    const answer = await handler(reviewEvent('you bastard'), context);

    assert.equal(answer.ReviewResult, 'ALLOW');
    assert.notEqual(answer.Content, 'you bastard');
    assert.deepEqual(lines, []);
  });

  it('counts every review and writes the counts as one metric line once a minute', async () => {
    const { handler, lines, clock } = harness();
    for (const text of ['hello', 'hi', 'you bastard']) await handler(reviewEvent(text), context);
    const beforeMinute = lines.filter((line) => line.message === 'review counts').length;

    clock.now += 60_000;
    await handler(reviewEvent('still here'), context);

    const counts = lines.filter((line) => line.message === 'review counts');
    assert.equal(beforeMinute, 0);
    const [count] = counts;
    assert.equal(counts.length, 1);
    assert.ok(count);
    assert.equal(count.Reviewed, 4);
    assert.equal(count.Allowed, 3);
    assert.equal(count.Rewritten, 1);
    assert.equal(count.Denied, 0);
    assert.match(JSON.stringify(count._aws), new RegExp(METRICS_NAMESPACE));
  });
});
