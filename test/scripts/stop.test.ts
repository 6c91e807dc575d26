/**
 * Stopping the npm commands (`npm start`, `npm run emulator`, `npm run start:api`) the way a process
 * manager or `docker stop` does: SIGTERM to exactly the `npm` process, not to the node process under
 * it. npm forwards the signal to its script's shell; the scripts `exec` their last command, so the
 * signal reaches tsx, which relays it to node, which closes every server. The test runs the real
 * commands with ephemeral ports (every port variable 0) and then checks that every port the command
 * printed is free and every process it started is gone.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../../scripts/sam-template.js';
import { AUDIENCE, ISSUER } from '../services/token-vending/support/jwks-server.js';

const READY_MS = 60_000;
const EXIT_MS = 20_000;
const started: number[] = [];

/** Every live process id under `root`, from one `ps` listing (Linux and macOS alike). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const line of execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' }).split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (pid === undefined || ppid === undefined || Number.isNaN(pid) || Number.isNaN(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether this process can bind the port now (nothing else listens on it). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/** Runs `npm <args>` and resolves once its output matches `ready`, with everything printed so far. */
function runNpm(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn('npm', args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid !== undefined) started.push(child.pid);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`npm ${args.join(' ')} was not ready within ${READY_MS} ms:\n${output}`));
    }, READY_MS);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve({ child, output });
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm ${args.join(' ')} exited with ${String(code)}:\n${output}`));
    });
  });
}

/** SIGTERM to the npm process alone; resolves when it has exited. */
async function terminate(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`npm did not exit within ${EXIT_MS} ms of SIGTERM`));
    }, EXIT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  child.kill('SIGTERM');
  await exited;
}

/** Every port in the http:// and ws:// URLs a command printed. */
function printedPorts(output: string): number[] {
  const ports = [...output.matchAll(/(?:https?|wss?):\/\/127\.0\.0\.1:(\d+)/g)].map((match) =>
    Number(match[1]),
  );
  return [...new Set(ports)];
}

async function assertStoppedCleanly(command: string, output: string, tree: readonly number[]): Promise<void> {
  const ports = printedPorts(output);
  assert.ok(ports.length > 0, `${command} printed no URL:\n${output}`);
  // The last process can close its listeners a moment after npm itself exits: a bounded wait.
  for (let attempt = 0; attempt < 50 && tree.some(alive); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.deepEqual(tree.filter(alive), [], `${command}: processes still running after SIGTERM to npm`);
  for (const port of ports) assert.ok(await portIsFree(port), `${command}: port ${port} still bound`);
}

const baseEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', HOST: '127.0.0.1' };
  delete env.EMULATOR_DATA_DIR;
  return env;
};

describe('SIGTERM to the npm process', { skip: process.platform === 'win32' }, () => {
  after(() => {
    // Only if a test failed: end what this file started (npm and the tree it had), by id.
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  it('`npm start` stops the whole local stack and frees every port', async () => {
    const env = { ...baseEnv(), CHAT_BACKEND: 'local', PORT: '0', EMULATOR_PORT: '0', DYNAMODB_PORT: '0' };
    const { child, output } = await runNpm(['start'], env, /Ctrl-C stops everything/);
    const tree = descendants(child.pid ?? -1);
    started.push(...tree);
    assert.ok(tree.length > 0);

    await terminate(child);

    await assertStoppedCleanly('npm start', output, tree);
  });

  it('`npm run emulator` stops and frees its port', async () => {
    const env = { ...baseEnv(), EMULATOR_PORT: '0', LOG_LEVEL: 'info' };
    const { child, output } = await runNpm(
      ['run', 'emulator'],
      env,
      /"controlPlane":"http:\/\/127\.0\.0\.1:\d+"/,
    );
    const tree = descendants(child.pid ?? -1);
    started.push(...tree);
    assert.ok(tree.length > 0);

    await terminate(child);

    await assertStoppedCleanly('npm run emulator', output, tree);
  });

  it('`npm run start:api` stops and frees its port', async () => {
    const env = {
      ...baseEnv(),
      PORT: '0',
      CHAT_BACKEND: 'aws',
      AWS_REGION: 'us-east-1',
      // Never called: the test only starts and stops the server.
      AWS_ENDPOINT_URL_IVSCHAT: 'http://127.0.0.1:9',
      CHAT_TABLE: 'ivs-chat-local',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AUTH_JWKS_URI: 'http://127.0.0.1:9/jwks.json',
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    };
    const { child, output } = await runNpm(['run', 'start:api'], env, /on http:\/\/127\.0\.0\.1:\d+/);
    const tree = descendants(child.pid ?? -1);
    started.push(...tree);
    assert.ok(tree.length > 0);

    await terminate(child);

    await assertStoppedCleanly('npm run start:api', output, tree);
  });
});
