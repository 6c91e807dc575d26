/**
 * The schedules of the local stack: what EventBridge does in AWS (template.yaml's AccessSweeper
 * schedule). Every REVOCATION_SWEEP_SECONDS (default 10) it invokes the built access sweeper
 * (`dist/access-sweeper/index.js`) as Lambda would, in its own runtime with its own environment,
 * through the emulator's function host. An invocation still running when the next is due is not
 * doubled (the template gives the function a reserved concurrency of 1).
 */
import { FunctionHost } from '../services/local-ivschat/function-host.js';
import type { Logger } from '../shared/logger.js';

export const ACCESS_SWEEPER_BUNDLE = 'dist/access-sweeper/index.js';
export const DEFAULT_SWEEP_SECONDS = 10;

export interface LocalScheduleOptions {
  readonly tableName: string;
  readonly tableEndpoint: string;
  readonly ivsEndpoint: string;
  readonly region: string;
  /** The emulator's account: the function is invoked by its ARN, as EventBridge targets it. */
  readonly accountId: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
}

/** REVOCATION_SWEEP_SECONDS: 1–30 (a reconnect with an older token stays open this long at most). */
export function sweepSeconds(env: NodeJS.ProcessEnv): number {
  const text = env.REVOCATION_SWEEP_SECONDS?.trim();
  if (text === undefined || text === '') return DEFAULT_SWEEP_SECONDS;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1 || value > 30) {
    throw new Error(`REVOCATION_SWEEP_SECONDS must be an integer from 1 to 30; got "${text.slice(0, 32)}"`);
  }
  return value;
}

export function startLocalSchedule(options: LocalScheduleOptions): { close(): Promise<void> } {
  const seconds = sweepSeconds(options.env);
  const host = new FunctionHost({
    functions: {
      'access-sweeper': {
        module: ACCESS_SWEEPER_BUNDLE,
        // As Lambda would set them from the template; the emulator and dynalite check no signature.
        env: {
          CHAT_TABLE: options.tableName,
          AWS_ENDPOINT_URL_DYNAMODB: options.tableEndpoint,
          AWS_ENDPOINT_URL_IVSCHAT: options.ivsEndpoint,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          SWEEP_INTERVAL_SECONDS: String(seconds),
          // Each pass's info line is a CloudWatch metric record, which nothing reads here: every 10 s it
          // was noise in `npm start`. Problems (warn, error) still show; LOG_LEVEL=info brings it back.
          LOG_LEVEL: options.env.LOG_LEVEL ?? 'warn',
        },
        // One sweep per invocation here: the schedule itself repeats every `seconds`.
        timeoutSeconds: Math.max(seconds, 5),
      },
    },
    region: options.region,
    logger: options.logger,
  });
  let running: Promise<void> | undefined;
  const tick = (): void => {
    if (running) return;
    running = host
      .invoke(
        `arn:aws:lambda:${options.region}:${options.accountId}:function:access-sweeper`,
        { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} },
        seconds * 3000,
      )
      .then((outcome) => {
        if (!outcome.ok)
          options.logger.warn('access sweep failed', { problem: outcome.problem, detail: outcome.detail });
      })
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, seconds * 1000);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
      await host.close();
    },
  };
}
