/**
 * `npm start`: the local stack. With CHAT_BACKEND=local (the default) it starts the IVS Chat
 * emulator, creates (or, with a data directory, reuses) a default room with the message-review
 * Lambda attached, then the token service in local mode serving the demo page, and prints a banner
 * with every URL and ready-to-paste curl commands. With CHAT_BACKEND=aws it starts only the token
 * service against real IVS Chat. Ctrl-C or SIGTERM stops everything cleanly.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRoomCommand, GetRoomCommand, IvschatClient, ListRoomsCommand } from '@aws-sdk/client-ivschat';
import { logLevelOf } from '../shared/config/env.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { defaultFunctionMap, parseFunctionMap, PROJECT_ROOT } from '../services/local-ivschat/functions.js';
import {
  QuotaConfigError,
  quotaOptionsFromEnv,
  startEmulator,
  type Emulator,
  type FunctionMap,
  type QuotaOptions,
} from '../services/local-ivschat/start.js';
import { startTokenService } from '../services/token-vending/entry/start.js';
import { CHAT_BACKENDS } from '../services/token-vending/config.js';
import { ConfigError } from '../services/token-vending/platform/problem.js';
import { startLocalTable } from '../services/local-dynamodb/start.js';
import { ensureChatLogging, localHistory, localReviewTableEnv } from './local-history.js';
import { startLocalSchedule, sweepSeconds } from './local-schedule.js';

export const DEFAULT_ROOM_NAME = 'local-default';
const DEMO_DIR = join(PROJECT_ROOT, 'dist', 'chat-demo');
const REVIEW_BUNDLE = join(PROJECT_ROOT, 'dist', 'message-review', 'index.js');

export interface LocalStackOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Override the ports from the environment (tests pass 0). */
  readonly emulatorPort?: number;
  readonly dynamodbPort?: number;
  readonly port?: number;
  readonly logger?: Logger;
  /** Passed to the emulator; tests only (IVS's 200 ms review limit is not adjustable). */
  readonly reviewDeadlineMs?: number;
}

export interface LocalStack {
  readonly backend: 'local' | 'aws';
  readonly tokenServiceUrl: string;
  readonly emulator?: Emulator;
  /** The local table's endpoint (dynalite), in local mode. */
  readonly tableEndpoint?: string;
  readonly tableName?: string;
  readonly roomArn?: string;
  readonly banner: string;
  close(): Promise<void>;
}

/** A port from the environment (0: any free port), or the default. */
export function portFrom(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number; got "${value}"`);
  return port;
}

/** The demo page from `npm run build`, or a placeholder page until the demo is built. */
function demoSite(): { dir: string; placeholder: boolean; cleanup: () => void } {
  if (existsSync(join(DEMO_DIR, 'index.html')))
    return { dir: DEMO_DIR, placeholder: false, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'ivs-chat-demo-'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>IVS Chat local stack</title>' +
      '<h1>IVS Chat local stack</h1><p>The demo page is not built yet (<code>dist/chat-demo/</code>). ' +
      'The token API and the emulator are running: see the terminal for the URLs and curl commands.</p>' +
      '<p>Configuration: <a href="/config.json">/config.json</a></p></html>\n',
  );
  return {
    dir,
    placeholder: true,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reuses the default room a data directory kept; creates it otherwise, through the real SDK. */
async function defaultRoom(
  client: IvschatClient,
  reviewArn: string,
): Promise<{ arn: string; maximumMessageLength: number; maximumMessageRatePerSecond: number }> {
  const existing = await client.send(new ListRoomsCommand({ name: DEFAULT_ROOM_NAME, maxResults: 1 }));
  const kept = existing.rooms?.[0];
  if (kept?.arn !== undefined) {
    const room = await client.send(new GetRoomCommand({ identifier: kept.arn }));
    return {
      arn: kept.arn,
      maximumMessageLength: room.maximumMessageLength ?? 500,
      maximumMessageRatePerSecond: room.maximumMessageRatePerSecond ?? 10,
    };
  }
  const room = await client.send(
    new CreateRoomCommand({
      name: DEFAULT_ROOM_NAME,
      messageReviewHandler: { uri: reviewArn, fallbackResult: 'ALLOW' },
      tags: { createdBy: 'npm-start' },
    }),
  );
  if (room.arn === undefined) throw new Error('CreateRoom answered without an arn');
  return {
    arn: room.arn,
    maximumMessageLength: room.maximumMessageLength ?? 500,
    maximumMessageRatePerSecond: room.maximumMessageRatePerSecond ?? 10,
  };
}

/** The default review function with the table settings added to its environment. */
function withReviewTable(functions: FunctionMap, tableEnv: Record<string, string>): FunctionMap {
  const review = functions['message-review'];
  if (!review) return functions;
  return { ...functions, 'message-review': { ...review, env: { ...tableEnv, ...review.env } } };
}

function curlCommands(tokenServiceUrl: string, roomArn: string): string {
  return [
    `  ID_TOKEN=$(curl -s -X POST ${tokenServiceUrl}/v1/dev/login \\`,
    `    -H 'content-type: application/json' -d '{"userId":"ann","displayName":"Ann","roles":["moderator"]}' \\`,
    `    | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).idToken')`,
    `  curl -s -X POST ${tokenServiceUrl}/v1/chat-tokens \\`,
    `    -H "authorization: Bearer $ID_TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"roomIdentifier":"${roomArn}"}'`,
  ].join('\n');
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const logger =
    options.logger ?? createLogger({ level: logLevelOf(env), base: { service: 'local-stack' } });
  const host = env.HOST ?? '127.0.0.1';
  const port = options.port ?? portFrom(env, 'PORT', 3000);
  const backendText = env.CHAT_BACKEND?.trim() || 'local';
  const backend = CHAT_BACKENDS.find((candidate) => candidate === backendText);
  // A typo ("AWS", "prod") must not quietly start the local stack with dev login on.
  if (backend === undefined) {
    throw new ConfigError(
      `invalid configuration:\n  - CHAT_BACKEND must be local or aws; got "${backendText.slice(0, 64)}"`,
    );
  }

  if (backend === 'aws') {
    const service = await startTokenService({
      env,
      port,
      host,
      logger: logger.child({ service: 'token-vending' }),
    });
    const banner = [
      '',
      'IVS Chat backend (CHAT_BACKEND=aws: real IVS Chat, no emulator, no dev login)',
      `  token API   ${service.url}/v1/chat-tokens   (health: ${service.url}/healthz)`,
      '',
    ].join('\n');
    return { backend, tokenServiceUrl: service.url, banner, close: () => service.close() };
  }

  const region = env.AWS_REGION ?? 'us-east-1';
  try {
    sweepSeconds(env);
  } catch (error) {
    throw new ConfigError(
      `invalid configuration:\n  - ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // IVS's quotas are on, as in AWS, unless EMULATOR_QUOTAS=off; a bad value stops the start here.
  let quotas: QuotaOptions;
  try {
    quotas = quotaOptionsFromEnv(env);
  } catch (error) {
    if (error instanceof QuotaConfigError)
      throw new ConfigError(`invalid configuration:\n  - ${error.message}`);
    throw error;
  }
  // All local state lives under EMULATOR_DATA_DIR when it is set: the emulator's rooms and chat
  // logs, and the table (dynalite's LevelDB folder).
  const dataDir = env.EMULATOR_DATA_DIR;
  const table = await startLocalTable({
    port: options.dynamodbPort ?? portFrom(env, 'DYNAMODB_PORT', 4511),
    host: '127.0.0.1',
    region,
    ...(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {}),
  });
  const history = localHistory({ tableName: table.tableName, endpoint: table.endpoint, env });
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      port: options.emulatorPort ?? portFrom(env, 'EMULATOR_PORT', 4510),
      host,
      region,
      ...(env.EMULATOR_DATA_DIR ? { dataDir: env.EMULATOR_DATA_DIR } : {}),
      // The review function's env (REVIEW_POLICY, LOG_LEVEL…) comes from the stack's own environment.
      functions: {
        // The review function reads the sender's bans and timeouts from the table, as in AWS.
        ...withReviewTable(
          defaultFunctionMap(env),
          localReviewTableEnv({ tableName: table.tableName, endpoint: table.endpoint }),
        ),
        ...history.functions,
        ...parseFunctionMap(env.EMULATOR_FUNCTIONS),
      },
      // The chat log feeds the history Lambda, as a CloudWatch Logs subscription does in AWS.
      logSubscriptions: history.logSubscriptions,
      quotas,
      logger: logger.child({ service: 'local-ivschat' }),
      ...(options.reviewDeadlineMs === undefined ? {} : { reviewDeadlineMs: options.reviewDeadlineMs }),
    });
  } catch (error) {
    await table.close();
    throw error;
  }
  const site = demoSite();
  const client = new IvschatClient({
    endpoint: emulator.url,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const reviewArn = `arn:aws:lambda:${region}:${emulator.accountId}:function:message-review`;
    const room = await defaultRoom(client, reviewArn);
    const loggingConfigurationArn = await ensureChatLogging(client, room.arn);
    const emulatorPort = new URL(emulator.url).port;
    const service = await startTokenService({
      env: {
        ...env,
        CHAT_BACKEND: 'local',
        AWS_REGION: region,
        EMULATOR_PORT: emulatorPort,
        ROOM_LOGGING_CONFIGURATION_ARN: loggingConfigurationArn,
        CHAT_TABLE: table.tableName,
        AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
        DYNAMODB_PORT: new URL(table.endpoint).port,
      },
      port,
      host,
      logger: logger.child({ service: 'token-vending' }),
      site: {
        dir: site.dir,
        config: {
          apiBaseUrl: '',
          roomArn: room.arn,
          messagingUrl: emulator.wsUrl,
          maximumMessageLength: room.maximumMessageLength,
          maximumMessageRatePerSecond: room.maximumMessageRatePerSecond,
        },
        connectSources: [emulator.wsUrl],
      },
    });
    // What EventBridge runs in AWS: the access sweeper (revocations, orphaned and deleted rooms).
    const schedule = startLocalSchedule({
      tableName: table.tableName,
      tableEndpoint: table.endpoint,
      ivsEndpoint: emulator.url,
      region,
      accountId: emulator.accountId,
      env,
      logger: logger.child({ service: 'local-schedule' }),
    });
    const notes: string[] = [];
    if (site.placeholder)
      notes.push(
        '  note        the demo page is not built yet: a placeholder page is served (npm run build)',
      );
    if (!existsSync(REVIEW_BUNDLE)) {
      notes.push(
        '  note        dist/message-review/index.js is missing (npm run build): reviews fall back to ALLOW',
      );
    }
    const banner = [
      '',
      'IVS Chat local stack (CHAT_BACKEND=local)',
      `  demo page   ${service.url}/`,
      `  token API   ${service.url}/v1/chat-tokens   (dev login: POST ${service.url}/v1/dev/login)`,
      `  emulator    control plane ${emulator.url}   messaging ${emulator.wsUrl}`,
      emulator.quotas.enabled
        ? "  quotas      IVS Chat's, as in AWS (CreateChatToken 200/s, room operations 5/s…); EMULATOR_QUOTAS=off lifts them"
        : '  quotas      off (EMULATOR_QUOTAS=off): no IVS Chat API rate or connection quota',
      `  table       ${table.tableName} on dynalite ${table.endpoint}${dataDir ? ` (kept in ${join(dataDir, 'dynamodb')})` : ' (in memory)'}`,
      `  room        ${room.arn}`,
      `  review      arn:aws:lambda:${region}:${emulator.accountId}:function:message-review → dist/message-review/index.js`,
      ...notes,
      '',
      'Try it:',
      curlCommands(service.url, room.arn),
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n');
    return {
      backend,
      tokenServiceUrl: service.url,
      emulator,
      tableEndpoint: table.endpoint,
      tableName: table.tableName,
      roomArn: room.arn,
      banner,
      close: async () => {
        await service.close();
        await schedule.close();
        client.destroy();
        await emulator.close();
        await table.close();
        site.cleanup();
      },
    };
  } catch (error) {
    client.destroy();
    await emulator.close();
    await table.close();
    site.cleanup();
    throw error;
  }
}

async function startOrExplain(): Promise<LocalStack> {
  try {
    return await startLocalStack();
  } catch (error) {
    // A configuration mistake is the user's to fix: say what, without a stack trace.
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stack = await startOrExplain();
  process.stdout.write(stack.banner + '\n');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void stack.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
