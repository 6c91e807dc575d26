/**
 * The reference part of docs/api.md, written from the OpenAPI document the service serves, which is
 * itself generated from the routes' schemas (services/token-vending/openapi/document.ts): the page
 * cannot drift from what the service validates and answers.
 */
import { IvschatClient } from '@aws-sdk/client-ivschat';
import { isRecord } from '../../shared/json.js';
import { createLogger } from '../../shared/logger.js';
import { createTableClient } from '../../shared/table/client.js';
import { routesOf, type AppDeps } from '../../services/token-vending/app.js';
import { DEFAULT_POLICY } from '../../services/token-vending/access/chat-policy.js';
import { createDevIdentityProvider } from '../../services/token-vending/features/dev-login/identity.js';
import { openApiDocument } from '../../services/token-vending/openapi/document.js';
import {
  ERROR_CODE_MEANINGS,
  ERROR_CODES,
  PROBLEM_EXTENSIONS,
} from '../../services/token-vending/platform/problem.js';

/** Every route, as a local stack with the demo page serves them (clients built, never called). */
export function fullDocument(): Record<string, unknown> {
  const deps: AppDeps = {
    ivs: new IvschatClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    table: { name: 'docs', client: createTableClient({ region: 'us-east-1', dummyCredentials: true }) },
    region: 'us-east-1',
    verifier: { verify: () => Promise.reject(new Error('not for docs')) },
    policy: DEFAULT_POLICY,
    clock: Date.now,
    logger: createLogger({ level: 'silent' }),
    config: {
      allowAnonymous: true,
      corsOrigins: [],
      rateLimit: { max: 30, windowMs: 60_000 },
      trustProxy: 0,
      rooms: {
        reviewHandlerArn: undefined,
        fallbackResult: 'ALLOW',
        loggingConfigurationArn: undefined,
        accountId: undefined,
        partition: 'aws',
      },
    },
    devIdentity: createDevIdentityProvider({ issuer: 'docs', audience: 'docs', rolesClaim: 'roles' }),
    site: { dir: '.', config: {}, connectSources: [] },
  };
  const routes = routesOf(deps, () => undefined);
  return openApiDocument(routes, { allowAnonymous: true });
}

function resolve(document: Record<string, unknown>, schema: unknown): Record<string, unknown> {
  if (!isRecord(schema)) return {};
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  let node: unknown = document;
  for (const part of ref.slice(2).split('/')) node = isRecord(node) ? node[part] : undefined;
  return isRecord(node) ? node : {};
}

function refName(schema: unknown): string | undefined {
  return isRecord(schema) && typeof schema.$ref === 'string' ? schema.$ref.split('/').at(-1) : undefined;
}

/** A schema as a short type: `string`, `integer 1–180`, `Room`, `Member[]`, `"public" \| "private"`. */
function typeOf(document: Record<string, unknown>, schema: unknown): string {
  const name = refName(schema);
  if (name !== undefined) return `[${name}](#${name.toLowerCase()})`;
  if (!isRecord(schema)) return 'any';
  if (Array.isArray(schema.enum))
    return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' \\| ');
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map((item) => typeOf(document, item)).join(' or ');
  if (schema.type === 'array') return `${typeOf(document, schema.items)}[]`;
  if (schema.type === 'object' && isRecord(schema.additionalProperties)) return 'object of strings';
  const range =
    typeof schema.minimum === 'number' && typeof schema.maximum === 'number' && schema.maximum < 1e9
      ? ` ${schema.minimum}–${schema.maximum}`
      : '';
  const type = Array.isArray(schema.type)
    ? schema.type.join(' or ')
    : typeof schema.type === 'string'
      ? schema.type
      : 'any';
  return `${type}${range}`;
}

function fieldsTable(document: Record<string, unknown>, schema: Record<string, unknown>): string[] {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  const rows = Object.entries(properties).map(
    ([name, field]) =>
      `| \`${name}\` | ${typeOf(document, field)} | ${required.includes(name) ? 'yes' : ''} | ${isRecord(field) && typeof field.description === 'string' ? field.description : ''} |`,
  );
  return rows.length === 0 ? [] : ['| field | type | required | |', '|---|---|---|---|', ...rows];
}

const TAG_TITLES: Record<string, string> = {
  'chat-tokens': 'Chat tokens',
  rooms: 'Rooms',
  members: 'Members',
  moderation: 'Moderation',
  'app-bans': 'App-wide bans',
  messages: 'History',
  'dev-login': 'Dev login (local mode only)',
  system: 'Service routes',
};

export function apiReference(document = fullDocument()): string {
  const out: string[] = [];
  const paths = isRecord(document.paths) ? document.paths : {};
  const operations: { tag: string; method: string; path: string; op: Record<string, unknown> }[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    if (!isRecord(methods)) continue;
    for (const [method, op] of Object.entries(methods)) {
      if (!isRecord(op)) continue;
      const tag = Array.isArray(op.tags) && typeof op.tags[0] === 'string' ? op.tags[0] : 'other';
      operations.push({ tag, method, path, op });
    }
  }
  for (const tag of Object.keys(TAG_TITLES)) {
    const ofTag = operations.filter((operation) => operation.tag === tag);
    if (ofTag.length === 0) continue;
    out.push(`## ${TAG_TITLES[tag] ?? tag}`, '');
    for (const { method, path, op } of ofTag) {
      out.push(`### \`${method.toUpperCase()} ${path}\``, '');
      out.push(`${String(op.summary)}.${typeof op.description === 'string' ? ` ${op.description}` : ''}`, '');
      const security = Array.isArray(op.security) ? op.security : [];
      out.push(
        security.length === 0
          ? 'No authentication.'
          : security.some((entry) => isRecord(entry) && Object.keys(entry).length === 0)
            ? 'App JWT, or none where `ALLOW_ANONYMOUS=true`.'
            : 'App JWT (`Authorization: Bearer`).',
        '',
      );
      const parameters = Array.isArray(op.parameters) ? op.parameters.filter(isRecord) : [];
      if (parameters.length > 0) {
        out.push('| parameter | in | required | |', '|---|---|---|---|');
        for (const parameter of parameters) {
          const schema = isRecord(parameter.schema) ? parameter.schema : {};
          const about =
            typeof schema.description === 'string' ? schema.description : typeOf(document, schema);
          out.push(
            `| \`${String(parameter.name)}\` | ${String(parameter.in)} | ${parameter.required === true ? 'yes' : ''} | ${about} |`,
          );
        }
        out.push('');
      }
      const body = isRecord(op.requestBody) ? op.requestBody : undefined;
      if (body) {
        const content = isRecord(body.content) ? body.content['application/json'] : undefined;
        const schema = isRecord(content) ? content.schema : undefined;
        const name = refName(schema);
        out.push(
          `Body${body.required === true ? '' : ' (optional)'}: ${name ? `[${name}](#${name.toLowerCase()})` : 'JSON'}.`,
          '',
        );
        if (!name) out.push(...fieldsTable(document, resolve(document, schema)), '');
      }
      const responses = isRecord(op.responses) ? op.responses : {};
      const answers = Object.entries(responses)
        .filter(([, response]) => isRecord(response) && response.$ref === undefined)
        .map(([status, response]) => {
          const record = isRecord(response) ? response : {};
          const content = isRecord(record.content) ? record.content['application/json'] : undefined;
          const schema = isRecord(content) ? content.schema : undefined;
          return `**${status}** ${String(record.description)}${schema ? `: ${typeOf(document, schema)}` : ''}`;
        });
      const problems = Object.entries(responses)
        .filter(([, response]) => isRecord(response) && response.$ref !== undefined)
        .map(([status]) => status);
      out.push(`${answers.join('; ')}. Problems: ${problems.join(', ')}.`, '');
    }
  }
  out.push('## Schemas', '');
  const components =
    isRecord(document.components) && isRecord(document.components.schemas) ? document.components.schemas : {};
  for (const [name, schema] of Object.entries(components).sort(([a], [b]) => a.localeCompare(b))) {
    if (name === 'Problem' || !isRecord(schema)) continue;
    out.push(`### ${name}`, '');
    if (typeof schema.description === 'string') out.push(schema.description, '');
    out.push(...fieldsTable(document, schema), '');
  }
  out.push(
    '## Problem codes',
    '',
    'Every refusal is `application/problem+json` with one of these `code`s:',
    '',
  );
  out.push(
    '| `code` | meaning |',
    '|---|---|',
    ...ERROR_CODES.map((code) => `| \`${code}\` | ${ERROR_CODE_MEANINGS[code]} |`),
    '',
  );
  out.push(
    'Extension members, when they apply:',
    '',
    ...Object.entries(PROBLEM_EXTENSIONS).map(([name, meaning]) => `- \`${name}\`: ${meaning}`),
  );
  return out.join('\n');
}

export const API_START =
  "<!-- api-reference:start (npm run docs writes this part from the routes' schemas) -->";
export const API_END = '<!-- api-reference:end -->';

export function withApiReference(page: string): string {
  const start = page.indexOf(API_START);
  const end = page.indexOf(API_END);
  if (start === -1 || end === -1 || end < start)
    throw new Error('docs/api.md lacks its api-reference markers');
  return `${page.slice(0, start + API_START.length)}\n\n${apiReference()}\n\n${page.slice(end)}`;
}
