/**
 * POST /v1/chat-tokens with admission on, through the app with a moved clock, a real table
 * (dynalite) and IVS mocked: what a caller past the rate is answered, how their ticket is served,
 * who goes first, and that a refusal never reaches IVS.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import request from 'supertest';
import type { Table } from '../../../../../shared/table/client.js';
import { recordFromIvs } from '../../../../../services/token-vending/features/rooms/directory.js';
import { putRoomIfAbsent } from '../../../../../services/token-vending/features/rooms/store.js';
import { putMembership } from '../../../../../services/token-vending/features/members/store.js';
import { ROOM_ARN, buildTestApp, type TestApp } from '../../support/app.js';
import { newRsaKey, signToken, startJwksServer, type JwksServer } from '../../support/jwks-server.js';
import { freshTable, patientClient } from '../../support/table.js';
import { listenOnFreePort } from '../../../../support/ports.js';

const key = newRsaKey('admission');
let jwks: JwksServer;

before(async () => {
  jwks = await startJwksServer([key]);
});
after(async () => {
  await jwks.close();
});

/** Two calls a second: one shard, a place every 500 ms. */
async function admittingTwoASecond(): Promise<{ test: TestApp; table: Table }> {
  const table = await freshTable();
  const test = buildTestApp({ jwksUri: jwks.jwksUri, table, config: { admission: { tps: 2 } } });
  return { test, table };
}

function ask(test: TestApp, userId: string, options: { roles?: string[]; ticket?: string } = {}) {
  const call = request(test.app)
    .post('/v1/chat-tokens')
    .set('authorization', `Bearer ${signToken(key, { sub: userId, roles: options.roles ?? [] })}`);
  if (options.ticket !== undefined) call.set('admission-ticket', options.ticket);
  return call.send({ roomIdentifier: ROOM_ARN });
}

/** Runs the calls eight at a time, answers in the calls' order. */
async function inBatches<T>(calls: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < calls.length; i += 8) {
    results.push(...(await Promise.all(calls.slice(i, i + 8).map((call) => call()))));
  }
  return results;
}

const ivsCalls = (test: TestApp): number => test.ivs.commandCalls(CreateChatTokenCommand).length;

describe('POST /v1/chat-tokens at the admission rate', () => {
  it('answers callers past the rate 503 upstream_busy, each told a later second, with a ticket', async () => {
    const { test } = await admittingTwoASecond();

    const answers = [];
    for (const user of ['ann', 'bob', 'cid', 'dan', 'eve', 'fay']) answers.push(await ask(test, user));

    // ann takes the idle pace's place (no one queued yet); then places at +0, +0.5, +1, +1.5, +2 s:
    // now (under half a second), then the nearest whole second.
    assert.deepEqual(
      answers.map((res) => [res.status, res.headers['retry-after']]),
      [
        [200, undefined],
        [200, undefined],
        [503, '1'],
        [503, '1'],
        [503, '2'],
        [503, '2'],
      ],
    );
    for (const res of answers.slice(2)) {
      assert.equal(res.type, 'application/problem+json');
      assert.equal((res.body as { code: unknown }).code, 'upstream_busy');
      assert.match(
        String((res.body as { detail: unknown }).detail),
        /retry in \d s with the Admission-Ticket/,
      );
      assert.match(String(res.headers['admission-ticket']), /^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    }
    assert.equal(ivsCalls(test), 2, 'a refusal never reaches IVS');
    assert.ok(test.logs.some((line) => line.includes('"admission":"spare"')));
    assert.ok(
      test.logs.every((line) => !line.includes('"level":"error"')),
      'a caller told to wait is no error',
    );
  });

  it('serves a ticket at its time without booking again; early, it is told the rest of the wait', async () => {
    const { test } = await admittingTwoASecond();
    await ask(test, 'ann');
    await ask(test, 'bob');
    const queued = await ask(test, 'cid');
    const ticket = String(queued.headers['admission-ticket']);
    assert.equal(queued.status, 503);

    test.clock.now += 400;
    const early = await ask(test, 'cid', { ticket });
    test.clock.now += 700;
    const served = await ask(test, 'cid', { ticket });
    // cid was not booked again: the next place is still +1 s, past by now (booked again, cid would
    // have taken it, and dan's would be half a second ahead).
    const next = await ask(test, 'dan');

    assert.equal(early.status, 503);
    assert.equal(early.headers['retry-after'], '1');
    assert.equal(early.headers['admission-ticket'], ticket);
    assert.equal(served.status, 200);
    assert.equal(next.status, 200);
    assert.equal(ivsCalls(test), 4);
    assert.ok(test.logs.some((line) => line.includes('"admission":"ticket"')));
  });

  it('paces tickets that all come back at once: a second and a half of calls, the rest back in 1 s', async () => {
    const { test } = await admittingTwoASecond();
    const tickets = new Map<string, string>();
    await ask(test, 'ann'); // the idle pace's place
    await ask(test, 'abe'); // the queue's first place, now
    for (const user of ['bob', 'cid', 'dan', 'eve', 'fay', 'gus']) {
      tickets.set(user, String((await ask(test, user)).headers['admission-ticket']));
    }
    // Everyone's place has come (the last at +3 s) and they all arrive together, some seconds late.
    test.clock.now += 5000;

    const started = performance.now();
    const answers = await Promise.all([...tickets].map(([user, ticket]) => ask(test, user, { ticket })));
    const tookMs = performance.now() - started;

    const served = answers.filter((res) => res.status === 200);
    const sentBack = answers.filter((res) => res.status === 503);
    // Two a second: one call at once and one within the tolerance, one after waiting 500 ms here.
    assert.equal(served.length, 3);
    assert.ok(tookMs >= 450, `the third call waited for its place (${tookMs.toFixed(0)} ms)`);
    for (const res of sentBack) {
      assert.equal((res.body as { code: unknown }).code, 'upstream_busy');
      assert.equal(res.headers['retry-after'], '1');
      assert.match(String(res.headers['admission-ticket']), /^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    }
    assert.equal(ivsCalls(test), 2 + 3, 'a caller sent back never reaches IVS');

    // A second on, those sent back are served with their new tickets, as the pace has room.
    test.clock.now += 1000;
    const again = [];
    for (const res of sentBack.slice(0, 2)) {
      const user = [...tickets.keys()][answers.indexOf(res)] ?? '';
      again.push(await ask(test, user, { ticket: String(res.headers['admission-ticket']) }));
    }
    assert.deepEqual(
      again.map((res) => res.status),
      [200, 200],
    );
  });

  it("books someone else's ticket, or a forged one, like a newcomer's request", async () => {
    const { test } = await admittingTwoASecond();
    await ask(test, 'ann'); // the idle pace's place
    await ask(test, 'abe'); // the queue's first place, now
    const queued = await ask(test, 'bob');
    const ticket = String(queued.headers['admission-ticket']);
    assert.match(ticket, /^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    for (const user of ['cid', 'dan', 'eve']) await ask(test, user);
    test.clock.now += 1000; // bob's time; the queue runs to +2.5 s, the pace is busy

    const stolen = await ask(test, 'mal', { ticket });
    const forged = await ask(test, 'mal', { ticket: `${ticket.split('.')[0] ?? ''}.${'A'.repeat(22)}` });
    const garbage = await ask(test, 'mal', { ticket: 'x'.repeat(300) });

    assert.deepEqual(
      [stolen.status, forged.status, garbage.status],
      [503, 503, 503],
      'at the back of the queue, not served on a ticket that is not theirs',
    );
  });

  it("serves the room's owner, its moderators and admins at once, at the back of a queue", async () => {
    const { test, table } = await admittingTwoASecond();
    const now = new Date(test.clock.now);
    const room = recordFromIvs(
      { id: ROOM_ARN.slice(-12), arn: ROOM_ARN, name: 'owned', createTime: now },
      { privacy: 'public', ownerId: 'olga' },
    );
    await putRoomIfAbsent(table, room);
    await putMembership(table, room, 'mo', 'moderator', now.toISOString());
    for (const user of ['v1', 'v2', 'v3', 'v4', 'v5', 'v6']) await ask(test, user);

    const viewer = await ask(test, 'v7');
    // A second apart: at two calls a second, IVS's pace has room for one call each time.
    const firstInLine = [];
    for (const [user, roles] of [
      ['olga', []],
      ['mo', []],
      ['ada', ['admin']],
    ] as const) {
      test.clock.now += 1000;
      firstInLine.push(await ask(test, user, { roles: [...roles] }));
    }
    const [owner, moderator, admin] = firstInLine;

    assert.equal(viewer.status, 503);
    assert.ok(Number(viewer.headers['retry-after']) >= 3);
    assert.deepEqual([owner?.status, moderator?.status, admin?.status], [200, 200, 200]);
    assert.equal(test.logs.filter((line) => line.includes('"admission":"priority"')).length, 3);
  });

  it('keeps two instances on one table at or under the rate together, each caller asking at most twice', async () => {
    // 40 a second: two shards. 100 callers at the same moment (the clock stands still), half to each
    // instance, over real sockets; then the shared clock moves a second at a time and every caller
    // whose Retry-After is up retries with their ticket. Requests go eight at a time: dynalite
    // serialises writes to one item, and on a loaded machine a hundred at once outlast the table's
    // 2 s deadline, which is not what this test is about.
    const tps = 40;
    const CALLERS = 100;
    // Patient (30 s, not the service's 2 s): a table answer late on a loaded machine would be a 503
    // store_unavailable and one more request, which is not what this test counts.
    const table: Table = { name: (await freshTable()).name, client: patientClient() };
    const apps = [0, 1].map(() =>
      buildTestApp({ jwksUri: jwks.jwksUri, table, config: { admission: { tps } } }),
    );
    const start = apps[0]?.clock.now ?? 0;
    const setClock = (now: number): void => {
      for (const test of apps) test.clock.now = now;
    };
    setClock(start);
    const servers = apps.map((test) => createServer(test.app));
    const ports = await Promise.all(servers.map((server) => listenOnFreePort(server)));
    try {
      const tokens = new Map<number, string>();
      const requests = new Map<number, number>();
      /** Each caller's answers, for the failure message: status, code and Retry-After. */
      const answered = new Map<number, string[]>();
      const askOver = async (user: number, ticket?: string) => {
        requests.set(user, (requests.get(user) ?? 0) + 1);
        const jwt = tokens.get(user) ?? signToken(key, { sub: `viewer-${user}`, roles: [] });
        tokens.set(user, jwt);
        const res = await fetch(`http://127.0.0.1:${ports[user % 2] ?? 0}/v1/chat-tokens`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${jwt}`,
            'content-type': 'application/json',
            ...(ticket === undefined ? {} : { 'admission-ticket': ticket }),
          },
          body: JSON.stringify({ roomIdentifier: ROOM_ARN }),
        });
        const text = await res.text();
        const code = /"code":"([a-z_]+)"/.exec(text)?.[1] ?? '';
        answered.set(user, [
          ...(answered.get(user) ?? []),
          `${res.status} ${code} ${res.headers.get('retry-after') ?? ''}`.trim(),
        ]);
        return {
          user,
          status: res.status,
          retryAfter: Number(res.headers.get('retry-after') ?? Number.NaN),
          ticket: res.headers.get('admission-ticket') ?? undefined,
        };
      };
      // The room is recorded once before the wave (its first request reads it from IVS).
      await askOver(1000);
      const servedBefore = apps.reduce((sum, test) => sum + ivsCalls(test), 0);

      const servedAt: number[] = [];
      let waiting = await inBatches(Array.from({ length: CALLERS }, (_, user) => () => askOver(user)));
      for (let second = 0; second <= 10 && waiting.length > 0; second++) {
        setClock(start + second * 1000);
        if (second > 0) {
          const due = waiting.filter((answer) => answer.retryAfter <= second);
          const later = waiting.filter((answer) => answer.retryAfter > second);
          const answers = await inBatches(due.map((answer) => () => askOver(answer.user, answer.ticket)));
          waiting = [
            ...later,
            ...answers.map((answer) => ({ ...answer, retryAfter: second + answer.retryAfter })),
          ];
        }
        servedAt.push(waiting.filter((answer) => answer.status === 200).length);
        waiting = waiting.filter((answer) => answer.status !== 200);
      }

      const served = apps.reduce((sum, test) => sum + ivsCalls(test), 0) - servedBefore;
      assert.equal(waiting.length, 0, 'every caller is served within the queue');
      assert.equal(served, CALLERS);
      const counts = Array.from({ length: CALLERS }, (_, user) => requests.get(user) ?? 0);
      const most = Math.max(...counts);
      const busiest = counts.indexOf(most);
      assert.ok(most <= 2, `a caller asked ${most} times: ${(answered.get(busiest) ?? []).join(', ')}`);
      // In any window of L seconds at most tps x (L + 1) + shards calls (admission.ts): here per second.
      let total = 0;
      servedAt.forEach((count, second) => {
        total += count;
        assert.ok(count <= tps + 2, `second ${second}: ${count} calls`);
        assert.ok(total <= tps * (second + 1) + 2, `by second ${second}: ${total} calls`);
      });
    } finally {
      table.client.destroy();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => {
                resolve();
              });
            }),
        ),
      );
    }
  });
});
