/**
 * IVS and DynamoDB faults against the real local stack: throttling, 5xx, answers slower than the
 * deadline, refused connections (IVS); throttling and down (DynamoDB). Every token request ends
 * within its deadline with a clean 503 and Retry-After (no 500, nothing hangs), and the service
 * serves again on its own as soon as the fault ends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DYNAMODB_DEADLINE_MS, IVS_DEADLINE_MS } from '../../services/token-vending/config.js';
import type { Fault, FaultProxy } from './support/fault-proxy.js';
import {
  bounded,
  report,
  slowest,
  startResilienceStack,
  tally,
  tokenRequest,
  type ResilienceStack,
} from './support/stack.js';

const REQUESTS = 20;
const CONCURRENCY = 10;
/** What a client may wait at most: the deadlines of one table read and one CreateChatToken, plus slack. */
const BOUND_MS = DYNAMODB_DEADLINE_MS + IVS_DEADLINE_MS + 1500;

let stack: ResilienceStack;
before(async () => {
  stack = await startResilienceStack();
});
after(() => stack.close());

async function underFault(name: string, proxy: FaultProxy, fault: Fault, code: string): Promise<void> {
  const jwt = stack.jwt('resilient');
  const send = () => tokenRequest(stack.service.url, jwt, stack.roomArn);
  const baseline = await bounded(3, 3, send);
  await proxy.set(fault);
  const during = await bounded(REQUESTS, CONCURRENCY, send);
  await proxy.set('pass');
  const afterwards = await bounded(5, 5, send);
  report(`${name}: ${REQUESTS} token requests, ${CONCURRENCY} at a time`, [
    `before: ${tally(baseline)}`,
    `during: ${tally(during)}; slowest ${Math.round(slowest(during))} ms (bound ${BOUND_MS} ms)`,
    `after the fault ends: ${tally(afterwards)}`,
  ]);
  assert.ok(baseline.every((answer) => answer.status === 200));
  for (const answer of during) {
    assert.equal(answer.status, 503, `${name}: ${tally(during)}`);
    assert.equal(answer.code, code);
    assert.ok(Number(answer.retryAfter) > 0, 'Retry-After');
    assert.ok(answer.ms < BOUND_MS, `${name}: answered in ${Math.round(answer.ms)} ms`);
  }
  assert.ok(
    afterwards.every((answer) => answer.status === 200),
    `${name} recovery: ${tally(afterwards)}`,
  );
}

describe('resilience: IVS faults', () => {
  it('IVS throttling', () =>
    underFault(
      'IVS throttling (429 ThrottlingException)',
      stack.ivsProxy,
      'throttle',
      'upstream_unavailable',
    ));
  it('IVS 5xx', () =>
    underFault('IVS 5xx (500 InternalServerException)', stack.ivsProxy, 'error-5xx', 'upstream_unavailable'));
  it('IVS slower than the deadline', () =>
    underFault('IVS never answers', stack.ivsProxy, 'hang', 'upstream_unavailable'));
  it('IVS refusing connections', () =>
    underFault('IVS refuses connections', stack.ivsProxy, 'refuse', 'upstream_unavailable'));
});

describe('resilience: DynamoDB faults', () => {
  it('DynamoDB throttling', () =>
    underFault(
      'DynamoDB throttling (ThrottlingException)',
      stack.tableProxy,
      'throttle',
      'store_unavailable',
    ));
  it('DynamoDB down', () =>
    underFault('DynamoDB down (connections refused)', stack.tableProxy, 'refuse', 'store_unavailable'));
  it('DynamoDB slower than the deadline', () =>
    underFault('DynamoDB never answers', stack.tableProxy, 'hang', 'store_unavailable'));
});
