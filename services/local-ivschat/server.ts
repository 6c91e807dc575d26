/**
 * `npm run emulator`: the emulator alone, as a process. Environment: EMULATOR_PORT (4510),
 * HOST (127.0.0.1), AWS_REGION (us-east-1), EMULATOR_DATA_DIR (persist state and chat logs; in memory
 * when unset), EMULATOR_FUNCTIONS (JSON function map), EMULATOR_LOG_SUBSCRIPTIONS (JSON: log group
 * name → function ARN or name, fed with that group's chat log records), EMULATOR_QUOTAS (`on`, the
 * default, or `off`), EMULATOR_MAX_CONNECTIONS (the concurrent-connection quota, 50,000), LOG_LEVEL.
 * A bad value stops the start with one line naming the variable (exit 1, no stack).
 * Ctrl-C or SIGTERM stops it cleanly.
 */
import { logLevelOf } from '../../shared/config/env.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { parseFunctionMap } from './functions.js';
import { parseLogSubscriptions } from './log-subscriptions.js';
import { quotaOptionsFromEnv } from './quotas.js';
import { startEmulator, type EmulatorOptions } from './start.js';

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`EMULATOR_PORT must be a port number; got "${value.slice(0, 64)}"`);
  return parsed;
}

/** Every option the environment gives; each parser's error names the variable that is wrong. */
function optionsFromEnv(env: NodeJS.ProcessEnv): EmulatorOptions & { readonly logger: Logger } {
  return {
    port: port(env.EMULATOR_PORT, 4510),
    host: env.HOST ?? '127.0.0.1',
    region: env.AWS_REGION ?? 'us-east-1',
    ...(env.EMULATOR_DATA_DIR ? { dataDir: env.EMULATOR_DATA_DIR } : {}),
    functions: parseFunctionMap(env.EMULATOR_FUNCTIONS),
    logSubscriptions: parseLogSubscriptions(env.EMULATOR_LOG_SUBSCRIPTIONS),
    quotas: quotaOptionsFromEnv(env),
    logger: createLogger({ level: logLevelOf(env), base: { service: 'local-ivschat' } }),
  };
}

let options: EmulatorOptions & { readonly logger: Logger };
try {
  options = optionsFromEnv(process.env);
} catch (error) {
  // A configuration mistake is the user's to fix: one line, no stack.
  process.stderr.write(`invalid configuration: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const { logger } = options;
const emulator = await startEmulator(options);
logger.info('emulator listening', {
  controlPlane: emulator.url,
  messaging: emulator.wsUrl,
  region: emulator.region,
  quotas: emulator.quotas.enabled ? 'on' : 'off',
});

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  logger.info('emulator stopping', { signal });
  void emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', () => {
  stop('SIGINT');
});
process.on('SIGTERM', () => {
  stop('SIGTERM');
});
