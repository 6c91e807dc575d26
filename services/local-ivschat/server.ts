/**
 * `npm run emulator`: the emulator alone, as a process. Environment: EMULATOR_PORT (4510),
 * HOST (127.0.0.1), AWS_REGION (us-east-1), EMULATOR_DATA_DIR (persist state and chat logs; in memory
 * when unset), EMULATOR_FUNCTIONS (JSON function map), EMULATOR_LOG_SUBSCRIPTIONS (JSON: log group
 * name → function ARN or name, fed with that group's chat log records), LOG_LEVEL.
 * Ctrl-C or SIGTERM stops it cleanly.
 */
import { createLogger, parseLogLevel } from '../../shared/logger.js';
import { parseFunctionMap } from './functions.js';
import { parseLogSubscriptions } from './log-subscriptions.js';
import { startEmulator } from './start.js';

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
    throw new Error(`EMULATOR_PORT must be a port number; got "${value}"`);
  return parsed;
}

const logger = createLogger({
  level: parseLogLevel(process.env.LOG_LEVEL),
  base: { service: 'local-ivschat' },
});
const emulator = await startEmulator({
  port: port(process.env.EMULATOR_PORT, 4510),
  host: process.env.HOST ?? '127.0.0.1',
  region: process.env.AWS_REGION ?? 'us-east-1',
  ...(process.env.EMULATOR_DATA_DIR ? { dataDir: process.env.EMULATOR_DATA_DIR } : {}),
  functions: parseFunctionMap(process.env.EMULATOR_FUNCTIONS),
  logSubscriptions: parseLogSubscriptions(process.env.EMULATOR_LOG_SUBSCRIPTIONS),
  logger,
});
logger.info('emulator listening', {
  controlPlane: emulator.url,
  messaging: emulator.wsUrl,
  region: emulator.region,
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
