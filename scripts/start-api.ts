/**
 * `npm run start:api` — the stand-in for `sam local start-api` (no SAM CLI or Docker needed): serves
 * the *built* token Lambda bundle (`npm run build` → dist/token-vending/index.js, the artifact
 * `sam build` would deploy) through a local HTTP API payload 2.0 adapter, so it can be exercised with
 * curl exactly as it runs behind API Gateway.
 *
 * The function gets the environment the template gives it, unless this process's environment already
 * sets a variable: literal values (CHAT_BACKEND=aws) and parameter defaults (LOG_LEVEL=info…) from
 * template.yaml; parameters without a default (AUTH_*, CORS_ORIGINS) must come from the environment.
 * Point it at the emulator with AWS_ENDPOINT_URL_IVSCHAT.
 *
 * Usage: PORT=3001 HOST=127.0.0.1 npm run start:api [-- <bundle.js>]
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createHttpApiServer, loadHandler } from './local-http-api/server.js';
import {
  defaultValue,
  isOptionalValue,
  nodeFlags,
  readTemplate,
  repoRoot,
  serverlessFunction,
} from './sam-template.js';

const FUNCTION_ID = 'TokenVendingFunction';

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return 3001;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535; got "${value}"`);
  }
  return port;
}

function main(): void {
  const port = parsePort(process.env.PORT);
  const host = process.env.HOST ?? '127.0.0.1';
  const bundle = process.argv[2] ?? join(repoRoot, 'dist/token-vending/index.js');
  const template = readTemplate();
  const fn = serverlessFunction(template, FUNCTION_ID);

  // What the Lambda runtime and the template would set, unless the caller already did.
  const defaults: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: FUNCTION_ID,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
  };
  const missing: string[] = [];
  for (const [name, value] of Object.entries(fn.environment)) {
    if (name === 'NODE_OPTIONS') continue; // applied below: options cannot change after start
    if (isOptionalValue(value)) continue; // e.g. CHAT_POLICY: unset unless the parameter is given
    const fallback = defaultValue(template, value);
    if (fallback !== undefined) defaults[name] = fallback;
    else if (process.env[name] === undefined) missing.push(name);
  }
  for (const [name, value] of Object.entries(defaults)) process.env[name] ??= value;
  // The in-process equivalent of the function's NODE_OPTIONS=--enable-source-maps, when the template sets it.
  if (nodeFlags(template, FUNCTION_ID).includes('--enable-source-maps')) process.setSourceMapsEnabled(true);
  if (missing.length > 0) {
    console.warn(`start:api: ${missing.join(', ')} not set (template parameters without a default)`);
  }

  if (!existsSync(bundle)) throw new Error(`${bundle} not found: run npm run build first`);
  const handler = loadHandler(bundle, fn.handlerExport);
  const server = createHttpApiServer({
    handler,
    settings: {
      functionName: FUNCTION_ID,
      timeoutSeconds: fn.timeoutSeconds,
      memorySize: fn.memorySize,
      region: process.env.AWS_REGION ?? 'us-east-1',
    },
  });
  server.listen(port, host, () => {
    const { port: actual } = server.address() as AddressInfo;
    console.log(`start:api: ${FUNCTION_ID} (${bundle}) on http://${host}:${actual}`);
  });
  const stop = (): void => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

try {
  main();
} catch (error) {
  console.error(`start:api: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
