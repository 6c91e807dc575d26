/**
 * The life of one room connection below the view: timers that die with it, renewing it with a new
 * chat token, and closing it. What runs later checks the session is still the room on screen, so a
 * room left behind never touches the page.
 */
import type { ChatRoom } from 'amazon-ivs-chat-messaging';
import { setStanding } from './page-elements.js';
import type { ChatPage } from './page-state.js';

/** A timer fires at most this far ahead (setTimeout's limit is about 24.8 days; beyond, it fires at once). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The delay setTimeout gets for `ms`: none for a time already past, and never past its limit. */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(ms, 0), MAX_TIMER_MS);
}

/** The parts of a session its timers and its renewal use. */
export interface SessionClock {
  readonly timers: Set<ReturnType<typeof setTimeout>>;
}

/** Runs `action` after `ms` unless the room is left first (another room opened, or signed out). */
export function later<S extends SessionClock>(
  state: { readonly session: S | undefined },
  current: S,
  ms: number,
  action: () => void,
): void {
  const timer = setTimeout(() => {
    current.timers.delete(timer);
    if (state.session === current) action();
  }, timerDelay(ms));
  current.timers.add(timer);
}

/** Opens a new connection with a fresh token (e.g. one with SEND_MESSAGE once a timeout is over). */
export function renewConnection<S extends SessionClock & { readonly room: ChatRoom }>(
  state: { readonly session: S | undefined },
  current: S,
): void {
  if (current.room.state === 'disconnected') {
    current.room.connect();
    return;
  }
  const reconnect = current.room.addListener('disconnect', () => {
    reconnect();
    // After the SDK has finished closing: connecting from inside its own event loses the new socket.
    later(state, current, 0, () => {
      current.room.connect();
    });
  });
  current.room.disconnect();
}

/** Leaves the room on screen: no more events or timers from it reach the page. */
export function closeSession(page: ChatPage): void {
  const current = page.state.session;
  page.state.session = undefined;
  if (current === undefined) return;
  for (const stop of current.unsubscribe) stop();
  for (const timer of current.timers) clearTimeout(timer);
  current.timers.clear();
  current.moderation?.close();
  current.roomTools?.close();
  current.roomTools = undefined;
  current.slowModeUntil = undefined;
  setStanding(page.ui, undefined);
  // The room's own lines go with it; the next room shows its own.
  const { ui } = page;
  ui.modesLine.hidden = true;
  ui.pinned.hidden = true;
  ui.slowModeWait.hidden = true;
  ui.membersOnly.hidden = true;
  current.room.disconnect();
}
