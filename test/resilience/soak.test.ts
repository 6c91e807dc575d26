/**
 * Soak (long form only: `npm run test:resilience -- --long`): ten minutes of token requests and chat
 * at a steady rate against the stack as separate processes (the emulator, the token service) plus
 * this process (dynalite, the JWKS endpoint, the clients). Each process's RSS and event-loop delay
 * are sampled every second (test/resilience/support/sampler.mjs); the first and the last minute are
 * printed side by side, and the last must be flat against the first.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { CreateChatTokenCommand, CreateRoomCommand, IvschatClient } from '@aws-sdk/client-ivschat';
import { WebSocket } from 'ws';
import { PROJECT_ROOT } from '../../services/local-ivschat/functions.js';
import { startLocalTable } from '../../services/local-dynamodb/start.js';
import {
  AUDIENCE,
  ISSUER,
  newRsaKey,
  signToken,
  startJwksServer,
} from '../services/token-vending/support/jwks-server.js';
import { LONG, report, tokenRequest, type Answer } from './support/stack.js';

const SECONDS = Number(process.env.RESILIENCE_SOAK_SECONDS ?? '600');
const TOKENS_PER_SECOND = 20;
const MESSAGES_PER_SECOND = 5;

interface Sample {
  readonly at: number;
  readonly rssMb: number;
  readonly delayP99Ms: number;
}

interface Child {
  readonly process: ChildProcess;
  readonly samples: Sample[];
  readonly url: Promise<string>;
}

const started = performance.now();
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGTERM');
});

function spawnSampled(script: string, env: Record<string, string>, ready: RegExp): Child {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      join(PROJECT_ROOT, 'test/resilience/support/sampler.mjs'),
      join(PROJECT_ROOT, script),
    ],
    { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' },
  );
  children.push(child);
  const samples: Sample[] = [];
  let errorText = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errorText += chunk.toString('utf8');
    const lines = errorText.split('\n');
    errorText = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^\{"soakSample":\{"rssMb":([\d.]+),"delayP99Ms":([\d.]+)/.exec(line);
      if (match)
        samples.push({
          at: performance.now() - started,
          rssMb: Number(match[1]),
          delayP99Ms: Number(match[2]),
        });
    }
  });
  const url = new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = ready.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => {
      reject(new Error(`${script} exited with ${String(code)}: ${output}`));
    });
  });
  return { process: child, samples, url };
}

/** Medians over a minute of per-second samples: one descheduled second on a shared machine is not a trend. */
function minute(samples: readonly Sample[], from: number): { rssMb: number; delayP99Ms: number } {
  const inside = samples.filter((sample) => sample.at >= from && sample.at < from + 60_000);
  const median = (values: number[]): number =>
    values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return {
    rssMb: median(inside.map((sample) => sample.rssMb)),
    delayP99Ms: median(inside.map((sample) => sample.delayP99Ms)),
  };
}

describe('resilience: soak', { skip: !LONG && 'long form only (npm run test:resilience -- --long)' }, () => {
  it(
    `holds ${SECONDS} s of steady token requests and chat with flat memory and event-loop delay`,
    { timeout: (SECONDS + 120) * 1000 },
    async () => {
      // Prepare: the stack, as processes where it can be.
      const table = await startLocalTable();
      const key = newRsaKey('soak');
      const jwks = await startJwksServer([key]);
      const emulator = spawnSampled(
        'services/local-ivschat/server.ts',
        { EMULATOR_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
        /"controlPlane":"(http:\/\/[^"]+)"/,
      );
      const emulatorUrl = await emulator.url;
      const service = spawnSampled(
        'services/token-vending/entry/server.ts',
        {
          CHAT_BACKEND: 'local',
          AWS_REGION: 'us-east-1',
          PORT: '0',
          HOST: '127.0.0.1',
          EMULATOR_PORT: new URL(emulatorUrl).port,
          AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
          CHAT_TABLE: table.tableName,
          AUTH_JWKS_URI: jwks.jwksUri,
          AUTH_ISSUER: ISSUER,
          AUTH_AUDIENCE: AUDIENCE,
          RATE_LIMIT_MAX: '0',
          LOG_LEVEL: 'warn',
        },
        /token service: (http:\/\/\S+)/,
      );
      const serviceUrl = await service.url;
      const ivs = new IvschatClient({
        endpoint: emulatorUrl,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        maxAttempts: 1,
      });
      const roomArn = (await ivs.send(new CreateRoomCommand({ name: 'soak' }))).arn ?? '';
      const own: Sample[] = [];
      const histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      const sampler = setInterval(() => {
        own.push({
          at: performance.now() - started,
          rssMb: process.memoryUsage.rss() / 1048576,
          delayP99Ms: histogram.percentile(99) / 1e6,
        });
        histogram.reset();
      }, 1000);

      // Act: steady token requests and a chatting pair for SECONDS.
      const openChat = async (userId: string): Promise<WebSocket> => {
        const token = await ivs.send(
          new CreateChatTokenCommand({ roomIdentifier: roomArn, userId, capabilities: ['SEND_MESSAGE'] }),
        );
        const ws = new WebSocket(emulatorUrl.replace('http', 'ws'), token.token ?? '');
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        return ws;
      };
      const sender = await openChat('soak-sender');
      const reader = await openChat('soak-reader');
      let delivered = 0;
      reader.on('message', () => {
        delivered += 1;
      });
      const answers: Answer[] = [];
      const soakStart = performance.now() - started;
      let sent = 0;
      for (let second = 0; second < SECONDS; second++) {
        const tick = performance.now();
        const jwt = signToken(key, { sub: `soak-${second % 50}` });
        for (let i = 0; i < TOKENS_PER_SECOND; i++)
          void tokenRequest(serviceUrl, jwt, roomArn).then((answer) => answers.push(answer));
        for (let i = 0; i < MESSAGES_PER_SECOND; i++) {
          sender.send(
            JSON.stringify({ Action: 'SEND_MESSAGE', RequestId: `s-${sent}`, Content: `soak ${sent}` }),
          );
          sent += 1;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (performance.now() - tick))));
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
      clearInterval(sampler);
      sender.close();
      reader.close();
      ivs.destroy();

      // Assess: the first minute against the last, per process.
      const soakEnd = performance.now() - started;
      const firstFrom = soakStart;
      const lastFrom = Math.max(soakStart, soakEnd - 62_000);
      const rows = (
        [
          ['token service', service.samples],
          ['emulator', emulator.samples],
          ['test (dynalite, JWKS, clients)', own],
        ] as const
      ).map(([name, samples]) => ({
        name,
        first: minute(samples, firstFrom),
        last: minute(samples, lastFrom),
      }));
      const failed = answers.filter((answer) => answer.status !== 200);
      report(
        `soak: ${SECONDS} s, ${TOKENS_PER_SECOND} token requests/s, ${MESSAGES_PER_SECOND} chat messages/s`,
        [
          `token requests: ${answers.length}, ${failed.length} not 200; chat: ${delivered} of ${sent} delivered`,
          `${'process (medians of 1 s samples)'.padEnd(32)} ${'RSS MB first'.padStart(13)} ${'last'.padStart(7)} ${'loop p99 ms first'.padStart(18)} ${'last'.padStart(7)}`,
          ...rows.map(
            (row) =>
              `${row.name.padEnd(32)} ${row.first.rssMb.toFixed(1).padStart(13)} ${row.last.rssMb.toFixed(1).padStart(7)} ${row.first.delayP99Ms.toFixed(1).padStart(18)} ${row.last.delayP99Ms.toFixed(1).padStart(7)}`,
          ),
        ],
      );
      await jwks.close();
      await table.close();
      assert.equal(failed.length, 0);
      assert.ok(delivered >= sent * 0.99, `${delivered} of ${sent} delivered`);
      for (const row of rows) {
        // Flat: the last minute's median RSS within a quarter (plus 16 MB of allocator slack) of the first's.
        assert.ok(
          row.last.rssMb <= row.first.rssMb * 1.25 + 16,
          `${row.name}: RSS ${row.first.rssMb} → ${row.last.rssMb} MB`,
        );
        assert.ok(
          row.last.delayP99Ms <= Math.max(2 * row.first.delayP99Ms, 50),
          `${row.name}: loop delay ${row.last.delayP99Ms} ms`,
        );
      }
    },
  );
});
