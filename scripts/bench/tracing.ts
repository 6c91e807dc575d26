/**
 * `npm run bench:tracing`: what X-Ray instrumentation of the SDK clients (Powertools Tracer) adds to
 * the token and history functions: bundle size, and load-plus-init time of a fresh process, each
 * beside the same function built without it, in the same run.
 *
 * Each function is built twice with the repository's esbuild options (scripts/build.ts): as deployed,
 * and with shared/aws/tracing.ts swapped for a module of the same shape that instruments nothing. The
 * difference between the two is exactly what the instrumentation costs. The processes run with the
 * variables Lambda sets (AWS_EXECUTION_ENV among them, so Tracer is on, as in AWS) and, for both
 * functions, `--enable-source-maps` (the history function's NODE_OPTIONS in template.yaml; the token
 * function is deployed without it, which lowers both variants alike). Cases are interleaved run by run; each
 * child reports its own CPU time (user + system) at exit, which on a shared machine varies less than
 * wall time. Options: --runs=N (default 15).
 */
import { mkdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';
import { lambdaDefaults, targets } from '../build.js';
import { runChild } from './child.js';
import { percentile } from './stats.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'dist', 'bench-tracing');
const runsArg = process.argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length);
const RUNS = runsArg === undefined ? 15 : Number(runsArg);
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 200) throw new Error('--runs must be 1-200');

/** The same exports as shared/aws/tracing.ts, instrumenting nothing. */
const UNTRACED = `
export function traceClients() { return undefined; }
`;

const untraced: Plugin = {
  name: 'untraced',
  setup(plugin) {
    plugin.onResolve({ filter: /aws\/tracing\.js$/ }, () => ({ path: 'untraced', namespace: 'untraced' }));
    plugin.onLoad({ filter: /.*/, namespace: 'untraced' }, () => ({ contents: UNTRACED, loader: 'js' }));
  },
};

/** What Lambda sets in every function's environment (Tracer is on only where AWS_EXECUTION_ENV is). */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
  LOG_LEVEL: 'info',
} as const;

const FUNCTIONS = [
  {
    name: 'token-vending',
    env: {
      CHAT_BACKEND: 'aws',
      CHAT_TABLE: 'bench',
      AUTH_JWKS_URI: 'https://idp.example/.well-known/jwks.json',
      AUTH_ISSUER: 'https://idp.example',
      AUTH_AUDIENCE: 'bench',
      AWS_ACCOUNT_ID: '123456789012',
    },
  },
  { name: 'chat-history', env: { CHAT_TABLE: 'bench' } },
] as const;

const REPORT_CPU =
  "process.on('exit', () => { const { user, system } = process.cpuUsage(); " +
  "require('node:fs').writeSync(3, JSON.stringify({ cpuMs: (user + system) / 1000 })); });";

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

async function runSample(file: string | undefined, env: Record<string, string>): Promise<Sample> {
  const code = file === undefined ? REPORT_CPU : `${REPORT_CPU} require(${JSON.stringify(file)});`;
  const { wallMs, report } = await runChild(['--enable-source-maps'], code, env);
  const cpuMs = typeof report?.cpuMs === 'number' ? report.cpuMs : Number.NaN;
  return { wallMs, cpuMs };
}

const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const fmt = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const began = performance.now();
  mkdirSync(out, { recursive: true });
  const files = new Map<string, string>();
  for (const fn of FUNCTIONS) {
    const target = targets.find((candidate) => candidate.name === fn.name);
    if (!target) throw new Error(`scripts/build.ts has no ${fn.name}`);
    for (const variant of ['traced', 'untraced'] as const) {
      // Inside the repository, so a Lambda bundle's external @aws-sdk/* resolves as the runtime's would.
      const outfile = join(out, `${fn.name}-${variant}.js`);
      await build({
        ...lambdaDefaults,
        ...target.options,
        outfile,
        logLevel: 'error',
        plugins: variant === 'untraced' ? [untraced] : [],
      });
      files.set(`${fn.name}|${variant}`, outfile);
    }
  }
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}`);
  console.log(`load average at the start ${load()}; ${RUNS} runs of every case, interleaved`);
  const samples = new Map<string, Sample[]>();
  const add = (key: string, sample: Sample): void => {
    samples.set(key, [...(samples.get(key) ?? []), sample]);
  };
  for (let run = 0; run < RUNS; run++) {
    add('empty', await runSample(undefined, {}));
    for (const fn of FUNCTIONS) {
      // The order alternates, so neither variant always runs first.
      const order = run % 2 === 0 ? (['traced', 'untraced'] as const) : (['untraced', 'traced'] as const);
      for (const variant of order) {
        add(
          `${fn.name}|${variant}`,
          await runSample(files.get(`${fn.name}|${variant}`), { ...LAMBDA_ENV, ...fn.env }),
        );
      }
    }
  }
  const cpu = (key: string): number => median((samples.get(key) ?? []).map((sample) => sample.cpuMs));
  const wall = (key: string): number => median((samples.get(key) ?? []).map((sample) => sample.wallMs));
  const size = (key: string): number => statSync(files.get(key) ?? '').size / 1024;
  const gzip = (key: string): number => gzipSync(readFileSync(files.get(key) ?? '')).length / 1024;
  console.log('');
  console.log(
    'load + init of a fresh process that requires the bundle (--enable-source-maps), medians; "+empty": over `node -e \'\'`',
  );
  console.log('');
  console.log(
    '| bundle                   | KiB (gzip)     | CPU ms | CPU, +empty | wall ms | wall, +empty |',
  );
  console.log(
    '| ------------------------ | -------------: | -----: | ----------: | ------: | -----------: |',
  );
  console.log(
    `| ${"empty (`-e ''`)".padEnd(24)} | ${'-'.padStart(14)} | ${fmt(cpu('empty')).padStart(6)} | ${'-'.padStart(11)} | ${fmt(wall('empty')).padStart(7)} | ${'-'.padStart(12)} |`,
  );
  for (const fn of FUNCTIONS) {
    for (const variant of ['untraced', 'traced'] as const) {
      const key = `${fn.name}|${variant}`;
      console.log(
        `| ${`${fn.name}, ${variant}`.padEnd(24)} | ${`${fmt(size(key), 1)} (${fmt(gzip(key), 1)})`.padStart(14)} | ${fmt(cpu(key)).padStart(6)} | ${fmt(cpu(key) - cpu('empty')).padStart(11)} | ${fmt(wall(key)).padStart(7)} | ${fmt(wall(key) - wall('empty')).padStart(12)} |`,
      );
    }
  }
  console.log('');
  for (const fn of FUNCTIONS) {
    const traced = `${fn.name}|traced`;
    const plain = `${fn.name}|untraced`;
    console.log(
      `${fn.name}: tracing adds ${fmt(size(traced) - size(plain), 1)} KiB (${fmt(gzip(traced) - gzip(plain), 1)} KiB gzip), CPU ${fmt(cpu(traced) - cpu(plain))} ms, wall ${fmt(wall(traced) - wall(plain))} ms to load + init (medians, same run)`,
    );
  }
  console.log(`bench took ${fmt((performance.now() - began) / 1000)} s; load average at the end ${load()}`);
}

await main();
