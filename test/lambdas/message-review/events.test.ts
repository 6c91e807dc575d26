/**
 * Every events/*.json through the built bundle (dist/message-review/index.js, `npm run build`),
 * loaded afresh and called as Lambda calls it, against the expected answer stored in events/expected/.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lambdaContext, loadBuiltHandler, REVIEW_BUNDLE } from '../../../scripts/invoke-review.js';
import { parseReviewAnswer } from '../../../shared/review/contract.js';

const EVENTS = join(import.meta.dirname, '../../../lambdas/message-review/events');

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function expectation(name: string): { policy: string | undefined; answer: unknown } {
  const expected = readJson(join(EVENTS, 'expected', `${name}.json`));
  assert.ok(typeof expected === 'object' && expected !== null && 'answer' in expected, `${name}: no answer`);
  const policy = 'policy' in expected && typeof expected.policy === 'string' ? expected.policy : undefined;
  return { policy: policy === undefined ? undefined : join(EVENTS, policy), answer: expected.answer };
}

/** Runs `work` with the bundle's stdout log lines captured instead of printed. */
async function capturingStdout<T>(work: () => Promise<T>): Promise<{ result: T; output: string }> {
  const write = process.stdout.write.bind(process.stdout);
  let output = '';
  process.stdout.write = (chunk: string | Uint8Array): boolean => {
    output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  };
  try {
    return { result: await work(), output };
  } finally {
    process.stdout.write = write;
  }
}

const names = readdirSync(EVENTS)
  .filter((file) => file.endsWith('.json'))
  .map((file) => file.slice(0, -'.json'.length))
  .sort();

describe('events/*.json through the built bundle', () => {
  it('finds the bundle and one event per behaviour', () => {
    assert.ok(existsSync(REVIEW_BUNDLE), 'run `npm run build` first');
    assert.ok(names.length >= 12);
  });

  for (const name of names) {
    it(`answers ${name}.json as expected`, async () => {
      const { policy, answer: expected } = expectation(name);
      const event = readJson(join(EVENTS, `${name}.json`));

      const { result: answer } = await capturingStdout(async () => {
        const handler = loadBuiltHandler(REVIEW_BUNDLE, {
          REVIEW_POLICY: undefined,
          REVIEW_POLICY_FILE: policy,
          FALLBACK_RESULT: undefined,
          LOG_LEVEL: 'info',
        });
        return handler(event, lambdaContext());
      });

      assert.deepEqual(answer, expected);
      assert.ok(parseReviewAnswer(answer).ok);
    });
  }

  it('keeps message texts out of its info-level log output', async () => {
    const texts = names.map((name) => readJson(join(EVENTS, `${name}.json`)));

    const { output } = await capturingStdout(async () => {
      const handler = loadBuiltHandler(REVIEW_BUNDLE, {
        LOG_LEVEL: 'info',
        REVIEW_POLICY: '{"reportRules":true}',
      });
      for (const event of texts) await handler(event, lambdaContext());
    });

    assert.ok(output.includes('"level":"info"'));
    for (const event of texts) {
      const content = typeof event === 'object' && event !== null && 'Content' in event ? event.Content : '';
      assert.ok(typeof content === 'string' && !output.includes(content), `logged: ${String(content)}`);
    }
  });

  it('answers the fallback for every message, without failing to load, when the policy is invalid', async () => {
    const event = readJson(join(EVENTS, 'allow.json'));

    const { result, output } = await capturingStdout(async () => {
      const handler = loadBuiltHandler(REVIEW_BUNDLE, {
        REVIEW_POLICY: '{"links":"nope"}',
        FALLBACK_RESULT: 'DENY',
      });
      return handler(event, lambdaContext());
    });

    assert.ok(parseReviewAnswer(result).ok);
    assert.deepEqual(result, {
      ReviewResult: 'DENY',
      Attributes: { Reason: 'Your message could not be reviewed. Please try again.' },
    });
    assert.ok(output.includes('review configuration is invalid'));
  });
});
