/**
 * The `npm run start:api` example of docs/deploy.md, run as written except for its ports: the first terminal's
 * local stack (scripts/start.ts, what `npm start` runs after building) and the second terminal's
 * start:api with exactly the block's variables start as child processes on free ports, and the third
 * block's shell commands run in bash with the URLs pointed at them. It must print a chat token.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../scripts/sam-template.js';
import { isRecord } from '../../shared/json.js';

const WAIT_MS = 60_000;
const children: ChildProcess[] = [];

const PAGE = 'docs/deploy.md';

/** The fenced sh blocks that follow `marker` in the deploy page, in order. */
function shBlocksAfter(marker: string, count: number): string[] {
  const page = readFileSync(join(repoRoot, PAGE), 'utf8');
  const start = page.indexOf(marker);
  assert.ok(start >= 0, `${PAGE} has "${marker}"`);
  const blocks = [...page.slice(start).matchAll(/```sh\n([\s\S]*?)\n```/g)].map((match) => match[1] ?? '');
  assert.ok(blocks.length >= count);
  return blocks.slice(0, count);
}

/** Runs a TypeScript entry as a child and resolves with the first match of `pattern` in its output. */
function startChild(script: string, env: NodeJS.ProcessEnv, pattern: RegExp): Promise<RegExpExecArray> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, script)], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${script} printed nothing matching ${String(pattern)}:\n${output.join('')}`));
    }, WAIT_MS);
    const collect = (chunk: Buffer): void => {
      output.push(chunk.toString());
      const match = pattern.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${String(code)}:\n${output.join('')}`));
    });
  });
}

/** `NAME=value` assignments at the start of a shell command (line continuations joined). */
function assignments(block: string): Record<string, string> {
  const command = block.replace(/\\\n/g, ' ');
  const variables: Record<string, string> = {};
  for (const match of command.matchAll(/(?:^|\s)([A-Z][A-Z0-9_]*)=(\S+)/g)) {
    if (match[1] && match[2]) variables[match[1]] = match[2];
  }
  return variables;
}

const [stackBlock = '', apiBlock = '', curlBlock = ''] = shBlocksAfter('<!-- start-api-example:', 3);
let stackUrl = '';
let emulatorUrl = '';
let tableUrl = '';
let apiUrl = '';

before(async () => {
  assert.ok(existsSync(join(repoRoot, 'dist/token-vending/index.js')), 'run npm run build first');
  assert.match(stackBlock, /^npm start\b/);
  const banner = await startChild(
    'scripts/start.ts',
    { ...process.env, PORT: '0', EMULATOR_PORT: '0', DYNAMODB_PORT: '0', LOG_LEVEL: 'warn' },
    /token API\s+(http:\/\/127\.0\.0\.1:\d+)\/v1\/chat-tokens[\s\S]*control plane (http:\/\/127\.0\.0\.1:\d+)[\s\S]*on dynalite (http:\/\/127\.0\.0\.1:\d+)/,
  );
  stackUrl = banner[1] ?? '';
  emulatorUrl = banner[2] ?? '';
  tableUrl = banner[3] ?? '';

  assert.match(apiBlock, /npm run start:api/);
  const variables = Object.fromEntries(
    Object.entries(assignments(apiBlock)).map(([name, value]) => [
      name,
      value
        .replace('http://127.0.0.1:3000', stackUrl)
        .replace('http://127.0.0.1:4510', emulatorUrl)
        .replace('http://127.0.0.1:4511', tableUrl),
    ]),
  );
  const started = await startChild(
    'scripts/start-api.ts',
    { PATH: process.env.PATH, HOME: process.env.HOME, ...variables, PORT: '0', LOG_LEVEL: 'warn' },
    /on (http:\/\/127\.0\.0\.1:\d+)/,
  );
  apiUrl = started[1] ?? '';
});

after(() => {
  for (const child of children) child.kill('SIGTERM');
});

describe('docs/deploy.md: npm run start:api against the local stack', () => {
  it('uses the dev login as the identity provider with the values the local stack really has', () => {
    const variables = assignments(apiBlock);
    assert.equal(variables.AUTH_JWKS_URI, 'http://127.0.0.1:3000/.well-known/jwks.json');
    assert.equal(variables.AUTH_ISSUER, 'http://127.0.0.1:3000');
    assert.equal(variables.CHAT_BACKEND, 'aws');
  });

  it('prints a moderator chat token when the third block runs', () => {
    const script = curlBlock
      .replaceAll('http://127.0.0.1:3000', stackUrl)
      .replaceAll('http://127.0.0.1:3001', apiUrl);

    const result = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });

    assert.equal(result.status, 0, result.stderr);
    const body: unknown = JSON.parse(result.stdout);
    assert.ok(isRecord(body), result.stdout);
    // A refusal's problem body (its code) is printed if there is no token.
    assert.equal(typeof body.token, 'string', result.stdout);
    assert.equal(body.userId, 'ann');
    assert.deepEqual(body.capabilities, ['SEND_MESSAGE', 'DELETE_MESSAGE', 'DISCONNECT_USER']);
  });
});
