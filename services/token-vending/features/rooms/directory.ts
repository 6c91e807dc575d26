/**
 * Finding rooms: rooms that exist in IVS but were never made through the API (recorded on first sight
 * as public rooms without an owner), the IVS view of a room as a record, and a room's ARN from its id.
 */
import { GetRoomCommand, ListRoomsCommand } from '@aws-sdk/client-ivschat';
import { formatArn } from '../../../../shared/ivs/arn.js';
import { FALLBACK_RESULTS, IVS_LIMITS } from '../../../../shared/ivs/limits.js';
import { describeError } from '../../../../shared/logger.js';
import { PRIVACY_TAG, RESERVED_TAG_PREFIXES, STACK_TAG } from '../../../../shared/ivs/tags.js';
import { keys } from '../../../../shared/table/keys.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { HttpError } from '../../platform/problem.js';
import { mapIvsError } from '../../platform/upstream-errors.js';
import { MODES_OFF, getRoom, putRoomIfAbsent, type RoomRecord } from './store.js';
import { batchGet, itemAt } from '../../platform/table.js';

export type DirectoryDeps = Pick<ServiceDeps, 'ivs' | 'table' | 'rooms' | 'region' | 'logger' | 'clock'>;

/** Tags as callers see them: the service's own are hidden. */
export function visibleTags(tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    if (!RESERVED_TAG_PREFIXES.some((prefix) => key.startsWith(prefix))) out[key] = value;
  }
  return out;
}

export function roomArn(deps: Pick<DirectoryDeps, 'rooms' | 'region'>, roomId: string): string | undefined {
  const { accountId, partition } = deps.rooms;
  if (accountId === undefined) return undefined;
  return formatArn({ partition, region: deps.region, accountId, resourceType: 'room', id: roomId });
}

/** A room record from an IVS room description (GetRoom, CreateRoom or a ListRooms summary). */
export function recordFromIvs(
  room: {
    id?: string | undefined;
    arn?: string | undefined;
    name?: string | undefined;
    createTime?: Date | undefined;
    updateTime?: Date | undefined;
    maximumMessageLength?: number | undefined;
    maximumMessageRatePerSecond?: number | undefined;
    messageReviewHandler?: { uri?: string | undefined; fallbackResult?: string | undefined } | undefined;
    tags?: Record<string, string> | undefined;
  },
  extra: { privacy: RoomRecord['privacy']; ownerId: string | undefined },
): RoomRecord {
  const { id, arn, createTime } = room;
  if (id === undefined || arn === undefined || !(createTime instanceof Date)) {
    throw new HttpError(502, 'upstream_error', 'IVS Chat described a room without its id, arn or time');
  }
  const uri = room.messageReviewHandler?.uri;
  const fallbackResult =
    FALLBACK_RESULTS.find((value) => value === room.messageReviewHandler?.fallbackResult) ?? 'ALLOW';
  return {
    id,
    arn,
    name: room.name ?? '',
    privacy: extra.privacy,
    createTime: createTime.toISOString(),
    updateTime: (room.updateTime ?? createTime).toISOString(),
    maximumMessageLength: room.maximumMessageLength ?? IVS_LIMITS.maximumMessageLength.default,
    maximumMessageRatePerSecond:
      room.maximumMessageRatePerSecond ?? IVS_LIMITS.maximumMessageRatePerSecond.default,
    messageReviewHandler: uri ? { uri, fallbackResult } : undefined,
    tags: visibleTags(room.tags),
    ownerId: extra.ownerId,
    modes: MODES_OFF,
    pinned: undefined,
  };
}

function notFound(): HttpError {
  return new HttpError(404, 'room_not_found', 'the room does not exist');
}

/**
 * Records a room that exists in IVS but not in the table, as public with no owner, and answers it.
 * A room carrying the service's privacy tag is one the service made: without its record it is being
 * undone (or was left by a failure), never adopted. One look per room at a time per instance: a
 * stream's start sends many token requests for a room at once, and room operations are 5 TPS.
 */
export function adoptRoom(deps: DirectoryDeps, roomId: string, arn?: string): Promise<RoomRecord> {
  const running = adopting.get(roomId);
  if (running) return running;
  const adoption = adopt(deps, roomId, arn).finally(() => adopting.delete(roomId));
  adopting.set(roomId, adoption);
  return adoption;
}
const adopting = new Map<string, Promise<RoomRecord>>();

async function adopt(deps: DirectoryDeps, roomId: string, givenArn: string | undefined): Promise<RoomRecord> {
  const arn = givenArn ?? roomArn(deps, roomId);
  if (arn === undefined) throw notFound();
  let output;
  try {
    output = await deps.ivs.send(new GetRoomCommand({ identifier: arn }));
  } catch (error) {
    // With the stack's tag scoping its IAM grant, a room of another stack (or the console's) is
    // refused to this one: for this service it does not exist.
    if (
      deps.rooms.stackTag !== undefined &&
      error instanceof Error &&
      error.name === 'AccessDeniedException'
    ) {
      throw notFound();
    }
    throw mapIvsError(error);
  }
  if (output.id !== roomId || output.tags?.[PRIVACY_TAG] !== undefined) throw notFound();
  const record = recordFromIvs(output, { privacy: 'public', ownerId: undefined });
  if (await putRoomIfAbsent(deps.table, record)) return record;
  // Someone recorded it first (another instance adopting it too): theirs stands.
  const stored = await getRoom(deps.table, roomId);
  if (!stored) throw notFound();
  return stored;
}

/** How often one instance looks in IVS for rooms made elsewhere, when a room list is read. */
export const IVS_SYNC_INTERVAL_MS = 60_000;
/** ListRooms pages read per look (50 rooms each; room operations are capped at 5 TPS). */
const IVS_SYNC_MAX_PAGES = 10;
const IVS_SYNC_MAX_ADOPTIONS = 20;

/**
 * Records rooms that exist in IVS but not in the table (made in the console, by CloudFormation, or
 * before this service), at most once a minute per instance, when a first page of rooms is listed.
 * A failure is logged and the list is answered from the table as it is.
 */
export function createIvsRoomSync(deps: DirectoryDeps): () => Promise<void> {
  let last = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  const sync = async (): Promise<void> => {
    let nextToken: string | undefined;
    let adopted = 0;
    for (let page = 0; page < IVS_SYNC_MAX_PAGES; page++) {
      const output = await deps.ivs.send(
        new ListRoomsCommand({
          maxResults: IVS_LIMITS.listMaxResults.max,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      // A room without this stack's tag is not this stack's to adopt (its IAM grant stops at them).
      const stackTag = deps.rooms.stackTag;
      const summaries = (output.rooms ?? []).filter(
        (summary) =>
          summary.id !== undefined &&
          summary.tags?.[PRIVACY_TAG] === undefined &&
          (stackTag === undefined || summary.tags?.[STACK_TAG] === stackTag),
      );
      const known = await batchGet(
        deps.table.client,
        deps.table.name,
        summaries.flatMap((summary) => (summary.id === undefined ? [] : [keys.room(summary.id)])),
      );
      for (const summary of summaries) {
        if (summary.id === undefined || itemAt(known, keys.room(summary.id))) continue;
        // A summary lacks the room's limits: GetRoom (inside adoptRoom) has them. Bounded per look,
        // since room operations share the 5 TPS quota; the rest are recorded on the next look.
        if (adopted >= IVS_SYNC_MAX_ADOPTIONS) break;
        await adoptRoom(deps, summary.id).catch(() => undefined);
        adopted++;
      }
      nextToken = output.nextToken;
      if (!nextToken) break;
    }
    if (adopted > 0) deps.logger.info('rooms made outside the API recorded', { adopted });
  };
  return async () => {
    const now = deps.clock();
    if (running) return running;
    if (now - last < IVS_SYNC_INTERVAL_MS) return;
    last = now;
    running = sync()
      .catch((error: unknown) => {
        deps.logger.warn('could not look for rooms made outside the API', describeError(error));
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}
