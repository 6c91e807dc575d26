/**
 * Whether the sender may send right now, decided by the access model the token service asks
 * (shared/access/model.ts) from the same five items it reads (shared/access/standing.ts): a room ban,
 * an app-wide ban, a timeout, or no longer being a member of a private room (or of a members-only
 * room) stops a message from a connection opened before the change. A chat token cannot be revoked
 * and the connection it opened stays up; this refusal is what makes access end for sending.
 *
 * The sender's app roles come from the token's `role` attribute, which the token service sets (it is
 * trusted: clients cannot change Sender.Attributes): `admin` is bound by no ban, `moderator` is an
 * app-wide moderator. One strongly consistent BatchGetItem per message (with the sender's last-send
 * item, for slow mode), raced against the review budget by the handler. Enabled when CHAT_TABLE is set; the DynamoDB client comes from the Lambda
 * runtime's SDK and is loaded at init: a static import, so the module is loaded before the runtime
 * takes its first message (an `import()` here went on after init, 0.7-1 s in a fresh worker on a
 * loaded machine, and a first message that came meanwhile waited for it and ran out its budget).
 */
import {
  BatchGetItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { decide } from '../../shared/access/model.js';
import {
  factsFrom,
  standingFromItems,
  standingKeys,
  type Item,
  type StandingView,
} from '../../shared/access/standing.js';
import { againIfDropped } from '../../shared/dropped-connection.js';
import { parseRoomArn } from '../../shared/ivs/arn.js';
import { keys, type ItemKey } from '../../shared/table/keys.js';
import { createRoomModeWrites, type RoomModeWrites } from './room-modes.js';

export type Standing =
  | {
      readonly blocked: false;
      readonly view: StandingView | undefined;
      /** When the sender's last message in the room was accepted (slow mode), epoch ms. */
      readonly lastSentAt?: number | undefined;
    }
  | { readonly blocked: true; readonly reason: string };

export interface Sender {
  readonly userId: string;
  /** The token's `role` attribute (set by the token service). */
  readonly role: string | undefined;
}

export type StandingCheck = (roomArn: string, sender: Sender, signal: AbortSignal) => Promise<Standing>;

/** The reasons a refused sender reads (the same words the service's problem details use). */
export function standingReason(
  kind: 'ban' | 'appBan' | 'timeout' | 'notMember' | 'membersOnly',
  until: string | undefined,
): string {
  const end = until === undefined ? '' : ` until ${until}`;
  switch (kind) {
    case 'timeout':
      return `You are timed out${end}: you can read but not send.`;
    case 'appBan':
      return `You are banned from chat${end}.`;
    case 'ban':
      return `You are banned from this room${end}.`;
    case 'notMember':
      return 'This room is private and you are not a member.';
    case 'membersOnly':
      return 'Only members may send messages in this room.';
  }
}

/** The attributes read: what shared/access/standing.ts looks at, and slow mode's `sentAt`. */
const ATTRIBUTES = [
  'pk',
  'sk',
  'userId',
  'until',
  'reason',
  'role',
  'privacy',
  'ownerId',
  'slowModeSeconds',
  'membersOnlySend',
  'holdForReview',
  'sentAt',
] as const;

/** A low-level item as a plain object: strings, numbers and booleans are all the standing needs. */
function plain(item: Record<string, AttributeValue> | undefined): Item | undefined {
  if (item === undefined) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value.S !== undefined) out[name] = value.S;
    else if (value.N !== undefined) out[name] = Number(value.N);
    else if (value.BOOL !== undefined) out[name] = value.BOOL;
  }
  return out;
}

export type BatchRead = (
  input: BatchGetItemCommandInput,
  signal: AbortSignal,
) => Promise<BatchGetItemCommandOutput>;

export function createStandingCheck(options: {
  tableName: string;
  read: BatchRead;
  now?: () => number;
}): StandingCheck {
  const now = options.now ?? Date.now;
  return async (roomArn, sender, signal) => {
    const roomId = parseRoomArn(roomArn)?.id;
    if (roomId === undefined) return { blocked: false, view: undefined };
    const standing = standingKeys(roomId, sender.userId);
    // The last-send item rides along (slow mode): no second round trip when the room has the mode.
    const lastSend = keys.lastSend(roomId, sender.userId);
    const input: BatchGetItemCommandInput = {
      RequestItems: {
        [options.tableName]: {
          Keys: [
            standing.room,
            standing.member,
            standing.roomBan,
            standing.timeout,
            standing.appBan,
            lastSend,
          ].map((key: ItemKey) => ({ pk: { S: key.pk }, sk: { S: key.sk } })),
          ConsistentRead: true,
          ProjectionExpression: ATTRIBUTES.map((_, index) => `#a${index}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(ATTRIBUTES.map((name, index) => [`#a${index}`, name])),
        },
      },
    };
    // Messages can come minutes apart, so the read is often the first use of a connection the table
    // may just have closed; it fails at once, and the client makes one attempt (no backoff fits the
    // budget): the read is sent once more, on a new connection. Without this, a banned sender's
    // message got the room's fallback (ALLOW by default) now and then.
    const output = await againIfDropped(signal, () => options.read(input, signal));
    if (Object.keys(output.UnprocessedKeys ?? {}).length > 0) throw new Error('unprocessed keys');
    const found = new Map<string, Item>();
    for (const item of output.Responses?.[options.tableName] ?? []) {
      const value = plain(item);
      if (value) found.set(`${String(value.pk)}|${String(value.sk)}`, value);
    }
    const at = (key: { pk: string; sk: string }): Item | undefined => found.get(`${key.pk}|${key.sk}`);
    const view = standingFromItems(
      {
        room: at(standing.room),
        member: at(standing.member),
        roomBan: at(standing.roomBan),
        timeout: at(standing.timeout),
        appBan: at(standing.appBan),
      },
      sender.userId,
      now(),
    );
    const facts = factsFrom(view, {
      isAdmin: sender.role === 'admin',
      appModerator: sender.role === 'moderator',
    });
    const decision = decide(view.modes.membersOnlySend ? 'sendMessageMembersOnly' : 'sendMessage', {
      privacy: view.privacy,
      caller: facts,
    });
    if (decision.allowed) {
      const sentAt = at(lastSend)?.sentAt;
      return {
        blocked: false,
        view,
        lastSentAt: typeof sentAt === 'number' && Number.isFinite(sentAt) ? sentAt : undefined,
      };
    }
    switch (decision.refusal.code) {
      case 'banned':
        return view.appBan
          ? { blocked: true, reason: standingReason('appBan', view.appBan.until) }
          : { blocked: true, reason: standingReason('ban', view.roomBan?.until) };
      case 'timed_out':
        return { blocked: true, reason: standingReason('timeout', view.timeout?.until) };
      case 'room_not_found':
      case 'not_a_member':
        return { blocked: true, reason: standingReason('notMember', undefined) };
      default:
        return {
          blocked: true,
          reason: standingReason(view.privacy === 'private' ? 'notMember' : 'membersOnly', undefined),
        };
    }
  };
}

/** What the review function does with the chat table: the standing read and the modes' writes. */
export interface ReviewTable {
  readonly standing: StandingCheck;
  readonly modes: RoomModeWrites;
}

/** The check against the table named by CHAT_TABLE, or undefined when it is not set. */
export function standingCheckFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): StandingCheck | undefined {
  return reviewTableFromEnv(env, { heldMessageHours: 24 })?.standing;
}

/** The table named by CHAT_TABLE, one client for every call, or undefined when it is not set. */
export function reviewTableFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  options: { readonly heldMessageHours: number },
): ReviewTable | undefined {
  const tableName = env.CHAT_TABLE?.trim();
  if (!tableName) return undefined;
  // Built at init, not on the first message: IVS's 200 ms include the cold start either way.
  const client = new DynamoDBClient({ maxAttempts: 1 });
  const check = createStandingCheck({
    tableName,
    read: (input, signal) => client.send(new BatchGetItemCommand(input), { abortSignal: signal }),
  });
  // The modes' writes are not sent again on a dropped connection (a repeated write could apply
  // twice): they follow the standing read on the connection it has just used (the agent hands out the
  // most recently used one), which the read has sent again if it had to.
  const modes = createRoomModeWrites({
    tableName,
    update: (input, signal) => client.send(new UpdateItemCommand(input), { abortSignal: signal }),
    put: (input, signal) => client.send(new PutItemCommand(input), { abortSignal: signal }),
    heldMessageHours: options.heldMessageHours,
  });
  // One read at init, of keys no room or user has, so that the first message does not pay for the
  // SDK's first request: in a fresh runtime it cost 90-190 ms against 20-40 ms for the next ones
  // (loaded 2-core machine; its code runs for the first time, the connection opens), enough to run
  // out the budget and answer the first message of a banned sender with the fallback.
  // The same holds for the modes' first UpdateItem and PutItem (each command's code runs for the first
  // time): one of each after the read, on a key no room has, with a condition that cannot hold, so
  // DynamoDB refuses them and nothing is written.
  const primingKey = { pk: { S: 'ROOM#primingRead0' }, sk: { S: 'SENT#priming-write' } };
  const refused = { ConditionExpression: 'attribute_exists(pk)' };
  const primingSignal = AbortSignal.timeout(PRIMING_TIMEOUT_MS);
  check(PRIMING_ROOM_ARN, { userId: 'priming-read', role: undefined }, primingSignal)
    .catch(() => undefined)
    .then(() =>
      client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: primingKey,
          UpdateExpression: 'SET sentAt = :zero',
          ExpressionAttributeValues: { ':zero': { N: '0' } },
          ...refused,
        }),
        { abortSignal: primingSignal },
      ),
    )
    .catch(() => undefined)
    .then(() =>
      client.send(new PutItemCommand({ TableName: tableName, Item: primingKey, ...refused }), {
        abortSignal: primingSignal,
      }),
    )
    .catch(() => undefined);
  return { standing: check, modes };
}

/** A well-formed room ARN of no room: IVS room ids are 12 random letters and digits. */
const PRIMING_ROOM_ARN = 'arn:aws:ivschat:us-east-1:000000000000:room/primingRead0';
const PRIMING_TIMEOUT_MS = 5000;
