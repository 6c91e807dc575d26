/**
 * The moderators' queue of held messages (`GET /v1/rooms/{roomId}/held`, oldest first, paged), each
 * with Approve (delivered to the room as `app:approved-message`) and Reject (with an optional
 * reason). Read on demand, when the user's own message is held, after each decision, and every
 * POLL_MS while the room holds messages for review: no event announces a newly held message.
 * Texts reach the DOM through textContent only.
 */
import { IVS_LIMITS } from '../../../shared/ivs/limits.js';
import { describeApiError } from './api.js';
import { textElement } from './dom.js';
import { heldView, type HeldMessage } from './held.js';
import { validateReason } from './moderation.js';
import type { ToolContext } from './room-tools.js';

export interface HeldQueueElements {
  readonly panel: HTMLElement;
  readonly refresh: HTMLButtonElement;
  readonly error: HTMLElement;
  readonly list: HTMLUListElement;
  readonly empty: HTMLElement;
  readonly more: HTMLButtonElement;
}

export interface HeldQueue {
  /** Reads the first page again and redraws. */
  load(): Promise<void>;
  /** Reads the next page below the ones shown. */
  more(): Promise<void>;
  /** Reads the queue now and every POLL_MS while `on` (the room holds messages for review). */
  watch(on: boolean): void;
  close(): void;
}

/** While the room holds messages, the queue is read this often (one small query a moderator). */
export const POLL_MS = 20_000;

export function createHeldQueue(ui: HeldQueueElements, context: ToolContext): HeldQueue {
  const { client, identity, roomId, notify } = context;
  let closed = false;
  const isClosed = (): boolean => closed;
  let nextToken: string | undefined;
  /** Bumped by every full read: a page that arrives after a newer read started is dropped. */
  let generation = 0;
  let poll: ReturnType<typeof setInterval> | undefined;
  ui.panel.hidden = false;
  ui.error.textContent = '';
  ui.list.replaceChildren();
  ui.empty.hidden = false;
  ui.more.hidden = true;

  function redrawEmpty(): void {
    ui.empty.hidden = ui.list.children.length > 0;
    ui.more.hidden = nextToken === undefined;
  }

  async function read(append: boolean): Promise<void> {
    if (isClosed() || (append && nextToken === undefined)) return;
    const mine = append ? generation : ++generation;
    ui.panel.setAttribute('aria-busy', 'true');
    try {
      const page = await identity.authorized((idToken) =>
        client.listHeld(idToken, roomId, append ? nextToken : undefined),
      );
      if (isClosed() || mine !== generation) return;
      const items = page.held.map((held) => heldItem(held));
      if (append) ui.list.append(...items);
      else ui.list.replaceChildren(...items);
      nextToken = page.nextToken;
      ui.error.textContent = '';
      redrawEmpty();
    } catch (error) {
      if (!isClosed()) ui.error.textContent = `Could not read the held messages: ${describeApiError(error)}`;
    } finally {
      if (!isClosed() && mine === generation) ui.panel.setAttribute('aria-busy', 'false');
    }
  }

  function heldItem(held: HeldMessage): HTMLLIElement {
    const view = heldView(held, new Date());
    const item = document.createElement('li');
    item.className = 'held-item';
    item.dataset['heldId'] = held.id;
    const approve = textElement('button', 'approve', 'Approve');
    approve.type = 'button';
    approve.setAttribute('aria-label', `Approve the message from ${view.who}`);
    const reject = textElement('button', 'reject', 'Reject');
    reject.type = 'button';
    reject.setAttribute('aria-label', `Reject the message from ${view.who}`);
    const buttons = document.createElement('div');
    buttons.className = 'held-buttons';
    buttons.append(approve, reject);
    const error = textElement('p', 'error', '');
    error.setAttribute('role', 'alert');
    item.append(
      textElement('span', 'held-who', view.who),
      textElement('span', 'held-detail', view.detail),
      textElement('p', 'held-text', view.text),
      buttons,
      error,
    );
    approve.addEventListener('click', () => {
      void decide(item, held, view.who, 'approve', undefined, [approve, reject], error);
    });
    reject.addEventListener('click', () => {
      openRejectForm(item, held, view.who, [approve, reject], error);
    });
    return item;
  }

  /** The reason form under a held message; Escape or Cancel closes it. */
  function openRejectForm(
    item: HTMLLIElement,
    held: HeldMessage,
    who: string,
    buttons: readonly HTMLButtonElement[],
    error: HTMLElement,
  ): void {
    item.querySelector('form')?.remove();
    const form = document.createElement('form');
    form.className = 'restrict-form reject';
    form.noValidate = true;
    form.setAttribute('aria-label', `Reject the message from ${who}`);
    const label = document.createElement('label');
    label.textContent = 'Reason (optional)';
    const reason = document.createElement('input');
    reason.type = 'text';
    reason.autocomplete = 'off';
    reason.maxLength = IVS_LIMITS.reasonLength.max;
    label.append(reason);
    const confirm = textElement('button', 'action confirm ban', 'Reject message');
    confirm.type = 'submit';
    const cancel = textElement('button', 'secondary', 'Cancel');
    cancel.type = 'button';
    const row = document.createElement('div');
    row.className = 'restrict-buttons';
    row.append(confirm, cancel);
    form.append(label, row);
    const close = (): void => {
      form.remove();
    };
    cancel.addEventListener('click', close);
    form.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') close();
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const checked = validateReason(reason.value);
      if (!checked.ok) {
        error.textContent = checked.text;
        return;
      }
      void decide(item, held, who, 'reject', checked.reason, [...buttons, confirm], error);
    });
    item.append(form);
    reason.focus();
  }

  async function decide(
    item: HTMLLIElement,
    held: HeldMessage,
    who: string,
    verdict: 'approve' | 'reject',
    reason: string | undefined,
    buttons: readonly HTMLButtonElement[],
    error: HTMLElement,
  ): Promise<void> {
    for (const button of buttons) button.disabled = true;
    error.textContent = '';
    try {
      await identity.authorized((idToken) =>
        verdict === 'approve'
          ? client.approveHeld(idToken, roomId, held.id)
          : client.rejectHeld(idToken, roomId, held.id, reason),
      );
      if (isClosed()) return;
      // Keep keyboard users in the panel when the item holding focus goes away.
      const hadFocus = item.contains(document.activeElement);
      item.remove();
      if (hadFocus) ui.refresh.focus();
      redrawEmpty();
      notify(
        verdict === 'approve' ? `Approved the message from ${who}.` : `Rejected the message from ${who}.`,
      );
      context.acted();
    } catch (error_) {
      if (isClosed()) return;
      for (const button of buttons) button.disabled = false;
      error.textContent = describeApiError(error_);
    }
  }

  function stopPolling(): void {
    if (poll !== undefined) clearInterval(poll);
    poll = undefined;
  }

  return {
    load: () => read(false),
    more: () => read(true),
    watch(on) {
      if (isClosed()) return;
      stopPolling();
      if (!on) return;
      void read(false);
      poll = setInterval(() => void read(false), POLL_MS);
    },
    close() {
      closed = true;
      stopPolling();
      ui.panel.hidden = true;
      ui.list.replaceChildren();
    },
  };
}
