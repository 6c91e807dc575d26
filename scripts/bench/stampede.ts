/**
 * `npm run bench:stampede`: a crowd arriving at once against IVS's 200 CreateChatToken calls a second
 * (issue 21), through the client guide's own retry logic, with the service's admission on, beside the
 * naive path (admission off, clients retrying on 503 with the guide's jitter) in the same run.
 *
 * Processes, so the crowd does not share a thread with what it measures:
 *   - this one: the crowd. N viewers (BENCH_VIEWERS, default 20,000) arrive evenly within 10 s; each
 *     calls the client guide's `fetchChatTokenPatiently`, imported from the `chat-client.mjs` block of
 *     docs/client-guide.md (extracted as test/docs/client-guide.test.ts does; not a copy), with its own
 *     JWT (ES256, signed before the run). HTTP token requests only, no sockets to IVS; `fetch` is
 *     served by a keep-alive pool of BENCH_SOCKETS (default 64) sockets per service process, and
 *     counts each viewer's requests;
 *   - `ivs`: the IVS emulator enforcing IVS's quotas (CreateChatToken 200 TPS), counting the
 *     CreateChatToken calls it admits and throttles from its own log, and dynalite (the one table);
 *   - two `service` processes (startTokenService) on that table and emulator; viewer i asks the
 *     service i mod 2, as a load balancer spreading requests would. Restarted for each path.
 * The room is recorded in the table beforehand (a first request per room reads it from IVS, whose room
 * operations are 5 TPS). The per-user rate limit is off (RATE_LIMIT_MAX=0).
 *
 * Printed for each path: tokens admitted per second (goal at least 95 % of 200), IVS throttles (goal 0),
 * HTTP requests per admitted viewer (goal at most 2.0), time to token (arrival to token) at p50, p99
 * and max beside the ideal N / 200 s (goal p99 at most 1.1 x ideal + 2 s), and how far the order of
 * admission follows the order of arrival (Spearman's rank correlation: 1 is the same order).
 * BENCH_IVS_TPS (default 200, IVS's quota) lowers the emulator's CreateChatToken quota, with admission
 * at 95 % of it, for a machine that cannot serve 200 token requests a second end to end.
 * Also printed: the most calls IVS took in one wall-clock second (its bucket holds one second's worth, so
 * a busy second can pass the rate without a throttle). BENCH_CPU_PROF=<folder> has each service process
 * write a CPU profile there as it stops (drained, then exited).
 * Bounded: each path ends 10 s + 3 x ideal + 30 s after it starts, whatever is still waiting counted
 * as not admitted; the clients give up after 500 retries or 600 s of waiting.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import jwt from 'jsonwebtoken';
import { createLogger } from '../../shared/logger.js';
import { isRecord } from '../../shared/json.js';
import { createTableClient } from '../../shared/table/client.js';
import { startEmulator } from '../../services/local-ivschat/start.js';
import { startLocalTable } from '../../services/local-dynamodb/start.js';
import { startTokenService } from '../../services/token-vending/entry/start.js';
import { recordFromIvs } from '../../services/token-vending/features/rooms/directory.js';
import { putRoomIfAbsent } from '../../services/token-vending/features/rooms/store.js';
import { repoRoot } from '../sam-template.js';
import { percentile } from './stats.js';

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? '20000');
const ARRIVAL_S = 10;
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? '64');
/**
 * The CreateChatToken quota the emulator enforces: IVS's 200 unless BENCH_IVS_TPS lowers it, for a
 * machine that cannot serve 200 token requests a second through the whole path (say so when quoting).
 * Admission is then set to 95 % of it, as 190 is of 200.
 */
const IVS_TPS = Number(process.env.BENCH_IVS_TPS ?? '200');
const ADMISSION_TPS = Math.floor(0.95 * IVS_TPS);
/** Where service processes write CPU profiles (`--cpu-prof`), if set. */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const ISSUER = 'https://stampede-idp.example';
const AUDIENCE = 'stampede-app';
const KID = 'stampede';
/** Requests each service process answers before a path starts (not counted). */
const WARMUP_REQUESTS = 20;

// ---------------------------------------------------------------------------------------------------
// The ivs process: emulator (quotas on) and dynalite, counting CreateChatToken outcomes from the log.

interface IvsReady {
  readonly ivsPort: string;
  readonly tableUrl: string;
  readonly roomArn: string;
}
interface IvsCounts {
  readonly admitted: number;
  readonly throttled: number;
  /** The most CreateChatToken calls admitted in one wall-clock second since the last count. */
  readonly busiestSecond: number;
  /** The process's CPU time so far (user + system), in seconds. */
  readonly cpuS: number;
}

const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function ivsProcess(): Promise<void> {
  let admitted = 0;
  let throttled = 0;
  // CreateChatToken calls IVS took in each wall-clock second, since the last `counts` message.
  const perSecond = new Map<number, number>();
  // Operation names and statuses only are logged (control-plane.ts): a cheap substring test each.
  const write = (line: string): void => {
    if (!line.includes('"operation":"CreateChatToken"')) return;
    if (line.includes('"status":200')) {
      admitted++;
      const second = Math.floor(Date.now() / 1000);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    } else if (line.includes('ThrottlingException')) throttled++;
  };
  const emulator = await startEmulator({
    port: 0,
    logger: createLogger({ level: 'info', write }),
    quotas: { rates: { CreateChatToken: IVS_TPS } },
  });
  if (!emulator.quotas.enabled) throw new Error('the emulator must enforce IVS quotas here');
  const table = await startLocalTable();
  const client = new IvschatClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const room = await client.send(new CreateRoomCommand({ name: 'stampede' }));
  client.destroy();
  if (room.arn === undefined) throw new Error('CreateRoom answered without an arn');
  const state = {
    name: table.tableName,
    client: createTableClient({ endpoint: table.endpoint, region: 'us-east-1', dummyCredentials: true }),
  };
  await putRoomIfAbsent(state, recordFromIvs(room, { privacy: 'public', ownerId: 'stampede-owner' }));
  state.client.destroy();
  const ready: IvsReady = {
    ivsPort: new URL(emulator.url).port,
    tableUrl: table.endpoint,
    roomArn: room.arn,
  };
  process.send?.(ready);
  process.on('message', (message) => {
    if (message === 'counts') {
      const busiestSecond = Math.max(0, ...perSecond.values());
      perSecond.clear();
      const counts: IvsCounts = { admitted, throttled, busiestSecond, cpuS: cpuSeconds() };
      process.send?.(counts);
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// A service process: the token service as `npm start` runs it, on the shared table and emulator.

async function serviceProcess(): Promise<void> {
  const service = await startTokenService({
    env: {
      CHAT_BACKEND: 'local',
      EMULATOR_PORT: String(process.env.BENCH_IVS_PORT),
      AWS_ENDPOINT_URL_DYNAMODB: String(process.env.BENCH_TABLE_URL),
      AUTH_JWKS_URI: String(process.env.BENCH_JWKS_URI),
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      RATE_LIMIT_MAX: '0',
      TOKEN_ADMISSION_TPS: String(process.env.BENCH_ADMISSION),
    },
    port: 0,
    // Produced and serialised as in production, then dropped (the terminal is not measured).
    logger: createLogger({ level: 'info', write: () => undefined }),
  });
  process.send?.({ url: service.url });
  // Ended by stop(): drained and exited normally, so a --cpu-prof profile is written.
  process.once('SIGTERM', () => {
    void service.close().finally(() => process.exit(0));
  });
  process.on('message', () => {
    process.send?.({ cpuS: cpuSeconds() });
  });
}

/** A service process's CPU time so far, in seconds. */
function serviceCpu(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    proc.once('message', (message) => {
      resolve(isRecord(message) && typeof message.cpuS === 'number' ? message.cpuS : Number.NaN);
    });
    proc.send('cpu');
  });
}

function spawn<T>(
  role: string,
  parse: (message: unknown) => T,
  env: Record<string, string> = {},
): Promise<{ proc: ChildProcess; ready: T }> {
  const proc = fork(fileURLToPath(import.meta.url), [`--role=${role}`], {
    execArgv: [
      '--import',
      'tsx',
      ...(PROFILE_DIR && role === 'service' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
    ],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (message) => {
      resolve({ proc, ready: parse(message) });
    });
    proc.once('exit', (code) => {
      reject(new Error(`${role} process exited with ${code}`));
    });
  });
}

function parseIvsReady(message: unknown): IvsReady {
  if (
    !isRecord(message) ||
    typeof message.ivsPort !== 'string' ||
    typeof message.tableUrl !== 'string' ||
    typeof message.roomArn !== 'string'
  ) {
    throw new Error('the ivs process did not say where it listens');
  }
  return { ivsPort: message.ivsPort, tableUrl: message.tableUrl, roomArn: message.roomArn };
}

function parseServiceUrl(message: unknown): string {
  if (!isRecord(message) || typeof message.url !== 'string') throw new Error('a service did not start');
  return message.url;
}

function ivsCounts(proc: ChildProcess): Promise<IvsCounts> {
  return new Promise((resolve) => {
    proc.once('message', (message) => {
      resolve(
        isRecord(message) &&
          typeof message.admitted === 'number' &&
          typeof message.throttled === 'number' &&
          typeof message.busiestSecond === 'number' &&
          typeof message.cpuS === 'number'
          ? {
              admitted: message.admitted,
              throttled: message.throttled,
              busiestSecond: message.busiestSecond,
              cpuS: message.cpuS,
            }
          : { admitted: Number.NaN, throttled: Number.NaN, busiestSecond: Number.NaN, cpuS: Number.NaN },
      );
    });
    proc.send('counts');
  });
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) {
      resolve();
      return;
    }
    proc.once('exit', () => {
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------------------------------------------
// The crowd.

/** The guide's client: the `chat-client.mjs` block of docs/client-guide.md, imported as written. */
interface GuideClient {
  fetchChatTokenPatiently(options: {
    apiBaseUrl: string;
    roomArn: string;
    getIdToken: () => Promise<string>;
    maxRetries?: number;
    maxWaitSeconds?: number;
  }): Promise<unknown>;
}

async function importGuideClient(): Promise<{ client: GuideClient; cleanup: () => void }> {
  const guide = readFileSync(join(repoRoot, 'docs/client-guide.md'), 'utf8');
  const start = guide.indexOf('<!-- client-guide: chat-client.mjs -->');
  const block = /```(?:js|javascript)\n([\s\S]*?)\n```/.exec(guide.slice(start));
  if (start < 0 || !block?.[1]) throw new Error('docs/client-guide.md has no chat-client.mjs block');
  // Beside node_modules, so its `amazon-ivs-chat-messaging` import resolves as in an app.
  const dir = join(repoRoot, 'node_modules/.cache', `stampede-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'chat-client.mjs');
  writeFileSync(file, block[1] + '\n');
  const loaded: unknown = await import(pathToFileURL(file).href);
  if (!isRecord(loaded) || typeof loaded.fetchChatTokenPatiently !== 'function') {
    throw new Error('the guide client has no fetchChatTokenPatiently');
  }
  return {
    client: loaded as unknown as GuideClient,
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `fetch` for the guide's code on a bounded keep-alive pool (node:http, so the pool's size is ours),
 * counting requests per JWT. Only what fetchChatToken uses: POST with headers and a string body.
 */
function pooledFetch(agent: Agent, counts: Map<string, number>, answers: Map<string, number>): typeof fetch {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const headers = (init?.headers ?? {}) as Record<string, string>;
      const authorization = headers.authorization ?? '';
      counts.set(authorization, (counts.get(authorization) ?? 0) + 1);
      const req = request(
        String(input instanceof Request ? input.url : input),
        { method: init?.method ?? 'GET', headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const code = /"code":"([a-z_]+)"/.exec(Buffer.concat(chunks).toString('utf8', 0, 400))?.[1];
            const answer = `${res.statusCode ?? 0}${code === undefined ? '' : ` ${code}`}`;
            answers.set(answer, (answers.get(answer) ?? 0) + 1);
            resolve(
              new Response(Buffer.concat(chunks), {
                status: res.statusCode ?? 500,
                headers: responseHeaders(res.headers),
              }),
            );
          });
          res.on('error', reject);
        },
      );
      req.on('error', () => {
        answers.set('no answer', (answers.get('no answer') ?? 0) + 1);
        reject(new TypeError('fetch failed'));
      });
      req.end(typeof init?.body === 'string' ? init.body : undefined);
    });
}

function responseHeaders(headers: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out.set(name, value);
  }
  return out;
}

interface PathResult {
  readonly name: string;
  readonly admitted: number;
  readonly gaveUp: number;
  readonly unfinished: number;
  readonly admittedPerSecond: number;
  readonly ivsAdmitted: number;
  readonly ivsThrottled: number;
  readonly busiestSecond: number;
  readonly requestsPerAdmitted: number;
  readonly p50s: number;
  readonly p99s: number;
  readonly maxs: number;
  readonly spearman: number;
  readonly wallS: number;
  /** Every answer the crowd got, by status and problem code. */
  readonly answers: string;
  /** CPU seconds each part used during the path: the crowd, both services, the emulator and dynalite. */
  readonly cpu: { readonly crowd: number; readonly services: number; readonly ivs: number };
}

/** Spearman's rank correlation of arrival order with admission order (no ties in arrival). */
function spearman(admissionTimes: readonly { arrival: number; at: number }[]): number {
  const n = admissionTimes.length;
  if (n < 2) return Number.NaN;
  const byArrival = [...admissionTimes].sort((a, b) => a.arrival - b.arrival);
  const arrivalRank = new Map(byArrival.map((entry, rank) => [entry, rank]));
  const byAdmission = [...admissionTimes].sort((a, b) => a.at - b.at);
  let sum = 0;
  byAdmission.forEach((entry, rank) => {
    const d = rank - (arrivalRank.get(entry) ?? 0);
    sum += d * d;
  });
  return 1 - (6 * sum) / (n * (n * n - 1));
}

async function runPath(
  name: string,
  admission: string,
  ivs: { proc: ChildProcess; ready: IvsReady },
  jwksUri: string,
  jwts: readonly string[],
  warmup: readonly string[],
  client: GuideClient,
): Promise<PathResult> {
  const env = {
    BENCH_IVS_PORT: ivs.ready.ivsPort,
    BENCH_TABLE_URL: ivs.ready.tableUrl,
    BENCH_JWKS_URI: jwksUri,
    BENCH_ADMISSION: admission,
  };
  const services = await Promise.all([
    spawn('service', parseServiceUrl, env),
    spawn('service', parseServiceUrl, env),
  ]);
  const urls = services.map((service) => service.ready);
  // Warm, as a deployed service is: the first requests load the SDKs' lazy parts, fetch the JWKS and
  // make the admission key; that costs tens of ms of CPU each and is not what this measures.
  for (const url of urls) {
    for (const token of warmup) {
      await fetch(`${url}/v1/chat-tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ roomIdentifier: ivs.ready.roomArn }),
      }).then((res) => res.arrayBuffer());
    }
  }
  const agent = new Agent({ keepAlive: true, maxSockets: SOCKETS });
  const counts = new Map<string, number>();
  const answers = new Map<string, number>();
  const realFetch = globalThis.fetch;
  globalThis.fetch = pooledFetch(agent, counts, answers);
  // A second for IVS's bucket to fill again after the previous path.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const before = await ivsCounts(ivs.proc);
  const servicesBefore = await Promise.all(services.map((service) => serviceCpu(service.proc)));
  const crowdBefore = cpuSeconds();

  const ideal = VIEWERS / IVS_TPS;
  const deadlineMs = (ARRIVAL_S + 3 * ideal + 30) * 1000;
  const outcomes: ({ arrival: number; at: number } | 'gave-up' | undefined)[] = jwts.map(() => undefined);
  const t0 = performance.now();
  let admittedSoFar = 0;
  const viewers = jwts.map(
    (token, i) =>
      new Promise<void>((resolve) => {
        const arrival = (i * ARRIVAL_S * 1000) / VIEWERS;
        setTimeout(() => {
          const arrived = performance.now();
          client
            .fetchChatTokenPatiently({
              apiBaseUrl: urls[i % urls.length] ?? '',
              roomArn: ivs.ready.roomArn,
              getIdToken: () => Promise.resolve(token),
              maxRetries: 500,
              maxWaitSeconds: 600,
            })
            .then(
              () => {
                outcomes[i] = { arrival: arrived - t0, at: performance.now() - t0 };
                admittedSoFar++;
              },
              () => {
                outcomes[i] = 'gave-up';
              },
            )
            .finally(resolve);
        }, arrival);
      }),
  );
  const progress = setInterval(() => {
    const s = Math.round((performance.now() - t0) / 1000);
    process.stderr.write(`  ${name}: ${s} s, ${admittedSoFar} of ${VIEWERS} have a token\n`);
  }, 10_000);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(viewers),
    new Promise((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    }),
  ]);
  clearTimeout(timer);
  clearInterval(progress);
  const wallS = (performance.now() - t0) / 1000;
  const after = await ivsCounts(ivs.proc);
  const servicesAfter = await Promise.all(services.map((service) => serviceCpu(service.proc)));
  const crowdCpu = cpuSeconds() - crowdBefore;
  const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
  globalThis.fetch = realFetch;
  agent.destroy();
  await Promise.all(services.map((service) => stop(service.proc)));

  const admitted = outcomes.filter((o): o is { arrival: number; at: number } => typeof o === 'object');
  const waits = admitted.map((o) => (o.at - o.arrival) / 1000).sort((a, b) => a - b);
  const times = admitted.map((o) => o.at).sort((a, b) => a - b);
  const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
  const requests = [...counts.values()].reduce((sum, count) => sum + count, 0);
  return {
    name,
    admitted: admitted.length,
    gaveUp: outcomes.filter((o) => o === 'gave-up').length,
    unfinished: outcomes.filter((o) => o === undefined).length,
    admittedPerSecond: span > 0 ? (admitted.length - 1) / span : Number.NaN,
    ivsAdmitted: after.admitted - before.admitted,
    ivsThrottled: after.throttled - before.throttled,
    busiestSecond: after.busiestSecond,
    requestsPerAdmitted: requests / Math.max(1, admitted.length),
    p50s: percentile(waits, 0.5),
    p99s: percentile(waits, 0.99),
    maxs: waits.at(-1) ?? Number.NaN,
    spearman: spearman(admitted),
    wallS,
    answers: [...answers.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([answer, count]) => `${answer}: ${count}`)
      .join(', '),
    cpu: {
      crowd: crowdCpu,
      services: sum(servicesAfter) - sum(servicesBefore),
      ivs: after.cpuS - before.cpuS,
    },
  };
}

async function startJwks(jwk: Record<string, unknown>): Promise<{ uri: string; close: () => void }> {
  const body = JSON.stringify({ keys: [jwk] });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    close: () => server.close(),
  };
}

function print(results: readonly PathResult[]): void {
  const ideal = VIEWERS / IVS_TPS;
  const f = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
  console.log(
    `\n${VIEWERS} viewers arriving within ${ARRIVAL_S} s; IVS admits ${IVS_TPS} CreateChatToken/s; ideal ${f(ideal)} s\n`,
  );
  const rows: [string, (r: PathResult) => string, string][] = [
    ['viewers with a token', (r) => `${r.admitted} (gave up ${r.gaveUp}, still waiting ${r.unfinished})`, ''],
    ['tokens admitted/s', (r) => f(r.admittedPerSecond), `goal >= ${f(0.95 * IVS_TPS, 0)}`],
    ['IVS CreateChatToken admitted', (r) => String(r.ivsAdmitted), ''],
    ['IVS throttles', (r) => String(r.ivsThrottled), 'goal 0'],
    ['IVS calls in the busiest second', (r) => String(r.busiestSecond), `bucket ${IVS_TPS}/s, 1 s deep`],
    ['HTTP requests per admitted viewer', (r) => f(r.requestsPerAdmitted, 2), 'goal <= 2.0'],
    ['time to token p50 (s)', (r) => f(r.p50s), `ideal ${f(ideal)}`],
    ['time to token p99 (s)', (r) => f(r.p99s), `goal <= ${f(1.1 * ideal + 2)}`],
    ['time to token max (s)', (r) => f(r.maxs), ''],
    ['order kept (Spearman, 1 = arrival order)', (r) => f(r.spearman, 3), ''],
    ['wall time (s)', (r) => f(r.wallS), ''],
    [
      'CPU s: crowd / services / IVS+table',
      (r) => `${f(r.cpu.crowd)} / ${f(r.cpu.services)} / ${f(r.cpu.ivs)}`,
      `of ${cpus().length} cores x wall`,
    ],
    [
      'CPU ms per admitted token (all parts)',
      (r) => f((1000 * (r.cpu.crowd + r.cpu.services + r.cpu.ivs)) / Math.max(1, r.admitted), 2),
      '',
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`${''.padEnd(width)}  ${results.map((r) => r.name.padStart(38)).join('')}  comparison`);
  for (const [label, value, goal] of rows) {
    console.log(`${label.padEnd(width)}  ${results.map((r) => value(r).padStart(38)).join('')}  ${goal}`);
  }
  for (const result of results) console.log(`\nanswers, ${result.name}: ${result.answers}`);
  console.log(
    `\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}; ${new Date().toISOString()}`,
  );
}

async function main(): Promise<void> {
  if (!Number.isInteger(VIEWERS) || VIEWERS < 10 || VIEWERS > 100_000) {
    throw new Error('BENCH_VIEWERS must be a whole number from 10 to 100000');
  }
  if (!Number.isInteger(IVS_TPS) || IVS_TPS < 20 || IVS_TPS > 200) {
    throw new Error('BENCH_IVS_TPS must be a whole number from 20 to 200');
  }
  const { client, cleanup } = await importGuideClient();
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwks = await startJwks({
    ...publicKey.export({ format: 'jwk' }),
    kid: KID,
    alg: 'ES256',
    use: 'sig',
  });
  process.stderr.write(`signing ${VIEWERS} JWTs...\n`);
  const sign = (sub: string): string =>
    jwt.sign({ sub, jti: randomUUID() }, privateKey, {
      algorithm: 'ES256',
      keyid: KID,
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: '2h',
    });
  const jwts = Array.from({ length: VIEWERS }, (_, i) => sign(`viewer-${i}`));
  const warmup = Array.from({ length: WARMUP_REQUESTS }, (_, i) => sign(`warmup-${i}`));
  const ivs = await spawn('ivs', parseIvsReady);
  const results: PathResult[] = [];
  try {
    process.stderr.write(`admission on (TOKEN_ADMISSION_TPS=${ADMISSION_TPS})...\n`);
    results.push(
      await runPath(
        `admission (${ADMISSION_TPS}/s)`,
        String(ADMISSION_TPS),
        ivs,
        jwks.uri,
        jwts,
        warmup,
        client,
      ),
    );
    process.stderr.write('naive (TOKEN_ADMISSION_TPS=off, clients with jitter)...\n');
    results.push(await runPath('naive (admission off)', 'off', ivs, jwks.uri, jwts, warmup, client));
  } finally {
    await stop(ivs.proc);
    jwks.close();
    cleanup();
  }
  print(results);
}

const role = process.argv.find((arg) => arg.startsWith('--role='))?.slice('--role='.length);
if (role === 'ivs') void ivsProcess();
else if (role === 'service') void serviceProcess();
else
  main().then(
    // Viewers still waiting past the deadline hold timers: end here.
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
