/**
 * The authentication middleware: verifies the app JWT (or admits an anonymous caller where allowed)
 * and runs the rest of the request under its budget.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { withinRequestBudget } from '../../../shared/aws/deadline.js';
import { REQUEST_BUDGET_MS } from '../config.js';
import { HttpError, unauthorized } from '../platform/problem.js';
import { contextOf } from '../platform/request-context.js';
import type { FailedSignIns } from './failed-sign-ins.js';
import type { TokenVerifier } from './verifier.js';

/**
 * Authenticates the caller, then runs the rest of the request (limits, handler) under the request's
 * budget: every IVS and table call it makes ends by `budgetMs` after the request arrived
 * (shared/aws/deadline.ts), so their deadlines cannot add up past the Lambda timeout. It runs after
 * the body parser, because a stream callback does not carry async context from before it.
 */
export function authenticator(
  verifier: TokenVerifier,
  allowAnonymous: boolean,
  failures?: FailedSignIns,
  budgetMs: number = REQUEST_BUDGET_MS,
): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const context = contextOf(res);
    if (header === undefined) {
      if (!allowAnonymous) throw unauthorized('missing_token', 'send Authorization: Bearer <your app JWT>');
      // IVS needs a userId (1–128 characters) even for a read-only connection.
      context.caller = { kind: 'anonymous', userId: `anonymous-${randomUUID()}` };
      withinRequestBudget(context.receivedAt + budgetMs, next);
      return;
    }
    // Before any parsing or key lookup: a client whose tokens keep failing is shed cheaply.
    failures?.check(req);
    let identity;
    try {
      const match = /^Bearer +([^\s]+) *$/i.exec(header);
      if (!match?.[1]) throw unauthorized('invalid_token', 'the Authorization header must be "Bearer <JWT>"');
      identity = await verifier.verify(match[1]);
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) failures?.failed(req);
      throw error;
    }
    context.caller = { kind: 'user', sub: identity.sub, roles: identity.roles, claims: identity.claims };
    withinRequestBudget(context.receivedAt + budgetMs, next);
  };
}
