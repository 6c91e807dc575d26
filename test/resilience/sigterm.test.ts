/**
 * SIGTERM under load: a token service process (services/token-vending/entry/server.ts, as a container
 * runs it) is stopped while clients keep it busy. The clients stop sending new requests when the
 * signal goes out (as a load balancer stops routing to a draining instance); every request already
 * sent must still get its answer: zero failed requests from the clients' side.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServiceProcess } from '../services/token-vending/support/process.js';
import { SLOW_MS } from './support/fault-proxy.js';
import {
  report,
  startResilienceStack,
  tally,
  tokenRequest,
  warmUp,
  type Answer,
  type ResilienceStack,
} from './support/stack.js';

const WORKERS = 8;

let stack: ResilienceStack;
before(async () => {
  stack = await startResilienceStack();
});
after(() => stack.close());

describe('resilience: SIGTERM under load', () => {
  it('finishes every in-flight request and exits', async () => {
    // Prepare: IVS answers slowly, so requests are in flight when the signal arrives.
    const service = await startServiceProcess(stack.env);
    const jwt = stack.jwt('drained');
    await warmUp(service.url, jwt, stack.roomArn, WORKERS);
    await stack.ivsProxy.set('slow');
    const answers: Answer[] = [];
    let sending = true;
    let inFlight = 0;

    const worker = async (): Promise<void> => {
      // Bounded: the signal goes out after 1.5 s; each request takes about SLOW_MS.
      for (let i = 0; i < 100 && sending; i++) {
        inFlight += 1;
        answers.push(await tokenRequest(service.url, jwt, stack.roomArn));
        inFlight -= 1;
      }
    };
    // Act
    const workers = Array.from({ length: WORKERS }, worker);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    sending = false;
    const inFlightAtSignal = inFlight;
    const started = performance.now();
    await service.stop();
    const stoppedMs = performance.now() - started;
    await Promise.all(workers);
    await stack.ivsProxy.set('pass');
    // Assess
    report(`SIGTERM under load: ${WORKERS} clients, IVS answering in ${SLOW_MS} ms`, [
      `${answers.length} requests in all, ${inFlightAtSignal} in flight when SIGTERM was sent`,
      `answers: ${tally(answers)}`,
      `the process drained and exited ${Math.round(stoppedMs)} ms after the signal`,
    ]);
    assert.ok(inFlightAtSignal > 0, 'requests were in flight at the signal');
    assert.deepEqual(
      answers.filter((answer) => answer.status !== 200),
      [],
      'zero failed requests',
    );
  });
});
