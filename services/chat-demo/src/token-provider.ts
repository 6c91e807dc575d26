/**
 * Chat tokens for the messaging SDK: where the page gets them (the token service, with the user's
 * app JWT) and the `tokenProvider` a ChatRoom calls for each connection.
 *
 * How amazon-ivs-chat-messaging 1.1.1 calls the provider (its ChatRoom and ChatConnection source):
 * - once for every connection it opens: on `connect()`, on a reconnect after a socket that was open
 *   broke or the server sent a 401, and before the token expires (a second connection is opened
 *   60 s before `tokenExpirationTime`, or 30 s before when the token lives 60 s or less);
 * - when the provider rejects, or the socket fails before it opens, the SDK calls it again at once
 *   (no delay, no backoff), up to `maxReconnectAttempts` more times (3 by default): four calls per
 *   connection in all, one after the other. Then the room emits `disconnect` with the last failure
 *   (`fetchTokenError` or `socketError`), and a failed token renewal closes the connection that
 *   was still open too;
 * - it waits for the provider's promise however long it takes (the room stays `connecting`), and a
 *   token that arrives after `disconnect()` is dropped.
 * So a provider that should honour `Retry-After` (429 and 503 from the token service) has to wait
 * itself, inside the call, rather than rely on the SDK's retries.
 */
import type { ChatToken, ChatTokenProvider } from 'amazon-ivs-chat-messaging';
import type { ApiClient, ChatTokenGrant, Identity } from './api.js';

/** Fetches one chat token grant; called once per connection the SDK opens. */
export type GrantSource = () => Promise<ChatTokenGrant>;

/** Chat tokens for one user in one room, with the user's JWT (signed in again once on a 401). */
export function chatTokenSource(client: ApiClient, roomArn: string, identity: Identity): GrantSource {
  return () => identity.authorized((idToken) => client.createChatToken(idToken, roomArn));
}

/** What the SDK takes from a grant; the rest (user id, capabilities, timeout) is for the page. */
export function sdkChatToken(grant: ChatTokenGrant): ChatToken {
  return {
    token: grant.token,
    tokenExpirationTime: grant.tokenExpirationTime,
    sessionExpirationTime: grant.sessionExpirationTime,
  };
}

export interface TokenProviderEvents {
  /** A token came: what it allows, and any timeout it carries, are the page's to show. */
  readonly granted: (grant: ChatTokenGrant) => void;
  /** No token: the error is rethrown to the SDK, which calls again or gives up (see above). */
  readonly refused: (error: unknown) => void;
}

/** The ChatRoom's `tokenProvider`: a chat token opens one connection only, so each call fetches one. */
export function createTokenProvider(source: GrantSource, events: TokenProviderEvents): ChatTokenProvider {
  return async () => {
    try {
      const grant = await source();
      events.granted(grant);
      return sdkChatToken(grant);
    } catch (error) {
      events.refused(error);
      throw error;
    }
  };
}
