// `npm test`: the whole gate, as CI runs it on a fresh clone. The bundles are built first (the
// integration and browser tests load them); then the static checks (types, lint, format, template
// lint) run in two lanes beside the test files, which run a few at a time. The checks run at a
// lower CPU priority (nice 10): they only need to finish, the tests carry timing. Everything's
// output is printed whole as each part ends, then a summary: each check, the tests by top folder,
// every failure, the times; the exit status is non-zero when anything failed.
//
// Environment: TEST_CONCURRENCY (test files at once, default 3), TEST_TIMEOUT_MS (cap per file,
// default 240000). Tests alone, or some of them: node scripts/run-tests.mjs [path fragments].
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { findTestFiles, ROOT, runTestFiles } from './run-test-files.mjs';
import { machineNow, summarise } from './summary.mjs';

const bin = (name) => join(ROOT, 'node_modules/.bin', name);

/**
 * The static checks, each a step of `npm test` before this script, in two lanes that run side by
 * side: type-aware ESLint alone (the longest, about 80 s of CPU), and the others one after another.
 */
const CHECK_LANES = [
  [{ name: 'lint (eslint)', command: bin('eslint'), args: ['.'] }],
  [
    { name: 'typecheck (tsc)', command: bin('tsc'), args: ['-p', 'tsconfig.json'] },
    { name: 'format (prettier)', command: bin('prettier'), args: ['--check', '--log-level=warn', '.'] },
    { name: 'template lint (cfn-lint)', command: 'bash', args: ['scripts/cfn-lint.sh'] },
  ],
];

function positive(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    console.error(`${name} must be a positive integer; got "${value}"`);
    process.exit(2);
  }
  return number;
}

/** Runs a command to its end; resolves with its combined output and whether it passed. */
function run(name, command, args, { nice = false } = {}) {
  const started = performance.now();
  const [file, argv] = nice ? ['nice', ['-n', '10', command, ...args]] : [command, args];
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code) => {
      resolve({
        name,
        ok: code === 0,
        ms: performance.now() - started,
        output: Buffer.concat(output).toString(),
      });
    });
  });
}

function print(heading, output) {
  const body = output.trimEnd();
  process.stdout.write(`\n── ${heading}\n${body === '' ? '' : `${body}\n`}`);
}

const started = performance.now();
const machineAtStart = machineNow();
const concurrency = positive('TEST_CONCURRENCY', 3);
// Four minutes a file: a hang is still caught, and a file that takes one minute on a quiet machine
// still finishes on one that other work loads several times over.
const capMs = positive('TEST_TIMEOUT_MS', 240_000);
const steps = [];

const build = await run('build (esbuild)', bin('tsx'), ['scripts/build.ts']);
print(`build: ${build.ok ? 'ok' : 'FAILED'} (${(build.ms / 1000).toFixed(1)} s)`, build.output);
steps.push(build);

const checkResults = new Map();
const checks = Promise.all(
  CHECK_LANES.map(async (lane) => {
    for (const check of lane) {
      const result = await run(check.name, check.command, check.args, { nice: true });
      print(
        `${check.name}: ${result.ok ? 'ok' : 'FAILED'} (${(result.ms / 1000).toFixed(1)} s)`,
        result.output,
      );
      checkResults.set(check.name, result);
    }
  }),
);

let files = [];
let testsMs = 0;
if (build.ok) {
  const testFiles = findTestFiles();
  const testsStarted = performance.now();
  files = await runTestFiles(testFiles, {
    concurrency,
    capMs,
    onFile: (result) => {
      const failed = result.code !== 0 || result.timedOut;
      print(
        `${result.file}: ${failed ? 'FAILED' : 'ok'} (${(result.wallMs / 1000).toFixed(1)} s${result.timedOut ? `, stopped at the ${capMs / 1000} s cap` : ''})`,
        result.output,
      );
    },
  });
  testsMs = performance.now() - testsStarted;
}
await checks;
// The summary lists the checks in one order, whichever ended first.
for (const check of CHECK_LANES.flat()) {
  const result = checkResults.get(check.name);
  if (result) steps.push(result);
}

const { text, ok } = summarise({
  steps,
  files,
  testsMs,
  totalMs: performance.now() - started,
  machineAtStart,
});
console.log(text);
process.exitCode = ok ? 0 : 1;
