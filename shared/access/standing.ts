/**
 * A user's standing in a room, from the table's items: the same five keys the token service reads on
 * every token request (room, membership, room ban, timeout, app-wide ban), for the review function
 * and the sweep, which read them with their own clients. Items are plain objects (unmarshalled).
 */
import { keys, type ItemKey } from '../table/keys.js';
import { PRIVACIES, ROOM_ROLES, type CallerFacts, type Privacy, type RoomRole } from './model.js';

export type Item = Readonly<Record<string, unknown>>;

export interface StandingKeys {
  readonly room: ItemKey;
  readonly member: ItemKey;
  readonly roomBan: ItemKey;
  readonly timeout: ItemKey;
  readonly appBan: ItemKey;
}

export function standingKeys(roomId: string, userId: string): StandingKeys {
  return {
    room: keys.room(roomId),
    member: keys.member(roomId, userId),
    roomBan: keys.roomBan(roomId, userId),
    timeout: keys.timeout(roomId, userId),
    appBan: keys.appBan(userId),
  };
}

export interface Restriction {
  readonly until: string | undefined;
  readonly reason: string | undefined;
}

/** A ban or timeout item in force at `now`; expired or malformed ones read as absent. */
export function restrictionInForce(item: Item | undefined, now: number): Restriction | undefined {
  if (item === undefined || typeof item.userId !== 'string') return undefined;
  const until = typeof item.until === 'string' ? item.until : undefined;
  if (until !== undefined && !(Date.parse(until) > now)) return undefined;
  return { until, reason: typeof item.reason === 'string' ? item.reason : undefined };
}

export interface RoomModesView {
  readonly slowModeSeconds: number;
  readonly membersOnlySend: boolean;
  readonly holdForReview: boolean;
}

export interface StandingView {
  /** A room the table does not know is one made outside the API: public, no modes. */
  readonly privacy: Privacy;
  readonly modes: RoomModesView;
  readonly ownerId: string | undefined;
  readonly membership: RoomRole | undefined;
  readonly roomBan: Restriction | undefined;
  readonly appBan: Restriction | undefined;
  readonly timeout: Restriction | undefined;
}

export function standingFromItems(
  items: { readonly [K in keyof StandingKeys]?: Item | undefined },
  userId: string,
  now: number,
): StandingView {
  const room = items.room;
  const privacy = PRIVACIES.find((value) => value === room?.privacy) ?? 'public';
  const slow = room?.slowModeSeconds;
  const ownerId = typeof room?.ownerId === 'string' ? room.ownerId : undefined;
  const stored = ROOM_ROLES.find((value) => value === items.member?.role);
  return {
    privacy,
    modes: {
      slowModeSeconds: typeof slow === 'number' && Number.isInteger(slow) && slow > 0 ? slow : 0,
      membersOnlySend: room?.membersOnlySend === true,
      holdForReview: room?.holdForReview === true,
    },
    ownerId,
    membership: ownerId !== undefined && ownerId === userId ? 'owner' : stored,
    roomBan: restrictionInForce(items.roomBan, now),
    appBan: restrictionInForce(items.appBan, now),
    timeout: restrictionInForce(items.timeout, now),
  };
}

/** The access model's facts for a user, given what their JWT or token said of their app roles. */
export function factsFrom(
  view: StandingView,
  appRoles: { readonly isAdmin: boolean; readonly appModerator: boolean },
): CallerFacts {
  return {
    signedIn: true,
    isAdmin: appRoles.isAdmin,
    appModerator: appRoles.appModerator,
    membership: view.membership,
    banned: view.roomBan !== undefined || view.appBan !== undefined,
    timedOut: view.timeout !== undefined,
  };
}
