/**
 * Structured JSON logs, one line each, for every deployable. Kept tiny on purpose: the review Lambda
 * bundles it and has a size budget. Callers pass only what is safe to log: never a token, a JWT, a
 * user id, claims or a message text at info level (the IVS Chat API model marks userId, attributes and tokens as sensitive).
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** An Error's name, code and message (never its stack unless debug), safe to put in a log line. */
export function describeError(error: unknown): LogFields {
  if (error instanceof Error) {
    const code = 'code' in error ? error.code : undefined;
    return {
      errorName: error.name,
      errorMessage: error.message,
      ...(code === undefined ? {} : { errorCode: code }),
    };
  }
  return { errorName: typeof error, errorMessage: String(error) };
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly base?: LogFields;
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? (() => new Date());
  const base = options.base ?? {};
  const log = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
    if (RANK[level] < threshold) return;
    write(JSON.stringify({ time: now().toISOString(), level, message, ...base, ...fields }));
  };
  return {
    debug: (message, fields) => {
      log('debug', message, fields);
    },
    info: (message, fields) => {
      log('info', message, fields);
    },
    warn: (message, fields) => {
      log('warn', message, fields);
    },
    error: (message, fields) => {
      log('error', message, fields);
    },
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}
