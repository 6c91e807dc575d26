/**
 * `npm run invoke:review -- <event.json> [--policy <policy.json>]`: runs the built review Lambda
 * (dist/message-review/index.js, from `npm run build`) the way Lambda does — a fresh load of the file,
 * then `handler(event, context)` with a Lambda context — and prints the answer JSON on stdout. The
 * function's own log lines go to stderr, as `sam local invoke -e <event.json>` keeps them apart.
 * Environment variables (REVIEW_POLICY, REVIEW_POLICY_FILE, FALLBACK_RESULT, REVIEW_BUDGET_MS,
 * LOG_LEVEL) are read by the bundle at load, as in Lambda; `--policy` sets REVIEW_POLICY_FILE.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REVIEW_BUNDLE = join(root, 'dist/message-review/index.js');

/** Lambda's invocation context, as the nodejs22.x runtime passes it (the parts handlers use). */
export function lambdaContext(functionName = 'message-review', timeoutMs = 3000): Record<string, unknown> {
  const deadline = Date.now() + timeoutMs;
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

export type LoadedHandler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Loads the built bundle afresh (as a Lambda cold start does) with `env` applied while it loads:
 * it reads its configuration once, at load.
 */
export function loadBuiltHandler(
  bundle: string,
  env: Readonly<Record<string, string | undefined>> = {},
): LoadedHandler {
  const require = createRequire(import.meta.url);
  const path = require.resolve(bundle);
  const saved = new Map(Object.keys(env).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = value;
  }
  try {
    Reflect.deleteProperty(require.cache, path);
    const loaded: unknown = require(path);
    const handler: unknown =
      typeof loaded === 'object' && loaded !== null && 'handler' in loaded ? loaded.handler : undefined;
    if (typeof handler !== 'function') throw new Error(`${bundle} does not export a handler function`);
    if (handler.length > 2)
      throw new Error(`${bundle}'s handler takes ${handler.length} parameters; Lambda allows 2`);
    return async (event, context) => {
      // Called exactly as the Lambda runtime calls it: two arguments, the answer awaited.
      const answer: unknown = await Reflect.apply(handler, undefined, [event, context]);
      return answer;
    };
  } finally {
    Reflect.deleteProperty(require.cache, path);
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

function fail(message: string): never {
  console.error(`invoke:review: ${message}`);
  process.exit(2);
}

async function main(args: readonly string[]): Promise<void> {
  let eventPath: string | undefined;
  let policyPath: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === '--policy') policyPath = args[++index] ?? fail('--policy needs a file');
    else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run invoke:review -- <event.json> [--policy <policy.json>]');
      return;
    } else if (eventPath === undefined && arg !== undefined) eventPath = arg;
    else fail(`unexpected argument "${String(arg)}"`);
  }
  if (eventPath === undefined) fail('usage: npm run invoke:review -- <event.json> [--policy <policy.json>]');
  if (!existsSync(eventPath)) fail(`event file not found: ${eventPath}`);
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(eventPath, 'utf8'));
  } catch (error) {
    fail(`${eventPath} is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (policyPath !== undefined && !existsSync(policyPath)) fail(`policy file not found: ${policyPath}`);
  if (!existsSync(REVIEW_BUNDLE)) fail('dist/message-review/index.js not found: run `npm run build` first');

  // The function's log lines go to stderr so that stdout carries the answer alone.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  let answer: unknown;
  try {
    const env =
      policyPath === undefined ? {} : { REVIEW_POLICY_FILE: resolve(policyPath), REVIEW_POLICY: undefined };
    const handler = loadBuiltHandler(REVIEW_BUNDLE, env);
    answer = await handler(event, lambdaContext());
  } finally {
    process.stdout.write = stdoutWrite;
  }
  console.log(JSON.stringify(answer, null, 2));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
