/**
 * Local mode only: POST /v1/dev/login mints an RS256 JWT for any user (the service is its own
 * identity provider), and GET /.well-known/jwks.json publishes the key it is verified with, through
 * the same JWKS path as production tokens.
 */
import * as z from 'zod/mini';
import { body, named, userId } from '../../platform/fields.js';
import { defineRoute, type Route } from '../../platform/route.js';
import type { DevIdentityProvider } from './identity.js';

const ROLE_NAME = /^[A-Za-z0-9_:.-]{1,64}$/;
const rolesError = 'roles must be an array of at most 10 role names';

export const DevLoginBody = named(
  body({
    userId: userId('userId'),
    displayName: z.optional(
      z
        .string({ error: 'displayName must be a string of 1 to 128 characters' })
        .check(
          z.minLength(1, { error: 'displayName must be a string of 1 to 128 characters' }),
          z.maxLength(128, { error: 'displayName must be a string of 1 to 128 characters' }),
        ),
    ),
    roles: z.optional(
      z
        .array(z.string({ error: rolesError }).check(z.regex(ROLE_NAME, { error: rolesError })), {
          error: rolesError,
        })
        .check(z.maxLength(10, { error: rolesError })),
    ),
  }),
  'DevLogin',
);
export const IdToken = named(z.object({ idToken: z.string() }), 'DevIdToken');
const Jwks = named(z.object({ keys: z.array(z.record(z.string(), z.unknown())) }), 'Jwks');

export function devLoginRoutes(devIdentity: DevIdentityProvider): Route[] {
  return [
    defineRoute({
      operationId: 'devJwks',
      method: 'get',
      path: '/.well-known/jwks.json',
      tag: 'dev-login',
      summary: "The dev login's public key (local mode only)",
      auth: 'none',
      responses: { 200: { description: 'A JSON Web Key Set', schema: Jwks } },
      problems: [],
      handler: () => ({ body: devIdentity.jwks, headers: { 'Cache-Control': 'public, max-age=300' } }),
    }),
    defineRoute({
      operationId: 'devLogin',
      method: 'post',
      path: '/v1/dev/login',
      tag: 'dev-login',
      summary: 'Sign in as anyone (local mode only)',
      description:
        "Mints an RS256 app JWT for any user and roles, verified through the same JWKS path as an identity provider's. Only on loopback hosts.",
      auth: 'none',
      body: DevLoginBody,
      responses: { 200: { description: 'An app JWT', schema: IdToken } },
      problems: [415],
      handler: ({ body: user }) => ({
        body: {
          idToken: devIdentity.signIdToken({
            userId: user.userId,
            ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
            ...(user.roles === undefined ? {} : { roles: user.roles }),
          }),
        },
      }),
    }),
  ];
}
