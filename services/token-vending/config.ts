/**
 * Configuration, read from the environment once at startup and validated into typed values. Every
 * problem is reported at once, each message naming the variable and what it should be.
 */
import { readFileSync } from 'node:fs';
import { parseLogLevel, type LogLevel } from '../../shared/logger.js';
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
}

export interface RateLimitConfig {
  /** Token requests per window per user (anonymous: per IP); 0 turns the limit off. */
  readonly max: number;
  readonly windowMs: number;
  /** Failed JWT verifications per minute per client address before it is refused unverified (0: off). */
  readonly authFailuresMax?: number;
}

/** Admission at IVS's CreateChatToken quota (features/chat-tokens/admission.ts). */
export interface AdmissionConfig {
  /** CreateChatToken calls a second across every instance; 0: admission off. */
  readonly tps: number;
}

/** TOKEN_ADMISSION_TPS's default: IVS's 200 a second, less a margin for clocks and late callers. */
export const DEFAULT_ADMISSION_TPS = 190;

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
  readonly admission: AdmissionConfig;
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

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env = process.env, options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const text = read(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}; got "${text}"`);
      return fallback;
    }
    return value;
  };
  const boolean = (name: string): boolean => {
    const text = read(name)?.toLowerCase();
    if (text === undefined || text === 'false' || text === '0') return false;
    if (text === 'true' || text === '1') return true;
    problems.push(`${name} must be true or false; got "${text}"`);
    return false;
  };
  const url = (name: string): string | undefined => {
    const text = read(name);
    if (text === undefined) return undefined;
    try {
      const parsed = new URL(text);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
      return text;
    } catch {
      problems.push(`${name} must be an http(s) URL; got "${text}"`);
      return undefined;
    }
  };

  const backendText = read('CHAT_BACKEND') ?? 'local';
  const backend = CHAT_BACKENDS.find((candidate) => candidate === backendText);
  if (!backend) problems.push(`CHAT_BACKEND must be local or aws; got "${backendText}"`);
  const local = (backend ?? 'local') === 'local';
  const lambda = options.runtime === 'lambda';

  const auth: AuthConfig = {
    jwksUri: url('AUTH_JWKS_URI'),
    issuer: read('AUTH_ISSUER'),
    audience: read('AUTH_AUDIENCE'),
    rolesClaim: read('AUTH_ROLES_CLAIM') ?? 'roles',
    nameClaim: read('AUTH_NAME_CLAIM') ?? 'name',
  };
  if (!local || lambda) {
    const missing = (['AUTH_JWKS_URI', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const).filter(
      (name) => read(name) === undefined,
    );
    if (missing.length > 0) {
      const where = lambda ? 'in Lambda' : 'with CHAT_BACKEND=aws';
      problems.push(`${missing.join(', ')} must be set ${where} (how your app's JWTs are verified)`);
    }
  }

  const corsOrigins: string[] = [];
  for (const origin of (read('CORS_ORIGINS') ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    let valid = origin === '*';
    try {
      valid ||= new URL(origin).origin === origin;
    } catch {
      valid = false;
    }
    if (valid) corsOrigins.push(origin);
    else
      problems.push(
        `CORS_ORIGINS entries must be origins like https://app.example.com (no path); got "${origin}"`,
      );
  }

  // The policy comes inline (CHAT_POLICY, what the SAM template's ChatPolicy parameter sets) or from a
  // file; either way the same parsePolicy validates it.
  let policy = DEFAULT_POLICY;
  const policyFile = read('CHAT_POLICY_FILE');
  const policyInline = read('CHAT_POLICY');
  if (policyFile !== undefined && policyInline !== undefined) {
    problems.push('set CHAT_POLICY or CHAT_POLICY_FILE, not both');
  } else if (policyFile !== undefined || policyInline !== undefined) {
    const source = policyFile === undefined ? 'CHAT_POLICY' : `CHAT_POLICY_FILE ${policyFile}`;
    try {
      policy = parsePolicy(JSON.parse(policyInline ?? readFileSync(policyFile ?? '', 'utf8')));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push(`${source}: ${reason}`);
    }
  }
  const nameClaim = read('AUTH_NAME_CLAIM');
  if (nameClaim !== undefined) {
    try {
      policy = withDisplayNameClaim(policy, nameClaim);
    } catch (error) {
      problems.push(`AUTH_NAME_CLAIM: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  let logLevel: LogLevel = 'info';
  try {
    logLevel = parseLogLevel(read('LOG_LEVEL'));
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }

  const emulatorPort = integer('EMULATOR_PORT', 4510, 1, 65535);
  const dynamodbPort = integer('DYNAMODB_PORT', 4511, 1, 65535);
  const region = read('AWS_REGION') ?? (local ? 'us-east-1' : undefined);

  const tableName = read('CHAT_TABLE') ?? (local && !lambda ? LOCAL_TABLE : undefined);
  if (tableName === undefined) {
    problems.push(
      `CHAT_TABLE must be set ${lambda ? 'in Lambda' : 'with CHAT_BACKEND=aws'} (the DynamoDB table)`,
    );
  } else if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(tableName)) {
    problems.push(
      `CHAT_TABLE must be a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -); got "${tableName}"`,
    );
  }

  const reviewHandlerArn =
    read('REVIEW_HANDLER_ARN') ??
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
  const fallbackText = (read('ROOM_FALLBACK_RESULT') ?? 'ALLOW').toUpperCase();
  const fallbackResult = FALLBACK_RESULTS.find((candidate) => candidate === fallbackText);
  if (!fallbackResult) problems.push(`ROOM_FALLBACK_RESULT must be ALLOW or DENY; got "${fallbackText}"`);
  const loggingConfigurationArn = read('ROOM_LOGGING_CONFIGURATION_ARN');
  if (loggingConfigurationArn !== undefined && !parseLoggingConfigurationArn(loggingConfigurationArn)) {
    problems.push(
      `ROOM_LOGGING_CONFIGURATION_ARN must be an IVS Chat logging configuration ARN; got "${loggingConfigurationArn}"`,
    );
  }
  const accountId = read('AWS_ACCOUNT_ID') ?? reviewArn?.[3] ?? (local ? LOCAL_ACCOUNT_ID : undefined);
  if (accountId !== undefined && !/^[0-9]{12}$/.test(accountId)) {
    problems.push(`AWS_ACCOUNT_ID must be 12 digits; got "${accountId}"`);
  }
  // 0 or `off` turns admission off; more than IVS's quota could only be throttled by IVS.
  const admissionText = read('TOKEN_ADMISSION_TPS');
  const admissionMax = IVS_LIMITS.rates.createChatToken;
  let admissionTps = DEFAULT_ADMISSION_TPS;
  if (admissionText?.toLowerCase() === 'off') admissionTps = 0;
  else if (admissionText !== undefined) {
    admissionTps = Number(admissionText);
    if (!/^\d{1,4}$/.test(admissionText) || admissionTps > admissionMax) {
      problems.push(
        `TOKEN_ADMISSION_TPS must be off, 0 (off) or a whole number up to ${admissionMax} (IVS's CreateChatToken quota); got "${admissionText.slice(0, 64)}"`,
      );
      admissionTps = DEFAULT_ADMISSION_TPS;
    }
  }
  const config: Config = {
    backend: backend ?? 'local',
    port: integer('PORT', 3000, 0, 65535),
    host: read('HOST') ?? '127.0.0.1',
    auth,
    allowAnonymous: boolean('ALLOW_ANONYMOUS'),
    devLogin: local && !lambda,
    corsOrigins,
    policy,
    rateLimit: {
      max: integer('RATE_LIMIT_MAX', 30, 0, 1_000_000),
      windowMs: integer('RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400) * 1000,
      authFailuresMax: integer('AUTH_FAILURE_LIMIT', 20, 0, 1_000_000),
    },
    admission: { tps: admissionTps },
    trustProxy: integer('TRUST_PROXY', 0, 0, 10),
    ivs: {
      endpoint: local ? `http://127.0.0.1:${emulatorPort}` : undefined,
      region,
      dummyCredentials: local,
      connectionTimeoutMs: 1000,
      requestTimeoutMs: integer('IVS_REQUEST_TIMEOUT_MS', 3000, 100, 30_000),
      maxAttempts: integer('IVS_MAX_ATTEMPTS', 2, 1, 5),
      deadlineMs: IVS_DEADLINE_MS,
    },
    table: {
      name: tableName ?? LOCAL_TABLE,
      endpoint: local ? (read('AWS_ENDPOINT_URL_DYNAMODB') ?? `http://127.0.0.1:${dynamodbPort}`) : undefined,
      region,
      dummyCredentials: local,
      requestTimeoutMs: integer('DYNAMODB_REQUEST_TIMEOUT_MS', 2000, 100, 30_000),
      maxAttempts: integer('DYNAMODB_MAX_ATTEMPTS', 2, 1, 5),
      deadlineMs: DYNAMODB_DEADLINE_MS,
    },
    rooms: {
      reviewHandlerArn,
      fallbackResult: fallbackResult ?? 'ALLOW',
      loggingConfigurationArn,
      accountId,
      partition: reviewArn?.[1] ?? 'aws',
    },
    logLevel,
  };
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
