/**
 * `npx tsx scripts/bench/emulator-quotas.ts`: what the emulator's CreateChatToken quota (200 TPS, a
 * token bucket of 200 refilled at 200 a second) does to a caller at a steady rate, beside the same
 * emulator with `EMULATOR_QUOTAS=off` at the same rate, in the same run (the comparison shows what the
 * generator delivered and that the refusals are the quota's, not the machine's).
 *
 * The emulators run in a child process, the generator here. Each rate is an open loop: request i is
 * due at start + i / rate, sent on a keep-alive pool without waiting for earlier answers, so a
 * loaded machine makes requests late (counted) rather than fewer. Every request is a CreateChatToken
 * the real SDK would send (POST /CreateChatToken, JSON), answered 200 or 429 ThrottlingException.
 * Bounded: rate x seconds requests per row, each given up after 5 s.
 * BENCH_SECONDS (default 10) sets each row's length; BENCH_RATES (comma-separated) the rates.
 * Reading it: a steady rate r above 200 is first throttled after 200 / (r - 200) s (the full bucket
 * drains at r - 200 a second), so 250/s at 4 s and 210/s only after 20 s; from then on 200 a second
 * are admitted.
 */
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { createLogger } from '../../shared/logger.js';
import { QUOTAS_OFF, startEmulator } from '../../services/local-ivschat/start.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '10');
const RATES = (process.env.BENCH_RATES ?? '190,200,210,250,400')
  .split(',')
  .map(Number)
  .filter((rate) => Number.isFinite(rate) && rate > 0);

interface Targets {
  readonly on: string;
  readonly off: string;
}

async function serve(): Promise<void> {
  const logger = createLogger({ level: 'silent' });
  const on = await startEmulator({ logger });
  const off = await startEmulator({ logger, quotas: QUOTAS_OFF });
  const message: Targets = { on: on.url, off: off.url };
  process.send?.(message);
  process.on('message', () => {
    void Promise.all([on.close(), off.close()]).then(() => process.exit(0));
  });
}

async function roomOn(url: string): Promise<string> {
  const client = new IvschatClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const room = await client.send(new CreateRoomCommand({ name: 'quota-bench' }));
  client.destroy();
  if (room.arn === undefined) throw new Error('CreateRoom answered without an arn');
  return room.arn;
}

interface Row {
  readonly sent: number;
  readonly admitted: number;
  readonly throttled: number;
  readonly other: number;
  /** When the first throttle answered, seconds into the row. */
  readonly firstThrottleS: number | undefined;
  /**
   * The most admitted in any one-second window, by answer time: up to twice the rate in the first
   * second (a full bucket plus a second's refill); above the rate at 190/s when answers bunch.
   */
  readonly maxAdmittedInASecond: number;
  /** How late the generator sent its last request (a loaded machine's lateness). */
  readonly lateMs: number;
}

function post(agent: Agent, url: string, body: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(
      `${url}/CreateChatToken`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: 5000,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const type = res.headers['x-amzn-errortype'];
          resolve(res.statusCode === 200 ? 'ok' : typeof type === 'string' ? type : String(res.statusCode));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => {
      resolve('error');
    });
    req.end(body);
  });
}

async function paced(url: string, roomArn: string, rate: number): Promise<Row> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const total = Math.round(rate * SECONDS);
  const started = performance.now();
  const answers: Promise<void>[] = [];
  const admittedAt: number[] = [];
  let throttled = 0;
  let other = 0;
  let firstThrottleS: number | undefined;
  let lateMs = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    lateMs = Math.max(0, performance.now() - due);
    const body = JSON.stringify({ roomIdentifier: roomArn, userId: `viewer-${i}` });
    answers.push(
      post(agent, url, body).then((outcome) => {
        const at = performance.now() - started;
        if (outcome === 'ok') admittedAt.push(at);
        else if (outcome === 'ThrottlingException') {
          throttled++;
          firstThrottleS ??= at / 1000;
        } else other++;
      }),
    );
  }
  await Promise.all(answers);
  agent.destroy();
  admittedAt.sort((a, b) => a - b);
  let maxAdmittedInASecond = 0;
  for (let start = 0, end = 0; end < admittedAt.length; end++) {
    while ((admittedAt[end] ?? 0) - (admittedAt[start] ?? 0) >= 1000) start++;
    maxAdmittedInASecond = Math.max(maxAdmittedInASecond, end - start + 1);
  }
  return {
    sent: total,
    admitted: admittedAt.length,
    throttled,
    other,
    firstThrottleS,
    maxAdmittedInASecond,
    lateMs,
  };
}

function line(rate: number, target: string, row: Row): string {
  const first = row.firstThrottleS === undefined ? '-' : `${row.firstThrottleS.toFixed(2)} s`;
  return `| ${String(rate).padStart(5)} | ${target.padEnd(10)} | ${String(row.sent).padStart(5)} | ${String(row.admitted).padStart(8)} | ${String(row.throttled).padStart(9)} | ${String(row.other).padStart(5)} | ${first.padStart(14)} | ${String(row.maxAdmittedInASecond).padStart(14)} | ${String(Math.round(row.lateMs)).padStart(10)} |`;
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(import.meta.url), ['--role=emulators'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const targets = await new Promise<Targets>((resolve) => {
    child.once('message', (message: Targets) => {
      resolve(message);
    });
  });
  try {
    const rooms = { on: await roomOn(targets.on), off: await roomOn(targets.off) };
    console.log(
      `CreateChatToken at a steady rate for ${SECONDS} s a row; quotas on beside EMULATOR_QUOTAS=off`,
    );
    console.log(
      '| req/s | emulator   |  sent | admitted | throttled | other | first throttle | most OK in 1 s | late (ms)  |',
    );
    console.log(
      '| ----- | ---------- | ----- | -------- | --------- | ----- | -------------- | -------------- | ---------- |',
    );
    for (const rate of RATES) {
      // A second's rest between rows lets the bucket fill again, as after a quiet spell.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      console.log(line(rate, 'quotas on', await paced(targets.on, rooms.on, rate)));
      console.log(line(rate, 'quotas off', await paced(targets.off, rooms.off, rate)));
    }
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (process.argv.includes('--role=emulators')) await serve();
else await main();
