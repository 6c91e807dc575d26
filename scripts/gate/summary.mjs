// The gate's closing summary: each check with its result and time, then the tests by top folder
// (files, tests, passed, failed, skipped, and the files' time), then every failure by name.
import { cpus, loadavg } from 'node:os';

/** The machine's state when a run starts, for the summary's last line. */
export function machineNow() {
  return { load: loadavg(), cpus: cpus() };
}

/**
 * How busy the whole machine's CPUs were since `start` (this run and anything else on it): on 2 cores
 * a run near 100 % is bound by CPU, one well under it by waits.
 */
function busySince(start) {
  const busy = (list) =>
    list.reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
  const all = (list) =>
    list.reduce((sum, { times }) => sum + Object.values(times).reduce((a, b) => a + b, 0), 0);
  const now = cpus();
  const busyMs = busy(now) - busy(start);
  const allMs = all(now) - all(start);
  if (now.length !== start.length || !(allMs > 0)) return '';
  return `, CPU ${Math.round((100 * busyMs) / allMs)} % busy (${Math.round(busyMs / 1000)} CPU-s on ${now.length} cores)`;
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Counts of one test file's results, from test-results-reporter.mjs's lines. */
export function countFile(result) {
  const counts = { tests: 0, passed: 0, failed: 0, skipped: 0, todo: 0, cancelled: 0, failures: [] };
  const names = [];
  const started = new Map();
  for (const event of result.events) {
    if (event.event === 'start') {
      names[event.nesting] = event.name;
      started.set(`${event.nesting}\u0000${event.name}`, true);
      continue;
    }
    started.delete(`${event.nesting}\u0000${event.name}`);
    names[event.nesting] = event.name;
    if (event.suite) {
      // A suite fails with its tests; one that fails on its own (a hook) is named as a failure.
      if (event.event === 'fail' && !event.cancelled && names.length > 0) {
        const inside = counts.failures.some((failure) => failure.path.startsWith(event.name));
        if (!inside)
          counts.failures.push({ path: names.slice(0, event.nesting + 1).join(' › '), hook: true });
      }
      continue;
    }
    counts.tests += 1;
    if (event.skip) counts.skipped += 1;
    else if (event.todo) counts.todo += 1;
    else if (event.event === 'pass') counts.passed += 1;
    else if (event.cancelled) counts.cancelled += 1;
    else {
      counts.failed += 1;
      counts.failures.push({ path: names.slice(0, event.nesting + 1).join(' › ') });
    }
  }
  const failedOnItsOwn = result.code !== 0 && counts.failed === 0 && counts.failures.length === 0;
  if (result.timedOut) {
    const running = [...started.keys()].map((key) => key.split('\u0000')[1]);
    counts.failures.push({
      path: `ran past its cap and was stopped${running.length > 0 ? `; still running: ${running.join(' › ')}` : ''}`,
    });
  } else if (failedOnItsOwn) {
    counts.failures.push({ path: `exited with ${result.signal ?? `code ${String(result.code)}`}` });
  }
  return counts;
}

/** The top folder a test file belongs to: test/e2e, test/services, … */
export function groupOf(file) {
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
}

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? String(cell).padEnd(widths[column]) : String(cell).padStart(widths[column]),
      )
      .join('   ')
      .trimEnd(),
  );
}

/**
 * @param {{ steps: {name: string, ok: boolean, ms: number, note?: string}[], files: any[],
 *   testsMs: number, totalMs: number, machineAtStart: ReturnType<typeof machineNow> }} run
 * @returns {{ text: string, ok: boolean }}
 */
export function summarise(run) {
  const lines = ['', '═'.repeat(100), 'gate summary', ''];
  if (run.steps.length > 0) {
    const stepRows = [['check', 'result', 'time']];
    for (const step of run.steps) stepRows.push([step.name, step.ok ? 'ok' : 'FAILED', seconds(step.ms)]);
    lines.push(...table(stepRows), '');
  }

  const groups = new Map();
  const failures = [];
  const totals = { files: 0, tests: 0, passed: 0, failed: 0, skipped: 0, todo: 0, cancelled: 0, ms: 0 };
  for (const result of run.files) {
    const counts = countFile(result);
    const group = groupOf(result.file);
    const entry = groups.get(group) ?? {
      files: 0,
      tests: 0,
      passed: 0,
      failed: 0,
      skipped: 0,
      todo: 0,
      cancelled: 0,
      ms: 0,
      longest: undefined,
    };
    for (const key of ['tests', 'passed', 'failed', 'skipped', 'todo', 'cancelled']) {
      entry[key] += counts[key];
      totals[key] += counts[key];
    }
    entry.files += 1;
    entry.ms += result.wallMs;
    totals.files += 1;
    totals.ms += result.wallMs;
    if (!entry.longest || result.wallMs > entry.longest.wallMs) entry.longest = result;
    groups.set(group, entry);
    for (const failure of counts.failures) failures.push(`${result.file} › ${failure.path}`);
  }
  const rows = [
    ['test group', 'files', 'tests', 'passed', 'failed', 'skipped', 'files’ time', 'longest file'],
  ];
  for (const [group, entry] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    rows.push([
      group,
      entry.files,
      entry.tests,
      entry.passed,
      entry.failed + entry.cancelled,
      entry.skipped + entry.todo,
      seconds(entry.ms),
      entry.longest ? `${entry.longest.file.slice(group.length + 1)} ${seconds(entry.longest.wallMs)}` : '',
    ]);
  }
  rows.push([
    'all tests',
    totals.files,
    totals.tests,
    totals.passed,
    totals.failed + totals.cancelled,
    totals.skipped + totals.todo,
    seconds(totals.ms),
    `(${seconds(run.testsMs)} from first to last file)`,
  ]);
  lines.push(...table(rows));

  const stepsOk = run.steps.every((step) => step.ok);
  const ok = stepsOk && failures.length === 0 && run.files.length > 0;
  if (failures.length > 0) lines.push('', 'failed:', ...failures.map((failure) => `  ✖ ${failure}`));
  const load = (values) => values.map((value) => value.toFixed(2)).join(' ');
  lines.push(
    '',
    `gate ${ok ? 'passed' : 'FAILED'} in ${seconds(run.totalMs)}` +
      ` (load average at start ${load(run.machineAtStart.load)}, at end ${load(loadavg())}` +
      `${busySince(run.machineAtStart.cpus)})`,
  );
  return { text: lines.join('\n'), ok };
}
