/**
 * How a user id is written as `{userId}` in a path of the token service's API. `me` stands for the
 * caller, so a user whose id is literally `me` needs another spelling, and that spelling must not be
 * another user's id: a leading `~` escapes. Decoding strips one `~`; encoding adds one to `me` and to
 * every id that starts with `~`. So `me` → the caller, `~me` → the user `me`, `~~x` → the user `~x`,
 * and every other id is written as itself. (Percent-encoding does not help: `%6De` decodes to `me`.)
 */
export const SELF = 'me';
const ESCAPE = '~';

export type UserRef = { readonly self: true } | { readonly self: false; readonly userId: string };

/** What a decoded path segment names. */
export function decodeUserPath(segment: string): UserRef {
  if (segment === SELF) return { self: true };
  return { self: false, userId: segment.startsWith(ESCAPE) ? segment.slice(1) : segment };
}

/** The path segment for a user id (before percent-encoding). */
export function encodeUserPath(userId: string): string {
  return userId === SELF || userId.startsWith(ESCAPE) ? `${ESCAPE}${userId}` : userId;
}
