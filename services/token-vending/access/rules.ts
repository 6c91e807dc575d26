/**
 * Who may do what, in one place. App-wide roles come from the verified JWT through the policy
 * (`adminRoles`, `roomCreatorRoles`); room roles come from memberships (owner, moderator, member).
 * Every route asks here and nowhere else, so "who may add a member" is answered by `mayPutMember`.
 */
import { HttpError } from '../platform/problem.js';
import type { Caller, ChatPolicy } from './chat-policy.js';
import type { RoomRecord } from '../features/rooms/store.js';
import type { RoomRole } from '../features/members/store.js';

export interface Actor {
  /** The JWT `sub`, or a fresh id for an anonymous caller. */
  readonly userId: string;
  readonly signedIn: boolean;
  /** Administers every room (policy `adminRoles`). */
  readonly isAdmin: boolean;
  /** May create rooms (policy `roomCreatorRoles`, and admins). */
  readonly mayCreateRooms: boolean;
}

export function actorOf(policy: ChatPolicy, caller: Caller): Actor {
  if (caller.kind === 'anonymous') {
    return { userId: caller.userId, signedIn: false, isAdmin: false, mayCreateRooms: false };
  }
  const isAdmin = caller.roles.some((role) => policy.adminRoles.includes(role));
  return {
    userId: caller.sub,
    signedIn: true,
    isAdmin,
    mayCreateRooms: isAdmin || caller.roles.some((role) => policy.roomCreatorRoles.includes(role)),
  };
}

/** The caller's standing in one room. */
export interface RoomStanding {
  readonly actor: Actor;
  readonly room: RoomRecord;
  /** The caller's room role, if a member. */
  readonly role: RoomRole | undefined;
}

const forbid = (reason: string): HttpError => new HttpError(403, 'forbidden', reason);

/** A private room is invisible to whoever may not read it: the same 404 as a room that does not exist. */
export function mayRead({ actor, room, role }: RoomStanding): boolean {
  return room.privacy === 'public' || actor.isAdmin || role !== undefined;
}

export function assertMayRead(standing: RoomStanding): void {
  if (!mayRead(standing)) throw new HttpError(404, 'room_not_found', 'the room does not exist');
}

/** Owner and admins: change or delete the room, grant and revoke `moderator`. */
export function mayManage({ actor, role }: RoomStanding): boolean {
  return actor.isAdmin || role === 'owner';
}

/** Moderators, owner and admins: add members, bans, timeouts, deletes, events, the moderation log. */
export function mayModerate({ actor, role }: RoomStanding): boolean {
  return actor.isAdmin || role === 'owner' || role === 'moderator';
}

export function assertMayManage(standing: RoomStanding): void {
  assertMayRead(standing);
  if (!mayManage(standing)) throw forbid("only the room's owner or an admin may do this");
}

export function assertMayModerate(standing: RoomStanding): void {
  assertMayRead(standing);
  if (!mayModerate(standing)) throw forbid("only the room's moderators, its owner or an admin may do this");
}

/** Members of a private room see who else is in it; in a public room the list is for moderators. */
export function assertMayListMembers(standing: RoomStanding): void {
  assertMayRead(standing);
  const allowed = standing.room.privacy === 'private' ? true : mayModerate(standing);
  if (!allowed)
    throw forbid("only the room's moderators, its owner or an admin may list a public room's members");
}

/**
 * PUT /v1/rooms/{roomId}/members/{userId}: who may give `targetId` the role `newRole`, given the
 * role they hold now (`current`).
 * - The owner's own role never changes here (403).
 * - Granting `moderator`, or demoting a moderator, is for the owner and admins.
 * - Adding a `member` is for moderators and above; anyone may join a public room as a member
 *   themself (a moderator's self-PUT to `member` is a demotion, so it falls under the rule above).
 */
export function assertMayPutMember(
  standing: RoomStanding,
  targetId: string,
  current: RoomRole | undefined,
  newRole: Exclude<RoomRole, 'owner'>,
): void {
  assertMayRead(standing);
  if (current === 'owner') throw forbid("the owner's role cannot be changed");
  if (newRole === 'moderator' || current === 'moderator') {
    if (!mayManage(standing)) throw forbid("only the room's owner or an admin may grant or revoke moderator");
    return;
  }
  if (mayModerate(standing)) return;
  const joiningSelf = targetId === standing.actor.userId && standing.actor.signedIn;
  if (joiningSelf && standing.room.privacy === 'public') return;
  throw forbid(
    standing.room.privacy === 'private'
      ? "only the room's moderators, its owner or an admin may add members to a private room"
      : 'you may join a public room yourself; adding others is for its moderators',
  );
}

/**
 * DELETE /v1/rooms/{roomId}/members/{userId}: a member may leave; moderators remove members;
 * only the owner and admins remove moderators; the owner cannot be removed (409 for the owner
 * leaving: the room would be left without one; delete the room instead).
 */
export function assertMayRemoveMember(
  standing: RoomStanding,
  targetId: string,
  current: RoomRole | undefined,
): void {
  assertMayRead(standing);
  if (current === 'owner') {
    if (targetId === standing.actor.userId) {
      throw new HttpError(409, 'conflict', 'the owner cannot leave the room; delete the room instead');
    }
    throw forbid("the room's owner cannot be removed");
  }
  if (targetId === standing.actor.userId && standing.actor.signedIn) return;
  if (current === 'moderator') {
    if (!mayManage(standing)) throw forbid("only the room's owner or an admin may remove a moderator");
    return;
  }
  if (!mayModerate(standing))
    throw forbid("only the room's moderators, its owner or an admin may remove members");
}
