/**
 * One sweep of the access sweeper: the passes that make access really end and deleted things gone.
 *
 * - Revocations: a user removed from a private room or banned is disconnected from it again, until the
 *   latest session issued to them there has ended (IVS cannot revoke a chat token; a stockpiled one
 *   can reconnect). Before each disconnect their standing is read again (the same five items the token
 *   service reads, decided by the same access model): someone let back in is left alone and their
 *   revocation removed. A session recorded after the revocation (a token issued while access was
 *   being taken away) extends it.
 * - Orphaned rooms: an IVS room tagged as made by the service but without its record (a creation whose
 *   undo failed) is deleted once it is older than ORPHAN_ROOM_MINUTES (younger ones may be mid-create).
 * - Deleted rooms: what a history write racing a room's deletion left in its partition is deleted.
 */
import {
  DeleteRoomCommand,
  DisconnectUserCommand,
  ListRoomsCommand,
  type IvschatClient,
} from '@aws-sdk/client-ivschat';
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGetItems, deletePartition, keyId } from '../../shared/table/batch.js';
import { decide } from '../../shared/access/model.js';
import { factsFrom, standingFromItems, standingKeys } from '../../shared/access/standing.js';
import { PRIVACY_TAG } from '../../shared/ivs/tags.js';
import { describeError, type Logger } from '../../shared/logger.js';
import type { Table } from '../../shared/table/client.js';
import {
  REVOCATIONS,
  TOMBSTONES,
  keys,
  timeOrderKey,
  ttlSeconds,
  type ItemKey,
} from '../../shared/table/keys.js';
import { TABLE_KEYS } from '../../shared/table/schema.js';

/** What IVS's `aws:DISCONNECT_USER` event says to the room: never a moderator's reason. */
export const DISCONNECT_REASON = 'Removed by a moderator';
/** Deleted rooms whose partitions are swept again: within this long of their deletion. */
const DELETED_ROOM_WINDOW_MS = 60 * 60_000;
/** ListRooms pages per orphan scan (room operations are 5 TPS per account: one page a second). */
const ORPHAN_SCAN_PAGES = 10;

export interface SweepDeps {
  readonly table: Table;
  readonly ivs: IvschatClient;
  readonly logger: Logger;
  readonly now: () => number;
  readonly disconnectTps: number;
  readonly orphanAgeMinutes: number;
  /** Only rooms with this stack tag are this stack's (two stacks may share an account and region). */
  readonly stackTag?: string | undefined;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SweepSummary {
  readonly revocations: number;
  readonly disconnected: number;
  readonly restored: number;
  readonly extended: number;
  readonly failed: number;
  readonly orphanedRooms: number;
  readonly strayItems: number;
}

interface Revocation {
  readonly roomId: string;
  readonly roomArn: string;
  readonly userId: string;
  readonly until: string;
}

function field(item: Record<string, unknown>, name: string): string | undefined {
  const value = item[name];
  return typeof value === 'string' ? value : undefined;
}

const idOf = (key: ItemKey): string => keyId(key.pk, key.sk);

export function createSweep(deps: SweepDeps) {
  const { table, ivs, logger, now } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /** Revocations in force (their end still ahead), oldest end first. */
  async function revocationsInForce(): Promise<Revocation[]> {
    const out: Revocation[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const from = start;
      const page = await table.client.send(
        new QueryCommand({
          TableName: table.name,
          IndexName: TABLE_KEYS.gsi1.name,
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk > :now',
          ExpressionAttributeValues: { ':pk': REVOCATIONS, ':now': new Date(now()).toISOString() },
          ...(from === undefined ? {} : { ExclusiveStartKey: from }),
        }),
      );
      for (const item of page.Items ?? []) {
        const roomId = field(item, 'roomId');
        const roomArn = field(item, 'roomArn');
        const userId = field(item, 'userId');
        const until = field(item, 'until');
        if (roomId && roomArn && userId && until) out.push({ roomId, roomArn, userId, until });
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return out;
  }

  async function disconnectPaced(targets: readonly Revocation[]): Promise<{ done: number; failed: number }> {
    let done = 0;
    let failed = 0;
    for (let offset = 0; offset < targets.length; offset += deps.disconnectTps) {
      const started = now();
      await Promise.all(
        targets.slice(offset, offset + deps.disconnectTps).map(async (target) => {
          try {
            await ivs.send(
              new DisconnectUserCommand({
                roomIdentifier: target.roomArn,
                userId: target.userId,
                reason: DISCONNECT_REASON,
              }),
            );
            done++;
          } catch (error) {
            // A room gone from IVS has no connections left; anything else is tried on the next sweep.
            if (error instanceof Error && error.name === 'ResourceNotFoundException') done++;
            else {
              failed++;
              logger.warn('revocation disconnect failed', describeError(error));
            }
          }
        }),
      );
      const spent = now() - started;
      if (offset + deps.disconnectTps < targets.length && spent < 1000) await sleep(1000 - spent);
    }
    return { done, failed };
  }

  async function sweepRevocations(): Promise<
    Pick<SweepSummary, 'revocations' | 'disconnected' | 'restored' | 'extended' | 'failed'>
  > {
    const revocations = await revocationsInForce();
    const stillRevoked: Revocation[] = [];
    let restored = 0;
    let extended = 0;
    // Sixteen users' standing (five keys) and session (one key) per BatchGetItem of at most 100 keys.
    for (let offset = 0; offset < revocations.length; offset += 16) {
      const chunk = revocations.slice(offset, offset + 16);
      const items = await batchGetItems(
        table,
        chunk.flatMap((r) => {
          const k = standingKeys(r.roomId, r.userId);
          return [k.room, k.member, k.roomBan, k.timeout, k.appBan, keys.session(r.userId, r.roomArn)];
        }),
      );
      const at = now();
      for (const revocation of chunk) {
        const k = standingKeys(revocation.roomId, revocation.userId);
        const view = standingFromItems(
          {
            room: items.get(idOf(k.room)),
            member: items.get(idOf(k.member)),
            roomBan: items.get(idOf(k.roomBan)),
            timeout: items.get(idOf(k.timeout)),
            appBan: items.get(idOf(k.appBan)),
          },
          revocation.userId,
          at,
        );
        // App roles are not stored (they come from JWTs): the user is judged as a plain user.
        const mayRead = decide('readRoom', {
          privacy: view.privacy,
          caller: factsFrom(view, { isAdmin: false, appModerator: false }),
        }).allowed;
        if (mayRead) {
          await table.client.send(
            new DeleteCommand({
              TableName: table.name,
              Key: keys.revocation(revocation.roomId, revocation.userId),
            }),
          );
          restored++;
          continue;
        }
        const sessionEnd = items.get(idOf(keys.session(revocation.userId, revocation.roomArn)))?.until;
        if (typeof sessionEnd === 'string' && sessionEnd > revocation.until) {
          await extend(revocation, sessionEnd);
          extended++;
        }
        stillRevoked.push(revocation);
      }
    }
    const { done, failed } = await disconnectPaced(stillRevoked);
    return { revocations: revocations.length, disconnected: done, restored, extended, failed };
  }

  async function extend(revocation: Revocation, until: string): Promise<void> {
    try {
      await table.client.send(
        new UpdateCommand({
          TableName: table.name,
          Key: keys.revocation(revocation.roomId, revocation.userId),
          UpdateExpression: 'SET #until = :until, gsi1sk = :sk, #ttl = :ttl',
          ConditionExpression: 'attribute_exists(pk) AND #until < :until',
          ExpressionAttributeNames: { '#until': 'until', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':until': until,
            ':sk': timeOrderKey(until, revocation.roomId),
            ':ttl': ttlSeconds(Date.parse(until)),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    }
  }

  async function sweepOrphanedRooms(): Promise<number> {
    let nextToken: string | undefined;
    let deleted = 0;
    const cutoff = now() - deps.orphanAgeMinutes * 60_000;
    for (let page = 0; page < ORPHAN_SCAN_PAGES; page++) {
      const started = now();
      const output = await ivs.send(
        new ListRoomsCommand({ maxResults: 50, ...(nextToken ? { nextToken } : {}) }),
      );
      const tagged = (output.rooms ?? []).filter(
        (room) =>
          room.id !== undefined &&
          room.tags?.[PRIVACY_TAG] !== undefined &&
          (room.createTime?.getTime() ?? Infinity) < cutoff,
      );
      if (tagged.length > 0) {
        const records = await batchGetItems(
          table,
          tagged.flatMap((room) => (room.id ? [keys.room(room.id)] : [])),
        );
        for (const room of tagged) {
          if (room.id === undefined || room.arn === undefined || records.has(idOf(keys.room(room.id))))
            continue;
          try {
            await ivs.send(new DeleteRoomCommand({ identifier: room.arn }));
            deleted++;
            logger.info('orphaned room deleted', { roomId: room.id });
          } catch (error) {
            logger.warn('orphaned room could not be deleted', { roomId: room.id, ...describeError(error) });
          }
        }
      }
      nextToken = output.nextToken;
      if (!nextToken) break;
      const spent = now() - started;
      if (spent < 1000) await sleep(1000 - spent);
    }
    return deleted;
  }

  async function sweepDeletedRooms(): Promise<number> {
    const since = new Date(now() - DELETED_ROOM_WINDOW_MS).toISOString();
    const tombstones = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: TABLE_KEYS.gsi1.name,
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk > :since',
        ExpressionAttributeValues: { ':pk': TOMBSTONES, ':since': since },
      }),
    );
    let removed = 0;
    for (const tombstone of tombstones.Items ?? []) {
      const roomId = field(tombstone, 'roomId');
      if (roomId === undefined) continue;
      removed += await deletePartition(table, keys.roomPartition(roomId), [keys.roomTombstone(roomId).sk]);
    }
    return removed;
  }

  return {
    async sweep(options: { readonly orphans: boolean }): Promise<SweepSummary> {
      const revocations = await sweepRevocations();
      const strayItems = await sweepDeletedRooms();
      const orphanedRooms = options.orphans ? await sweepOrphanedRooms() : 0;
      return { ...revocations, orphanedRooms, strayItems };
    },
  };
}
