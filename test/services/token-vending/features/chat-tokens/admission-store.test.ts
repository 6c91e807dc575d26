/**
 * The admission schedule and ticket key in a real table (dynalite): GCRA's step as conditional
 * writes, correct whichever case a request guesses, under concurrent bookings from two instances,
 * and what each booking costs in writes.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../../../../../shared/table/client.js';
import { keys } from '../../../../../shared/table/keys.js';
import {
  tablePace,
  tableSchedule,
  tableTicketKey,
} from '../../../../../services/token-vending/features/chat-tokens/admission-store.js';
import { freshTable, patientClient } from '../../support/table.js';

const START = 1_800_000_000_000;
const SPACING = 8000 / 190;

let table: Table;
/** The same table through a client that counts its commands. */
let counted: Table;
const commands: string[] = [];

before(async () => {
  table = await freshTable();
  // Patient (30 s, not the service's 2 s): what it counts is calls, and a loaded machine must not turn
  // a slow one into a failed test.
  const client = patientClient();
  client.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  counted = { name: table.name, client };
});

const open = { limit: Number.POSITIVE_INFINITY };

describe('tableSchedule', () => {
  it('hands two instances booking at once consecutive places, each once, whatever they guess', async () => {
    // dynalite serialises writes to one item; on a machine loaded by other work 60 of them queued
    // together can outlast the service's 2 s deadline, which is not what this test is about.
    const patient: Table = { name: table.name, client: patientClient() };
    const first = tableSchedule(patient);
    const second = tableSchedule(patient);

    const bookings = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? first : second).book(0, START, SPACING, { ...open, busy: i % 3 === 0 }),
      ),
    );

    const places = bookings.map((booking) => booking?.at ?? Number.NaN).sort((a, b) => a - b);
    places.forEach((at, i) => {
      assert.ok(Math.abs(at - (START + i * SPACING)) < 0.01, `place ${i} is ${at - START}`);
    });
    for (const booking of bookings)
      assert.ok(booking && Math.abs(booking.next - booking.at - SPACING) < 0.01);
  });

  it('starts an idle shard at now, also when its last place is long past', async () => {
    const schedule = tableSchedule(table);

    const fresh = await schedule.book(1, START, SPACING, { ...open, busy: false });
    const later = await schedule.book(1, START + 60_000, SPACING, { ...open, busy: true });
    const next = await schedule.book(1, START + 60_000, SPACING, { ...open, busy: false });

    assert.deepEqual(fresh, { at: START, next: START + SPACING });
    assert.deepEqual(later, { at: START + 60_000, next: START + 60_000 + SPACING });
    assert.equal(next?.at, START + 60_000 + SPACING);
  });

  it('books nothing at or past the limit', async () => {
    const schedule = tableSchedule(table);
    const limit = START + 2.5 * SPACING;

    const bookings = [];
    for (let i = 0; i < 4; i++) bookings.push(await schedule.book(2, START, SPACING, { limit, busy: true }));
    const beyond = await schedule.book(2, START, SPACING, { ...open, busy: true });

    assert.deepEqual(
      bookings.map((booking) => booking?.at),
      [START, START + SPACING, START + 2 * SPACING, undefined],
    );
    assert.equal(beyond?.at, START + 3 * SPACING);
  });

  it('books several places in one write, busy or idle, and none when the last would pass the limit', async () => {
    const schedule = tableSchedule(counted);
    commands.length = 0;

    const idle = await schedule.book(4, START, SPACING, { ...open, busy: false, count: 5 });
    const busy = await schedule.book(4, START, SPACING, { ...open, busy: true, count: 3 });
    const writes = commands.length;
    // The next free place is START + 8 spacings: 3 more fit before 11 spacings, 4 do not.
    const limit = START + 11 * SPACING - 1;
    const over = await schedule.book(4, START, SPACING, { limit, busy: true, count: 4 });
    const fits = await schedule.book(4, START, SPACING, { limit, busy: true, count: 3 });
    // An idle shard's places start at now: the second of two is past a limit half a spacing on.
    const tooMany = await schedule.book(5, START, SPACING, {
      limit: START + SPACING / 2,
      busy: false,
      count: 2,
    });

    assert.deepEqual(idle, { at: START, next: START + 5 * SPACING });
    assert.ok(busy && Math.abs(busy.at - (START + 5 * SPACING)) < 0.01);
    assert.ok(Math.abs(busy.next - (START + 8 * SPACING)) < 0.01);
    assert.equal(writes, 2, 'one write a booking, whatever its count');
    assert.equal(over, undefined);
    assert.ok(fits && Math.abs(fits.at - (START + 8 * SPACING)) < 0.01);
    assert.equal(tooMany, undefined);
  });

  it("keeps the pace on items of its own: a call booked there moves no caller's place in the queue", async () => {
    const fresh = await freshTable();
    const queue = tableSchedule(fresh);
    const pace = tablePace(fresh);

    await queue.book(0, START, SPACING, { ...open, busy: false });
    const paced = await pace.book(0, START, SPACING, { ...open, busy: false });
    const queued = await queue.book(0, START, SPACING, { ...open, busy: true });
    const paceItem = await fresh.client.send(
      new GetCommand({ TableName: fresh.name, Key: keys.admissionPaceShard(0), ConsistentRead: true }),
    );

    assert.deepEqual(paced, { at: START, next: START + SPACING });
    assert.equal(queued?.at, START + SPACING);
    assert.equal(paceItem.Item?.tat, START + SPACING);
  });

  it('costs one write when the guess is right, two when wrong, three when full, none when no place from now fits', async () => {
    const schedule = tableSchedule(counted);
    const writes = async (now: number, busy: boolean, limit = Number.POSITIVE_INFINITY): Promise<number> => {
      commands.length = 0;
      await schedule.book(3, now, SPACING, { busy, limit });
      assert.ok(commands.every((name) => name === 'UpdateItemCommand'));
      return commands.length;
    };

    assert.equal(await writes(START, false), 1); // idle, guessed idle
    assert.equal(await writes(START, true), 1); // busy, guessed busy
    assert.equal(await writes(START, false), 2); // busy, guessed idle
    assert.equal(await writes(START + 10_000, true), 2); // idle, guessed busy
    assert.equal(await writes(START + 10_000, true, START + 10_000 + 1), 3); // full
    assert.equal(await writes(START + 10_000, true, START + 10_000), 0); // no place from now fits
  });
});

describe('tableTicketKey', () => {
  it('makes one key for every instance, even when they ask at once, and reads it once each', async () => {
    const fresh = await freshTable();
    const instances = [tableTicketKey(fresh), tableTicketKey(fresh), tableTicketKey(fresh)];

    const loaded = await Promise.all(instances.flatMap((key) => [key(), key()]));
    const stored = await fresh.client.send(
      new GetCommand({ TableName: fresh.name, Key: keys.admissionKey, ConsistentRead: true }),
    );

    const first = Buffer.from(loaded[0] ?? []);
    for (const key of loaded) assert.deepEqual(Buffer.from(key), first);
    assert.equal(first.length, 32);
    assert.equal(stored.Item?.secret, first.toString('base64'));
  });

  it('reads the key once per instance', async () => {
    const fresh: Table = { name: (await freshTable()).name, client: counted.client };
    const key = tableTicketKey(fresh);
    await key();
    commands.length = 0;

    await Promise.all([key(), key(), key()]);

    assert.deepEqual(commands, []);
  });
});
