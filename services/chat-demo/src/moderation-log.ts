/**
 * The moderation log on the page, with no DOM: parsing `GET /v1/rooms/{roomId}/moderation-log`
 * (newest first) and writing each entry as a sentence: who did what to whom, when, why.
 */
import { isRecord } from '../../../shared/json.js';
import type { ApiLogEntry, ApiModerationAction } from './api-types.js';
import { isIsoTime, nonEmptyString } from './fields.js';
import { formatUntil } from './moderation.js';

/**
 * An entry as the service sends it, except that `action` may be one this page does not know yet (a
 * newer service): it is kept and shown under its name, so the log stays complete.
 */
export type LogEntry = Omit<ApiLogEntry, 'action'> & { readonly action: string };

export interface LogPage {
  readonly entries: readonly LogEntry[];
  readonly nextToken: string | undefined;
}

/** Asked for per page (the route takes 1–50). */
export const LOG_PAGE_SIZE = 25;

function optionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

/** One entry; undefined when it is malformed. */
export function parseLogEntry(value: unknown): LogEntry | undefined {
  if (!isRecord(value)) return undefined;
  const { time, action, by, target, reason, until, messageId, eventName } = value;
  if (
    !isIsoTime(time) ||
    !nonEmptyString(action) ||
    typeof by !== 'string' ||
    !optionalString(target) ||
    !optionalString(reason) ||
    (until !== undefined && !isIsoTime(until)) ||
    !optionalString(messageId) ||
    !optionalString(eventName)
  ) {
    return undefined;
  }
  return {
    time,
    action,
    by,
    ...(target === undefined ? {} : { target }),
    ...(reason === undefined ? {} : { reason }),
    ...(until === undefined ? {} : { until }),
    ...(messageId === undefined ? {} : { messageId }),
    ...(eventName === undefined ? {} : { eventName }),
  };
}

/** `{"entries": [...], "nextToken"?}`; a malformed entry is skipped, a malformed page is undefined. */
export function parseLogPage(value: unknown): LogPage | undefined {
  if (!isRecord(value) || !Array.isArray(value['entries'])) return undefined;
  const nextToken = value['nextToken'];
  if (nextToken !== undefined && typeof nextToken !== 'string') return undefined;
  const entries = value['entries']
    .map(parseLogEntry)
    .filter((entry): entry is LogEntry => entry !== undefined);
  return { entries, nextToken };
}

/** How a user is named in the log: "you", their display name when the page has seen it, else their id. */
export function userLabel(
  userId: string,
  names: ReadonlyMap<string, string>,
  selfUserId: string | undefined,
): string {
  if (userId === selfUserId) return 'you';
  const name = names.get(userId);
  return name === undefined || name === userId ? userId : `${name} (${userId})`;
}

const MODE_NAMES: Readonly<Record<string, (value: string) => string>> = {
  slowModeSeconds: (value) => (value === '0' ? 'slow mode off' : `slow mode ${value} s`),
  membersOnlySend: (value) => (value === 'true' ? 'members only on' : 'members only off'),
  holdForReview: (value) => (value === 'true' ? 'held for review on' : 'held for review off'),
};

/** `setModes` logs its change as "slowModeSeconds=10 membersOnlySend=true": said in words. */
export function describeModeChange(reason: string): string {
  return reason
    .split(/\s+/)
    .filter((part) => part !== '')
    .map((part) => {
      const [key = '', value = ''] = part.split('=');
      return MODE_NAMES[key]?.(value) ?? part;
    })
    .join(', ');
}

/** Capitalised for the start of a sentence ("you" → "You"). */
function sentenceStart(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

interface LineParts {
  readonly entry: LogEntry;
  /** The moderator, at the start of the sentence ("You" for the reader). */
  readonly who: string;
  /** The user it concerned ("someone" when the entry names none). */
  readonly whom: string;
  /** " from <whom>" when the entry names a user, else "". */
  readonly from: string;
  /** " until 15:05" when it ends, else "". */
  readonly until: string;
  /** " Reason: …" when one was given, else "". */
  readonly why: string;
}

/**
 * A sentence for every action the service logs. A Record over the schema's union: an action added to
 * the service's log fails the page's type check until it is worded here.
 */
const SENTENCES: Readonly<Record<ApiModerationAction, (parts: LineParts) => string>> = {
  ban: ({ who, whom, entry, until, why }) =>
    `${who} banned ${whom}${entry.until === undefined ? ' for good' : until}.${why}`,
  unban: ({ who, whom }) => `${who} lifted the ban of ${whom}.`,
  timeout: ({ who, whom, until, why }) => `${who} timed out ${whom}${until}.${why}`,
  untimeout: ({ who, whom }) => `${who} lifted the timeout of ${whom}.`,
  deleteMessage: ({ who, from, why }) => `${who} deleted a message${from}.${why}`,
  sendEvent: ({ who, entry }) => `${who} sent the event ${entry.eventName ?? '(unnamed)'}.`,
  removeMember: ({ who, whom }) => `${who} removed ${whom} from the room.`,
  setRole: ({ who, whom, entry }) =>
    `${who} made ${whom} ${entry.reason === 'moderator' ? 'a moderator' : 'a member'}.`,
  setModes: ({ who, entry }) =>
    `${who} changed the room modes: ${describeModeChange(entry.reason ?? '') || 'no change'}.`,
  pin: ({ who, entry }) => `${who} pinned ${entry.messageId === undefined ? 'a text' : 'a message'}.`,
  unpin: ({ who }) => `${who} unpinned the pinned message.`,
  approveHeld: ({ who, from }) => `${who} approved a held message${from}.`,
  rejectHeld: ({ who, from, why }) => `${who} rejected a held message${from}.${why}`,
};

function isKnownAction(action: string): action is ApiModerationAction {
  return Object.hasOwn(SENTENCES, action);
}

/**
 * One entry as a line: when, and the sentence, e.g. "Mia (mia-1f) banned Bob (bob-2c) until 15:05.
 * Reason: spam". Times are the reader's local time.
 */
export function logLine(
  entry: LogEntry,
  names: ReadonlyMap<string, string>,
  selfUserId: string | undefined,
  now: Date,
): { readonly when: string; readonly text: string } {
  const whom = entry.target === undefined ? 'someone' : userLabel(entry.target, names, selfUserId);
  const parts: LineParts = {
    entry,
    who: sentenceStart(userLabel(entry.by, names, selfUserId)),
    whom,
    from: entry.target === undefined ? '' : ` from ${whom}`,
    until: entry.until === undefined ? '' : ` until ${formatUntil(new Date(entry.until), now)}`,
    why: entry.reason === undefined || entry.reason === '' ? '' : ` Reason: ${entry.reason}`,
  };
  const text = isKnownAction(entry.action)
    ? SENTENCES[entry.action](parts)
    : `${parts.who}: ${entry.action}${entry.target === undefined ? '' : ` (${whom})`}.${parts.why}`;
  return { when: formatUntil(new Date(entry.time), now), text };
}
