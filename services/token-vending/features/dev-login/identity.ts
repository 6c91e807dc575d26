/**
 * Local mode's identity provider: an RSA key generated at startup, its public half published as a
 * JWKS, and RS256 ID tokens for whoever asks. Those tokens are then verified by the same
 * JWKS path as production tokens (the verifier fetches this JWKS over HTTP). Never in AWS mode.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface DevIdentityProvider {
  readonly jwks: { readonly keys: readonly Readonly<Record<string, unknown>>[] };
  signIdToken(user: { userId: string; displayName?: string; roles?: readonly string[] }): string;
}

export interface DevIdentityProviderOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Claim the roles go in, under that exact name (the verifier reads a dotted name as it is first). */
  readonly rolesClaim: string;
  /** Claim holding the display name (default `name`), as AUTH_NAME_CLAIM reads it. */
  readonly nameClaim?: string;
  readonly lifetimeSeconds?: number;
  /** Seconds since the epoch. */
  readonly now?: () => number;
}

export function createDevIdentityProvider(options: DevIdentityProviderOptions): DevIdentityProvider {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = `dev-${randomUUID()}`;
  const jwk = publicKey.export({ format: 'jwk' });
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const lifetime = options.lifetimeSeconds ?? 3600;
  return {
    jwks: { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] },
    signIdToken(user) {
      const iat = now();
      const payload: Record<string, unknown> = {
        sub: user.userId,
        [options.nameClaim ?? 'name']: user.displayName ?? user.userId,
        [options.rolesClaim]: user.roles ?? [],
        iat,
        exp: iat + lifetime,
      };
      return jwt.sign(payload, privateKey satisfies KeyObject, {
        algorithm: 'RS256',
        keyid: kid,
        issuer: options.issuer,
        audience: options.audience,
      });
    },
  };
}
