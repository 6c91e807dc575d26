/** /v1/rooms/{roomId}/members: who is in a room and in what role. The rules are the access model's. */
import { actorOf, authorize, loadRoomAccess, resolveUser } from '../../access/room-access.js';
import { revokeAccess } from '../../access/revocations.js';
import { userIdProblem } from '../../auth/user-id.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { decodeNextToken, encodeNextToken } from '../../platform/pagination.js';
import { callerOf, requestIdOf } from '../../platform/request-context.js';
import { defineRoute, type Route } from '../../platform/route.js';
import { appendLog } from '../moderation/log-store.js';
import { RoomParams } from '../rooms/schema.js';
import { MemberList, MemberParams, MembersQuery, Member, PutMemberBody } from './schema.js';
import { deleteMembership, putMembership, queryMembers } from './store.js';

export function memberRoutes(deps: ServiceDeps): Route[] {
  const { table, policy, logger, clock } = deps;

  const listMembers = defineRoute({
    operationId: 'listMembers',
    method: 'get',
    path: '/v1/rooms/{roomId}/members',
    tag: 'members',
    summary: "List a room's members",
    description:
      "Members of a private room see who else is in it; a public room's list is for its moderators.",
    auth: 'caller',
    params: RoomParams,
    query: MembersQuery,
    responses: { 200: { description: 'A page of members, in user-id order', schema: MemberList } },
    problems: [401, 403, 404],
    handler: async ({ params, query, res }) => {
      const access = await loadRoomAccess(deps, params.roomId, actorOf(policy, callerOf(res)), {
        adopt: false,
      });
      authorize('listMembers', access);
      const scope = JSON.stringify(['members', params.roomId]);
      const now = clock();
      const after = decodeNextToken(query.nextToken, scope, now, (id) => userIdProblem(id) === undefined);
      const page = await queryMembers(table, params.roomId, { after, limit: query.maxResults });
      const last = page.items.at(-1);
      return {
        body: {
          members: page.items.map(({ userId, role, since }) => ({ userId, role, since })),
          ...(page.more && last ? { nextToken: encodeNextToken(scope, last.userId, now) } : {}),
        },
      };
    },
  });

  const putMember = defineRoute({
    operationId: 'putMember',
    method: 'put',
    path: '/v1/rooms/{roomId}/members/{userId}',
    tag: 'members',
    summary: 'Add a member, join, or set a role',
    description:
      'Anyone signed in may join a public room as a member themself; moderators add members; only the owner and admins grant or revoke moderator. `{userId}` may be `me`; the user whose id is literally `me` is `~me` (a leading `~` escapes).',
    auth: 'caller',
    params: MemberParams,
    body: PutMemberBody,
    responses: {
      200: { description: 'The role changed (or was already so)', schema: Member },
      201: { description: 'The user became a member', schema: Member },
    },
    problems: [401, 403, 404, 415],
    handler: async ({ params, body, res }) => {
      const actor = actorOf(policy, callerOf(res));
      const target = resolveUser(params.userId, actor);
      const access = await loadRoomAccess(deps, params.roomId, actor, { adopt: true, target });
      authorize(body.role === 'moderator' ? 'grantModerator' : 'addMember', access);
      const now = new Date(clock()).toISOString();
      const { membership, created } = await putMembership(table, access.room, target.userId, body.role, now);
      // Joining a public room oneself is not moderation; granting a role to someone else is.
      if (!target.self) {
        await appendLog(table, params.roomId, {
          time: now,
          action: 'setRole',
          by: actor.userId,
          target: target.userId,
          reason: body.role,
        });
      }
      logger.info(created ? 'member added' : 'member role set', {
        requestId: requestIdOf(res),
        roomId: params.roomId,
        role: body.role,
      });
      return {
        status: created ? 201 : 200,
        body: { userId: membership.userId, role: membership.role, since: membership.since },
      };
    },
  });

  const removeMember = defineRoute({
    operationId: 'removeMember',
    method: 'delete',
    path: '/v1/rooms/{roomId}/members/{userId}',
    tag: 'members',
    summary: 'Remove a member, or leave',
    description:
      "A member may leave; moderators remove members; only the owner and admins remove moderators; the owner cannot be removed, nor leave (409: delete the room instead). Out of a private room means out of its chat: the user's connections close now and again whenever they reconnect with an older token, until every token issued to them there has expired.",
    auth: 'caller',
    params: MemberParams,
    responses: { 204: { description: 'Removed (or was not a member)' } },
    problems: [401, 403, 404, 409, 502, 503],
    handler: async ({ params, res }) => {
      const actor = actorOf(policy, callerOf(res));
      const target = resolveUser(params.userId, actor);
      const access = await loadRoomAccess(deps, params.roomId, actor, { adopt: false, target });
      authorize(target.self ? 'leaveRoom' : 'removeMember', access);
      const existed = access.target?.role !== 'nonMember';
      await deleteMembership(table, params.roomId, target.userId);
      if (!target.self && existed) {
        await appendLog(table, params.roomId, {
          time: new Date(clock()).toISOString(),
          action: 'removeMember',
          by: actor.userId,
          target: target.userId,
        });
      }
      if (access.room.privacy === 'private') await revokeAccess(deps, access.room, target.userId);
      logger.info('member removed', { requestId: requestIdOf(res), roomId: params.roomId, existed });
      return { status: 204 };
    },
  });

  return [listMembers, putMember, removeMember];
}
