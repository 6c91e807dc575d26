/**
 * The message box: its counter in code points against the room's limit, whether Send may be
 * pressed, and whether the box shows at all for what the token allows.
 */
import type { ChatPage, Session } from './page-state.js';
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
  ui.send.disabled = !canSend(ui.message.value, max) || page.state.session?.room.state !== 'connected';
}

/** Shows the box or the viewer note, and what the token allows, after a token or a timeout change. */
export function applyCapabilities(page: ChatPage, current: Session): void {
  const { ui } = page;
  const composer = showsComposer(current.capabilities, current.sendBlockedUntil !== undefined);
  ui.composer.hidden = !composer;
  ui.viewerNote.hidden = composer;
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
