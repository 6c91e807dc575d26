/**
 * The stack behind the browser tests, started in-process on ephemeral ports: the emulator, dynalite
 * with the table, the token service serving the built page (one per configured room, all on the same
 * emulator and table), the real @aws-sdk/client-ivschat, and Debian's chromium. Wired as `npm start`
 * wires it (scripts/start.ts): the review function reads bans and timeouts from the table, the chat
 * log feeds the history function, and every served room (and every room made through the API) has
 * the logging configuration attached. Needs `npm run build` first (the gate builds before it runs tests).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IvschatClient } from '@aws-sdk/client-ivschat';
import { chromium, type Browser } from 'playwright-core';
import { createLogger } from '../../shared/logger.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../services/local-ivschat/start.js';
import { startLocalTable, type LocalTable } from '../../services/local-dynamodb/start.js';
import { startTokenService, type RunningService } from '../../services/token-vending/entry/start.js';
import { ensureChatLogging, localHistory, localReviewTableEnv } from '../../scripts/local-history.js';
import { browserEnv } from './chat-page.js';
import { REVIEW_BUDGET_UNDER_LOAD_MS } from '../support/review-budget.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface DemoStack {
  readonly emulator: Emulator;
  readonly table: LocalTable;
  readonly ivs: IvschatClient;
  readonly browser: Browser;
  /** A token service serving the page with `room` as its initial room; closed with the stack. */
  serveRoom(room: { arn: string; maximumMessageLength: number }): Promise<RunningService>;
  close(): Promise<void>;
}

/**
 * The review function's environment in the browser tests: a budget that allows for load
 * (review-budget.ts), under the emulator's 10 s review deadline below. These tests are about the
 * page. A test with its own review policy adds REVIEW_POLICY to it.
 */
export const REVIEW_ENV: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'warn',
  REVIEW_BUDGET_MS: REVIEW_BUDGET_UNDER_LOAD_MS,
};

export async function startDemoStack(
  options: Pick<EmulatorOptions, 'functions' | 'reviewDeadlineMs'> = {},
): Promise<DemoStack> {
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    // Whatever failed, everything started here is closed (newest first) so the test process exits.
    for (const closeOne of closers.splice(0).reverse()) await closeOne().catch(() => undefined);
  };
  try {
    const table = await startLocalTable();
    closers.push(() => table.close());
    const tableSettings = { tableName: table.tableName, endpoint: table.endpoint };
    const history = localHistory({ ...tableSettings, env: { LOG_LEVEL: 'warn' } });
    // Rooms made through the API get the review Lambda attached: quiet unless a test says otherwise.
    const review = options.functions?.['message-review'] ?? {
      module: 'dist/message-review/index.js',
      env: REVIEW_ENV,
    };
    const emulator = await startEmulator({
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ level: 'warn', base: { service: 'local-ivschat' } }),
      // IVS gives a review 200 ms; on a loaded 2-core machine the review can miss that and the room's
      // fallback would deliver a message the policy refuses. These tests are about the page, not timing.
      reviewDeadlineMs: 10_000,
      ...options,
      functions: {
        ...history.functions,
        ...options.functions,
        // The review function reads the sender's bans and timeouts from the table, as in AWS.
        'message-review': { ...review, env: { ...localReviewTableEnv(tableSettings), ...review.env } },
      },
      // The chat log feeds the history Lambda, as a CloudWatch Logs subscription does in AWS.
      logSubscriptions: history.logSubscriptions,
    });
    closers.push(() => emulator.close());
    const ivs = new IvschatClient({
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    closers.push(() => {
      ivs.destroy();
      return Promise.resolve();
    });
    const browser = await chromium.launch({
      // /usr/bin/chromium, started at a lower priority than the servers under test (chromium.sh says why).
      executablePath: join(ROOT, 'test/e2e/chromium.sh'),
      env: browserEnv(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    closers.push(() => browser.close());
    const env = {
      CHAT_BACKEND: 'local',
      EMULATOR_PORT: new URL(emulator.url).port,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      CHAT_TABLE: table.tableName,
      LOG_LEVEL: 'warn',
    };
    return {
      emulator,
      table,
      ivs,
      browser,
      async serveRoom(room) {
        // History for the served room and for rooms made through this service, as `npm start` does.
        const loggingConfigurationArn = await ensureChatLogging(ivs, room.arn);
        const service = await startTokenService({
          env: { ...env, ROOM_LOGGING_CONFIGURATION_ARN: loggingConfigurationArn },
          port: 0,
          site: {
            dir: join(ROOT, 'dist/chat-demo'),
            config: {
              apiBaseUrl: '',
              roomArn: room.arn,
              messagingUrl: emulator.wsUrl,
              maximumMessageLength: room.maximumMessageLength,
            },
            connectSources: [emulator.wsUrl],
          },
        });
        closers.push(() => service.close());
        return service;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
