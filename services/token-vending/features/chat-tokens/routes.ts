/**
 * POST /v1/chat-tokens: a chat token for one room, with capabilities, session cap, user id and
 * attributes decided here from the verified identity, the policy and the caller's standing in the
 * room (the access model, one strongly consistent table read), never from the body.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import { parseRoomArn } from '../../../../shared/ivs/arn.js';
import { IVS_LIMITS } from '../../../../shared/ivs/limits.js';
import { actorOf, authorize, loadRoomAccess } from '../../access/room-access.js';
import type { ServiceDeps } from '../../platform/deps.js';
import { HttpError } from '../../platform/problem.js';
import { callerOf, requestIdOf } from '../../platform/request-context.js';
import { defineRoute, type Route } from '../../platform/route.js';
import { mapIvsError, mapTableError } from '../../platform/upstream-errors.js';
import type { Caller } from '../../auth/caller.js';
import { ADMISSION_TICKET_HEADER, type Admission, type AdmissionOutcome } from './admission.js';
import { grantFor } from './grant.js';
import { ChatToken, TokenRequest } from './schema.js';
import { recordSession } from './sessions-store.js';

/** Slack on the recorded session end: IVS issues the token a moment after this request's clock reads. */
const SESSION_END_MARGIN_MS = 60_000;

export interface ChatTokenDeps extends ServiceDeps {
  readonly allowAnonymous: boolean;
  /** The per-caller token limit (token-limit.ts), run after authentication. */
  readonly limits: readonly RequestHandler[];
  /** Admission at IVS's CreateChatToken quota (admission.ts); none: every call goes to IVS at once. */
  readonly admission?: Admission | undefined;
}

/** Room roles served before the queue (admission.ts): those who run the room, and admins. */
const FIRST_IN_LINE: ReadonlySet<string> = new Set(['owner', 'moderator', 'admin']);

/** Who a ticket is for: the user, or an anonymous caller's address (as the per-user limit counts them). */
function ticketCaller(caller: Caller, req: Request): string {
  return caller.kind === 'user' ? `sub:${caller.sub}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
}

/** 503 `upstream_busy`: when to come back, and the ticket that keeps the caller's place. */
function busyError(outcome: Extract<AdmissionOutcome, { admitted: false }>): HttpError {
  const seconds = outcome.retryAfterSeconds;
  const message =
    outcome.ticket === undefined
      ? `the chat service is at its token rate and its queue is full; retry in ${seconds} s`
      : `the chat service is at its token rate; retry in ${seconds} s with the ${ADMISSION_TICKET_HEADER} header of this answer (your place is kept)`;
  return new HttpError(503, 'upstream_busy', message, {
    expose: true,
    headers: {
      'Retry-After': String(seconds),
      ...(outcome.ticket === undefined ? {} : { [ADMISSION_TICKET_HEADER]: outcome.ticket }),
    },
  });
}

export function chatTokenRoutes(deps: ChatTokenDeps): Route[] {
  const { ivs, table, policy, logger, clock } = deps;
  const issue = defineRoute({
    operationId: 'createChatToken',
    method: 'post',
    path: '/v1/chat-tokens',
    tag: 'chat-tokens',
    summary: 'Issue an IVS Chat token for the caller',
    description:
      "Capabilities, session cap, user id (the JWT sub) and attributes are decided by the server from the verified JWT, the policy and the caller's standing in the room; a body naming any of them is refused. A private room gives non-members 403 `not_a_member`." +
      (deps.allowAnonymous ? ' Callers without a JWT get a view-only token.' : '') +
      ` At IVS's token rate the answer is 503 \`upstream_busy\` with \`Retry-After\` and an \`${ADMISSION_TICKET_HEADER}\` header: send that header back with the same request after Retry-After seconds (it is honoured up to a minute after that) and it is served (room owners, moderators and admins are served at once).`,
    auth: 'caller',
    body: TokenRequest,
    unknownFieldHint: '; the server decides capabilities, user id and attributes',
    before: deps.limits,
    responses: {
      200: {
        description: 'A chat token, in the shape the messaging SDK tokenProvider wants',
        schema: ChatToken,
      },
    },
    problems: [401, 403, 404, 413, 415, 429, 502, 503],
    handler: async ({ body: request, req, res }) => {
      const caller = callerOf(res);
      const actor = actorOf(policy, caller);
      if (policy.allowedRooms && !policy.allowedRooms.includes(request.roomIdentifier)) {
        throw new HttpError(403, 'forbidden', 'this room is not open for chat tokens');
      }
      if (actor.signedIn && actor.appRole === undefined) {
        throw new HttpError(403, 'forbidden', 'your role may not join chat');
      }
      const roomId = parseRoomArn(request.roomIdentifier)?.id ?? '';
      // The room, the caller's membership, bans and timeout in one round trip; a room made outside the
      // API is recorded on first sight, decided as the room directory decides.
      const access = await loadRoomAccess(deps, roomId, actor, { adopt: true, arn: request.roomIdentifier });
      const role = authorize('getToken', access);
      const grant = grantFor(policy, caller, access, role);
      const sessionDurationInMinutes = Math.min(
        request.sessionDurationInMinutes ?? IVS_LIMITS.sessionDurationMinutes.default,
        grant.maxSessionMinutes,
      );
      // Past the access checks, so no one waits for a place only to be refused; a place booked is
      // a call made (or a caller told when to make it).
      let admittedVia: string = 'off';
      if (deps.admission) {
        const outcome = await deps.admission.admit({
          subject: { caller: ticketCaller(caller, req), roomArn: request.roomIdentifier },
          priority: FIRST_IN_LINE.has(role),
          ticket: req.get(ADMISSION_TICKET_HEADER),
        });
        if (!outcome.admitted) throw busyError(outcome);
        admittedVia = outcome.via;
        // The call's place on the pace, at most a second away: waited here, not by another round trip.
        if (outcome.waitMs > 0) await sleep(outcome.waitMs);
      }
      const now = clock();
      // Where the user holds a token, written beside the IVS call (no added wait): bans and
      // revocations reach them there. The end recorded may only grow. Both are awaited, so nothing is
      // left running after the answer; the IVS failure, if any, is the one reported.
      const [created, recorded] = await Promise.allSettled([
        ivs.send(
          new CreateChatTokenCommand({
            roomIdentifier: request.roomIdentifier,
            userId: grant.userId,
            capabilities: [...grant.capabilities],
            sessionDurationInMinutes,
            attributes: grant.attributes,
          }),
        ),
        actor.signedIn
          ? recordSession(
              table,
              grant.userId,
              request.roomIdentifier,
              // IVS counts the session from its own issue time, a moment after this clock's now.
              new Date(now + sessionDurationInMinutes * 60_000 + SESSION_END_MARGIN_MS),
            )
          : Promise.resolve(),
      ]);
      if (created.status === 'rejected') throw mapIvsError(created.reason);
      if (recorded.status === 'rejected') throw mapTableError(recorded.reason);
      const { token, tokenExpirationTime, sessionExpirationTime } = created.value;
      if (
        typeof token !== 'string' ||
        !(tokenExpirationTime instanceof Date) ||
        !(sessionExpirationTime instanceof Date)
      ) {
        throw new HttpError(502, 'upstream_error', 'IVS Chat answered without a token');
      }
      logger.info('chat token issued', {
        requestId: requestIdOf(res),
        role: grant.role,
        capabilities: grant.capabilities,
        sessionDurationInMinutes,
        admission: admittedVia,
      });
      const sendBlockedUntil = access.timeout?.until;
      // A chat token is a bearer credential: never cached (the route's default Cache-Control: no-store).
      return {
        body: {
          token,
          tokenExpirationTime: tokenExpirationTime.toISOString(),
          sessionExpirationTime: sessionExpirationTime.toISOString(),
          userId: grant.userId,
          capabilities: grant.capabilities,
          ...(sendBlockedUntil === undefined || actor.isAdmin ? {} : { sendBlockedUntil }),
        },
      };
    },
  });
  return [issue];
}
