/**
 * Merging a room's history (`GET /v1/rooms/{roomId}/messages`, newest first) with the messages
 * that arrive live, into the one list the page shows, oldest first. Pure, so it is unit-tested in
 * Node; main.ts keeps the list and re-renders it.
 *
 * The page connects first and fetches history second, so whatever is sent after the connection
 * arrives live and whatever was sent before is in history: nothing falls between the two, and what
 * arrives both ways (sent while the fetch was in flight) appears once, since history keeps the IVS
 * message id the live message carries. In AWS the chat log reaches history about 10 s after a message
 * is sent: messages sent in the last seconds before connecting can be missing from the first fetch, so
 * the page may fetch again after that delay and merge the result: merging is idempotent.
 * A message deleted live (aws:DELETE_MESSAGE) stays out even when a later fetch still returns it.
 */
export interface TimelineMessage {
  /** The IVS message id: the same live and in history. */
  readonly id: string;
  /** An ISO-8601 UTC string (history) or a Date (the messaging SDK). */
  readonly sendTime: string | Date;
}

export interface MergeOptions {
  /** Ids of messages deleted live: never shown, whichever way they come. */
  readonly deleted?: ReadonlySet<string>;
  /** Keep only the newest this many (e.g. the 50 history messages plus what arrives live). */
  readonly max?: number;
}

const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/;

/**
 * A text key that sorts as the time does: IVS sends up to nine fractional digits, the SDK's Date
 * keeps three, so both are padded to nine. An unreadable time sorts first rather than breaking the list.
 */
function timeKey(sendTime: string | Date): string {
  const text =
    typeof sendTime === 'string' ? sendTime : Number.isNaN(sendTime.getTime()) ? '' : sendTime.toISOString();
  const match = ISO_UTC.exec(text);
  if (!match) return '';
  const [, seconds = '', fraction = ''] = match;
  return `${seconds}.${fraction.padEnd(9, '0')}`;
}

/**
 * The displayed list (oldest first) with `incoming` merged in: history pages in any order, or one
 * live message. A message already shown keeps its place and object; deleted ids are dropped.
 */
export function mergeMessages<M extends TimelineMessage>(
  shown: readonly M[],
  incoming: readonly M[],
  options: MergeOptions = {},
): M[] {
  const deleted = options.deleted ?? new Set<string>();
  const byId = new Map<string, M>();
  for (const message of [...shown, ...incoming]) {
    if (deleted.has(message.id) || byId.has(message.id)) continue;
    byId.set(message.id, message);
  }
  const keyed = [...byId.values()].map((message) => ({ message, key: timeKey(message.sendTime) }));
  keyed.sort((a, b) =>
    a.key < b.key
      ? -1
      : a.key > b.key
        ? 1
        : a.message.id < b.message.id
          ? -1
          : a.message.id > b.message.id
            ? 1
            : 0,
  );
  const merged = keyed.map((entry) => entry.message);
  const max = options.max;
  return max !== undefined && max >= 0 && merged.length > max ? merged.slice(merged.length - max) : merged;
}

/** The list without a message deleted live (its id also goes into the `deleted` set kept for later merges). */
export function withoutMessage<M extends TimelineMessage>(shown: readonly M[], messageId: string): M[] {
  return shown.filter((message) => message.id !== messageId);
}
