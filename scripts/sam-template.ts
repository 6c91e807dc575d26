/**
 * Reads template.yaml (CloudFormation short-form tags included, through yaml-cfn) into plain values,
 * and answers the few questions the local stand-ins and the template tests ask of it: a function's
 * handler, timeout, memory, esbuild entry points and environment.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { yamlParse } from 'yaml-cfn';
import { isRecord } from '../shared/json.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const templatePath = join(repoRoot, 'template.yaml');

export type Json = Readonly<Record<string, unknown>>;

export function readTemplate(path = templatePath): Json {
  const parsed: unknown = yamlParse(readFileSync(path, 'utf8'));
  if (!isRecord(parsed) || !isRecord(parsed.Resources)) {
    throw new Error(`${path} is not a CloudFormation template with Resources`);
  }
  return parsed;
}

function record(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${where} must be a mapping`);
  return value;
}

export function resources(template: Json): Record<string, Record<string, unknown>> {
  const entries = Object.entries(record(template.Resources, 'Resources'));
  return Object.fromEntries(entries.map(([id, resource]) => [id, record(resource, `Resources.${id}`)]));
}

export function resourcesOfType(template: Json, type: string): [string, Record<string, unknown>][] {
  return Object.entries(resources(template)).filter(([, resource]) => resource.Type === type);
}

export interface FunctionDefinition {
  readonly logicalId: string;
  readonly handlerFile: string;
  readonly handlerExport: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly entryPoints: readonly string[];
  readonly buildProperties: Readonly<Record<string, unknown>>;
  /** Globals merged with the function's own variables; intrinsic values stay as they are. */
  readonly environment: Readonly<Record<string, unknown>>;
}

/** Lambda's defaults when a template sets neither a timeout nor a memory size. */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;
const LAMBDA_DEFAULT_MEMORY_MB = 128;

export function serverlessFunction(template: Json, logicalId: string): FunctionDefinition {
  const resource = resources(template)[logicalId];
  if (resource?.Type !== 'AWS::Serverless::Function') {
    throw new Error(`template.yaml has no AWS::Serverless::Function named ${logicalId}`);
  }
  const globals =
    isRecord(template.Globals) && isRecord(template.Globals.Function) ? template.Globals.Function : {};
  const properties = { ...globals, ...record(resource.Properties, `${logicalId}.Properties`) };
  const handler = properties.Handler;
  if (typeof handler !== 'string' || !/^[^.]+\.[^.]+$/.test(handler)) {
    throw new Error(`${logicalId}.Handler must look like file.export`);
  }
  const [handlerFile = '', handlerExport = ''] = handler.split('.');
  const metadata = isRecord(resource.Metadata) ? resource.Metadata : {};
  const buildProperties = isRecord(metadata.BuildProperties) ? metadata.BuildProperties : {};
  const entryPoints = Array.isArray(buildProperties.EntryPoints)
    ? buildProperties.EntryPoints.filter((entry): entry is string => typeof entry === 'string')
    : [];
  const variablesOf = (value: unknown): Record<string, unknown> =>
    isRecord(value) && isRecord(value.Variables) ? value.Variables : {};
  const ownEnvironment = isRecord(resource.Properties) ? resource.Properties.Environment : undefined;
  return {
    logicalId,
    handlerFile,
    handlerExport,
    timeoutSeconds:
      typeof properties.Timeout === 'number' ? properties.Timeout : LAMBDA_DEFAULT_TIMEOUT_SECONDS,
    memorySize: typeof properties.MemorySize === 'number' ? properties.MemorySize : LAMBDA_DEFAULT_MEMORY_MB,
    entryPoints,
    buildProperties,
    environment: { ...variablesOf(globals.Environment), ...variablesOf(ownEnvironment) },
  };
}

/** An `Fn::If` with an `AWS::NoValue` branch: the variable is left unset unless a parameter is given. */
export function isOptionalValue(value: unknown): boolean {
  if (!isRecord(value) || !Array.isArray(value['Fn::If'])) return false;
  return value['Fn::If'].some((branch: unknown) => isRecord(branch) && branch.Ref === 'AWS::NoValue');
}

/** The node flags a function runs with in Lambda: its NODE_OPTIONS, split ([] when it sets none). */
export function nodeFlags(template: Json, functionId: string): string[] {
  const value = serverlessFunction(template, functionId).environment.NODE_OPTIONS;
  return typeof value === 'string' ? value.split(/\s+/).filter((flag) => flag !== '') : [];
}

/**
 * The value a template gives an environment variable when deployed with default parameters: a
 * literal as is, `!Ref` to a parameter with a Default as that default; anything else (a parameter
 * without a default, a condition) is undefined, for the caller's environment to supply.
 */
export function defaultValue(template: Json, value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (!isRecord(value) || typeof value.Ref !== 'string') return undefined;
  const parameters = isRecord(template.Parameters) ? template.Parameters : {};
  const parameter = parameters[value.Ref];
  if (!isRecord(parameter)) return undefined;
  const fallback = parameter.Default;
  return typeof fallback === 'string' || typeof fallback === 'number' ? String(fallback) : undefined;
}
