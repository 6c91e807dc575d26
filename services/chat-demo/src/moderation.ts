/**
 * Moderation on the page, with no DOM: who is offered Ban and Time out, the durations offered,
 * parsing the service's bans and timeouts, and the sentences a banned or timed-out user reads. The
 * service decides every permission (a moderator cannot act on the owner, an admin or themself: 403);
 * these rules only choose which buttons are worth showing.
 */
import { IVS_LIMITS, codePointLength } from '../../../shared/ivs/limits.js';
import { isRecord } from '../../../shared/json.js';
import { isIsoTime, nonEmptyString } from './fields.js';
import type { RoomRole } from './rooms.js';
import { describeRequestError, isChatError, timeOfDay, type Feedback, type MessageView } from './view.js';

export const RESTRICTION_KINDS = ['ban', 'timeout'] as const;
export type RestrictionKind = (typeof RESTRICTION_KINDS)[number];

/** A ban or timeout in force, as `GET /v1/rooms/{roomId}/bans|timeouts` lists it. */
export interface Restriction {
  readonly userId: string;
  readonly reason: string | undefined;
  /** ISO end time; none for a permanent ban. */
  readonly until: string | undefined;
  /** The moderator who set it. */
  readonly by: string;
  readonly since: string;
}

export interface RestrictionPage {
  readonly restrictions: readonly Restriction[];
  /** More are in force than this page holds. */
  readonly more: boolean;
}

export function parseRestriction(value: unknown): Restriction | undefined {
  if (!isRecord(value)) return undefined;
  const { userId, reason, until, by, since } = value;
  if (
    !nonEmptyString(userId) ||
    typeof by !== 'string' ||
    !isIsoTime(since) ||
    (reason !== undefined && typeof reason !== 'string') ||
    (until !== undefined && !isIsoTime(until))
  ) {
    return undefined;
  }
  return { userId, reason, until, by, since };
}

/** `{"bans"|"timeouts": [...], "nextToken"?}`; undefined if the shape or any entry is not as expected. */
export function parseRestrictionPage(value: unknown, kind: RestrictionKind): RestrictionPage | undefined {
  const list = isRecord(value) ? value[kind === 'ban' ? 'bans' : 'timeouts'] : undefined;
  if (!isRecord(value) || !Array.isArray(list)) return undefined;
  const restrictions: Restriction[] = [];
  for (const item of list) {
    const restriction = parseRestriction(item);
    if (restriction === undefined) return undefined;
    restrictions.push(restriction);
  }
  return { restrictions, more: typeof value['nextToken'] === 'string' };
}

export interface DurationChoice {
  /** Undefined: permanent (bans only). */
  readonly minutes: number | undefined;
  readonly label: string;
}

/** The service takes 1–10,080 minutes (a week) for a timeout. */
export const TIMEOUT_CHOICES: readonly DurationChoice[] = [
  { minutes: 1, label: '1 minute' },
  { minutes: 10, label: '10 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 1_440, label: '1 day' },
  { minutes: 10_080, label: '1 week' },
];

/** The service takes 1–525,600 minutes (a year) for a ban, or none for a permanent one. */
export const BAN_CHOICES: readonly DurationChoice[] = [
  { minutes: 60, label: '1 hour' },
  { minutes: 1_440, label: '1 day' },
  { minutes: 10_080, label: '1 week' },
  { minutes: 43_200, label: '30 days' },
  { minutes: undefined, label: 'Permanently' },
];

export function durationChoices(kind: RestrictionKind): readonly DurationChoice[] {
  return kind === 'ban' ? BAN_CHOICES : TIMEOUT_CHOICES;
}

/** App roles that administer every room (the service's default policy `adminRoles`). */
export const ADMIN_ROLES: readonly string[] = ['admin'];

/**
 * Whether to offer the moderation routes (bans, timeouts, deletes, the panel): admins, and the room's
 * owner and moderators. An app `moderator` elsewhere keeps what its token allows (Delete, Disconnect).
 */
export function mayModerateRoom(appRoles: readonly string[], roomRole: RoomRole | null | undefined): boolean {
  return (
    appRoles.some((role) => ADMIN_ROLES.includes(role)) || roomRole === 'owner' || roomRole === 'moderator'
  );
}

/**
 * Whether to offer Ban and Time out on a message: never on one's own; an admin on anyone else; others
 * not on senders whose token role (the effective role in the room) is `owner` or an admin role.
 */
export function mayRestrictSender(
  appRoles: readonly string[],
  own: boolean,
  senderRole: string | undefined,
): boolean {
  if (own) return false;
  if (appRoles.some((role) => ADMIN_ROLES.includes(role))) return true;
  return senderRole !== 'owner' && !ADMIN_ROLES.includes(senderRole ?? '');
}

export interface MessageActions {
  readonly delete: boolean;
  readonly restrict: boolean;
  readonly disconnect: boolean;
}

/**
 * The buttons on a message. Where the reader moderates the room through the service (`mayModerateRoom`:
 * logged, and bans outlast the connection), Delete goes through the service and Ban and Time out are
 * offered; elsewhere an app moderator has what its token allows (Delete, Disconnect user).
 */
export function messageActions(
  view: Pick<MessageView, 'own' | 'senderRole' | 'canDelete' | 'canDisconnect'>,
  appRoles: readonly string[],
  moderatesRoom: boolean,
): MessageActions {
  return {
    delete: moderatesRoom || view.canDelete,
    restrict: moderatesRoom && mayRestrictSender(appRoles, view.own, view.senderRole),
    disconnect: !moderatesRoom && view.canDisconnect,
  };
}

/** A moderator's reason: optional; when given, 1–256 characters (the IVS reason limit). */
export function validateReason(
  raw: string,
): { ok: true; reason: string | undefined } | { ok: false; text: string } {
  const reason = raw.trim();
  if (reason === '') return { ok: true, reason: undefined };
  const { max } = IVS_LIMITS.reasonLength;
  if (codePointLength(reason) > max) return { ok: false, text: `Use at most ${max} characters.` };
  return { ok: true, reason };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** An end time in local time: "14:05" today, "3 Feb 14:05" another day, with the year if not this one. */
export function formatUntil(until: Date, now: Date): string {
  const time = timeOfDay(until);
  const sameDay =
    until.getFullYear() === now.getFullYear() &&
    until.getMonth() === now.getMonth() &&
    until.getDate() === now.getDate();
  if (sameDay) return time;
  const year = until.getFullYear() === now.getFullYear() ? '' : ` ${until.getFullYear()}`;
  return `${until.getDate()} ${MONTHS[until.getMonth()] ?? ''}${year} ${time}`;
}

/** What a banned user reads, from the service's 403 `banned` problem. */
export function banText(
  ban: {
    readonly scope: 'room' | 'app';
    readonly until: string | undefined;
    readonly reason: string | undefined;
  },
  now: Date,
): string {
  const where = ban.scope === 'app' ? 'from chat' : 'from this room';
  const end = ban.until === undefined ? ' for good' : ` until ${formatUntil(new Date(ban.until), now)}`;
  const why = ban.reason === undefined ? '' : ` Reason: ${ban.reason}`;
  return `You were banned ${where}${end}.${why}`;
}

/** What a timed-out user reads. */
export function timeoutText(until: string, now: Date): string {
  return `You are timed out until ${formatUntil(new Date(until), now)}: you can read but not send.`;
}

const TIMED_OUT_UNTIL = /timed out until (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)/;

/**
 * The end of a timeout from the review handler's refusal ("You are timed out until <ISO>: …"), the
 * only word a connected user gets of a timeout set after they connected; undefined for other refusals.
 */
export function timeoutUntilFromRefusal(message: string): string | undefined {
  const until = TIMED_OUT_UNTIL.exec(message)?.[1];
  return isIsoTime(until) ? until : undefined;
}

/** What a refused send means, beyond the feedback line. */
export interface SendRefusal {
  readonly feedback: Feedback;
  /** The end of the timeout the review's refusal (406) told of. */
  readonly timedOutUntil: string | undefined;
  /** 403: the token lacks SEND_MESSAGE (fetched during a timeout); a new one tells whether it is over. */
  readonly tokenLacksSend: boolean;
}

/** What the sender reads while the page gets a token that may send again. */
export const RENEWING_TOKEN_TEXT =
  'Not sent: your chat token did not allow sending. Getting a new one; then send again.';

export function sendRefusal(error: unknown, now: Date): SendRefusal {
  const until =
    isChatError(error) && error.errorCode === 406 ? timeoutUntilFromRefusal(error.errorMessage) : undefined;
  return {
    // The review's sentence carries an ISO time: say it in the reader's local time instead.
    feedback:
      until === undefined
        ? describeRequestError(error)
        : { kind: 'denied', text: `Not sent: ${timeoutText(until, now)}` },
    timedOutUntil: until,
    tokenLacksSend: isChatError(error) && error.errorCode === 403,
  };
}

/** One line of the bans-and-timeouts panel: who, and "until 14:05 · spam" or "permanent". */
export function restrictionLine(
  restriction: Restriction,
  names: ReadonlyMap<string, string>,
  now: Date,
): { readonly who: string; readonly detail: string } {
  const name = names.get(restriction.userId);
  const who =
    name === undefined || name === restriction.userId
      ? restriction.userId
      : `${name} (${restriction.userId})`;
  const end =
    restriction.until === undefined ? 'permanent' : `until ${formatUntil(new Date(restriction.until), now)}`;
  return { who, detail: restriction.reason === undefined ? end : `${end} · ${restriction.reason}` };
}

/** The 12-character room id at the end of a room ARN (the service's routes take the id). */
export function roomIdOf(roomArn: string): string | undefined {
  const id = /:room\/([a-zA-Z0-9]{12})$/.exec(roomArn)?.[1];
  return id;
}
