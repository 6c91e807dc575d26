/** /v1/rooms/{roomId}/members: who is in a room and in what role. The rules are in access.ts. */
import { DisconnectUserCommand } from '@aws-sdk/client-ivschat';
import { Router, type RequestHandler } from 'express';
import { IVS_LIMITS } from '../../../../shared/ivs/limits.js';
import {
  actorOf,
  assertMayListMembers,
  assertMayPutMember,
  assertMayRemoveMember,
} from '../../access/rules.js';
import { HttpError, mapIvsError } from '../../platform/problem.js';
import {
  callerOf,
  integerQuery,
  isValidUserId,
  jsonBody,
  onlyQuery,
  requestIdOf,
  requireJson,
  requireObject,
  roomIdParam,
  userIdParam,
} from '../../platform/http.js';
import { decodeNextToken, encodeNextToken } from '../../platform/pagination.js';
import type { ChatPolicy } from '../../access/chat-policy.js';
import { loadStanding, memberRole, type DirectoryDeps } from '../rooms/directory.js';
import { deleteMembership, putMembership, queryMembers } from './store.js';
import { appendLog } from '../moderation/store.js';

export interface MembersRouterDeps extends DirectoryDeps {
  readonly policy: ChatPolicy;
  readonly authenticate: RequestHandler;
}

const GRANTABLE = ['member', 'moderator'] as const;

export function membersRouter(deps: MembersRouterDeps): Router {
  const { ivs, table, policy, logger, clock, authenticate } = deps;
  const router = Router();

  router.get('/v1/rooms/:roomId/members', authenticate, async (req, res) => {
    const roomId = roomIdParam(req);
    onlyQuery(req, ['maxResults', 'nextToken']);
    const { min, max } = IVS_LIMITS.listMaxResults;
    const maxResults = integerQuery(req, 'maxResults', min, max, IVS_LIMITS.listMaxResults.default);
    const standing = await loadStanding(deps, roomId, actorOf(policy, callerOf(res)), { adopt: false });
    assertMayListMembers(standing);
    const scope = JSON.stringify(['members', roomId]);
    const now = clock();
    const after = decodeNextToken(req.query.nextToken, scope, now, isValidUserId);
    const page = await queryMembers(table, roomId, { after, limit: maxResults });
    const last = page.items.at(-1);
    res.set('Cache-Control', 'no-store').json({
      members: page.items.map(({ userId, role, since }) => ({ userId, role, since })),
      ...(page.more && last ? { nextToken: encodeNextToken(scope, last.userId, now) } : {}),
    });
  });

  router.put('/v1/rooms/:roomId/members/:userId', requireJson, jsonBody, authenticate, async (req, res) => {
    const roomId = roomIdParam(req);
    const targetId = userIdParam(req, res);
    const body = requireObject(req.body, ['role']);
    const role = GRANTABLE.find((item) => item === body.role);
    if (!role) throw new HttpError(400, 'invalid_body', 'role must be "member" or "moderator"');
    const actor = actorOf(policy, callerOf(res));
    if (!actor.signedIn) throw new HttpError(401, 'missing_token', 'sign in first');
    const standing = await loadStanding(deps, roomId, actor, { adopt: true });
    const current = targetId === actor.userId ? standing.role : await memberRole(deps, roomId, targetId);
    assertMayPutMember(standing, targetId, current, role);
    const now = clock();
    const { membership, created } = await putMembership(
      table,
      standing.room,
      targetId,
      role,
      new Date(now).toISOString(),
    );
    // Joining a public room oneself is not moderation; granting a role to someone else is.
    if (targetId !== actor.userId) {
      await appendLog(table, roomId, {
        time: new Date(now).toISOString(),
        action: 'setRole',
        by: actor.userId,
        target: targetId,
        reason: role,
      });
    }
    logger.info(created ? 'member added' : 'member role set', { requestId: requestIdOf(res), roomId, role });
    res
      .status(created ? 201 : 200)
      .set('Cache-Control', 'no-store')
      .json({ userId: membership.userId, role: membership.role, since: membership.since });
  });

  router.delete('/v1/rooms/:roomId/members/:userId', authenticate, async (req, res) => {
    const roomId = roomIdParam(req);
    const targetId = userIdParam(req, res);
    const actor = actorOf(policy, callerOf(res));
    if (!actor.signedIn) throw new HttpError(401, 'missing_token', 'sign in first');
    const standing = await loadStanding(deps, roomId, actor, { adopt: false });
    const current = targetId === actor.userId ? standing.role : await memberRole(deps, roomId, targetId);
    assertMayRemoveMember(standing, targetId, current);
    await deleteMembership(table, roomId, targetId);
    if (targetId !== actor.userId && current !== undefined) {
      await appendLog(table, roomId, {
        time: new Date(clock()).toISOString(),
        action: 'removeMember',
        by: actor.userId,
        target: targetId,
      });
    }
    // Out of a private room means out of its chat too: their open connections close now (a retry of
    // this DELETE disconnects again if IVS failed the first time; the membership is already gone).
    if (standing.room.privacy === 'private') {
      try {
        await ivs.send(
          new DisconnectUserCommand({
            roomIdentifier: standing.room.arn,
            userId: targetId,
            reason: 'removed from the room',
          }),
        );
      } catch (error) {
        // A room already gone from IVS has no connections left to close.
        if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw mapIvsError(error);
      }
    }
    logger.info('member removed', { requestId: requestIdOf(res), roomId, existed: current !== undefined });
    res.status(204).end();
  });

  return router;
}
