/**
 * The buttons under a message for those who may moderate (`messageActions` in moderation.ts
 * decides which): Delete, Disconnect user with what the token allows, Ban and Time out through the
 * service with a small form under the message; Pin for the room's moderators (room-tools.ts).
 */
import { DeleteMessageRequest, DisconnectUserRequest } from 'amazon-ivs-chat-messaging';
import { textElement } from './dom.js';
import { restrictForm } from './moderation-panel.js';
import { messageActions, type RestrictionKind } from './moderation.js';
import { setFeedback } from './page-elements.js';
import type { ChatPage, Session } from './page-state.js';
import { describeRequestError, type MessageView } from './view.js';

/** IVS reason fields are 1–256 characters (IVS Chat API reference and service quotas). */
const DELETE_REASON = 'Removed by a moderator';
const DISCONNECT_REASON = 'Disconnected by a moderator';

/** The actions row of a message's item, or undefined when the reader may do nothing to it. */
export function actionsFor(
  page: ChatPage,
  current: Session,
  view: MessageView,
  item: HTMLLIElement,
): HTMLDivElement | undefined {
  const offered = messageActions(view, current.appRoles, current.moderation !== undefined);
  if (!offered.delete && !offered.disconnect && !offered.restrict) return undefined;
  const actions = document.createElement('div');
  actions.className = 'actions';
  if (offered.delete) {
    const remove = textElement('button', 'action delete', 'Delete');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Delete message from ${view.senderName}`);
    remove.addEventListener('click', () => void deleteMessage(page, current, view, remove));
    actions.append(remove);
  }
  if (offered.restrict) {
    for (const kind of ['timeout', 'ban'] as const) {
      const open = textElement('button', `action ${kind}`, kind === 'ban' ? 'Ban' : 'Time out');
      open.type = 'button';
      open.setAttribute('aria-label', `${kind === 'ban' ? 'Ban' : 'Time out'} ${view.senderName}`);
      open.addEventListener('click', () => {
        openRestrictForm(page, current, item, view, kind, open);
      });
      actions.append(open);
    }
  }
  // Whoever has the room's tools moderates it: they may pin any message, their own too.
  if (current.roomTools !== undefined) {
    const pin = textElement('button', 'action pin', 'Pin');
    pin.type = 'button';
    pin.setAttribute('aria-label', `Pin message from ${view.senderName}`);
    pin.addEventListener('click', () => void pinMessage(page, current, view, pin));
    actions.append(pin);
  }
  if (offered.disconnect) {
    const kick = textElement('button', 'action disconnect', 'Disconnect user');
    kick.type = 'button';
    kick.setAttribute('aria-label', `Disconnect ${view.senderName}`);
    kick.addEventListener('click', () => void disconnectUser(page, current, view, kick));
    actions.append(kick);
  }
  return actions;
}

/** The ban or time-out form under a message (one open at a time); focus moves into it and back. */
function openRestrictForm(
  page: ChatPage,
  current: Session,
  item: HTMLLIElement,
  view: MessageView,
  kind: RestrictionKind,
  opener: HTMLButtonElement,
): void {
  const moderation = current.moderation;
  if (moderation === undefined) return;
  for (const open of page.ui.messages.querySelectorAll('form.restrict-form')) open.remove();
  const close = (): void => {
    form.remove();
    if (opener.isConnected) opener.focus();
  };
  const form = restrictForm(
    kind,
    view.senderName,
    async (request) => {
      const problem = await moderation.restrict(kind, view.senderId, view.senderName, request);
      if (problem === undefined) close();
      return problem;
    },
    close,
  );
  item.append(form);
  form.querySelector('select')?.focus();
}

async function deleteMessage(
  page: ChatPage,
  current: Session,
  view: MessageView,
  button: HTMLButtonElement,
): Promise<void> {
  button.disabled = true;
  if (current.moderation !== undefined) {
    const problem = await current.moderation.deleteMessage(view.id, DELETE_REASON);
    if (problem !== undefined) {
      button.disabled = false;
      setFeedback(page.ui, problem);
    }
    return;
  }
  try {
    await current.room.deleteMessage(new DeleteMessageRequest(view.id, DELETE_REASON));
  } catch (error) {
    button.disabled = false;
    setFeedback(page.ui, describeRequestError(error).text);
  }
}

async function disconnectUser(
  page: ChatPage,
  current: Session,
  view: MessageView,
  button: HTMLButtonElement,
): Promise<void> {
  button.disabled = true;
  try {
    await current.room.disconnectUser(new DisconnectUserRequest(view.senderId, DISCONNECT_REASON));
  } catch (error) {
    setFeedback(page.ui, describeRequestError(error).text);
  } finally {
    button.disabled = false;
  }
}

async function pinMessage(
  page: ChatPage,
  current: Session,
  view: MessageView,
  button: HTMLButtonElement,
): Promise<void> {
  const tools = current.roomTools;
  if (tools === undefined) return;
  button.disabled = true;
  try {
    const problem = await tools.modes.pinMessage(view.id);
    if (problem !== undefined) setFeedback(page.ui, problem);
  } finally {
    button.disabled = false;
  }
}
