/**
 * The two writes the room modes ask of the review function, with the low-level DynamoDB client it
 * already uses for the sender's standing (sender-standing.ts), each raced against the review budget by
 * the handler:
 *
 * - Slow mode: one conditional UpdateItem of the sender's last-send item (`ROOM#<room>`/`SENT#<user>`):
 *   SET sentAt = now only if there is none or it is at least N s old. IVS may run several review
 *   functions at once, and two messages of one user can be reviewed side by side: both may read an old
 *   `sentAt` (or none), but DynamoDB applies conditional writes to one item one at a time, so exactly
 *   one of them finds the condition true and the other is refused. The standing read (one BatchGetItem,
 *   strongly consistent) already brings `sentAt`: a message inside the window is refused from it
 *   without a write. The item lives N s (`ttl`); an expired item still in the table has an old
 *   `sentAt`, so lazy TTL deletion changes nothing.
 * - Held for review: one PutItem of the held message (shared/table/held.ts), read by the token
 *   service's held-message routes.
 */
import type { AttributeValue, PutItemCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { keys, ttlSeconds } from '../../shared/table/keys.js';
import { heldItem, newHeldId } from '../../shared/table/held.js';
import { isRecord } from '../../shared/json.js';

export type SlowModeOutcome =
  { readonly sent: true } | { readonly sent: false; readonly waitSeconds: number };

export interface SlowModeRequest {
  readonly roomId: string;
  readonly userId: string;
  /** The room's slowModeSeconds (1–3600). */
  readonly seconds: number;
  /** `sentAt` of the user's last-send item, as the standing read found it (epoch ms). */
  readonly lastSentAt: number | undefined;
}

export interface HoldRequest {
  readonly roomId: string;
  /** As it would be delivered (masked where the rules mask). */
  readonly content: string;
  readonly sender: { readonly userId: string; readonly attributes: Readonly<Record<string, string>> };
  readonly messageId: string;
  readonly reason: string;
}

export interface RoomModeWrites {
  /** Records this send as the user's last in the room, unless one was accepted less than N s ago. */
  claimSlowMode(request: SlowModeRequest, signal: AbortSignal): Promise<SlowModeOutcome>;
  /** Writes the held message; answers its id. */
  hold(request: HoldRequest, signal: AbortSignal): Promise<string>;
}

export type TableWrite<I> = (input: I, signal: AbortSignal) => Promise<unknown>;

export interface RoomModeOptions {
  readonly tableName: string;
  readonly update: TableWrite<UpdateItemCommandInput>;
  readonly put: TableWrite<PutItemCommandInput>;
  /** Hours a held message waits for a decision (HELD_MESSAGE_HOURS). */
  readonly heldMessageHours: number;
  /** Epoch milliseconds; injected by tests. */
  readonly now?: () => number;
}

/** Plain values (strings, finite numbers, objects of them) as DynamoDB attribute values. */
export function toAttributeValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number' && Number.isFinite(value)) return { N: String(value) };
  if (isRecord(value)) {
    const map: Record<string, AttributeValue> = {};
    for (const [name, entry] of Object.entries(value)) map[name] = toAttributeValue(entry);
    return { M: map };
  }
  throw new TypeError('only strings, numbers and objects of them are written');
}

/** The whole seconds left to wait, at least 1 and at most the window. */
function waitSeconds(sentAt: number, seconds: number, now: number): number {
  return Math.min(seconds, Math.max(1, Math.ceil((sentAt + seconds * 1000 - now) / 1000)));
}

/** `sentAt` of the item a refused conditional write returned (DynamoDB's ALL_OLD), if any. */
function sentAtOf(error: unknown): number | undefined {
  if (!isRecord(error) || !isRecord(error.Item)) return undefined;
  const sentAt = error.Item.sentAt;
  if (!isRecord(sentAt) || typeof sentAt.N !== 'string') return undefined;
  const value = Number(sentAt.N);
  return Number.isFinite(value) ? value : undefined;
}

export function createRoomModeWrites(options: RoomModeOptions): RoomModeWrites {
  const now = options.now ?? Date.now;
  const { tableName } = options;
  return {
    async claimSlowMode({ roomId, userId, seconds, lastSentAt }, signal) {
      const at = now();
      const windowMs = seconds * 1000;
      if (lastSentAt !== undefined && at - lastSentAt < windowMs) {
        return { sent: false, waitSeconds: waitSeconds(lastSentAt, seconds, at) };
      }
      const key = keys.lastSend(roomId, userId);
      try {
        await options.update(
          {
            TableName: tableName,
            Key: { pk: { S: key.pk }, sk: { S: key.sk } },
            UpdateExpression: 'SET sentAt = :now, #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(sentAt) OR sentAt <= :cutoff',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':now': { N: String(at) },
              ':cutoff': { N: String(at - windowMs) },
              ':ttl': { N: String(ttlSeconds(at + windowMs)) },
            },
            // DynamoDB hands back the item that refused the write, so the wait can be exact; where it
            // does not (dynalite), the other message was accepted a moment ago: the whole window.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
          signal,
        );
        return { sent: true };
      } catch (error) {
        // By name, not instanceof: the runtime's SDK copy may not be the class this module sees.
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
        return { sent: false, waitSeconds: waitSeconds(sentAtOf(error) ?? at, seconds, at) };
      }
    },

    async hold(request, signal) {
      const at = now();
      const id = newHeldId();
      const item = heldItem({
        id,
        roomId: request.roomId,
        content: request.content,
        sender: request.sender,
        messageId: request.messageId,
        reason: request.reason,
        heldAt: new Date(at).toISOString(),
        ttl: ttlSeconds(at + options.heldMessageHours * 3_600_000),
      });
      const marshalled: Record<string, AttributeValue> = {};
      for (const [name, value] of Object.entries(item)) marshalled[name] = toAttributeValue(value);
      await options.put(
        {
          TableName: tableName,
          Item: marshalled,
          // 96 random bits never repeat in practice; the condition makes sure nothing is overwritten.
          ConditionExpression: 'attribute_not_exists(pk)',
        },
        signal,
      );
      return id;
    },
  };
}
