/**
 * The rooms panel's logic, with no DOM: parsing the service's rooms, sorting them into "My rooms" and
 * "Public rooms", and which actions each room offers. The service decides every permission; these
 * rules only choose which buttons are worth showing (a refused action still shows the problem).
 */
import { IVS_LIMITS, codePointLength } from '../../../shared/ivs/limits.js';
import { isRecord } from '../../../shared/json.js';
import type { ApiRoom } from './api-types.js';
import { parsePinned, type Pinned } from './pinned.js';
import { MODES_OFF, parseModes } from './room-modes.js';

export type Privacy = ApiRoom['privacy'];
export type RoomRole = NonNullable<ApiRoom['myRole']>;
// Checked against the service's schema: a value added there fails here until the page knows it.
export const PRIVACIES = ['public', 'private'] as const satisfies readonly Privacy[];
export const ROOM_ROLES = ['owner', 'moderator', 'member'] as const satisfies readonly RoomRole[];

/**
 * The parts of the service's Room the page uses (`maximumMessageLength` in code points, as IVS counts
 * it; `myRole` null when the caller is not a member), with the pin as optional field made explicit.
 */
export type DemoRoom = Readonly<
  Pick<ApiRoom, 'id' | 'arn' | 'name' | 'privacy' | 'maximumMessageLength' | 'myRole' | 'modes'>
> & { readonly pinned: Pinned | undefined };

export interface RoomPage {
  readonly rooms: readonly DemoRoom[];
  readonly nextToken: string | undefined;
}

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return values.find((candidate) => candidate === value);
}

/** A Room from the service, or undefined when a field the page needs is missing or malformed. */
export function parseRoom(value: unknown): DemoRoom | undefined {
  if (!isRecord(value)) return undefined;
  const { id, arn, name, privacy, maximumMessageLength, myRole } = value;
  const knownPrivacy = oneOf(PRIVACIES, privacy);
  const role = myRole === null ? null : oneOf(ROOM_ROLES, myRole);
  // A service from before room modes sends none: they are off. Malformed ones are not guessed at.
  const modes = value['modes'] === undefined ? MODES_OFF : parseModes(value['modes']);
  const pinned = value['pinned'] === undefined ? undefined : parsePinned(value['pinned']);
  if (
    typeof id !== 'string' ||
    !IVS_LIMITS.resourceId.pattern.test(id) ||
    typeof arn !== 'string' ||
    !arn.endsWith(`:room/${id}`) ||
    typeof name !== 'string' ||
    knownPrivacy === undefined ||
    typeof maximumMessageLength !== 'number' ||
    !Number.isInteger(maximumMessageLength) ||
    maximumMessageLength < IVS_LIMITS.maximumMessageLength.min ||
    maximumMessageLength > IVS_LIMITS.maximumMessageLength.max ||
    role === undefined ||
    modes === undefined ||
    (value['pinned'] !== undefined && pinned === undefined)
  ) {
    return undefined;
  }
  return { id, arn, name, privacy: knownPrivacy, maximumMessageLength, myRole: role, modes, pinned };
}

/** `{"rooms": [Room], "nextToken"?}`; undefined if the shape or any room is not as expected. */
export function parseRoomPage(value: unknown): RoomPage | undefined {
  if (!isRecord(value) || !Array.isArray(value['rooms'])) return undefined;
  const rooms: DemoRoom[] = [];
  for (const item of value['rooms']) {
    const room = parseRoom(item);
    if (room === undefined) return undefined;
    rooms.push(room);
  }
  const nextToken = value['nextToken'];
  if (nextToken !== undefined && typeof nextToken !== 'string') return undefined;
  return { rooms, nextToken };
}

/** Pages read per list: 50 rooms each, so a demo shows up to 200 and says when there are more. */
export const MAX_ROOM_PAGES = 4;

/** Follows `nextToken` for at most `maxPages` pages; `more` says rooms were left unread. */
export async function collectRooms(
  fetchPage: (nextToken: string | undefined) => Promise<RoomPage>,
  maxPages = MAX_ROOM_PAGES,
): Promise<{ rooms: DemoRoom[]; more: boolean }> {
  const rooms: DemoRoom[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await fetchPage(nextToken);
    rooms.push(...answer.rooms);
    nextToken = answer.nextToken;
    if (nextToken === undefined) return { rooms, more: false };
  }
  return { rooms, more: true };
}

/** What a room is called on the page: its name, or its id for a room made without one. */
export function roomTitle(room: Pick<DemoRoom, 'id' | 'name'>): string {
  return room.name === '' ? room.id : room.name;
}

/** The short line under a room's name, e.g. "private · owner" or "public · not joined". */
export function roomDetail(room: Pick<DemoRoom, 'privacy' | 'myRole'>): string {
  return `${room.privacy} · ${room.myRole ?? 'not joined'}`;
}

/** A private room's owner and moderators may add members (the service allows moderators and up). */
export function mayAddMembers(room: Pick<DemoRoom, 'privacy' | 'myRole'> | undefined): boolean {
  return room?.privacy === 'private' && (room.myRole === 'owner' || room.myRole === 'moderator');
}

/**
 * Whether to offer "Create room". The service's default policy lets the `admin` app role create
 * rooms; a deployment may allow other roles, and the service answers 403 to anyone else, which the
 * page shows. So this is a hint for the form, never the decision.
 */
export const ROOM_CREATOR_ROLES: readonly string[] = ['admin'];

export function mayCreateRooms(appRoles: readonly string[]): boolean {
  return appRoles.some((role) => ROOM_CREATOR_ROLES.includes(role));
}

export interface RoomEntry {
  readonly room: DemoRoom;
  readonly title: string;
  readonly detail: string;
  /** The room the chat is connected to. */
  readonly current: boolean;
  /** A public room the caller has not joined. */
  readonly canJoin: boolean;
}

export interface RoomPanel {
  /** Rooms the caller belongs to, in the service's order (newest first). */
  readonly mine: readonly RoomEntry[];
  /** Public rooms the caller has not joined (joined ones are under `mine`, listed once). */
  readonly others: readonly RoomEntry[];
  /** The current room, when either list holds it. */
  readonly current: DemoRoom | undefined;
  /** Show "Add member" for the current room. */
  readonly canAddMembers: boolean;
}

/**
 * The panel from the two lists: `mine` (`memberId=me`) and `visible` (public rooms plus the caller's
 * private ones). A room is listed once; a private room the caller does not belong to is never shown.
 */
export function roomPanel(
  mine: readonly DemoRoom[],
  visible: readonly DemoRoom[],
  currentArn: string | undefined,
): RoomPanel {
  const entry = (room: DemoRoom): RoomEntry => ({
    room,
    title: roomTitle(room),
    detail: roomDetail(room),
    current: room.arn === currentArn,
    canJoin: room.privacy === 'public' && room.myRole === null,
  });
  const member = mine.filter((room) => room.myRole !== null);
  const memberIds = new Set(member.map((room) => room.id));
  const others = visible.filter(
    (room) => room.privacy === 'public' && room.myRole === null && !memberIds.has(room.id),
  );
  const current = [...member, ...others].find((room) => room.arn === currentArn);
  return {
    mine: member.map(entry),
    others: others.map(entry),
    current,
    canAddMembers: mayAddMembers(current),
  };
}

/** Same rule as the service: IVS room names are up to 128 of a-z A-Z 0-9 - _. */
export function validateRoomName(raw: string): { ok: true; name: string } | { ok: false; text: string } {
  const name = raw.trim();
  const { max, pattern } = IVS_LIMITS.roomName;
  if (name === '') return { ok: false, text: 'Enter a room name.' };
  if (name.length > max || !pattern.test(name)) {
    return { ok: false, text: `Use only a-z, A-Z, 0-9, - and _, at most ${max} of them.` };
  }
  return { ok: true, name };
}

/** A user id to add: 1–128 characters with no control characters (the service checks it again). */
export function validateMemberId(raw: string): { ok: true; userId: string } | { ok: false; text: string } {
  const userId = raw.trim();
  const { min, max } = IVS_LIMITS.userIdLength;
  if (userId === '') return { ok: false, text: 'Enter the user id of the person to add.' };
  if (codePointLength(userId) < min || codePointLength(userId) > max || /\p{Cc}/u.test(userId)) {
    return { ok: false, text: `A user id is ${min} to ${max} characters with no control characters.` };
  }
  return { ok: true, userId };
}
