/**
 * The function map: how a room's messageReviewHandler.uri (a Lambda ARN) resolves to a local
 * function. Keys are a full function ARN or a bare function name (matching that name in any region
 * and account). The default maps `message-review` to the project's built bundle.
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../../shared/json.js';

export interface LocalFunction {
  /** Path of the module exporting the handler (ESM or CommonJS), absolute or relative to the project. */
  readonly module: string;
  /** Exported handler name; default `handler`. */
  readonly handler?: string;
  /** The function's own environment variables, as Lambda would set them from its configuration. */
  readonly env?: Readonly<Record<string, string>>;
  /** Memory size reported in the context (Lambda's MemorySize); default 128. */
  readonly memoryLimitInMB?: number;
  /** The function's own timeout, reported by getRemainingTimeInMillis; default 3 s (Lambda's default). */
  readonly timeoutSeconds?: number;
}

export type FunctionMap = Readonly<Record<string, LocalFunction>>;

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** Environment passed from the emulator's own environment to the default review function. */
const REVIEW_ENV_KEYS = [
  'REVIEW_POLICY',
  'REVIEW_POLICY_FILE',
  'FALLBACK_RESULT',
  'REVIEW_BUDGET_MS',
  'LOG_LEVEL',
  'HELD_MESSAGE_HOURS',
];

export function defaultFunctionMap(env: NodeJS.ProcessEnv = process.env): FunctionMap {
  const passed: Record<string, string> = {};
  for (const key of REVIEW_ENV_KEYS) {
    const value = env[key];
    if (value !== undefined) passed[key] = value;
  }
  return { 'message-review': { module: 'dist/message-review/index.js', env: passed } };
}

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):([0-9]{12}):function:([^:]+)(?::([^:]+))?$/;

export interface ResolvedFunction {
  readonly key: string;
  readonly definition: LocalFunction;
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly region: string;
  readonly accountId: string;
  readonly modulePath: string;
}

export function parseLambdaArn(
  uri: string,
): { region: string; accountId: string; functionName: string; qualifier: string | undefined } | undefined {
  const match = LAMBDA_ARN.exec(uri);
  if (!match) return undefined;
  const [, region = '', accountId = '', functionName = '', qualifier] = match;
  return { region, accountId, functionName, qualifier };
}

/**
 * The map's own entry for a client-chosen key. A plain `map[key]` would also find what every object
 * inherits: a handler ARN naming the function `constructor` would resolve to `Object`.
 */
function ownEntry(map: FunctionMap, key: string): LocalFunction | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

export function resolveFunction(map: FunctionMap, uri: string): ResolvedFunction | undefined {
  const arn = parseLambdaArn(uri);
  if (!arn) return undefined;
  const key = ownEntry(map, uri) ? uri : ownEntry(map, arn.functionName) ? arn.functionName : undefined;
  if (key === undefined) return undefined;
  const definition = ownEntry(map, key);
  if (!definition) return undefined;
  const modulePath = isAbsolute(definition.module)
    ? definition.module
    : resolve(PROJECT_ROOT, definition.module);
  return { key, definition, ...arn, modulePath };
}

/** Parses `EMULATOR_FUNCTIONS`: JSON of ARN-or-name → { module, handler?, env? }. Fails fast and clearly. */
export function parseFunctionMap(text: string | undefined): FunctionMap {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('EMULATOR_FUNCTIONS must be JSON: {"<function ARN or name>": {"module": "<path>"}}');
  }
  if (!isRecord(parsed)) throw new Error('EMULATOR_FUNCTIONS must be a JSON object');
  const map: Record<string, LocalFunction> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!isRecord(value) || typeof value.module !== 'string' || value.module === '') {
      throw new Error(`EMULATOR_FUNCTIONS["${key}"] needs a "module" path`);
    }
    const env: Record<string, string> = {};
    if (value.env !== undefined) {
      if (!isRecord(value.env))
        throw new Error(`EMULATOR_FUNCTIONS["${key}"].env must be an object of strings`);
      for (const [name, entry] of Object.entries(value.env)) {
        if (typeof entry !== 'string')
          throw new Error(`EMULATOR_FUNCTIONS["${key}"].env.${name} must be a string`);
        env[name] = entry;
      }
    }
    if (value.handler !== undefined && typeof value.handler !== 'string') {
      throw new Error(`EMULATOR_FUNCTIONS["${key}"].handler must be a string`);
    }
    map[key] = {
      module: value.module,
      env,
      ...(typeof value.handler === 'string' ? { handler: value.handler } : {}),
    };
  }
  return map;
}
