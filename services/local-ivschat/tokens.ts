/**
 * Chat tokens: opaque, single-use, and only valid to open a connection until their expiration
 * (one minute, per the CreateChatToken CLI documentation, ivschat-facts.md §1). A token carries the
 * room, user, capabilities, attributes and the session's expiry. Tokens travel as the WebSocket
 * subprotocol, so they use base64url only: RFC 7230 token characters (ivschat-facts.md §4).
 */
import { randomBytes } from 'node:crypto';
import type { ChatTokenCapability } from '../../shared/ivs/limits.js';

export const TOKEN_TTL_MS = 60_000;

export interface ChatGrant {
  readonly roomId: string;
  readonly userId: string;
  readonly capabilities: readonly ChatTokenCapability[];
  readonly attributes: Readonly<Record<string, string>>;
  readonly sessionExpiresAt: number;
}

export type Redeemed =
  | { readonly ok: true; readonly grant: ChatGrant }
  | { readonly ok: false; readonly problem: 'unknown' | 'expired' | 'reused' };

interface Entry {
  readonly grant: ChatGrant;
  readonly expiresAt: number;
  used: boolean;
}

export class TokenRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;

  constructor(ttlMs: number = TOKEN_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  issue(grant: ChatGrant, nowMs: number): { token: string; tokenExpiresAt: number } {
    const token = randomBytes(48).toString('base64url');
    const expiresAt = nowMs + this.#ttlMs;
    this.#entries.set(token, { grant, expiresAt, used: false });
    return { token, tokenExpiresAt: expiresAt };
  }

  /** Accepts a token once. A used entry stays until its expiry so a replay reads as "reused". */
  redeem(token: string, nowMs: number): Redeemed {
    const entry = this.#entries.get(token);
    if (!entry) return { ok: false, problem: 'unknown' };
    if (entry.used) return { ok: false, problem: 'reused' };
    if (nowMs >= entry.expiresAt) return { ok: false, problem: 'expired' };
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
