/**
 * createApp with test parts: a real IvschatClient whose send is mocked by aws-sdk-client-mock, a
 * verifier reading a real local JWKS server, an injectable clock and captured log lines.
 */
import { IvschatClient, CreateChatTokenCommand, GetRoomCommand } from '@aws-sdk/client-ivschat';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import type {
  ServiceInputTypes,
  ServiceOutputTypes,
  IvschatClientResolvedConfig,
} from '@aws-sdk/client-ivschat';
import type express from 'express';
import { createLogger } from '../../../../shared/logger.js';
import { createApp, type AppConfig, type SiteOptions } from '../../../../services/token-vending/app.js';
import { createJwtVerifier } from '../../../../services/token-vending/auth/verifier.js';
import type { DevIdentityProvider } from '../../../../services/token-vending/features/dev-login/identity.js';
import { DEFAULT_POLICY, type ChatPolicy } from '../../../../services/token-vending/access/chat-policy.js';
import { AUDIENCE, ISSUER } from './jwks-server.js';
import { TEST_TABLE } from './table.js';
import type { Table } from '../../../../shared/table/client.js';

export const ROOM_ARN = 'arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234';

export interface TestApp {
  readonly app: express.Express;
  readonly ivs: AwsStub<ServiceInputTypes, ServiceOutputTypes, IvschatClientResolvedConfig>;
  readonly logs: string[];
  /** Milliseconds since the epoch, read by the app and the verifier; tests move it. */
  readonly clock: { now: number };
}

export interface TestAppOptions {
  readonly jwksUri: string;
  readonly config?: Partial<AppConfig>;
  readonly policy?: ChatPolicy;
  readonly devIdentity?: DevIdentityProvider;
  readonly site?: SiteOptions;
  readonly logLevel?: 'debug' | 'info';
  readonly table?: Table;
}

export const TEST_CONFIG: AppConfig = {
  rooms: {
    reviewHandlerArn: 'arn:aws:lambda:us-east-1:123456789012:function:message-review',
    fallbackResult: 'ALLOW',
    loggingConfigurationArn: undefined,
    accountId: '123456789012',
    partition: 'aws',
  },
  allowAnonymous: false,
  corsOrigins: ['https://app.example.com'],
  rateLimit: { max: 0, windowMs: 60_000 },
  trustProxy: 0,
};

export function buildTestApp(options: TestAppOptions): TestApp {
  const client = new IvschatClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const ivs = mockClient(client);
  const now = Date.now();
  ivs.on(CreateChatTokenCommand).resolves({
    token: 'AQICAHchat-token-secret',
    tokenExpirationTime: new Date(now + 60_000),
    sessionExpirationTime: new Date(now + 3_600_000),
  });
  // The room is one made outside the API: the first token request records it from GetRoom.
  ivs.on(GetRoomCommand).resolves({
    id: ROOM_ARN.slice(-12),
    arn: ROOM_ARN,
    name: 'stack-room',
    createTime: new Date(now - 60_000),
    updateTime: new Date(now - 60_000),
    maximumMessageLength: 500,
    maximumMessageRatePerSecond: 10,
    tags: {},
  });
  const logs: string[] = [];
  const clock = { now };
  const app = createApp({
    ivs: client,
    table: options.table ?? TEST_TABLE,
    region: 'us-east-1',
    verifier: createJwtVerifier({
      jwksUri: options.jwksUri,
      issuer: ISSUER,
      audience: AUDIENCE,
      rolesClaim: 'roles',
      now: () => Math.floor(clock.now / 1000),
    }),
    policy: options.policy ?? DEFAULT_POLICY,
    clock: () => clock.now,
    logger: createLogger({ level: options.logLevel ?? 'info', write: (line) => logs.push(line) }),
    config: { ...TEST_CONFIG, ...options.config },
    validateResponses: true,
    ...(options.devIdentity ? { devIdentity: options.devIdentity } : {}),
    ...(options.site ? { site: options.site } : {}),
  });
  return { app, ivs, logs, clock };
}

/** createApp on a real IVS client (the emulator) and a given table, with the default policy. */
export function appOn(options: {
  readonly ivs: IvschatClient;
  readonly table: Table;
  readonly jwksUri: string;
  readonly logs?: string[];
  readonly config?: Partial<AppConfig>;
  /** The app's clock (milliseconds since the epoch); default Date.now. JWTs are checked on real time. */
  readonly clock?: () => number;
}): express.Express {
  const logs = options.logs;
  return createApp({
    ivs: options.ivs,
    table: options.table,
    region: 'us-east-1',
    verifier: createJwtVerifier({
      jwksUri: options.jwksUri,
      issuer: ISSUER,
      audience: AUDIENCE,
      rolesClaim: 'roles',
    }),
    policy: DEFAULT_POLICY,
    clock: options.clock ?? Date.now,
    logger: logs ? createLogger({ write: (line) => logs.push(line) }) : createLogger({ level: 'silent' }),
    config: { ...TEST_CONFIG, ...options.config },
    validateResponses: true,
  });
}
