/**
 * `npm run bench:coldstart`: each Lambda bundle's size and its load-plus-init time, beside an empty
 * `node -e ''` started the same way in the same run; for the token function also its first request.
 *
 * A cold start here is a fresh `node` process, with the variables Lambda sets (Powertools Tracer is
 * then on, as in AWS), that requires the bundle (the module's top level: its configuration, clients
 * and app are built there, as in Lambda's init phase) and exits when it is idle. Its wall time, spawn
 * to exit, is set beside the wall time of an empty `node -e ''`; the difference is what the bundle
 * adds. The cases are interleaved run by run, so all see the same machine load; the table gives the
 * minimum and the median over the runs.
 *
 * The token function is also timed to the end of its module's top level only, where Lambda's init
 * phase ends (its priming calls, started there and not awaited, run on into the first invocation),
 * beside the same for its named stack alone (coldstart-floor.ts, built here with the same options):
 * the difference is what the service's own code adds to the init.
 *
 * Both with and without `--enable-source-maps`: template.yaml sets it in the NODE_OPTIONS of every
 * function but the token function (stack traces in the logs point at the TypeScript), and with it Node
 * reads and parses a bundle's source map while it loads the bundle. "As deployed" is what the template
 * sets for each (scripts/sam-template.ts nodeFlags).
 *
 * The token function's first request: a fresh process loads the bundle and answers an API Gateway
 * HTTP API (payload 2.0) POST /v1/chat-tokens through its exported handler, with a JWT from a JWKS
 * server, the local IVS Chat emulator (quotas off) and dynalite in this process, reached through the
 * standard AWS_ENDPOINT_URL_* variables as the deployed function reaches AWS. Reported: the first
 * request (its JWKS fetch, new connections and the code's first run included) beside a second one in
 * the same process, and the process's start to its first answer.
 *
 * Options: --runs=N (default 11); --parts also times the named stack without each of its parts
 * (coldstart-floor.ts), as deployed. Needs `npm run build` first (package.json's script runs it).
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { build } from 'esbuild';
import jwt from 'jsonwebtoken';
import { createLogger } from '../../shared/logger.js';
import { createTableClient, type Table } from '../../shared/table/client.js';
import { startLocalTable } from '../../services/local-dynamodb/start.js';
import { QUOTAS_OFF, startEmulator } from '../../services/local-ivschat/start.js';
import { recordFromIvs } from '../../services/token-vending/features/rooms/directory.js';
import { putRoomIfAbsent } from '../../services/token-vending/features/rooms/store.js';
import { lambdaDefaults } from '../build.js';
import { toHttpApiEvent } from '../local-http-api/event.js';
import { nodeFlags, readTemplate } from '../sam-template.js';
import { runChild } from './child.js';
import { FLOOR_PARTS, floorSource, type FloorPart } from './coldstart-floor.js';
import { percentile } from './stats.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const ISSUER = 'https://coldstart-idp.example';
const AUDIENCE = 'coldstart-app';
const KID = 'coldstart-key';

const runsArg = process.argv.find((arg) => arg.startsWith('--runs='))?.slice('--runs='.length);
const RUNS = runsArg === undefined ? 11 : Number(runsArg);
const PARTS = process.argv.includes('--parts');
if (!Number.isInteger(RUNS) || RUNS < 1 || RUNS > 200) throw new Error('--runs must be 1-200');

/** A Lambda bundle and the environment its init needs (what template.yaml gives it). */
export interface Bundle {
  readonly name: string;
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The environment every function has in Lambda (region, credentials from the execution role, the
 * execution environment's name, which turns Powertools Tracer on as in AWS, and the X-Ray daemon's
 * address: nothing listens there, and a trace segment is one UDP datagram that nobody receives).
 */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'coldstart',
  AWS_SECRET_ACCESS_KEY: 'coldstart',
  AWS_SESSION_TOKEN: 'coldstart',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
  AWS_LAMBDA_FUNCTION_NAME: 'coldstart',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2000',
  LOG_LEVEL: 'info',
} as const;

export function bundles(tokenEnv: Readonly<Record<string, string>>): Bundle[] {
  return [
    { name: 'message-review', file: 'dist/message-review/index.js', env: { FALLBACK_RESULT: 'ALLOW' } },
    { name: 'chat-history', file: 'dist/chat-history/index.js', env: { CHAT_TABLE: 'coldstart' } },
    { name: 'access-sweeper', file: 'dist/access-sweeper/index.js', env: { CHAT_TABLE: 'coldstart' } },
    { name: 'token-vending', file: 'dist/token-vending/index.js', env: tokenEnv },
  ];
}

/**
 * The process's own CPU time (user + system, all its threads) when it exits, written on fd 3: on a
 * shared machine the wall time mostly measures the other processes, CPU time much less so.
 */
const REPORT_CPU =
  "process.on('exit', () => { const { user, system } = process.cpuUsage(); " +
  "require('node:fs').writeSync(3, JSON.stringify({ cpuMs: (user + system) / 1000 })); });";

/**
 * `idle`: the process runs until nothing is left to do (for the token function that includes its
 * priming calls, which it starts at init and does not await). `init`: the process ends as soon as the
 * module's top level has run, which is where Lambda's init phase ends and what it reports as Init
 * Duration; work the top level started but did not await then runs during the first invocation.
 */
type Until = 'idle' | 'init';

const loadCode = (file: string | undefined, until: Until = 'idle'): string =>
  file === undefined
    ? REPORT_CPU
    : `${REPORT_CPU} require(${JSON.stringify(join(root, file))});${until === 'init' ? ' process.exit(0);' : ''}`;

/** The token function's named stack alone (coldstart-floor.ts), and with --parts without each part. */
interface Floor {
  readonly key: string;
  readonly name: string;
  readonly omit?: FloorPart;
  readonly file: string;
}

const floors: readonly Floor[] = [
  { key: 'floor', name: 'named stack, init only', file: 'dist/bench-coldstart/floor/index.js' },
  ...(PARTS ? (Object.keys(FLOOR_PARTS) as FloorPart[]) : []).map((part) => ({
    key: `floor-${part}`,
    name: `  without ${part}`,
    omit: part,
    file: `dist/bench-coldstart/floor-${part}/index.js`,
  })),
];

/** Each floor built as the token function is (its esbuild options), a CommonJS bundle. */
async function buildFloors(): Promise<void> {
  for (const floor of floors) {
    await build({
      ...lambdaDefaults,
      external: [],
      absWorkingDir: root,
      logLevel: 'warning',
      stdin: { contents: floorSource(floor.omit), resolveDir: root, sourcefile: 'floor.ts', loader: 'ts' },
      outfile: floor.file,
    });
    writeFileSync(join(root, dirname(floor.file), 'package.json'), '{ "type": "commonjs" }\n');
  }
}

/**
 * The first-request child: loads the bundle, answers two events through its handler and writes its
 * timings (ms since the process started) on fd 3.
 */
const firstRequestCode = (file: string): string => `
const bundle = require(${JSON.stringify(join(root, file))});
const loaded = performance.now();
const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const loadedCpu = cpu();
const events = JSON.parse(process.env.BENCH_EVENTS);
const context = (id) => ({ awsRequestId: id, functionName: 'token-vending', getRemainingTimeInMillis: () => 10000 });
(async () => {
  const first = await bundle.handler(events[0], context('cold-1'));
  const answered = performance.now();
  const answeredCpu = cpu();
  const second = await bundle.handler(events[1], context('cold-2'));
  const again = performance.now();
  const againCpu = cpu();
  require('node:fs').writeSync(3, JSON.stringify({
    loaded, answered, again, loadedCpu, answeredCpu, againCpu, status: [first.statusCode, second.statusCode],
  }));
  process.exit(0);
})().catch((error) => { console.error(error); process.exit(1); });
`;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
}

interface TokenStack {
  readonly env: Record<string, string>;
  readonly roomArn: string;
  readonly privateKey: KeyObject;
  close(): Promise<void>;
}

/** The emulator (quotas off), dynalite with the room's record, and a JWKS endpoint, in this process. */
async function startTokenStack(): Promise<TokenStack> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwksBody = JSON.stringify({
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }],
  });
  const jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwksBody);
  });
  const jwksUri = `${await listen(jwksServer)}/.well-known/jwks.json`;
  const emulator = await startEmulator({
    port: 0,
    logger: createLogger({ level: 'silent' }),
    quotas: QUOTAS_OFF,
  });
  const local = await startLocalTable();
  const ivs = new IvschatClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'coldstart', secretAccessKey: 'coldstart' },
  });
  const room = await ivs.send(new CreateRoomCommand({ name: 'coldstart' }));
  ivs.destroy();
  if (room.arn === undefined) throw new Error('CreateRoom answered without an arn');
  // The room's record, as POST /v1/rooms writes it: every first request reads the same items.
  const table: Table = {
    name: local.tableName,
    client: createTableClient({ endpoint: local.endpoint, region: 'us-east-1', dummyCredentials: true }),
  };
  await putRoomIfAbsent(table, recordFromIvs(room, { privacy: 'public', ownerId: 'coldstart-owner' }));
  table.client.destroy();
  return {
    roomArn: room.arn,
    privateKey,
    env: {
      CHAT_BACKEND: 'aws',
      CHAT_TABLE: local.tableName,
      AUTH_JWKS_URI: jwksUri,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AWS_ACCOUNT_ID: '123456789012',
      // The SDK's standard per-service endpoint variables (what the deployed function leaves unset).
      AWS_ENDPOINT_URL_IVSCHAT: emulator.url,
      AWS_ENDPOINT_URL_DYNAMODB: local.endpoint,
    },
    close: async () => {
      jwksServer.closeAllConnections();
      jwksServer.close();
      await local.close();
      await emulator.close();
    },
  };
}

/** Two API Gateway events for fresh users (the per-user token limit never interferes across runs). */
function tokenEvents(stack: TokenStack): string {
  const now = Math.floor(Date.now() / 1000);
  const body = Buffer.from(JSON.stringify({ roomIdentifier: stack.roomArn, sessionDurationInMinutes: 30 }));
  return JSON.stringify(
    [0, 1].map(() => {
      const token = jwt.sign(
        { sub: `cold-${randomUUID()}`, name: 'Cold', iat: now, exp: now + 600 },
        stack.privateKey,
        {
          algorithm: 'RS256',
          keyid: KID,
          issuer: ISSUER,
          audience: AUDIENCE,
        },
      );
      return toHttpApiEvent(
        {
          method: 'POST',
          url: '/v1/chat-tokens',
          httpVersion: '1.1',
          rawHeaders: [
            'host',
            'abc123.execute-api.us-east-1.amazonaws.com',
            'content-type',
            'application/json',
            'content-length',
            String(body.length),
            'authorization',
            `Bearer ${token}`,
          ],
          remoteAddress: '203.0.113.9',
          body,
        },
        { now: new Date(), requestId: randomUUID() },
      );
    }),
  );
}

const fmt = (value: number): string => (Number.isFinite(value) ? value.toFixed(0) : 'n/a');
const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);
const min = (values: readonly number[]): number => sorted(values)[0] ?? Number.NaN;
const median = (values: readonly number[]): number => percentile(sorted(values), 0.5);
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

function numberAt(report: Record<string, unknown> | undefined, name: string): number {
  const value = report?.[name];
  if (typeof value !== 'number') throw new Error(`the child reported no ${name}`);
  return value;
}

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** min and median of one case, and of the same case minus empty node (medians and minima apart). */
function row(name: string, sizeKiB: number, samples: readonly Sample[], empty: readonly Sample[]): string {
  const wall = samples.map((sample) => sample.wallMs);
  const cpu = samples.map((sample) => sample.cpuMs);
  const emptyWall = empty.map((sample) => sample.wallMs);
  const emptyCpu = empty.map((sample) => sample.cpuMs);
  const cells = [
    name.padEnd(28),
    sizeKiB.toFixed(1).padStart(8),
    `${fmt(min(cpu))} / ${fmt(median(cpu))}`.padStart(11),
    `${fmt(min(cpu) - min(emptyCpu))} / ${fmt(median(cpu) - median(emptyCpu))}`.padStart(11),
    `${fmt(min(wall))} / ${fmt(median(wall))}`.padStart(11),
    `${fmt(min(wall) - min(emptyWall))} / ${fmt(median(wall) - median(emptyWall))}`.padStart(11),
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const began = performance.now();
  await buildFloors();
  const stack = await startTokenStack();
  const list = bundles(stack.env);
  for (const bundle of list) {
    if (!existsSync(join(root, bundle.file))) throw new Error(`${bundle.file} is missing: run npm run build`);
  }
  const token = list.find((bundle) => bundle.name === 'token-vending');
  if (!token) throw new Error('no token bundle');
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), node ${process.version}`);
  console.log(`load average at the start ${load()} (1/5/15 min); ${RUNS} runs of every case, interleaved`);
  const flagSets = [
    { label: 'node', flags: [] as string[] },
    { label: 'node --enable-source-maps', flags: ['--enable-source-maps'] },
  ];
  // The token function's flags in Lambda (template.yaml's NODE_OPTIONS for it), one of the two above.
  const deployedFlags = nodeFlags(readTemplate(), 'TokenVendingFunction');
  const deployed = ['node', ...deployedFlags].join(' ');
  if (!flagSets.some((set) => set.label === deployed))
    throw new Error(`no case for the deployed ${deployed}`);
  const samples = new Map<string, Sample[]>();
  const measure = async (
    key: string,
    flags: readonly string[],
    file: string | undefined,
    env: Record<string, string>,
    until: Until = 'idle',
  ): Promise<void> => {
    const { wallMs, report } = await runChild(flags, loadCode(file, until), env);
    samples.set(key, [...(samples.get(key) ?? []), { wallMs, cpuMs: numberAt(report, 'cpuMs') }]);
  };
  const first = {
    request: [] as number[],
    second: [] as number[],
    startToAnswer: [] as number[],
    cpu: [] as number[],
    secondCpu: [] as number[],
  };
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const { label, flags } of flagSets) {
        await measure(`${label}|empty`, flags, undefined, {});
        for (const bundle of list) {
          await measure(`${label}|${bundle.name}`, flags, bundle.file, { ...LAMBDA_ENV, ...bundle.env });
        }
        await measure(
          `${label}|token-vending|init`,
          flags,
          token.file,
          { ...LAMBDA_ENV, ...token.env },
          'init',
        );
        for (const floor of floors) {
          // The parts only as deployed: they are there to split the floor, not to compare flags.
          if (floor.omit !== undefined && label !== deployed) continue;
          await measure(`${label}|${floor.key}|init`, flags, floor.file, LAMBDA_ENV, 'init');
        }
      }
      // The token function's first request, as deployed (template.yaml's NODE_OPTIONS).
      const { report } = await runChild(deployedFlags, firstRequestCode(token.file), {
        ...LAMBDA_ENV,
        ...token.env,
        BENCH_EVENTS: tokenEvents(stack),
      });
      const status = report?.status;
      if (!Array.isArray(status) || status.some((code) => code !== 200)) {
        throw new Error(`the token function answered ${JSON.stringify(status)}, not 200 twice`);
      }
      first.request.push(numberAt(report, 'answered') - numberAt(report, 'loaded'));
      first.second.push(numberAt(report, 'again') - numberAt(report, 'answered'));
      first.cpu.push(numberAt(report, 'answeredCpu') - numberAt(report, 'loadedCpu'));
      first.secondCpu.push(numberAt(report, 'againCpu') - numberAt(report, 'answeredCpu'));
      first.startToAnswer.push(numberAt(report, 'answered'));
    }
  } finally {
    await stack.close();
  }

  console.log('');
  console.log(
    'load + init of a fresh process that requires the bundle, min / median (ms); "+empty": what it adds to the empty process started the same way',
  );
  for (const { label } of flagSets) {
    const empty = samples.get(`${label}|empty`) ?? [];
    console.log('');
    const heads = ['size KiB', 'CPU ms', 'CPU, +empty', 'wall ms', 'wall, +empty'];
    console.log(
      `| ${`\`${label}\``.padEnd(28)} | ${heads.map((head, i) => head.padStart(i === 0 ? 8 : 11)).join(' | ')} |`,
    );
    console.log(
      `| ${'-'.repeat(28)} | -------: | ${Array.from({ length: 4 }, () => `${'-'.repeat(10)}:`).join(' | ')} |`,
    );
    console.log(row("empty (`-e ''`)", 0, empty, empty));
    for (const bundle of list) {
      const size = statSync(join(root, bundle.file)).size / 1024;
      console.log(row(bundle.name, size, samples.get(`${label}|${bundle.name}`) ?? [], empty));
    }
    const tokenSize = statSync(join(root, token.file)).size / 1024;
    console.log(
      row('token-vending, init only', tokenSize, samples.get(`${label}|token-vending|init`) ?? [], empty),
    );
    for (const floor of floors) {
      const measured = samples.get(`${label}|${floor.key}|init`);
      if (measured)
        console.log(row(floor.name, statSync(join(root, floor.file)).size / 1024, measured, empty));
    }
  }
  const over = (key: string, pick: (sample: Sample) => number): number =>
    median((samples.get(`${deployed}|${key}`) ?? []).map(pick)) -
    median((samples.get(`${deployed}|empty`) ?? []).map(pick));
  const cpu = (sample: Sample): number => sample.cpuMs;
  const wall = (sample: Sample): number => sample.wallMs;
  const verdict = (ms: number): string => (ms <= 150 ? 'met' : 'NOT met');
  const initCpu = over('token-vending|init', cpu);
  const floorCpu = over('floor|init', cpu);
  console.log('');
  console.log(
    `token function as deployed (\`${deployed}\`), median over empty node: until idle (its priming calls done) CPU ${fmt(over('token-vending', cpu))} ms (goal <= 150 ms: ${verdict(over('token-vending', cpu))}), wall ${fmt(over('token-vending', wall))} ms (${verdict(over('token-vending', wall))}); ` +
      `init only (the module's top level, Lambda's Init Duration) CPU ${fmt(initCpu)} ms (${verdict(initCpu)}), wall ${fmt(over('token-vending|init', wall))} ms`,
  );
  console.log(
    `the named stack alone (coldstart-floor.ts), init only, median over empty node: CPU ${fmt(floorCpu)} ms, wall ${fmt(over('floor|init', wall))} ms; the service's own init over it: CPU ${fmt(initCpu - floorCpu)} ms`,
  );
  if (PARTS) {
    const costs = floors
      .filter((floor) => floor.omit !== undefined)
      .map((floor) => `${floor.omit ?? ''} ${fmt(floorCpu - over(`${floor.key}|init`, cpu))} ms`);
    console.log(
      `what each part of the named stack costs (the whole minus the rest, CPU): ${costs.join(', ')}`,
    );
  }
  console.log(
    `token function's first request (fresh process, JWKS fetch and first connections included), min / median: wall ${fmt(min(first.request))} / ${fmt(median(first.request))} ms, CPU ${fmt(min(first.cpu))} / ${fmt(median(first.cpu))} ms; ` +
      `the second request in the same process: wall ${fmt(min(first.second))} / ${fmt(median(first.second))} ms, CPU ${fmt(min(first.secondCpu))} / ${fmt(median(first.secondCpu))} ms; ` +
      `process start to first answer: median ${fmt(median(first.startToAnswer))} ms`,
  );
  console.log(
    `bench took ${((performance.now() - began) / 1000).toFixed(0)} s; load average at the end ${load()}`,
  );
}

await main();
