/**
 * One overall deadline per AWS SDK call, retries and backoff included. The SDK's own timeouts are per
 * attempt (connection, request), so with retries a call can last maxAttempts × timeout plus the
 * backoff, which can outlast a Lambda's timeout. Here every `send` gets an abort signal that fires at
 * the deadline (the socket is torn down), and the call is raced against it, because the retry
 * strategy's backoff sleep does not watch the signal. The error is named `TimeoutError`, which the
 * service's error mapping already turns into a 503 with Retry-After. Inside `withinRequestBudget`
 * the request's remaining budget caps each call too.
 */

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A request's overall budget: when a call is made inside `withinRequestBudget`, its deadline is the
 * sooner of its own and the request's end, so several calls in one request (a table read, then IVS)
 * cannot add up past what the caller, or a Lambda timeout, allows.
 */
const requestBudget = new AsyncLocalStorage<{ readonly endsAt: number }>();

/** Runs `work` (and every call it makes, however deep) under a budget ending at `endsAt` (epoch ms). */
export function withinRequestBudget<T>(endsAt: number, work: () => T): T {
  return requestBudget.run({ endsAt }, work);
}

/** Raised when a call runs past its deadline; `name` matches the SDK's own timeout errors. */
export class DeadlineExceededError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'deadline_exceeded';
  constructor(readonly deadlineMs: number) {
    super(`no answer within the ${deadlineMs} ms deadline`);
  }
}

interface SendOptions {
  abortSignal?: AbortSignal;
}

/** The part of an SDK v3 client this needs (the promise form of `send`). */
interface Sender {
  send(command: never, options?: SendOptions): Promise<unknown>;
}

/**
 * Makes every `client.send(command[, options])` settle within `deadlineMs`. A caller's own abort
 * signal still works (either one aborts). Returns the same client, for chaining at construction.
 */
export function withDeadline<C extends Sender>(client: C, deadlineMs: number): C {
  const send = client.send.bind(client) as (command: unknown, options?: SendOptions) => Promise<unknown>;
  const bounded = async (command: unknown, options: SendOptions = {}): Promise<unknown> => {
    const budget = requestBudget.getStore();
    const ms = budget === undefined ? deadlineMs : Math.min(deadlineMs, budget.endsAt - Date.now());
    // Nothing left of the request's budget: fail at once rather than start a call that cannot finish.
    if (ms <= 0) throw new DeadlineExceededError(0);
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        // Made only when it fires: an Error's stack costs more than the rest of this wrapper.
        const expired = new DeadlineExceededError(ms);
        controller.abort(expired);
        reject(expired);
      }, ms);
    });
    const signal =
      options.abortSignal === undefined
        ? controller.signal
        : AbortSignal.any([controller.signal, options.abortSignal]);
    const call = send(command, { ...options, abortSignal: signal });
    // The losing promise's rejection is handled here, not left unhandled.
    call.catch(() => undefined);
    try {
      return await Promise.race([call, deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
  Object.defineProperty(client, 'send', { value: bounded, configurable: true, writable: true });
  return client;
}
