/**
 * The chat-history wiring of the local stack: what `npm start` (and the tests) pass the emulator so
 * that its chat log feeds `dist/chat-history/index.js` exactly as CloudWatch Logs feeds the deployed
 * function, and the logging configuration a room needs for its messages to be logged there.
 *
 * The lead's start.ts uses it as:
 *   const history = localHistory({ tableName: table.tableName, endpoint: table.endpoint, env });
 *   startEmulator({ ..., functions: { ...defaultFunctionMap(env), ...history.functions, ...fromEnv },
 *                   logSubscriptions: history.logSubscriptions });
 *   await ensureChatLogging(client, room.arn);   // once the default room exists
 */
import {
  CreateLoggingConfigurationCommand,
  GetRoomCommand,
  ListLoggingConfigurationsCommand,
  UpdateRoomCommand,
  type IvschatClient,
} from '@aws-sdk/client-ivschat';
import type { FunctionMap } from '../services/local-ivschat/functions.js';
import type { LogSubscriptions } from '../services/local-ivschat/log-subscriptions.js';

export const CHAT_HISTORY_FUNCTION = 'chat-history';
export const CHAT_HISTORY_BUNDLE = 'dist/chat-history/index.js';
/** The local log group of the rooms' chat logs (in AWS the stack names its own). */
export const LOCAL_CHAT_LOG_GROUP = '/aws/vendedlogs/ivschat/local';
const LOGGING_CONFIGURATION_NAME = 'local-chat-history';

export interface LocalHistoryOptions {
  readonly tableName: string;
  /** The table's endpoint, e.g. dynalite's http://127.0.0.1:4511. */
  readonly endpoint: string;
  /** HISTORY_RETENTION_DAYS and LOG_LEVEL are passed on from here. */
  readonly env?: NodeJS.ProcessEnv;
}

export function localHistory(options: LocalHistoryOptions): {
  functions: FunctionMap;
  logSubscriptions: LogSubscriptions;
} {
  const env = options.env ?? {};
  const passed: Record<string, string> = {};
  for (const key of ['HISTORY_RETENTION_DAYS', 'LOG_LEVEL']) {
    const value = env[key];
    if (value !== undefined) passed[key] = value;
  }
  return {
    functions: {
      [CHAT_HISTORY_FUNCTION]: {
        module: CHAT_HISTORY_BUNDLE,
        // As Lambda would set them from the function's configuration and role; dynalite checks that
        // requests are signed, not by whom.
        env: {
          CHAT_TABLE: options.tableName,
          AWS_ENDPOINT_URL_DYNAMODB: options.endpoint,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          ...passed,
        },
        timeoutSeconds: 30,
        memoryLimitInMB: 256,
      },
    },
    logSubscriptions: { [LOCAL_CHAT_LOG_GROUP]: CHAT_HISTORY_FUNCTION },
  };
}

/**
 * The review function's table settings, as Lambda would set them from the template: it reads the
 * sender's bans and timeouts on every message (CHAT_TABLE), here from dynalite.
 */
export function localReviewTableEnv(options: LocalHistoryOptions): Record<string, string> {
  return {
    CHAT_TABLE: options.tableName,
    AWS_ENDPOINT_URL_DYNAMODB: options.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}

/**
 * Makes sure the room logs to LOCAL_CHAT_LOG_GROUP: creates the logging configuration once (a data
 * directory keeps it across restarts) and attaches it to the room unless it already is. IVS allows
 * three logging configurations per room; one already full is left as it is, with an error.
 */
export async function ensureChatLogging(
  client: IvschatClient,
  roomArn: string,
  logGroupName = LOCAL_CHAT_LOG_GROUP,
): Promise<string> {
  let configArn: string | undefined;
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListLoggingConfigurationsCommand({ maxResults: 50, nextToken }));
    configArn = page.loggingConfigurations?.find(
      (config) =>
        config.name === LOGGING_CONFIGURATION_NAME &&
        config.destinationConfiguration !== undefined &&
        'cloudWatchLogs' in config.destinationConfiguration &&
        config.destinationConfiguration.cloudWatchLogs.logGroupName === logGroupName,
    )?.arn;
    nextToken = page.nextToken;
  } while (configArn === undefined && nextToken !== undefined);
  if (configArn === undefined) {
    const created = await client.send(
      new CreateLoggingConfigurationCommand({
        name: LOGGING_CONFIGURATION_NAME,
        destinationConfiguration: { cloudWatchLogs: { logGroupName } },
      }),
    );
    if (created.arn === undefined) throw new Error('CreateLoggingConfiguration answered without an arn');
    configArn = created.arn;
  }
  const room = await client.send(new GetRoomCommand({ identifier: roomArn }));
  const attached = room.loggingConfigurationIdentifiers ?? [];
  if (!attached.includes(configArn)) {
    await client.send(
      new UpdateRoomCommand({
        identifier: roomArn,
        loggingConfigurationIdentifiers: [...attached, configArn],
      }),
    );
  }
  return configArn;
}
