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
 * itself, inside the call, rather than rely on the SDK's retries; and it answers the SDK's immediate
 * calls after a failure with that failure, without a request (each would otherwise cost one).
 *
 * How long to wait: 503 `upstream_busy` means the service is admitting callers at IVS's token rate
 * and has given this one a place: wait exactly `Retry-After` and send the answer's `Admission-Ticket`
 * back, which is then served (two requests in all). Other 429, 502 and 503 answers and network
 * failures: `Retry-After` (2 s without one) times 1 to 2 at random, so a crowd spreads out.
 */
import type { ChatToken, ChatTokenProvider } from 'amazon-ivs-chat-messaging';
import { ApiError, type ApiClient, type ChatTokenGrant, type Identity } from './api.js';

/** Fetches one chat token grant; called once per connection the SDK opens. */
export type GrantSource = () => Promise<ChatTokenGrant>;

export interface RetryOptions {
  /** Retries after a retryable answer (429, 502, 503, no answer); default 3. */
  readonly maxRetries?: number;
  /** The most seconds waited in all before giving up; default 300 (the service's queue horizon). */
  readonly maxWaitSeconds?: number;
  /** Waits `ms` (tests pass a recording one). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter. */
  readonly random?: () => number;
}

/** Seconds waited after a retryable answer without Retry-After (a network failure, a bare 502). */
const DEFAULT_RETRY_SECONDS = 2;
const RETRYABLE_STATUSES: ReadonlySet<number | undefined> = new Set([429, 502, 503]);

/** How long to wait before asking again after `error`, and the ticket to send then; none: give up. */
export function retryPlan(
  error: unknown,
  random: () => number,
): { readonly seconds: number; readonly ticket: string | undefined } | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.code !== 'NETWORK_ERROR' && !RETRYABLE_STATUSES.has(error.status)) return undefined;
  const retryAfter = error.retryAfterSeconds ?? DEFAULT_RETRY_SECONDS;
  // The service placed this caller in its queue: its Retry-After is the caller's time, to the second.
  if (error.problemCode === 'upstream_busy') return { seconds: retryAfter, ticket: error.admissionTicket };
  return { seconds: retryAfter * (1 + random()), ticket: undefined };
}

const sleepFor = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Chat tokens for one user in one room, with the user's JWT (signed in again once on a 401), asked
 * again as the service says (retryPlan) up to `maxRetries` times.
 */
export function chatTokenSource(
  client: ApiClient,
  roomArn: string,
  identity: Identity,
  options: RetryOptions = {},
): GrantSource {
  const { maxRetries = 3, maxWaitSeconds = 300, sleep = sleepFor, random = Math.random } = options;
  return async () => {
    let ticket: string | undefined;
    let waited = 0;
    for (let retry = 0; ; retry++) {
      try {
        return await identity.authorized((idToken) => client.createChatToken(idToken, roomArn, ticket));
      } catch (error) {
        const plan = retry < maxRetries ? retryPlan(error, random) : undefined;
        if (plan === undefined || waited + plan.seconds > maxWaitSeconds) throw error;
        waited += plan.seconds;
        ticket = plan.ticket;
        await sleep(plan.seconds * 1000);
      }
    }
  };
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

/**
 * The ChatRoom's `tokenProvider`: a chat token opens one connection only, so each call fetches one.
 * After a failure, the SDK's immediate calls get the same error without a request: they come in the
 * same turn of the event loop (promise callbacks, see above), before any timer, so the failure is
 * kept until a timer of 0 fires. A later connect() asks again.
 */
export function createTokenProvider(source: GrantSource, events: TokenProviderEvents): ChatTokenProvider {
  let failure: { readonly error: unknown } | undefined;
  return async () => {
    if (failure !== undefined) throw failure.error;
    try {
      const grant = await source();
      events.granted(grant);
      return sdkChatToken(grant);
    } catch (error) {
      events.refused(error);
      failure = { error };
      setTimeout(() => {
        failure = undefined;
      }, 0);
      throw error;
    }
  };
}
