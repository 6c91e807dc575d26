/**
 * The identity provider's JWKS endpoint misbehaving while token requests keep coming: keys rotate
 * mid-load, then the endpoint goes down, answers slower than the fetch deadline, and answers with a
 * megabytes-long body. Tokens signed with keys the service already holds keep working throughout;
 * tokens naming a key nobody can fetch are refused with a 401 promptly; nothing is a 5xx or hangs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { JWKS_DEADLINE_MS } from '../../services/token-vending/config.js';
import { startTokenService } from '../../services/token-vending/entry/start.js';
import { createLogger } from '../../shared/logger.js';
import type { JwksMode } from '../services/token-vending/support/faulty-jwks.js';
import { newRsaKey, signToken } from '../services/token-vending/support/jwks-server.js';
import {
  bounded,
  report,
  slowest,
  startResilienceStack,
  tally,
  tokenRequest,
  type Answer,
  type ResilienceStack,
} from './support/stack.js';

const LOAD = 200;
/**
 * Requests at a time. Enough to rotate keys and break the endpoint under load, and few enough that
 * on a 2-core machine shared with other work each request still meets the table's and the JWKS
 * fetch's 2 s deadlines (10 at a time got 8 503s out of 200 there): allows for load.
 */
const CONCURRENCY = 4;
/** Healthy requests measured on the same instance just before a fault, as the reference. */
const REFERENCE = 20;

/**
 * POST /v1/chat-tokens as a client does it: a 503 with Retry-After is tried once more after that
 * wait. On a machine loaded by other work a table or IVS call can run past its deadline (2 s, 5 s)
 * and the service answers 503 with Retry-After, as it should; the retry shows the service recovers.
 * A JWKS fault cannot hide behind it: a refused key is a 401 (never retried), and with the first key
 * held the service never answers 503 for want of keys. `ms` stays the first attempt's time.
 */
async function clientRequest(
  baseUrl: string,
  jwt: string,
  roomArn: string,
): Promise<Answer & { retried: boolean }> {
  const first = await tokenRequest(baseUrl, jwt, roomArn);
  if (first.status !== 503 || first.retryAfter === null) return { ...first, retried: false };
  await setTimeout(Math.min(Number(first.retryAfter), 5) * 1000);
  const again = await tokenRequest(baseUrl, jwt, roomArn);
  return { ...again, ms: first.ms, retried: true };
}

/** At most one request in ten needed its retry (allows for load; more means the service struggles). */
function assertFewRetries(answers: readonly { retried: boolean }[]): void {
  const retried = answers.filter((answer) => answer.retried).length;
  assert.ok(retried <= answers.length / 10, `${retried} of ${answers.length} needed a retry`);
}

let stack: ResilienceStack;
before(async () => {
  // Unknown kids are failed sign-ins; this suite sends a few on purpose from one address.
  stack = await startResilienceStack({ AUTH_FAILURE_LIMIT: '1000' });
});
after(() => stack.close());

describe('resilience: JWKS endpoint under load', () => {
  it('accepts keys rotated in mid-load', async () => {
    const rotated = newRsaKey('resilience-2');
    const answers = await bounded(LOAD, CONCURRENCY, async (index) => {
      if (index === LOAD / 4) stack.jwks.published.push(rotated);
      const signer = index > LOAD / 4 && index % 2 === 0 ? rotated : stack.key;
      return clientRequest(stack.service.url, signToken(signer, { sub: `u-${index % 7}` }), stack.roomArn);
    });
    report(`JWKS rotation during load: ${LOAD} token requests, key 2 published after ${LOAD / 4}`, [
      `answers: ${tally(answers)}; JWKS fetched ${stack.jwks.fetches} times in all; ${answers.filter((answer) => answer.retried).length} retried after a 503`,
    ]);
    assert.ok(
      answers.every((answer) => answer.status === 200),
      tally(answers),
    );
    assertFewRetries(answers);
  });

  for (const mode of ['down', 'trickle', 'huge'] as const satisfies readonly JwksMode[]) {
    it(`keeps serving known keys while the endpoint is ${mode}, refuses unknown ones with 401`, async () => {
      // A fresh instance, so its refetch budget is whole: the fault, not the budget, is what is met.
      const service = await startTokenService({
        env: stack.env,
        port: 0,
        host: '127.0.0.1',
        logger: createLogger({ level: 'silent' }),
      });
      // The reference, measured in this run on this instance: the same load with the endpoint up.
      const reference = await bounded(REFERENCE, CONCURRENCY, (index) =>
        clientRequest(service.url, stack.jwt(`u-${index % 5}`), stack.roomArn),
      );
      stack.jwks.mode = mode;
      const stranger = newRsaKey(`unpublished-${mode}`);
      const answers = await bounded(LOAD / 2, CONCURRENCY, (index) =>
        clientRequest(
          service.url,
          signToken(index % 20 === 0 ? stranger : stack.key, { sub: `u-${index % 5}` }),
          stack.roomArn,
        ),
      );
      stack.jwks.mode = 'ok';
      await service.close();
      const known = answers.filter((_, index) => index % 20 !== 0);
      const unknown = answers.filter((_, index) => index % 20 === 0);
      report(
        `JWKS endpoint ${mode} during load: ${answers.length} token requests, 1 in 20 naming an unpublished key`,
        [
          `known key: ${tally(known)}`,
          `unknown key: ${tally(unknown)}; slowest ${Math.round(slowest(unknown))} ms (fetch deadline ${JWKS_DEADLINE_MS} ms)`,
          `with the endpoint up just before: ${tally(reference)}; slowest ${Math.round(slowest(reference))} ms`,
        ],
      );
      assert.ok(
        reference.every((answer) => answer.status === 200),
        tally(reference),
      );
      assert.ok(
        known.every((answer) => answer.status === 200),
        tally(known),
      );
      assertFewRetries(known);
      assert.ok(
        unknown.every((answer) => answer.status === 401),
        tally(unknown),
      );
      // A fault costs a caller at most the fetch deadline over what the same load cost with the
      // endpoint up (compared against the reference measured above, so a loaded machine moves both).
      assert.ok(
        slowest(answers) < JWKS_DEADLINE_MS + 2 * slowest(reference) + 1000,
        `slowest ${Math.round(slowest(answers))} ms, reference ${Math.round(slowest(reference))} ms`,
      );
    });
  }
});
