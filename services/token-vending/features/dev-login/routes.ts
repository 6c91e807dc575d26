/**
 * Local mode only: POST /v1/dev/login mints an RS256 JWT for any user (the service is its own
 * identity provider), and GET /.well-known/jwks.json publishes the key it is verified with, through
 * the same JWKS path as production tokens.
 */
import { Router } from 'express';
import type { DevIdentityProvider } from './identity.js';
import { HttpError } from '../../platform/problem.js';
import { jsonBody, requireJson, requireObject } from '../../platform/http.js';
import { parseDevLoginUserId } from '../../platform/input.js';

const DEV_LOGIN_FIELDS = ['userId', 'displayName', 'roles'] as const;

export function parseDevLogin(body: unknown): { userId: string; displayName?: string; roles?: string[] } {
  const value = requireObject(body, DEV_LOGIN_FIELDS);
  const { displayName, roles } = value;
  const userId = parseDevLoginUserId(value.userId);
  if (
    displayName !== undefined &&
    (typeof displayName !== 'string' || displayName.length < 1 || displayName.length > 128)
  ) {
    throw new HttpError(400, 'invalid_body', 'displayName must be a string of 1 to 128 characters');
  }
  if (
    roles !== undefined &&
    (!Array.isArray(roles) ||
      roles.length > 10 ||
      !roles.every((role) => typeof role === 'string' && /^[A-Za-z0-9_:.-]{1,64}$/.test(role)))
  ) {
    throw new HttpError(400, 'invalid_body', 'roles must be an array of at most 10 role names');
  }
  return {
    userId,
    ...(displayName === undefined ? {} : { displayName }),
    ...(roles === undefined ? {} : { roles: roles.map(String) }),
  };
}

export function devLoginRouter(devIdentity: DevIdentityProvider): Router {
  const router = Router();
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(devIdentity.jwks);
  });
  router.post('/v1/dev/login', requireJson, jsonBody, (req, res) => {
    const user = parseDevLogin(req.body);
    res.set('Cache-Control', 'no-store').json({ idToken: devIdentity.signIdToken(user) });
  });
  return router;
}
