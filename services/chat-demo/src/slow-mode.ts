/**
 * Slow mode's countdown in the composer: after a message is delivered in a slow-mode room (or refused
 * with the review function's "Slow mode: wait N s"), Send stays disabled and the line under the box
 * counts down to when the user may send again. Moderators are exempt and never count down; a refusal
 * still counts down for anyone, since the review function has the last word.
 */
import { updateCounter } from './composer.js';
import { isCurrent, type ChatPage, type Session } from './page-state.js';
import { countdownText, exemptFromSlowMode, secondsLeft, slowModeUntil } from './room-modes.js';
import { later } from './session-lifecycle.js';

/** Whether slow mode holds the user back now. */
export function slowModeHolds(current: Session | undefined, nowMs: number): boolean {
  return current?.slowModeUntil !== undefined && current.slowModeUntil > nowMs;
}

/** A message of this user's was delivered at `sentAtMs`: count down the room's slow mode from then. */
export function noteDelivered(page: ChatPage, current: Session, sentAtMs: number): void {
  const exempt = exemptFromSlowMode(current.appRoles, current.roomRole);
  const until = slowModeUntil(current.modes, exempt, sentAtMs);
  if (until !== undefined) countDown(page, current, until);
}

/** Holds the user back until `untilMs` (the later of this and any countdown running). */
export function countDown(page: ChatPage, current: Session, untilMs: number): void {
  if (!isCurrent(page, current)) return;
  if (current.slowModeUntil !== undefined && current.slowModeUntil >= untilMs) return;
  current.slowModeUntil = untilMs;
  tick(page, current, untilMs);
}

/** Slow mode was turned off (or the room left): the countdown ends now. */
export function endCountdown(page: ChatPage, current: Session): void {
  current.slowModeUntil = undefined;
  if (!isCurrent(page, current)) return;
  page.ui.slowModeWait.hidden = true;
  page.ui.slowModeWait.textContent = '';
  updateCounter(page);
}

function tick(page: ChatPage, current: Session, untilMs: number): void {
  // A newer countdown (or its end) replaced this one.
  if (current.slowModeUntil !== untilMs) return;
  const now = Date.now();
  const seconds = secondsLeft(untilMs, now);
  if (seconds === 0) {
    endCountdown(page, current);
    return;
  }
  page.ui.slowModeWait.hidden = false;
  page.ui.slowModeWait.textContent = countdownText(seconds);
  updateCounter(page);
  // Wake at the next whole second left, so the line changes when the number does.
  const untilNextSecond = (untilMs - now) % 1000 || 1000;
  later(page.state, current, untilNextSecond, () => {
    tick(page, current, untilMs);
  });
}
