/**
 * Held for review: messages the review function held in a room with `holdForReview` on wait here for
 * the room's moderators (GET .../held, oldest first). Approving delivers one as the event
 * `app:approved-message` (a message cannot be sent on someone else's behalf, SendEvent can reach every
 * client) carrying the sender's id, display attributes and text, which the chat-history function
 * records as a message; rejecting drops it. Both decisions go to the moderation log. A held message
 * expires HELD_MESSAGE_HOURS after it was held (its ttl, set by the review function): an expired one is
 * neither listed nor decided.
 */
import { SendEventCommand } from '@aws-sdk/client-ivschat';
import {
  APPROVED_MESSAGE_EVENT,
  approvedMessageAttributes,
} from '../../../../shared/review/approved-message.js';
import {
  isHeldOrderKey,
  type HeldDecision as Decision,
  type HeldRecord,
} from '../../../../shared/table/held.js';
import { actorOf, authorize, loadRoomAccess, type RoomAccess } from '../../access/room-access.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { decodeNextToken, encodeNextToken } from '../../platform/pagination.js';
import { HttpError } from '../../platform/problem.js';
import { callerOf, requestIdOf } from '../../platform/request-context.js';
import { defineRoute, type Route } from '../../platform/route.js';
import { mapIvsError } from '../../platform/upstream-errors.js';
import type { Response } from 'express';
import { RoomParams } from '../rooms/schema.js';
import { appendLog } from '../moderation/log-store.js';
import { HeldDecision, HeldList, HeldParams, HeldQuery, RejectBody } from './schema.js';
import { decideHeld, listHeld, undoDecision } from './store.js';

/** A held message as the API shows it (the table's bookkeeping left out). */
export function apiHeld(held: HeldRecord) {
  return {
    id: held.id,
    content: held.content,
    sender: { userId: held.sender.userId, attributes: { ...held.sender.attributes } },
    heldAt: held.heldAt,
    reason: held.reason,
  };
}

export function heldRoutes(deps: ServiceDeps): Route[] {
  const { ivs, table, policy, logger, clock } = deps;

  const accessOf = (res: Response, roomId: string): Promise<RoomAccess> =>
    loadRoomAccess(deps, roomId, actorOf(policy, callerOf(res)), { adopt: true });

  /** The decision, or the problem saying why there is none to make. */
  const decide = async (roomId: string, heldId: string, decision: Decision, by: string, at: number) => {
    const outcome = await decideHeld(table, roomId, heldId, { decision, by, at });
    if (outcome.ok) return outcome.held;
    if (outcome.held === undefined) {
      throw new HttpError(404, 'not_found', 'no held message with this id in the room (or it expired)');
    }
    throw new HttpError(
      409,
      'conflict',
      `the message was already ${outcome.held.decision ?? 'decided'} by ${outcome.held.decidedBy ?? 'another moderator'}`,
    );
  };

  const decisionBody = (held: HeldRecord, eventId?: string | null) => ({
    id: held.id,
    decision: held.decision ?? 'approved',
    decidedBy: held.decidedBy ?? '',
    decidedAt: held.decidedAt ?? '',
    ...(eventId === undefined ? {} : { eventId }),
  });

  const list = defineRoute({
    operationId: 'listHeldMessages',
    method: 'get',
    path: '/v1/rooms/{roomId}/held',
    tag: 'moderation',
    summary: 'Messages held for review, oldest first',
    description:
      'Messages the review function held (room mode `holdForReview`, the policy\'s `holdTerms` and `links.action: "HOLD"`), not yet decided and not expired (HELD_MESSAGE_HOURS).',
    auth: 'caller',
    params: RoomParams,
    query: HeldQuery,
    responses: { 200: { description: 'A page of held messages', schema: HeldList } },
    problems: [401, 403, 404],
    handler: async ({ params, query, res }) => {
      const access = await accessOf(res, params.roomId);
      authorize('reviewHeld', access);
      const scope = JSON.stringify(['held', access.room.id]);
      const at = clock();
      const after = decodeNextToken(query.nextToken, scope, at, isHeldOrderKey);
      const page = await listHeld(table, access.room.id, { after, limit: query.maxResults, now: at });
      return {
        body: {
          held: page.items.map(apiHeld),
          ...(page.next === undefined ? {} : { nextToken: encodeNextToken(scope, page.next, at) }),
        },
      };
    },
  });

  const approve = defineRoute({
    operationId: 'approveHeldMessage',
    method: 'post',
    path: '/v1/rooms/{roomId}/held/{heldId}/approve',
    tag: 'moderation',
    summary: 'Approve a held message: deliver it to the room',
    description: `Delivers it as the event \`${APPROVED_MESSAGE_EVENT}\` (attributes \`heldId\`, \`userId\`, \`displayName\`, \`text\`, and \`senderAttributes\`: the sender's token attributes as JSON, left out when they would not fit IVS's 1 KB of attributes); chat history records it as a message of its sender. Written to the moderation log. 409 when another moderator decided it first; 404 when it does not exist or expired. When the event cannot be sent the message stays in the queue.`,
    auth: 'caller',
    params: HeldParams,
    responses: { 200: { description: 'Delivered', schema: HeldDecision } },
    problems: [401, 403, 404, 409, 502, 503],
    handler: async ({ params, res }) => {
      const access = await accessOf(res, params.roomId);
      authorize('reviewHeld', access);
      const at = clock();
      const held = await decide(access.room.id, params.heldId, 'approved', access.actor.userId, at);
      const attributes = approvedMessageAttributes({
        heldId: held.id,
        sender: held.sender,
        text: held.content,
      });
      let eventId: string | null;
      try {
        // The review function holds only what fits (it refuses the rest outright): this is a guard.
        if (attributes === undefined) {
          throw new HttpError(409, 'conflict', 'the message is too long to deliver as an event; reject it');
        }
        const sent = await ivs.send(
          new SendEventCommand({
            roomIdentifier: access.room.arn,
            eventName: APPROVED_MESSAGE_EVENT,
            attributes,
          }),
        );
        eventId = sent.id ?? null;
      } catch (error) {
        // Not delivered: back in the queue, so that approving again can deliver it.
        await undoDecision(table, held);
        throw error instanceof HttpError ? error : mapIvsError(error);
      }
      await appendLog(table, access.room.id, {
        time: held.decidedAt ?? new Date(at).toISOString(),
        action: 'approveHeld',
        by: access.actor.userId,
        target: held.sender.userId,
        heldId: held.id,
        messageId: held.messageId === '' ? undefined : held.messageId,
      });
      logger.info('held message approved', { requestId: requestIdOf(res), roomId: access.room.id });
      return { body: decisionBody(held, eventId) };
    },
  });

  const reject = defineRoute({
    operationId: 'rejectHeldMessage',
    method: 'post',
    path: '/v1/rooms/{roomId}/held/{heldId}/reject',
    tag: 'moderation',
    summary: 'Reject a held message: drop it',
    description:
      'Nobody else sees it. The reason, if given, goes to the moderation log (the sender is not told). 409 when another moderator decided it first; 404 when it does not exist or expired.',
    auth: 'caller',
    params: HeldParams,
    body: RejectBody,
    bodyOptional: true,
    responses: { 200: { description: 'Dropped', schema: HeldDecision } },
    problems: [401, 403, 404, 409, 415],
    handler: async ({ params, body, res }) => {
      const access = await accessOf(res, params.roomId);
      authorize('reviewHeld', access);
      const at = clock();
      const held = await decide(access.room.id, params.heldId, 'rejected', access.actor.userId, at);
      await appendLog(table, access.room.id, {
        time: held.decidedAt ?? new Date(at).toISOString(),
        action: 'rejectHeld',
        by: access.actor.userId,
        target: held.sender.userId,
        reason: body.reason,
        heldId: held.id,
        messageId: held.messageId === '' ? undefined : held.messageId,
      });
      logger.info('held message rejected', { requestId: requestIdOf(res), roomId: access.room.id });
      return { body: decisionBody(held) };
    },
  });

  return [list, approve, reject];
}
