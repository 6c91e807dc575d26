/**
 * The message box: its counter in code points against the room's limit, whether Send may be
 * pressed, and whether the box shows at all for what the token allows.
 */
import type { ChatPage, Session } from './page-state.js';
import { membersOnlyNotice } from './room-modes.js';
import { canSend, counterState, describeCapabilities, showsComposer } from './view.js';

/** The open room's maximumMessageLength, else the configured room's, else the IVS default. */
export function messageLimit(page: ChatPage): number {
  const { session, setup } = page.state;
  return session?.maximumMessageLength ?? setup?.config.maximumMessageLength ?? 500;
}

export function updateCounter(page: ChatPage): void {
  const { ui } = page;
  const max = messageLimit(page);
  const state = counterState(ui.message.value, max);
  ui.counter.textContent = state.over ? `${state.label}: ${-state.remaining} too many` : state.label;
  ui.counter.classList.toggle('over', state.over);
  ui.message.setAttribute('aria-invalid', String(state.over));
  const session = page.state.session;
  // Slow mode holds the user back until its countdown ends (slow-mode.ts).
  const slowed = session?.slowModeUntil !== undefined && session.slowModeUntil > Date.now();
  ui.send.disabled = !canSend(ui.message.value, max) || session?.room.state !== 'connected' || slowed;
}

/**
 * Shows the box, the members-only notice (with Join for a public room) or the viewer note, and what
 * the token allows, after a token, a timeout or the room's modes changed.
 */
export function applyCapabilities(page: ChatPage, current: Session): void {
  const { ui } = page;
  const timedOut = current.sendBlockedUntil !== undefined;
  const composer = showsComposer(current.capabilities, timedOut);
  const membersOnly = composer
    ? undefined
    : membersOnlyNotice({
        modes: current.modes,
        capabilities: current.capabilities,
        roomRole: current.roomRole,
        privacy: current.privacy,
        appRoles: current.appRoles,
        timedOut,
      });
  ui.composer.hidden = !composer;
  ui.membersOnly.hidden = membersOnly === undefined;
  ui.membersOnlyText.textContent = membersOnly?.text ?? '';
  ui.membersOnlyJoin.hidden = membersOnly?.canJoin !== true;
  ui.viewerNote.hidden = composer || membersOnly !== undefined;
  ui.whoami.textContent = `Signed in as ${current.displayName}: ${describeCapabilities(current.capabilities)}`;
  updateCounter(page);
}

/** The box's controls: Send (or Enter; Shift+Enter is a new line, nothing while an IME composes). */
export function wireComposer(page: ChatPage, send: () => void): void {
  const { ui } = page;
  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  ui.message.addEventListener('input', () => {
    updateCounter(page);
  });
  ui.message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.composer.requestSubmit();
    }
  });
}
