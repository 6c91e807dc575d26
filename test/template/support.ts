/** The template as the template tests read it, and the small readers they share. */
import { strict as assert } from 'node:assert';
import { build } from 'esbuild';
import { isRecord } from '../../shared/json.js';
import { readTemplate, repoRoot, resources } from '../../scripts/sam-template.js';

export const template = readTemplate();
export const all = resources(template);

/** A resource's Properties (the test fails, naming the resource, when it has none). */
export function properties(id: string): Record<string, unknown> {
  const value = all[id]?.Properties;
  assert.ok(isRecord(value), `${id} has Properties`);
  return value;
}

export function isRef(value: unknown, target: string): boolean {
  return isRecord(value) && value.Ref === target;
}

/** `!GetAtt A.B` in either of the forms the YAML parser yields. */
export function isGetAtt(value: unknown, resource: string, attribute: string): boolean {
  if (!isRecord(value)) return false;
  const getAtt = value['Fn::GetAtt'];
  return (
    (Array.isArray(getAtt) && getAtt[0] === resource && getAtt[1] === attribute) ||
    getAtt === `${resource}.${attribute}`
  );
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** lib-dynamodb's document commands and the IAM actions they are authorised by. */
const DOCUMENT_COMMAND_ACTIONS: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
  Query: 'Query',
  Scan: 'Scan',
};
const SDK_MODULES = ['@aws-sdk/client-ivschat', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];

/**
 * The IAM actions a Lambda entry's code can call: its esbuild bundle (SDK external, as deployed, not
 * minified) names every SDK command it constructs, in its own code and in shared/ alike. Fails on an
 * SDK module this reader does not map, rather than miss its calls.
 */
export async function awsActionsOf(entry: string): Promise<string[]> {
  const output = await build({
    entryPoints: [entry],
    absWorkingDir: repoRoot,
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    minify: false,
    logLevel: 'silent',
  });
  const text = output.outputFiles[0]?.text ?? '';
  const modules = [...text.matchAll(/(?:require|import)\("(@aws-sdk\/[^"]+)"\)/g)].map((match) => match[1]);
  for (const name of modules) assert.ok(SDK_MODULES.includes(name ?? ''), `${entry} uses ${name}: map it`);
  const actions = new Set<string>();
  for (const [, module = '', command = ''] of text.matchAll(/\bimport_(\w+?)\d*\.(\w+)Command\b/g)) {
    if (module === 'client_ivschat') actions.add(`ivschat:${command}`);
    else if (module === 'client_dynamodb') actions.add(`dynamodb:${command}`);
    else if (module === 'lib_dynamodb') {
      const action = DOCUMENT_COMMAND_ACTIONS[command];
      assert.ok(action, `${entry}: lib-dynamodb's ${command}Command is not mapped`);
      actions.add(`dynamodb:${action}`);
    } else assert.fail(`${entry}: ${command}Command from ${module} is not mapped`);
  }
  return [...actions].sort();
}

/** The statements of a serverless function's inline Policies. */
export function functionStatements(id: string): Record<string, unknown>[] {
  return asList(properties(id).Policies)
    .flatMap((policy) => (isRecord(policy) ? asList(policy.Statement) : []))
    .filter((statement): statement is Record<string, unknown> => isRecord(statement));
}

/** Every action a serverless function's inline Policies allow. */
export function grantedActions(id: string): string[] {
  const actions = functionStatements(id).flatMap((statement) => asList(statement.Action));
  return [...new Set(actions.map(String))].sort();
}
