/**
 * Per-request state: the request id, when the request arrived (its budget counts from there) and
 * the authenticated caller. Kept beside the response in a WeakMap rather than in the loosely typed
 * res.locals, so every reader gets a typed value or a clear 500.
 */
import type { Response } from 'express';
import type { Caller } from '../auth/caller.js';
import { HttpError } from './problem.js';

export interface RequestContext {
  readonly requestId: string;
  /** Epoch milliseconds when the request arrived: its budget counts from here. */
  readonly receivedAt: number;
  caller?: Caller;
}

const contexts = new WeakMap<Response, RequestContext>();

export function startContext(res: Response, requestId: string): void {
  contexts.set(res, { requestId, receivedAt: Date.now() });
}

export function contextOf(res: Response): RequestContext {
  const context = contexts.get(res);
  if (!context) throw new HttpError(500, 'internal', 'request context missing');
  return context;
}

export function requestIdOf(res: Response): string | undefined {
  return contexts.get(res)?.requestId;
}

/** The authenticated (or, where allowed, anonymous) caller; `authenticate` runs first. */
export function callerOf(res: Response): Caller {
  const caller = contextOf(res).caller;
  if (!caller) throw new HttpError(500, 'internal', 'caller missing');
  return caller;
}
