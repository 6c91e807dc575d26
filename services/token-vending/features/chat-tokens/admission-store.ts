/**
 * The admission schedules (the queue and the pace) and the ticket key in the table (admission.ts says
 * why they exist).
 *
 * A shard is one item (`admissionShard`, `admissionPaceShard`) holding `tat`, its next free place in
 * ms since the epoch.
 * DynamoDB has no max() in an update, so GCRA's step is two conditional writes, one per case, and a
 * request tries the one this instance believes holds (mostly right: one write a booking). A booking
 * of `count` places moves tat on by count spacings (span) in the same one write:
 *   busy: `SET tat = tat + span` if `now <= tat` and its last place `tat + span - spacing < limit`:
 *         the places start at the old tat;
 *   idle: `SET tat = now + span` if tat is absent or `tat < now`: the places start at now.
 * tat only ever grows, so once the idle write fails (tat >= now) a failed busy write means tat >=
 * limit: the schedule is full. At most three writes (busy, idle, busy), two when idle is tried first.
 * A failed conditional write costs a write unit as a successful one does.
 *
 * The ticket key: 32 random bytes made by the first instance that needs one (a conditional put, so
 * two instances racing agree on one) and read by each instance once, strongly consistent.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Table } from '../../../../shared/table/client.js';
import { keys, type ItemKey } from '../../../../shared/table/keys.js';
import { HttpError } from '../../platform/problem.js';
import { numberField, run, stringField } from '../../platform/table.js';
import { mapTableError } from '../../platform/upstream-errors.js';
import type { Booking, ScheduleStore } from './admission.js';

const KEY_BYTES = 32;

function conditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * A schedule's shards as table items: the queue's (the default) or the pace's
 * (`keys.admissionPaceShard`).
 */
export function tableSchedule(
  table: Table,
  keyOf: (shard: number) => ItemKey = keys.admissionShard,
): ScheduleStore {
  /** The busy case: the places start at the shard's tat, if that is not past and the last is before `limit`. */
  async function extend(
    shard: number,
    now: number,
    spacingMs: number,
    span: number,
    limit: number,
  ): Promise<Booking | undefined> {
    const bounded = Number.isFinite(limit);
    try {
      const output = await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keyOf(shard),
          UpdateExpression: 'SET tat = tat + :span',
          ConditionExpression: bounded ? 'tat >= :now AND tat < :limit' : 'tat >= :now',
          ExpressionAttributeValues: {
            ':span': span,
            ':now': now,
            // The last place, tat + span - spacing, before the limit.
            ...(bounded ? { ':limit': limit - (span - spacingMs) } : {}),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const next = output.Attributes ? numberField(output.Attributes, 'tat') : undefined;
      return next === undefined ? undefined : { at: next - span, next };
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw mapTableError(error);
    }
  }

  /** The idle case: the places start at now, if the shard's tat is absent or past. */
  async function start(shard: number, now: number, span: number): Promise<Booking | undefined> {
    const next = now + span;
    try {
      await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keyOf(shard),
          UpdateExpression: 'SET kind = :kind, tat = :next',
          ConditionExpression: 'attribute_not_exists(tat) OR tat < :now',
          ExpressionAttributeValues: { ':kind': 'admission', ':next': next, ':now': now },
        }),
      );
      return { at: now, next };
    } catch (error) {
      if (conditionFailed(error)) return undefined;
      throw mapTableError(error);
    }
  }

  return {
    async book(shard, now, spacingMs, { busy, limit, count = 1 }) {
      const span = count * spacingMs;
      // Places from now on are the earliest any booking gets: if the last of them is not before the
      // limit, neither case can book (and nothing is written).
      if (now + span - spacingMs >= limit) return undefined;
      if (busy) {
        const booked = await extend(shard, now, spacingMs, span, limit);
        if (booked) return booked;
      }
      const started = await start(shard, now, span);
      if (started) return started;
      // tat >= now from here on (it only grows): a failed busy write now means the places pass the limit.
      return extend(shard, now, spacingMs, span, limit);
    },
  };
}

/** The pace's shards as table items (admission.ts says what the pace is for). */
export function tablePace(table: Table): ScheduleStore {
  return tableSchedule(table, keys.admissionPaceShard);
}

/** The ticket key, loaded (or made) on first need and kept for the process's life. */
export function tableTicketKey(table: Table): () => Promise<Uint8Array> {
  let loading: Promise<Uint8Array> | undefined;

  async function read(): Promise<Uint8Array | undefined> {
    const output = await run(() =>
      table.client.send(
        new GetCommand({ TableName: table.name, Key: keys.admissionKey, ConsistentRead: true }),
      ),
    );
    const secret = output.Item ? stringField(output.Item, 'secret') : undefined;
    const bytes = secret === undefined ? undefined : Buffer.from(secret, 'base64');
    return bytes?.length === KEY_BYTES ? bytes : undefined;
  }

  async function load(): Promise<Uint8Array> {
    const found = await read();
    if (found) return found;
    const made = randomBytes(KEY_BYTES);
    try {
      await table.client.send(
        new PutCommand({
          TableName: table.name,
          Item: { ...keys.admissionKey, kind: 'admission-key', secret: made.toString('base64') },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return made;
    } catch (error) {
      if (!conditionFailed(error)) throw mapTableError(error);
    }
    // Another instance made it first (or one that cannot be read is there): use the stored one.
    const stored = await read();
    if (!stored) throw new HttpError(500, 'internal', 'the admission key item is not 32 base64 bytes');
    return stored;
  }

  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined; // try again on the next request
      throw error;
    });
    return loading;
  };
}
