/**
 * `npm run start:prod-local`: production mode on one machine, in one command. The token service runs
 * with CHAT_BACKEND=aws — no dev login, AUTH_* required, IVS reached through the AWS SDK's own endpoint
 * and credential resolution — while the local stack stands in for everything AWS and the identity
 * provider would be: the emulator is "IVS Chat" (AWS_ENDPOINT_URL_IVSCHAT), and the local stack's dev
 * login is "the IdP" (its JWKS URL, issuer and audience are the AUTH_* values). An adopter can so try
 * the verification a deployment does before connecting a real identity provider.
 *
 * Ports: the local stack's PORT (3000) and EMULATOR_PORT (4510) as usual; PROD_PORT (3002) for the
 * production-mode service.
 */
import { fileURLToPath } from 'node:url';
import { logLevelOf } from '../shared/config/env.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { LOCAL_AUDIENCE } from '../services/token-vending/config.js';
import { startTokenService } from '../services/token-vending/entry/start.js';
import { portFrom, startLocalStack, type LocalStack } from './start.js';

export interface ProductionLocalOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Ports of the local stack's token service (the IdP), the emulator and the production service; tests pass 0. */
  readonly idpPort?: number;
  readonly emulatorPort?: number;
  readonly dynamodbPort?: number;
  readonly port?: number;
  readonly logger?: Logger;
}

export interface ProductionLocal {
  /** The production-mode token service (CHAT_BACKEND=aws). */
  readonly apiUrl: string;
  /** The local stack: its token service is the identity provider (dev login, JWKS). */
  readonly stack: LocalStack;
  readonly roomArn: string;
  /** The AUTH_* values the production service verifies with. */
  readonly auth: { readonly jwksUri: string; readonly issuer: string; readonly audience: string };
  readonly banner: string;
  close(): Promise<void>;
}

export async function startProductionLocal(options: ProductionLocalOptions = {}): Promise<ProductionLocal> {
  const env = options.env ?? process.env;
  const logger =
    options.logger ?? createLogger({ level: logLevelOf(env), base: { service: 'prod-local' } });
  const stack = await startLocalStack({
    env: { ...env, CHAT_BACKEND: 'local' },
    port: options.idpPort ?? portFrom(env, 'PORT', 3000),
    ...(options.emulatorPort === undefined ? {} : { emulatorPort: options.emulatorPort }),
    ...(options.dynamodbPort === undefined ? {} : { dynamodbPort: options.dynamodbPort }),
    logger,
  });
  try {
    if (!stack.emulator || stack.roomArn === undefined) throw new Error('the local stack has no emulator');
    const auth = {
      jwksUri: `${stack.tokenServiceUrl}/.well-known/jwks.json`,
      issuer: stack.tokenServiceUrl,
      audience: LOCAL_AUDIENCE,
    };
    // The AWS SDK reads its endpoint override and credentials from the process environment, as in a
    // deployment; the emulator ignores SigV4 but the SDK still signs, so any key pair does.
    process.env.AWS_ENDPOINT_URL_IVSCHAT = stack.emulator.url;
    // The same table as the local stack (dynalite), found the way the SDK finds DynamoDB's endpoint.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = stack.tableEndpoint;
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    const service = await startTokenService({
      env: {
        ...env,
        CHAT_BACKEND: 'aws',
        AWS_REGION: stack.emulator.region,
        CHAT_TABLE: String(stack.tableName),
        AUTH_JWKS_URI: auth.jwksUri,
        AUTH_ISSUER: auth.issuer,
        AUTH_AUDIENCE: auth.audience,
      },
      port: options.port ?? portFrom(env, 'PROD_PORT', 3002),
      logger: logger.child({ service: 'token-vending-aws-mode' }),
    });
    const idp = stack.tokenServiceUrl;
    const banner = [
      '',
      'Production mode locally (token service with CHAT_BACKEND=aws)',
      `  token API   ${service.url}/v1/chat-tokens   (no dev login here: it answers 404)`,
      `  IdP         ${idp}/v1/dev/login   JWKS ${auth.jwksUri}`,
      `              AUTH_ISSUER=${auth.issuer} AUTH_AUDIENCE=${auth.audience}`,
      `  IVS Chat    the emulator: AWS_ENDPOINT_URL_IVSCHAT=${stack.emulator.url}   messaging ${stack.emulator.wsUrl}`,
      `  room        ${stack.roomArn}`,
      '',
      'Try it:',
      `  JWT=$(curl -s -X POST ${idp}/v1/dev/login -H 'content-type: application/json' \\`,
      `    -d '{"userId":"ann","roles":["moderator"]}' | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).idToken')`,
      `  curl -s -X POST ${service.url}/v1/chat-tokens -H "authorization: Bearer $JWT" \\`,
      `    -H 'content-type: application/json' -d '{"roomIdentifier":"${stack.roomArn}"}'`,
      '',
      'Ctrl-C stops everything.',
      '',
    ].join('\n');
    return {
      apiUrl: service.url,
      stack,
      roomArn: stack.roomArn,
      auth,
      banner,
      close: async () => {
        await service.close();
        await stack.close();
      },
    };
  } catch (error) {
    await stack.close();
    throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const running = await startProductionLocal();
  process.stdout.write(running.stack.banner + running.banner + '\n');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
