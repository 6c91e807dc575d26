/**
 * What a chat token carries, decided by the server: the user id (the JWT `sub`), capabilities, the
 * session cap and attributes. Capabilities are the access model's answers for this caller in this
 * room, within what the caller's app role (the policy) allows.
 */
import type { CallerRole } from '../../../../shared/access/model.js';
import type { ChatTokenCapability } from '../../../../shared/ivs/limits.js';
import { decideFor, type RoomAccess } from '../../access/room-access.js';
import { ANONYMOUS_ROLE, buildAttributes, type ChatPolicy } from '../../access/chat-policy.js';
import type { Caller } from '../../auth/caller.js';

export interface Grant {
  readonly userId: string;
  /** The `role` attribute: the caller's role in the room (the review function reads it). */
  readonly role: string;
  readonly capabilities: readonly ChatTokenCapability[];
  readonly maxSessionMinutes: number;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The token for a caller the access model lets have one (`role`: their role in the room). */
export function grantFor(policy: ChatPolicy, caller: Caller, access: RoomAccess, role: CallerRole): Grant {
  if (caller.kind === 'anonymous') {
    return {
      userId: caller.userId,
      role: ANONYMOUS_ROLE,
      capabilities: [],
      maxSessionMinutes: policy.anonymous.maxSessionMinutes,
      attributes: { role: ANONYMOUS_ROLE, displayName: 'Guest' },
    };
  }
  const appRole = access.actor.appRole;
  const listed = new Set<ChatTokenCapability>(appRole?.capabilities ?? []);
  const may = (action: Parameters<typeof decideFor>[0]): boolean => decideFor(action, access).allowed;
  const sendAction = access.room.modes.membersOnlySend ? 'sendMessageMembersOnly' : 'sendMessage';
  // Room moderators, owners and admins moderate the room whatever their app role lists.
  const moderatesHere = role === 'moderator' || role === 'owner' || role === 'admin';
  const capabilities: ChatTokenCapability[] = [];
  if (listed.has('SEND_MESSAGE') && may(sendAction)) capabilities.push('SEND_MESSAGE');
  if ((moderatesHere || listed.has('DELETE_MESSAGE')) && may('deleteMessage'))
    capabilities.push('DELETE_MESSAGE');
  if ((moderatesHere || listed.has('DISCONNECT_USER')) && may('disconnectUser')) {
    capabilities.push('DISCONNECT_USER');
  }
  const roleName = role === 'nonMember' ? (appRole?.name ?? policy.defaultRole) : role;
  return {
    userId: caller.sub,
    role: roleName,
    capabilities,
    maxSessionMinutes: appRole?.maxSessionMinutes ?? policy.anonymous.maxSessionMinutes,
    attributes: buildAttributes(roleName, caller.sub, caller.claims, policy.attributes),
  };
}
