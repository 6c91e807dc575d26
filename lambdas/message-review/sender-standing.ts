/**
 * Whether the sender may send right now: a room ban, an app-wide ban or a timeout recorded by the
 * token service in the chat table stops a message from a connection opened before it (a token is
 * single-use, but the connection it opened stays up; IVS has no mute). One strongly consistent
 * BatchGetItem per message, raced against the review budget by the handler. Enabled when CHAT_TABLE
 * is set; the DynamoDB client comes from the Lambda runtime's SDK and is loaded once, at init: a
 * static import, so the module is loaded before the runtime takes its first message (an `import()`
 * here went on after init, 0.7-1 s in a fresh worker on a loaded machine, and a first message that
 * came meanwhile waited for it and ran out its budget).
 */
import {
  BatchGetItemCommand,
  DynamoDBClient,
  type BatchGetItemCommandInput,
  type BatchGetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';

export type Standing = { readonly blocked: false } | { readonly blocked: true; readonly reason: string };
export type StandingCheck = (roomArn: string, userId: string, signal: AbortSignal) => Promise<Standing>;

const ROOM_ID = /:room\/([a-zA-Z0-9]{12})$/;

/** The reasons a refused sender reads (the same words the service's problem details use). */
export function standingReason(kind: 'ban' | 'appBan' | 'timeout', until: string | undefined): string {
  const end = until === undefined ? '' : ` until ${until}`;
  if (kind === 'timeout') return `You are timed out${end}: you can read but not send.`;
  return kind === 'appBan' ? `You are banned from chat${end}.` : `You are banned from this room${end}.`;
}

type Item = Record<string, { S?: string | undefined } | undefined>;

function inForce(item: Item | undefined, now: number): { until: string | undefined } | undefined {
  if (!item) return undefined;
  const until = item.until?.S;
  if (until !== undefined && !(Date.parse(until) > now)) return undefined;
  return { until };
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
  return async (roomArn, userId, signal) => {
    const roomId = ROOM_ID.exec(roomArn)?.[1];
    if (roomId === undefined) return { blocked: false };
    const keys = {
      ban: { pk: `ROOM#${roomId}`, sk: `BAN#${userId}` },
      timeout: { pk: `ROOM#${roomId}`, sk: `TIMEOUT#${userId}` },
      appBan: { pk: `USER#${userId}`, sk: 'BAN' },
    };
    const output = await options.read(
      {
        RequestItems: {
          [options.tableName]: {
            Keys: Object.values(keys).map((key) => ({ pk: { S: key.pk }, sk: { S: key.sk } })),
            ConsistentRead: true,
            ProjectionExpression: 'pk, sk, #until',
            ExpressionAttributeNames: { '#until': 'until' },
          },
        },
      },
      signal,
    );
    if (Object.keys(output.UnprocessedKeys ?? {}).length > 0) throw new Error('unprocessed keys');
    const found = new Map<string, Item>();
    for (const item of output.Responses?.[options.tableName] ?? []) {
      found.set(`${item.pk?.S ?? ''}|${item.sk?.S ?? ''}`, item);
    }
    const at = now();
    for (const kind of ['appBan', 'ban', 'timeout'] as const) {
      const key = keys[kind];
      const restriction = inForce(found.get(`${key.pk}|${key.sk}`), at);
      if (restriction) return { blocked: true, reason: standingReason(kind, restriction.until) };
    }
    return { blocked: false };
  };
}

/** The check against the table named by CHAT_TABLE, or undefined when it is not set. */
export function standingCheckFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): StandingCheck | undefined {
  const tableName = env.CHAT_TABLE?.trim();
  if (!tableName) return undefined;
  // Built at init, not on the first message: IVS's 200 ms include the cold start either way.
  const client = new DynamoDBClient({ maxAttempts: 1 });
  const check = createStandingCheck({
    tableName,
    read: (input, signal) => client.send(new BatchGetItemCommand(input), { abortSignal: signal }),
  });
  // One read at init, of keys no room or user has, so that the first message does not pay for the
  // SDK's first request: in a fresh runtime it cost 90-190 ms against 20-40 ms for the next ones
  // (loaded 2-core machine; its code runs for the first time, the connection opens), enough to run
  // out the budget and answer the first message of a banned sender with the fallback.
  check(PRIMING_ROOM_ARN, 'priming-read', AbortSignal.timeout(PRIMING_TIMEOUT_MS)).catch(() => undefined);
  return check;
}

/** A well-formed room ARN of no room: IVS room ids are 12 random letters and digits. */
const PRIMING_ROOM_ARN = 'arn:aws:ivschat:us-east-1:000000000000:room/primingRead0';
const PRIMING_TIMEOUT_MS = 5000;
