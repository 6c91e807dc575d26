// Runs test/**/*.test.ts with node's own test runner (through tsx), or only the files whose path
// contains one of the arguments: `node scripts/run-tests.mjs test/services/local-ivschat/ rooms`.
// The same runner as `npm test` (scripts/gate/), without the build and the static checks: each
// file's spec output, then the summary. TEST_CONCURRENCY and TEST_TIMEOUT_MS as in the gate.
import { findTestFiles, runTestFiles } from './gate/run-test-files.mjs';
import { machineNow, summarise } from './gate/summary.mjs';

const files = findTestFiles(process.argv.slice(2));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const started = performance.now();
const machineAtStart = machineNow();
const results = await runTestFiles(files, {
  concurrency: Number(process.env.TEST_CONCURRENCY ?? '3'),
  // Four minutes a file, as in the gate: a hang is still caught, and a file that takes one minute on a
  // quiet machine still finishes on one loaded by other work. The long resilience run asks for more.
  capMs: Number(process.env.TEST_TIMEOUT_MS ?? '240000'),
  onFile: (result) => {
    process.stdout.write(`\n── ${result.file} (${(result.wallMs / 1000).toFixed(1)} s)\n${result.output}`);
  },
});
const elapsed = performance.now() - started;
const { text, ok } = summarise({
  steps: [],
  files: results,
  testsMs: elapsed,
  totalMs: elapsed,
  machineAtStart,
});
console.log(text);
process.exitCode = ok ? 0 : 1;
