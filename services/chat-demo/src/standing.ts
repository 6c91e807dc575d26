/**
 * The signed-in user's standing in the open room: the banner of a ban or a timeout, learnt from a
 * token (`sendBlockedUntil`), a refused token (403 `banned`), a refused send (the review's 406) or a
 * history read after being put out.
 */
import type { BanNotice } from './api.js';
import { applyCapabilities } from './composer.js';
import { banText, timeoutText } from './moderation.js';
import { setStanding } from './page-elements.js';
import { isCurrent, type ChatPage, type Session } from './page-state.js';
import { later, renewConnection } from './session-lifecycle.js';

export function showBan(page: ChatPage, current: Session, ban: BanNotice): void {
  if (!isCurrent(page, current)) return;
  setStanding(page.ui, banText(ban, new Date()), 'ban');
  page.ui.composer.hidden = true;
}

/** A new token came: a ban it outlived is over (the service would have refused the token otherwise). */
export function clearBan(page: ChatPage, current: Session): void {
  if (isCurrent(page, current) && page.ui.standing.dataset['kind'] === 'ban') setStanding(page.ui, undefined);
}

/**
 * A timeout the page learnt of: say until when. `tokenLacksSend` when the token was fetched during
 * it, so it still lacks SEND_MESSAGE when the timeout ends: then a new one is fetched.
 */
export function noteTimeout(page: ChatPage, current: Session, until: string, tokenLacksSend: boolean): void {
  if (!isCurrent(page, current)) return;
  current.sendBlockedUntil = until;
  setStanding(page.ui, timeoutText(until, new Date()), 'timeout');
  applyCapabilities(page, current);
  later(page.state, current, Date.parse(until) - Date.now() + 1_000, () => {
    if (current.sendBlockedUntil !== until) return;
    endTimeout(page, current);
    if (tokenLacksSend) renewConnection(page.state, current);
  });
}

export function endTimeout(page: ChatPage, current: Session): void {
  current.sendBlockedUntil = undefined;
  if (page.ui.standing.dataset['kind'] === 'timeout') setStanding(page.ui, undefined);
  applyCapabilities(page, current);
}
