/**
 * The per-user token limit holds across instances: two service processes on one table share one
 * count. With the limit in process memory each would grant its own allowance (twice the limit in
 * total, and a fresh one in every new Lambda container).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isRecord } from '../../../../../shared/json.js';
import { at } from '../../support/http.js';
import { startServiceProcess, type ServiceProcess } from '../../support/process.js';
import { call, startServiceStack, type ServiceStack } from '../../support/stack.js';

const LIMIT = 4;
let stack: ServiceStack;
let first: ServiceProcess;
let second: ServiceProcess;

before(async () => {
  // A day-long window: the test cannot straddle two windows (they are aligned to the epoch).
  stack = await startServiceStack({ RATE_LIMIT_MAX: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: '86400' });
  [first, second] = await Promise.all([startServiceProcess(stack.env), startServiceProcess(stack.env)]);
});
after(async () => {
  await Promise.all([first.stop(), second.stop()]);
  await stack.close();
});

describe('the per-user token limit across two service processes', () => {
  it('grants one allowance in total, whichever instance is asked', async () => {
    // Prepare
    const created = await call(first.url, 'POST', '/v1/rooms', {
      jwt: stack.jwt('ann', ['admin']),
      body: { name: 'limited' },
    });
    assert.equal(created.status, 201);
    const roomIdentifier = at(created.body, 'arn');
    const busy = stack.jwt('busy');
    // Act: alternate between the instances, twice the limit in all.
    const answers = [];
    for (let i = 0; i < 2 * LIMIT; i++) {
      const url = i % 2 === 0 ? first.url : second.url;
      answers.push(await call(url, 'POST', '/v1/chat-tokens', { jwt: busy, body: { roomIdentifier } }));
    }
    const calm = await call(second.url, 'POST', '/v1/chat-tokens', {
      jwt: stack.jwt('calm'),
      body: { roomIdentifier },
    });
    // Assess (a refusal's problem code is in the message, so an unexpected one says which it was)
    assert.deepEqual(
      answers.map((answer) => answer.status),
      [...Array<number>(LIMIT).fill(200), ...Array<number>(LIMIT).fill(429)],
      JSON.stringify(
        answers.map((answer) => [answer.status, isRecord(answer.body) ? answer.body.code : undefined]),
      ),
    );
    const retryAfter = Number(answers.at(-1)?.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 86_400);
    assert.equal(calm.status, 200, 'another user has an allowance of their own');
  });
});
