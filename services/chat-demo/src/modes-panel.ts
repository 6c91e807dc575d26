/**
 * The moderators' Room modes panel: slow mode (with its seconds), members-only sending and held for
 * review, saved with `PATCH /v1/rooms/{roomId}` `{modes}`; a text of their own to pin; and pinning a
 * message from its actions or unpinning from the pin bar. The service decides (owner, moderators,
 * admins) and announces every change to the room; its refusal is shown.
 */
import { ApiError, describeApiError, type PinRequest } from './api.js';
import { markInvalid, markValid } from './dom.js';
import { validatePinText, type Pinned } from './pinned.js';
import { validateSlowModeSeconds, type RoomModes } from './room-modes.js';
import type { ToolContext } from './room-tools.js';

export interface ModesPanelElements {
  readonly panel: HTMLElement;
  readonly form: HTMLFormElement;
  readonly slow: HTMLInputElement;
  readonly slowSeconds: HTMLInputElement;
  readonly membersOnly: HTMLInputElement;
  readonly hold: HTMLInputElement;
  readonly save: HTMLButtonElement;
  readonly error: HTMLElement;
  readonly pinForm: HTMLFormElement;
  readonly pinText: HTMLInputElement;
  readonly pinButton: HTMLButtonElement;
  readonly pinError: HTMLElement;
}

export interface ModesPanelEvents {
  /** The service answered with the room's modes (the `app:modes` event follows for everyone). */
  readonly modes: (modes: RoomModes) => void;
  /** The service answered with the room's pin, or it was unpinned (events follow for everyone). */
  readonly pinned: (pinned: Pinned | undefined) => void;
}

export interface ModesPanel {
  /** Shows the room's modes in the form (after a read, an event, or a save). */
  show(modes: RoomModes): void;
  /** Saves the form's modes. */
  save(): Promise<void>;
  /** Pins the text in the pin form. */
  pinOwnText(): Promise<void>;
  /** Pins a message of the room by id; resolves to an error text, or undefined when pinned. */
  pinMessage(messageId: string): Promise<string | undefined>;
  /** Unpins; resolves to an error text, or undefined when done. */
  unpin(): Promise<string | undefined>;
  close(): void;
}

/**
 * A message reaches the room's history a moment after it is delivered (about 10 s in AWS, where the
 * chat log feeds it; docs/chat-history.md), and the service pins only messages it finds there. So a
 * pin of a message just sent is tried again for this long before the page gives up.
 */
export const PIN_RETRY_MS = 15_000;

function notInHistoryYet(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404 && error.problemCode === 'not_found';
}

export function createModesPanel(
  ui: ModesPanelElements,
  context: ToolContext,
  events: ModesPanelEvents,
): ModesPanel {
  const { client, identity, roomId, notify } = context;
  let closed = false;
  const isClosed = (): boolean => closed;
  ui.panel.hidden = false;
  ui.error.textContent = '';
  ui.pinError.textContent = '';

  const syncSeconds = (): void => {
    ui.slowSeconds.disabled = !ui.slow.checked;
  };
  ui.slow.onchange = syncSeconds;

  function show(modes: RoomModes): void {
    if (isClosed()) return;
    ui.slow.checked = modes.slowModeSeconds > 0;
    if (modes.slowModeSeconds > 0) ui.slowSeconds.value = String(modes.slowModeSeconds);
    ui.membersOnly.checked = modes.membersOnlySend;
    ui.hold.checked = modes.holdForReview;
    syncSeconds();
  }

  async function save(): Promise<void> {
    if (isClosed()) return;
    let slowModeSeconds = 0;
    if (ui.slow.checked) {
      const seconds = validateSlowModeSeconds(ui.slowSeconds.value);
      if (!seconds.ok) {
        markInvalid(ui.slowSeconds, ui.error, seconds.text);
        return;
      }
      slowModeSeconds = seconds.seconds;
    }
    markValid(ui.slowSeconds, ui.error);
    const modes = {
      slowModeSeconds,
      membersOnlySend: ui.membersOnly.checked,
      holdForReview: ui.hold.checked,
    };
    ui.save.disabled = true;
    try {
      const room = await identity.authorized((idToken) => client.setModes(idToken, roomId, modes));
      if (isClosed()) return;
      events.modes(room.modes);
      notify('Room modes saved.');
    } catch (error) {
      if (!isClosed()) ui.error.textContent = `Could not save the modes: ${describeApiError(error)}`;
    } finally {
      ui.save.disabled = false;
    }
  }

  async function pin(request: PinRequest): Promise<Pinned | undefined> {
    const room = await identity.authorized((idToken) => client.pin(idToken, roomId, request));
    return room.pinned;
  }

  async function pinOwnText(): Promise<void> {
    if (isClosed()) return;
    const text = validatePinText(ui.pinText.value);
    if (!text.ok) {
      markInvalid(ui.pinText, ui.pinError, text.text);
      return;
    }
    markValid(ui.pinText, ui.pinError);
    ui.pinButton.disabled = true;
    try {
      const pinned = await pin({ text: text.text });
      if (isClosed()) return;
      ui.pinText.value = '';
      events.pinned(pinned);
      notify('Pinned.');
    } catch (error) {
      if (!isClosed()) ui.pinError.textContent = `Could not pin it: ${describeApiError(error)}`;
    } finally {
      ui.pinButton.disabled = false;
    }
  }

  async function pinMessage(messageId: string): Promise<string | undefined> {
    const deadline = Date.now() + PIN_RETRY_MS;
    // Bounded: at most PIN_RETRY_MS, doubling from 1 s (1, 2, 4, 8 s).
    for (let wait = 1_000; ; wait *= 2) {
      try {
        const pinned = await pin({ messageId });
        if (isClosed()) return undefined;
        events.pinned(pinned);
        notify('Pinned.');
        return undefined;
      } catch (error) {
        if (isClosed()) return undefined;
        if (!notInHistoryYet(error) || Date.now() + wait > deadline) {
          return notInHistoryYet(error)
            ? 'This message is not in the room’s history yet. Try again in a few seconds.'
            : `Could not pin it: ${describeApiError(error)}`;
        }
        await new Promise((resolve) => setTimeout(resolve, wait));
        if (isClosed()) return undefined;
      }
    }
  }

  async function unpin(): Promise<string | undefined> {
    try {
      await identity.authorized((idToken) => client.unpin(idToken, roomId));
      if (isClosed()) return undefined;
      events.pinned(undefined);
      notify('Unpinned.');
      return undefined;
    } catch (error) {
      return `Could not unpin: ${describeApiError(error)}`;
    }
  }

  return {
    show,
    save,
    pinOwnText,
    pinMessage,
    unpin,
    close() {
      closed = true;
      ui.panel.hidden = true;
      ui.slow.onchange = null;
    },
  };
}
