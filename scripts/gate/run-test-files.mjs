// Runs test files, each in its own `node --import tsx` process (node:test runs a file given as the
// entry point by itself), a few at a time, longest first, and collects per file: its output (printed
// whole when the file ends, so files never interleave), its results and its wall time. A file that
// runs past its cap is ended with every process it started (its process group) and counted failed,
// naming the tests still running. Every test process loads test/support/default-port-guard.mjs.
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const GUARD = join(ROOT, 'test/support/default-port-guard.mjs');
const REPORTER = join(ROOT, 'scripts/gate/test-results-reporter.mjs');

/**
 * Files known to take longest start first, so the shorter ones fill in around them (on a fresh clone
 * there is no record of earlier runs). Fragments of paths; a new slow file may be added here.
 */
const LONGEST_FIRST = [
  // Waits about 62 s for a 1-minute IVS session to end, on 3 CPU-s: started first, its wait overlaps
  // the busiest part of the gate (the static checks) instead of holding a lane at its end.
  'test/security/finding-3',
  'test/e2e/',
  'test/resilience/jwks-load',
  'test/security/access-matrix',
  'test/resilience/upstream-faults',
  'test/resilience/http-fuzz',
  'test/scripts/stop.test',
  'test/security/finding-1',
  'test/resilience/',
  'test/services/token-vending/features/rooms/rooms.test',
  'test/services/token-vending/features/moderation/moderation.test',
  'test/lambdas/chat-history/handler.test',
  'test/lambdas/message-review/invoke-review',
  'test/scripts/rollback',
];

/**
 * Files that drive a browser run one at a time: each keeps Chromium's renderers, Playwright and a
 * whole stack busy, and two side by side on 2 cores only make both slower (and their waits longer);
 * the other lanes run lighter files meanwhile.
 */
const ONE_AT_A_TIME = ['test/e2e/'];

/**
 * Slots shared by every gate on this machine (files in one folder of the temporary directory), so
 * that two `npm test` runs side by side, each with its own test files, a browser and checks, do not
 * starve each other's timing: a test file starts only once it holds a slot, at most
 * TEST_MACHINE_FILES at once on the machine (default one and a half per core: 3, as one gate runs, on
 * two cores) and one browser file. Two gates then take about as long as they would one after the
 * other, and each file sees the load one gate makes.
 * A slot names the pid of the runner holding it; one whose runner is gone is taken over.
 */
const SLOTS_DIR = join(tmpdir(), 'ivs-chat-backend-test-slots');
const MACHINE_FILES = machineFiles();
const held = new Set();
process.on('exit', () => {
  for (const path of held) release(path);
});

function machineFiles() {
  const value = process.env.TEST_MACHINE_FILES;
  if (value === undefined || value === '') return Math.max(2, Math.round(1.5 * availableParallelism()));
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    console.error(`TEST_MACHINE_FILES must be a positive integer; got "${value}"`);
    process.exit(2);
  }
  return number;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Takes the slot at `path` if it is free (or its runner is gone); true when taken. */
function take(path) {
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
    held.add(path);
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  let owner;
  try {
    owner = Number(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
  if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false;
  try {
    unlinkSync(path);
  } catch {
    // Another runner took it over first.
  }
  return false;
}

function release(path) {
  held.delete(path);
  try {
    if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Waits for a machine slot (and the browser slot for a browser file); resolves with its release. */
async function machineSlot(browser) {
  mkdirSync(SLOTS_DIR, { recursive: true });
  const paths = Array.from({ length: MACHINE_FILES }, (_, i) => join(SLOTS_DIR, `file-${i}`));
  const browserSlot = join(SLOTS_DIR, 'browser');
  for (;;) {
    if (!browser || take(browserSlot)) {
      const free = paths.find((path) => take(path));
      if (free !== undefined) {
        return () => {
          release(free);
          if (browser) release(browserSlot);
        };
      }
      if (browser) release(browserSlot);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 250 + Math.random() * 250));
  }
}

/** Every test/**\/*.test.ts whose path contains one of `filters` (all when there are none). */
export function findTestFiles(filters = []) {
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.test.ts') ? [path] : [];
    });
  const rank = (file) => {
    const index = LONGEST_FIRST.findIndex((fragment) => file.startsWith(fragment));
    return index === -1 ? LONGEST_FIRST.length : index;
  };
  return walk(join(ROOT, 'test'))
    .map((file) => relative(ROOT, file))
    .filter((file) => filters.length === 0 || filters.some((part) => file.includes(part)))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function readResults(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line)];
      } catch {
        return [];
      }
    });
}

/** Process groups of the files running now. */
const running = new Set();
// A file runs in a process group of its own, out of reach of the terminal's Ctrl-C: pass it on.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const pid of running) killGroup(pid, 'SIGTERM');
    process.exit(130);
  });
}

/** Kills a whole process group; it may be gone already. */
function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/**
 * @param {string} file path relative to the root
 * @param {{ capMs: number, dir: string, env: NodeJS.ProcessEnv }} options
 */
function runOne(file, index, options) {
  const resultsPath = join(options.dir, `${index}.jsonl`);
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        `--test-reporter=${REPORTER}`,
        `--test-reporter-destination=${resultsPath}`,
        file,
      ],
      // Its own process group, so what the file starts (servers, browsers, npm) ends with it.
      { cwd: ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    running.add(child.pid);
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    let timedOut = false;
    const cap = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      setTimeout(() => killGroup(child.pid, 'SIGKILL'), 5000).unref();
    }, options.capMs);
    child.on('close', (code, signal) => {
      clearTimeout(cap);
      running.delete(child.pid);
      // Anything the file left running (a server in a child process, a browser) goes with it.
      killGroup(child.pid, 'SIGKILL');
      const events = readResults(resultsPath);
      resolvePromise({
        file,
        code,
        signal,
        timedOut,
        wallMs: performance.now() - started,
        output: Buffer.concat(output).toString('utf8'),
        events,
      });
    });
  });
}

/**
 * Runs `files` at most `concurrency` at a time; calls `onFile` as each ends (in the order they end).
 * @returns {Promise<Array<Awaited<ReturnType<typeof runOne>>>>}
 */
export async function runTestFiles(files, { concurrency, capMs, onFile = () => undefined }) {
  const dir = mkdtempSync(join(tmpdir(), 'gate-results-'));
  const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import=${GUARD}`].join(' ').trim();
  const env = { ...process.env, NODE_OPTIONS: nodeOptions };
  const results = [];
  const waiting = files.map((file, index) => ({ file, index }));
  let exclusiveRunning = false;
  const exclusive = (file) => ONE_AT_A_TIME.some((fragment) => file.startsWith(fragment));
  let wake = () => undefined;
  const lane = async () => {
    for (;;) {
      const at = waiting.findIndex(({ file }) => !(exclusive(file) && exclusiveRunning));
      if (at === -1) {
        if (waiting.length === 0) return;
        // Only one-at-a-time files are left and one is running: wait for a lane to finish.
        await new Promise((resolveWait) => {
          const previous = wake;
          wake = () => {
            previous();
            resolveWait();
          };
        });
        continue;
      }
      const [{ file, index }] = waiting.splice(at, 1);
      if (exclusive(file)) exclusiveRunning = true;
      const releaseSlot = await machineSlot(exclusive(file));
      const result = await runOne(file, index, { capMs, dir, env }).finally(releaseSlot);
      if (exclusive(file)) exclusiveRunning = false;
      results.push(result);
      onFile(result);
      const woken = wake;
      wake = () => undefined;
      woken();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, lane));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
