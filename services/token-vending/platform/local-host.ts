/**
 * Local mode only: requests must name a loopback host. The dev login mints an admin's JWT for anyone
 * who asks, so a web page open while `npm start` runs could reach it through DNS rebinding (a name
 * of theirs that resolves to 127.0.0.1): its requests would carry that name as `Host`. Refusing any
 * non-loopback `Host` closes that door; the browser on this machine uses 127.0.0.1 or localhost.
 */
import type { RequestHandler } from 'express';
import { isLoopbackHost } from '../../../shared/loopback.js';
import { HttpError } from './problem.js';

/** The host part of a Host header (`[::1]:3000` → `::1`, `localhost:3000` → `localhost`). */
export function hostName(header: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  return header.replace(/:\d+$/, '');
}

export const loopbackHostOnly: RequestHandler = (req, _res, next) => {
  const host = req.get('host');
  if (host === undefined || !isLoopbackHost(hostName(host))) {
    throw new HttpError(
      421,
      'invalid_request',
      'local mode answers only requests to 127.0.0.1, [::1] or localhost',
    );
  }
  next();
};
