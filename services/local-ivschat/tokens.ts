/**
 * Chat tokens: opaque, single-use, and only valid to open a connection until their expiration. A token
 * carries the room, user, capabilities, attributes and the session's expiry. Tokens travel as the
 * WebSocket subprotocol, so they use base64url only: RFC 7230 token characters.
 *
 * How long a token may wait to connect is a reading, not a documented figure. The CreateChatToken CLI
 * documentation speaks of one minute, but a response captured from a real account and published by
 * AWS (the developer blog post on IVS Chat in a Unity game, January 2024) shows `tokenExpirationTime`
 * two hours before `sessionExpirationTime` for a 180-minute session: one hour after issue. This
 * emulator follows that capture: a token is valid to connect for one hour, never past its session's
 * end, and the `tokenExpirationTime` it reports is exactly that window. It matters because the
 * messaging SDK schedules its next connection (a new token) from `tokenExpirationTime` alone, 60 s
 * before it (30 s before when 60 s or less remain): with one-minute tokens every client would fetch
 * a token every 30 s; with one-hour tokens it does so every 59 minutes.
 */
import { randomBytes } from 'node:crypto';
import type { ChatTokenCapability } from '../../shared/ivs/limits.js';

/** One hour: the reading of the published capture described above. */
export const TOKEN_TTL_MS = 60 * 60_000;

/**
 * Tokens remembered at most. The control plane checks no signature, so anyone who reaches it can
 * mint tokens; without a bound the registry grows with every call for up to two hours (a token's
 * hour, then an hour more to recognise a replay). When full, the oldest entry is forgotten: that
 * token then reads as unknown, a 401 at connect, and the memory stays flat.
 */
export const MAX_TOKENS = 100_000;

export interface ChatGrant {
  readonly roomId: string;
  readonly userId: string;
  readonly capabilities: readonly ChatTokenCapability[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly sessionExpiresAt: number;
}

export type Redeemed =
  | { readonly ok: true; readonly grant: ChatGrant }
  | { readonly ok: false; readonly problem: 'unknown' | 'expired' | 'reused' | 'unusable' };

interface Entry {
  readonly grant: ChatGrant;
  readonly expiresAt: number;
  used: boolean;
}

export class TokenRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxTokens: number;

  constructor(ttlMs: number = TOKEN_TTL_MS, maxTokens: number = MAX_TOKENS) {
    this.#ttlMs = ttlMs;
    this.#maxTokens = maxTokens;
  }

  get size(): number {
    return this.#entries.size;
  }

  issue(grant: ChatGrant, nowMs: number): { token: string; tokenExpiresAt: number } {
    const token = randomBytes(48).toString('base64url');
    // Never valid to connect past the session it opens: such a connection would end at once.
    const expiresAt = Math.min(nowMs + this.#ttlMs, grant.sessionExpiresAt);
    if (this.#entries.size >= this.#maxTokens) {
      this.sweep(nowMs);
      // Entries sit in issue order: the first is the oldest.
      while (this.#entries.size >= this.#maxTokens) {
        const oldest = this.#entries.keys().next();
        if (oldest.done === true) break;
        this.#entries.delete(oldest.value);
      }
    }
    this.#entries.set(token, { grant, expiresAt, used: false });
    return { token, tokenExpiresAt: expiresAt };
  }

  /**
   * Accepts a token once. A used entry stays until its expiry so a replay reads as "reused".
   * `usable` sees the grant first: a token refused for another reason (its room is gone) is not
   * spent, as the caller could not have used it.
   */
  redeem(token: string, nowMs: number, usable: (grant: ChatGrant) => boolean = () => true): Redeemed {
    const entry = this.#entries.get(token);
    if (!entry) return { ok: false, problem: 'unknown' };
    if (entry.used) return { ok: false, problem: 'reused' };
    if (nowMs >= entry.expiresAt) return { ok: false, problem: 'expired' };
    if (!usable(entry.grant)) return { ok: false, problem: 'unusable' };
    entry.used = true;
    return { ok: true, grant: entry.grant };
  }

  /** Forgets tokens past their expiry, so the registry does not grow without bound. */
  sweep(nowMs: number): void {
    for (const [token, entry] of this.#entries) {
      if (nowMs >= entry.expiresAt + this.#ttlMs) this.#entries.delete(token);
    }
  }
}
