/**
 * Runs local Lambda functions the way Lambda does: each in its own runtime (a worker thread with the
 * function's own environment), initialised once and reused. The caller's deadline (IVS waits 200 ms
 * for a review, IVS Chat User Guide, chat message review handler) is enforced here on the emulator's thread, so a handler that
 * never answers, or spins the CPU, cannot hold a message or block the emulator. A runtime still busy
 * at the function's own timeout is terminated and replaced, as Lambda ends a timed-out invocation.
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describeError, type Logger } from '../../shared/logger.js';
import { resolveFunction, type FunctionMap, type ResolvedFunction } from './functions.js';
import { isRecord } from '../../shared/json.js';
import { IVS_LIMITS } from '../../shared/ivs/limits.js';

export type InvokeOutcome =
  | { readonly ok: true; readonly payload: unknown }
  | { readonly ok: false; readonly problem: 'timeout' | 'error' | 'not-found'; readonly detail: string };

const WORKER_URL = new URL('./function-worker.mjs', import.meta.url);

interface Pending {
  readonly settle: (outcome: InvokeOutcome) => void;
  readonly killTimer: NodeJS.Timeout;
}

class FunctionRuntime {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #ready: Promise<string | undefined>;
  readonly #functionTimeoutMs: number;
  #nextId = 0;
  #dead = false;
  onExit: () => void = () => undefined;

  constructor(fn: ResolvedFunction, uri: string, region: string, reviewDeadlineMs: number) {
    const memory = fn.definition.memoryLimitInMB ?? 128;
    this.#functionTimeoutMs = (fn.definition.timeoutSeconds ?? 3) * 1000;
    const logGroupName = `/aws/lambda/${fn.functionName}`;
    const env: Record<string, string> = {
      AWS_REGION: fn.region || region,
      AWS_DEFAULT_REGION: fn.region || region,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory),
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: dirname(fn.modulePath),
      // No X-Ray daemon and no trace header here: Powertools Tracer would report each missing one.
      POWERTOOLS_TRACE_ENABLED: 'false',
      // How long this emulator waits for a review (IVS: 200 ms). The review function keeps its budget
      // under it, so a stack given a longer deadline may also give the review a longer budget.
      REVIEW_TIMEOUT_MS: String(reviewDeadlineMs),
      ...fn.definition.env,
    };
    this.#worker = new Worker(WORKER_URL, {
      env,
      workerData: {
        modulePath: fn.modulePath,
        handlerName: fn.definition.handler ?? 'handler',
        timeoutMs: this.#functionTimeoutMs,
        context: {
          functionName: fn.functionName,
          functionVersion: '$LATEST',
          invokedFunctionArn: uri,
          memoryLimitInMB: String(memory),
          logGroupName,
          logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
        },
      },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(memory, 64) },
    });
    this.#worker.unref();
    this.#ready = new Promise((resolve) => {
      const onMessage = (message: unknown): void => {
        if (!isRecord(message)) return;
        if (message.type === 'ready') resolve(undefined);
        else if (message.type === 'init-error') resolve(describeInitError(message.error));
        else this.#onResult(message);
      };
      this.#worker.on('message', onMessage);
      this.#worker.on('error', (error) => {
        resolve(String(describeError(error).errorMessage));
      });
      this.#worker.on('exit', () => {
        resolve('runtime exited');
        this.#dead = true;
        for (const [id, pending] of this.#pending)
          this.#finish(id, pending, { ok: false, problem: 'error', detail: 'runtime exited' });
        this.onExit();
      });
    });
  }

  get dead(): boolean {
    return this.#dead;
  }

  #finish(id: number, pending: Pending, outcome: InvokeOutcome): void {
    clearTimeout(pending.killTimer);
    this.#pending.delete(id);
    pending.settle(outcome);
  }

  #onResult(message: Record<string, unknown>): void {
    const id = message.id;
    if (typeof id !== 'number') return;
    const pending = this.#pending.get(id);
    if (!pending) return;
    if (message.type === 'result') this.#finish(id, pending, { ok: true, payload: message.payload });
    else this.#finish(id, pending, { ok: false, problem: 'error', detail: describeInitError(message.error) });
  }

  async invoke(event: unknown): Promise<InvokeOutcome> {
    const initProblem = await this.#ready;
    if (initProblem !== undefined) return { ok: false, problem: 'error', detail: initProblem };
    if (this.#dead) return { ok: false, problem: 'error', detail: 'runtime exited' };
    const id = this.#nextId++;
    return new Promise((settle) => {
      // Lambda stops an invocation at the function's timeout; a runtime still busy then is replaced.
      const killTimer = setTimeout(() => void this.terminate(), this.#functionTimeoutMs);
      this.#pending.set(id, { settle, killTimer });
      this.#worker.postMessage({ id, event, awsRequestId: randomUUID() });
    });
  }

  async terminate(): Promise<void> {
    this.#dead = true;
    await this.#worker.terminate();
  }
}

function describeInitError(error: unknown): string {
  if (isRecord(error) && typeof error.errorMessage === 'string') {
    return `${typeof error.errorType === 'string' ? error.errorType : 'Error'}: ${error.errorMessage}`;
  }
  return 'unknown error';
}

export interface FunctionHostOptions {
  readonly functions: FunctionMap;
  readonly region: string;
  readonly logger: Logger;
  /** How long the emulator waits for a review answer (IVS's 200 ms by default); passed to every function as REVIEW_TIMEOUT_MS. */
  readonly reviewDeadlineMs?: number;
}

export class FunctionHost {
  readonly #runtimes = new Map<string, FunctionRuntime>();
  readonly #options: FunctionHostOptions;
  #closed = false;

  constructor(options: FunctionHostOptions) {
    this.#options = options;
  }

  /** Whether a handler uri resolves to a local function. */
  resolves(uri: string): boolean {
    return resolveFunction(this.#options.functions, uri) !== undefined;
  }

  #runtime(uri: string): FunctionRuntime | undefined {
    const existing = this.#runtimes.get(uri);
    if (existing && !existing.dead) return existing;
    if (this.#closed) return undefined;
    const fn = resolveFunction(this.#options.functions, uri);
    if (!fn) return undefined;
    const deadlineMs = this.#options.reviewDeadlineMs ?? IVS_LIMITS.reviewTimeoutMs;
    const runtime = new FunctionRuntime(fn, uri, this.#options.region, deadlineMs);
    runtime.onExit = () => {
      if (this.#runtimes.get(uri) === runtime) this.#runtimes.delete(uri);
    };
    this.#runtimes.set(uri, runtime);
    this.#options.logger.debug('function runtime started', { functionName: fn.functionName });
    return runtime;
  }

  /** Starts a function's runtime ahead of its first invocation (Lambda's provisioned concurrency). */
  warm(uri: string): void {
    // Warming is an optimisation: a runtime that cannot start shows at invocation, where the room's
    // fallback applies; it must never fail the CreateRoom, UpdateRoom or start that asked for it.
    try {
      this.#runtime(uri);
    } catch (error) {
      this.#options.logger.warn('could not start a function runtime', describeError(error));
    }
  }

  /** Invokes synchronously (RequestResponse) and waits at most `deadlineMs` for the answer. */
  async invoke(uri: string, event: unknown, deadlineMs: number): Promise<InvokeOutcome> {
    let runtime: FunctionRuntime | undefined;
    try {
      runtime = this.#runtime(uri);
    } catch (error) {
      return { ok: false, problem: 'error', detail: String(describeError(error).errorMessage) };
    }
    if (!runtime) return { ok: false, problem: 'not-found', detail: 'no local function for this ARN' };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<InvokeOutcome>((settle) => {
      timer = setTimeout(() => {
        settle({ ok: false, problem: 'timeout', detail: `no answer within ${deadlineMs} ms` });
      }, deadlineMs);
    });
    try {
      return await Promise.race([runtime.invoke(event), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const runtimes = [...this.#runtimes.values()];
    this.#runtimes.clear();
    await Promise.all(runtimes.map((runtime) => runtime.terminate()));
  }
}
