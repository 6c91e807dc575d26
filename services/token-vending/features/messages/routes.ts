/**
 * GET /v1/rooms/{roomId}/messages: a room's recent history, newest first, for late joiners. Readable
 * by exactly those who may get a token for the room (the access model's readHistory). The history
 * function writes it from the room's chat log (lambdas/chat-history).
 */
import { actorOf, authorize, loadRoomAccess } from '../../access/room-access.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { decodeNextToken, encodeNextToken } from '../../platform/pagination.js';
import { HttpError } from '../../platform/problem.js';
import { callerOf } from '../../platform/request-context.js';
import { defineRoute, type Route } from '../../platform/route.js';
import { run } from '../../platform/table.js';
import { RoomParams } from '../rooms/schema.js';
import { History, HistoryQuery } from './schema.js';
import { InvalidCursorError, isHistoryCursor, listMessages } from './store.js';

export function messageRoutes(deps: ServiceDeps): Route[] {
  const { table, policy, clock } = deps;
  const history = defineRoute({
    operationId: 'readHistory',
    method: 'get',
    path: '/v1/rooms/{roomId}/messages',
    tag: 'messages',
    summary: "Read a room's history",
    description:
      'Newest first; a deleted message never appears. The same people who may get a token for the room may read it (a private room is a 404 to non-members, a banned user gets 403).',
    auth: 'caller',
    params: RoomParams,
    query: HistoryQuery,
    responses: { 200: { description: 'A page of messages', schema: History } },
    problems: [401, 403, 404],
    handler: async ({ params, query, res }) => {
      const scope = JSON.stringify(['messages', params.roomId]);
      const now = clock();
      const cursor = decodeNextToken(query.nextToken, scope, now, isHistoryCursor);
      const access = await loadRoomAccess(deps, params.roomId, actorOf(policy, callerOf(res)), {
        adopt: true,
      });
      authorize('readHistory', access);
      let page;
      try {
        page = await run(() => listMessages(table, params.roomId, { limit: query.limit, cursor, now }));
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          throw new HttpError(400, 'invalid_next_token', 'nextToken is not a token this listing issued');
        }
        throw error;
      }
      return {
        body: {
          messages: page.messages,
          ...(page.next === undefined ? {} : { nextToken: encodeNextToken(scope, page.next, now) }),
        },
      };
    },
  });
  return [history];
}
