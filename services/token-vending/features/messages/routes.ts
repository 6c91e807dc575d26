/**
 * GET /v1/rooms/{roomId}/messages: a room's recent history, newest first, for late joiners. Readable
 * by exactly those who may get a token for the room: a private room's non-members get 404, a banned
 * user 403. The history Lambda writes it from the room's chat log (lambdas/chat-history).
 */
import { Router, type RequestHandler } from 'express';
import { keys } from '../../../../shared/table/keys.js';
import { actorOf, assertMayRead } from '../../access/rules.js';
import { HttpError } from '../../platform/problem.js';
import { callerOf, integerQuery, onlyQuery, roomIdParam } from '../../platform/http.js';
import { decodeNextToken, encodeNextToken } from '../../platform/pagination.js';
import type { ChatPolicy } from '../../access/chat-policy.js';
import { loadStanding, type DirectoryDeps } from '../rooms/directory.js';
import { HISTORY_LIMIT, InvalidCursorError, isHistoryCursor, listMessages } from './store.js';
import { parseRestriction } from '../moderation/store.js';
import { batchGet, itemAt, run } from '../../platform/table.js';
import { bannedError } from '../chat-tokens/routes.js';

export interface MessagesRouterDeps extends DirectoryDeps {
  readonly policy: ChatPolicy;
  readonly authenticate: RequestHandler;
}

export function messagesRouter(deps: MessagesRouterDeps): Router {
  const { table, policy, clock, authenticate } = deps;
  const router = Router();
  router.get('/v1/rooms/:roomId/messages', authenticate, async (req, res) => {
    const roomId = roomIdParam(req);
    onlyQuery(req, ['limit', 'nextToken']);
    const limit = integerQuery(req, 'limit', HISTORY_LIMIT.min, HISTORY_LIMIT.max, HISTORY_LIMIT.default);
    const actor = actorOf(policy, callerOf(res));
    const scope = JSON.stringify(['messages', roomId]);
    const now = clock();
    const cursor = decodeNextToken(req.query.nextToken, scope, now, isHistoryCursor);
    const standing = await loadStanding(deps, roomId, actor, { adopt: true });
    assertMayRead(standing);
    if (actor.signedIn) {
      const banKey = keys.roomBan(roomId, actor.userId);
      const appBanKey = keys.appBan(actor.userId);
      const items = await batchGet(table.client, table.name, [banKey, appBanKey]);
      const appBan = parseRestriction(itemAt(items, appBanKey), now);
      const ban = appBan ?? parseRestriction(itemAt(items, banKey), now);
      if (ban) throw bannedError(ban, appBan !== undefined);
    }
    let page;
    try {
      page = await run(() => listMessages(table, roomId, { limit, cursor, now }));
    } catch (error) {
      if (error instanceof InvalidCursorError) {
        throw new HttpError(400, 'invalid_next_token', 'nextToken is not a token this listing issued');
      }
      throw error;
    }
    res.set('Cache-Control', 'no-store').json({
      messages: page.messages,
      ...(page.next === undefined ? {} : { nextToken: encodeNextToken(scope, page.next, now) }),
    });
  });
  return router;
}
