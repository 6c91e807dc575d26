/**
 * The room's live-stream modes on the page, with no DOM: reading them (from the room, config.json or
 * the `app:modes` event), the small line everyone sees, the slow-mode countdown, and what the review
 * function's refusals say about slow mode and held messages. The service and the review function
 * decide; the page only explains and counts down.
 */
import { isRecord } from '../../../shared/json.js';
import type { ChatTokenCapability } from '../../../shared/ivs/limits.js';
import type { ApiRoomModes } from './api-types.js';
import { mayModerateRoom } from './moderation.js';
import type { Privacy, RoomRole } from './rooms.js';

export type RoomModes = ApiRoomModes;

/** The room's modes when nothing says otherwise: all off. */
export const MODES_OFF: RoomModes = { slowModeSeconds: 0, membersOnlySend: false, holdForReview: false };

/** The service takes 0 (off) to 3,600 seconds (contract version 3, room modes). */
export const SLOW_MODE_MAX_SECONDS = 3600;

/** The event the service announces a change of modes with (attributes are strings, as IVS carries them). */
export const MODES_EVENT = 'app:modes';

function slowSeconds(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= SLOW_MODE_MAX_SECONDS
    ? value
    : undefined;
}

/** A Room's `modes` (or config.json's); undefined when any field is missing or out of range. */
export function parseModes(value: unknown): RoomModes | undefined {
  if (!isRecord(value)) return undefined;
  const slowModeSeconds = slowSeconds(value['slowModeSeconds']);
  const { membersOnlySend, holdForReview } = value;
  if (
    slowModeSeconds === undefined ||
    typeof membersOnlySend !== 'boolean' ||
    typeof holdForReview !== 'boolean'
  ) {
    return undefined;
  }
  return { slowModeSeconds, membersOnlySend, holdForReview };
}

function flag(value: string | undefined): boolean | undefined {
  return value === 'true' ? true : value === 'false' ? false : undefined;
}

/**
 * The modes an `app:modes` event announces (`slowModeSeconds`, `membersOnlySend`, `holdForReview` as
 * strings, all three every time); undefined when the attributes are not that.
 */
export function modesFromEvent(
  attributes: Readonly<Record<string, string>> | undefined,
): RoomModes | undefined {
  const text = attributes?.['slowModeSeconds'];
  const slowModeSeconds =
    text !== undefined && /^\d{1,4}$/.test(text) ? slowSeconds(Number(text)) : undefined;
  const membersOnlySend = flag(attributes?.['membersOnlySend']);
  const holdForReview = flag(attributes?.['holdForReview']);
  if (slowModeSeconds === undefined || membersOnlySend === undefined || holdForReview === undefined) {
    return undefined;
  }
  return { slowModeSeconds, membersOnlySend, holdForReview };
}

/** The small line everyone sees, one part per mode that is on (none when all are off). */
export function modesSummary(modes: RoomModes): string[] {
  const parts: string[] = [];
  if (modes.slowModeSeconds > 0) parts.push(`Slow mode: ${modes.slowModeSeconds} s`);
  if (modes.membersOnlySend) parts.push('Members only');
  if (modes.holdForReview) parts.push('Messages may be held for review');
  return parts;
}

/** The notice in the chat when a moderator changed the modes: what is on now, or that all are off. */
export function modesChangeNotice(modes: RoomModes): string {
  const parts = modesSummary(modes);
  return parts.length === 0 ? 'Room modes are off.' : `Room modes now: ${parts.join(' · ')}.`;
}

/** The modes form's slow-mode field: whole seconds, 1 to 3,600 (0 is the unchecked box). */
export function validateSlowModeSeconds(
  raw: string,
): { ok: true; seconds: number } | { ok: false; text: string } {
  const text = raw.trim();
  const seconds = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > SLOW_MODE_MAX_SECONDS) {
    return { ok: false, text: `Slow mode takes whole seconds from 1 to ${SLOW_MODE_MAX_SECONDS}.` };
  }
  return { ok: true, seconds };
}

/**
 * Whether slow mode spares this user: the room's owner and moderators, and admins, are exempt
 * (contract version 3). The same rule as the moderation tools.
 */
export function exemptFromSlowMode(
  appRoles: readonly string[],
  roomRole: RoomRole | null | undefined,
): boolean {
  return mayModerateRoom(appRoles, roomRole);
}

const SLOW_MODE_WAIT = /slow mode: wait (\d{1,5}) ?s\b/i;

/**
 * The seconds to wait from the review function's slow-mode refusal ("Slow mode: wait N s …");
 * undefined for any other refusal.
 */
export function slowModeWaitFromRefusal(message: string): number | undefined {
  const seconds = SLOW_MODE_WAIT.exec(message)?.[1];
  if (seconds === undefined) return undefined;
  const value = Number(seconds);
  return value > 0 ? value : undefined;
}

/** Whether a refusal says the message was held and waits for a moderator (it is not lost). */
export function isHeldRefusal(message: string): boolean {
  return /\bwait(?:s|ing)? for a moderator\b|\bheld for (?:a moderator|review)\b/i.test(message);
}

/** Whole seconds left until `untilMs` (rounded up, so "1 s" shows until the end), 0 once over. */
export function secondsLeft(untilMs: number, nowMs: number): number {
  return untilMs > nowMs ? Math.ceil((untilMs - nowMs) / 1000) : 0;
}

/** The composer's countdown line while slow mode holds the user back. */
export function countdownText(seconds: number): string {
  return `Slow mode: you can send again in ${seconds} s.`;
}

/** When, after a message delivered at `sentAtMs`, the user may send again (undefined: not held back). */
export function slowModeUntil(modes: RoomModes, exempt: boolean, sentAtMs: number): number | undefined {
  return exempt || modes.slowModeSeconds === 0 ? undefined : sentAtMs + modes.slowModeSeconds * 1000;
}

/** What a signed-in user who may not send in a members-only room reads, and whether Join can help. */
export interface MembersOnlyNotice {
  readonly text: string;
  /** A public room: joining as a member (PUT …/members/me) gives a token that may send. */
  readonly canJoin: boolean;
}

/**
 * The members-only notice, when it explains why this token cannot send: the room sends to members
 * only, the caller is not one, and the token lacks SEND_MESSAGE. A viewer (whose role never sends)
 * and a timed-out user have their own notes.
 */
export function membersOnlyNotice(situation: {
  readonly modes: RoomModes;
  readonly capabilities: readonly ChatTokenCapability[];
  readonly roomRole: RoomRole | null | undefined;
  readonly privacy: Privacy | undefined;
  readonly appRoles: readonly string[];
  readonly timedOut: boolean;
}): MembersOnlyNotice | undefined {
  const { modes, capabilities, roomRole, privacy, appRoles, timedOut } = situation;
  const viewerOnly = appRoles.length > 0 && appRoles.every((role) => role === 'viewer');
  if (
    !modes.membersOnlySend ||
    capabilities.includes('SEND_MESSAGE') ||
    timedOut ||
    viewerOnly ||
    (roomRole !== null && roomRole !== undefined)
  ) {
    return undefined;
  }
  return { text: 'Only members may send here.', canJoin: privacy === 'public' };
}

/** Whether a refusal is the review function's members-only backstop (a token fetched before the mode). */
export function isMembersOnlyRefusal(message: string): boolean {
  return /only members may send/i.test(message);
}
