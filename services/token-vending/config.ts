/**
 * Configuration, read from the environment once at startup and validated into typed values: every
 * variable is declared once in ENVIRONMENT and read by the shared helper (shared/config/env.ts), then
 * the few rules that tie variables together are checked. Every problem is reported at once, each
 * naming the variable and what it should be.
 */
import { readFileSync } from 'node:fs';
import {
  boolean,
  httpUrl,
  integer,
  logLevel,
  matching,
  oneOf,
  readEnv,
  text,
  type Env,
} from '../../shared/config/env.js';
import type { LogLevel } from '../../shared/logger.js';
import { ConfigError } from './platform/problem.js';
import { DEFAULT_POLICY, parsePolicy, withDisplayNameClaim, type ChatPolicy } from './access/chat-policy.js';
import { FALLBACK_RESULTS, IVS_LIMITS, type FallbackResult } from '../../shared/ivs/limits.js';
import { parseLoggingConfigurationArn } from '../../shared/ivs/arn.js';

/** The local table's name when CHAT_TABLE is not set (local mode only). */
export const LOCAL_TABLE = 'ivs-chat-local';
/** The emulator's account: local room ARNs and the local review function's ARN use it. */
export const LOCAL_ACCOUNT_ID = '123456789012';
const LAMBDA_ARN = /^arn:(aws|aws-cn|aws-us-gov):lambda:([a-z0-9-]+):([0-9]{12}):function:/;

export const CHAT_BACKENDS = ['local', 'aws'] as const;
export type ChatBackend = (typeof CHAT_BACKENDS)[number];

/** Audience of dev-login tokens when AUTH_AUDIENCE is not set (local mode only). */
export const LOCAL_AUDIENCE = 'ivs-chat-backend-local';

export interface AuthConfig {
  /** Unset only in local mode, where the service's own JWKS URL, issuer and audience apply. */
  readonly jwksUri: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  /** Claim name or path into nested claims (`realm_access.roles`, `https://example.com/roles`). */
  readonly rolesClaim: string;
  /** Claim (or path) the displayName attribute comes from; dev-login tokens carry the name there. */
  readonly nameClaim: string;
}

export interface IvsConfig {
  /** Explicit endpoint (local mode: the emulator). In AWS mode the SDK resolves it, honouring AWS_ENDPOINT_URL_IVSCHAT. */
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  /** Local mode signs with dummy static credentials (the emulator ignores SigV4). */
  readonly dummyCredentials: boolean;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  /** Overall cap on one call, retries and backoff included (shared/aws/deadline.ts). */
  readonly deadlineMs: number;
}

export interface TableConfig {
  readonly name: string;
  /** Explicit endpoint (local mode: dynalite). In AWS mode the SDK resolves it, honouring AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string | undefined;
  readonly region: string | undefined;
  readonly dummyCredentials: boolean;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  /** Overall cap on one call, retries and backoff included (shared/aws/deadline.ts). */
  readonly deadlineMs: number;
}

/** How rooms made through the API are created in IVS. */
export interface RoomsConfig {
  /** Attached as each new room's messageReviewHandler; none when unset. */
  readonly reviewHandlerArn: string | undefined;
  readonly fallbackResult: FallbackResult;
  /** Attached to each new room (chat history's log feed); none when unset. */
  readonly loggingConfigurationArn: string | undefined;
  /** Account and partition of the IVS rooms, to turn a 12-character room id into its ARN. */
  readonly accountId: string | undefined;
  readonly partition: string;
  /**
   * Value of the `ivs-chat-backend:stack` tag put on each new room (ROOM_STACK_TAG; the template sets
   * the stack's name, and its IAM grant covers only rooms carrying it). Unset: no such tag.
   */
  readonly stackTag?: string;
}

export interface RateLimitConfig {
  /** Token requests per window per user (anonymous: per IP); 0 turns the limit off. */
  readonly max: number;
  readonly windowMs: number;
  /** Failed JWT verifications per minute per client address before it is refused unverified (0: off). */
  readonly authFailuresMax?: number;
}

export interface Config {
  readonly backend: ChatBackend;
  readonly port: number;
  readonly host: string;
  readonly auth: AuthConfig;
  readonly allowAnonymous: boolean;
  readonly devLogin: boolean;
  readonly corsOrigins: readonly string[];
  readonly policy: ChatPolicy;
  readonly rateLimit: RateLimitConfig;
  /** Express `trust proxy` hop count: how many reverse proxies sit in front (0 = none). */
  readonly trustProxy: number;
  readonly ivs: IvsConfig;
  readonly table: TableConfig;
  readonly rooms: RoomsConfig;
  readonly logLevel: LogLevel;
}

export interface LoadConfigOptions {
  /** Lambda has no stable URL of its own and a fresh key per container: no dev login, AUTH_* required. */
  readonly runtime?: 'process' | 'lambda';
}

/**
 * Overall deadlines per call, retries included. The token function's Lambda timeout is 10 s
 * (template.yaml); the slowest request does one JWKS fetch, one table read and one CreateChatToken,
 * so JWKS_DEADLINE_MS + DYNAMODB_DEADLINE_MS + IVS_DEADLINE_MS stays below it, with room for the
 * runtime to answer.
 */
export const IVS_DEADLINE_MS = 5000;
/**
 * The whole request's budget for upstream calls, counted from its arrival: a request making several
 * table calls and an IVS call (a rate-limit count, a read, CreateChatToken) still ends in time.
 */
export const REQUEST_BUDGET_MS = 9000;
export const DYNAMODB_DEADLINE_MS = 2000;
export const JWKS_DEADLINE_MS = 2000;

/** Every variable the token service reads, and how its text becomes a value. */
export const ENVIRONMENT = {
  CHAT_BACKEND: oneOf(CHAT_BACKENDS, 'local'),
  PORT: integer(3000, 0, 65535),
  HOST: text(),
  AUTH_JWKS_URI: httpUrl(),
  AUTH_ISSUER: text(),
  AUTH_AUDIENCE: text(),
  AUTH_ROLES_CLAIM: text(),
  AUTH_NAME_CLAIM: text(),
  ALLOW_ANONYMOUS: boolean(),
  CORS_ORIGINS: text(),
  CHAT_POLICY: text(),
  CHAT_POLICY_FILE: text(),
  LOG_LEVEL: logLevel(),
  EMULATOR_PORT: integer(4510, 1, 65535),
  DYNAMODB_PORT: integer(4511, 1, 65535),
  AWS_REGION: text(),
  AWS_ENDPOINT_URL_DYNAMODB: text(),
  CHAT_TABLE: matching(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)'),
  REVIEW_HANDLER_ARN: text(),
  ROOM_FALLBACK_RESULT: oneOf(FALLBACK_RESULTS, 'ALLOW', { upperCase: true }),
  ROOM_LOGGING_CONFIGURATION_ARN: text(),
  AWS_ACCOUNT_ID: matching(/^[0-9]{12}$/, '12 digits'),
  /** The `ivs-chat-backend:stack` tag value on each new room (the template sets the stack's name). */
  ROOM_STACK_TAG: matching(
    /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u,
    `a tag value (at most ${IVS_LIMITS.tags.valueMax} letters, digits, spaces and _ . : / = + - @)`,
  ),
  RATE_LIMIT_MAX: integer(30, 0, 1_000_000),
  RATE_LIMIT_WINDOW_SECONDS: integer(60, 1, 86_400),
  AUTH_FAILURE_LIMIT: integer(20, 0, 1_000_000),
  TRUST_PROXY: integer(0, 0, 10),
  IVS_REQUEST_TIMEOUT_MS: integer(3000, 100, 30_000),
  IVS_MAX_ATTEMPTS: integer(2, 1, 5),
  DYNAMODB_REQUEST_TIMEOUT_MS: integer(2000, 100, 30_000),
  DYNAMODB_MAX_ATTEMPTS: integer(2, 1, 5),
} as const;

/** CORS_ORIGINS: comma-separated origins (scheme, host, port; no path), or `*`. */
function corsOrigins(value: string | undefined, problems: string[]): string[] {
  const origins: string[] = [];
  for (const origin of (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    let valid = origin === '*';
    try {
      valid ||= new URL(origin).origin === origin;
    } catch {
      valid = false;
    }
    if (valid) origins.push(origin);
    else
      problems.push(
        `CORS_ORIGINS entries must be origins like https://app.example.com (no path); got "${origin}"`,
      );
  }
  return origins;
}

/**
 * The policy comes inline (CHAT_POLICY, what the SAM template's ChatPolicy parameter sets) or from a
 * file; either way the same parsePolicy validates it. AUTH_NAME_CLAIM then points displayName at a
 * claim.
 */
function chatPolicy(
  inline: string | undefined,
  file: string | undefined,
  nameClaim: string | undefined,
  problems: string[],
): ChatPolicy {
  let policy = DEFAULT_POLICY;
  if (file !== undefined && inline !== undefined) {
    problems.push('set CHAT_POLICY or CHAT_POLICY_FILE, not both');
  } else if (file !== undefined || inline !== undefined) {
    const source = file === undefined ? 'CHAT_POLICY' : `CHAT_POLICY_FILE ${file}`;
    try {
      policy = parsePolicy(JSON.parse(inline ?? readFileSync(file ?? '', 'utf8')));
    } catch (error) {
      problems.push(`${source}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (nameClaim === undefined) return policy;
  try {
    return withDisplayNameClaim(policy, nameClaim);
  } catch (error) {
    problems.push(`AUTH_NAME_CLAIM: ${error instanceof Error ? error.message : String(error)}`);
    return policy;
  }
}

export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const { values: v, problems } = readEnv(env, ENVIRONMENT);
  const local = v.CHAT_BACKEND === 'local';
  const lambda = options.runtime === 'lambda';

  if (!local || lambda) {
    const missing = (['AUTH_JWKS_URI', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const).filter(
      (name) => env[name] === undefined || env[name].trim() === '',
    );
    if (missing.length > 0) {
      const where = lambda ? 'in Lambda' : 'with CHAT_BACKEND=aws';
      problems.push(`${missing.join(', ')} must be set ${where} (how your app's JWTs are verified)`);
    }
  }
  const region = v.AWS_REGION ?? (local ? 'us-east-1' : undefined);
  const tableName = v.CHAT_TABLE ?? (local && !lambda ? LOCAL_TABLE : undefined);
  if (tableName === undefined && (env.CHAT_TABLE ?? '').trim() === '') {
    problems.push(
      `CHAT_TABLE must be set ${lambda ? 'in Lambda' : 'with CHAT_BACKEND=aws'} (the DynamoDB table)`,
    );
  }

  const reviewHandlerArn =
    v.REVIEW_HANDLER_ARN ??
    (local
      ? `arn:aws:lambda:${region ?? 'us-east-1'}:${LOCAL_ACCOUNT_ID}:function:message-review`
      : undefined);
  const reviewArn = reviewHandlerArn === undefined ? undefined : LAMBDA_ARN.exec(reviewHandlerArn);
  if (
    reviewHandlerArn !== undefined &&
    (!reviewArn ||
      !IVS_LIMITS.reviewHandlerUri.pattern.test(reviewHandlerArn) ||
      reviewHandlerArn.length > IVS_LIMITS.reviewHandlerUri.max)
  ) {
    problems.push(
      `REVIEW_HANDLER_ARN must be a Lambda function ARN of at most ${IVS_LIMITS.reviewHandlerUri.max} characters; got "${reviewHandlerArn}"`,
    );
  }
  const loggingConfigurationArn = v.ROOM_LOGGING_CONFIGURATION_ARN;
  if (loggingConfigurationArn !== undefined && !parseLoggingConfigurationArn(loggingConfigurationArn)) {
    problems.push(
      `ROOM_LOGGING_CONFIGURATION_ARN must be an IVS Chat logging configuration ARN; got "${loggingConfigurationArn}"`,
    );
  }
  const accountId = v.AWS_ACCOUNT_ID ?? reviewArn?.[3] ?? (local ? LOCAL_ACCOUNT_ID : undefined);
  const cors = corsOrigins(v.CORS_ORIGINS, problems);
  const policy = chatPolicy(v.CHAT_POLICY, v.CHAT_POLICY_FILE, v.AUTH_NAME_CLAIM, problems);

  const config: Config = {
    backend: v.CHAT_BACKEND,
    port: v.PORT,
    host: v.HOST ?? '127.0.0.1',
    auth: {
      jwksUri: v.AUTH_JWKS_URI,
      issuer: v.AUTH_ISSUER,
      audience: v.AUTH_AUDIENCE,
      rolesClaim: v.AUTH_ROLES_CLAIM ?? 'roles',
      nameClaim: v.AUTH_NAME_CLAIM ?? 'name',
    },
    allowAnonymous: v.ALLOW_ANONYMOUS,
    devLogin: local && !lambda,
    corsOrigins: cors,
    policy,
    rateLimit: {
      max: v.RATE_LIMIT_MAX,
      windowMs: v.RATE_LIMIT_WINDOW_SECONDS * 1000,
      authFailuresMax: v.AUTH_FAILURE_LIMIT,
    },
    trustProxy: v.TRUST_PROXY,
    ivs: {
      endpoint: local ? `http://127.0.0.1:${v.EMULATOR_PORT}` : undefined,
      region,
      dummyCredentials: local,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: v.IVS_REQUEST_TIMEOUT_MS,
      maxAttempts: v.IVS_MAX_ATTEMPTS,
      deadlineMs: IVS_DEADLINE_MS,
    },
    table: {
      name: tableName ?? LOCAL_TABLE,
      endpoint: local ? (v.AWS_ENDPOINT_URL_DYNAMODB ?? `http://127.0.0.1:${v.DYNAMODB_PORT}`) : undefined,
      region,
      dummyCredentials: local,
      requestTimeoutMs: v.DYNAMODB_REQUEST_TIMEOUT_MS,
      maxAttempts: v.DYNAMODB_MAX_ATTEMPTS,
      deadlineMs: DYNAMODB_DEADLINE_MS,
    },
    rooms: {
      reviewHandlerArn,
      fallbackResult: v.ROOM_FALLBACK_RESULT,
      loggingConfigurationArn,
      accountId,
      partition: reviewArn?.[1] ?? 'aws',
      ...(v.ROOM_STACK_TAG === undefined ? {} : { stackTag: v.ROOM_STACK_TAG }),
    },
    logLevel: v.LOG_LEVEL,
  };
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
