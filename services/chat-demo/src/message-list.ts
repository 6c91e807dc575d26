/**
 * The message list: messages live and from history, merged by IVS message id into send-time
 * order, and notices (deletions, disconnects, application events); bounded, and scrolled along
 * only when the reader is at the bottom. Text reaches the DOM through textContent only.
 */
import type {
  ChatEvent,
  ChatMessage,
  DeleteMessageEvent,
  DisconnectUserEvent,
} from 'amazon-ivs-chat-messaging';
import { textElement } from './dom.js';
import { pendingFor, type ApprovedMessage, type PendingHeld } from './held.js';
import { insertionPoints, mergeMessages, withoutMessage, type ShownMessage } from './history.js';
import { actionsFor } from './message-actions.js';
import { setFeedback } from './page-elements.js';
import { isCurrent, type ChatPage, type Session } from './page-state.js';
import {
  deletionNotice,
  disconnectNoticeTitle,
  eventSummary,
  messageView,
  timeOfDay,
  type MessageView,
} from './view.js';

/** Older entries are dropped past this many, so a long session keeps a bounded DOM. */
const MAX_LIST_ITEMS = 200;

interface Placement {
  readonly item: HTMLLIElement;
  /** The item to insert before; at the end when undefined or no longer in the list. */
  readonly before: HTMLLIElement | undefined;
}

/** Puts items into the list, keeping it bounded (and the open room's records of it) and scrolled. */
function placeItems(page: ChatPage, placements: readonly Placement[]): void {
  const list = page.ui.messages;
  // Follow new items only when the reader is already at the bottom, so reading history is not interrupted.
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  for (const { item, before } of placements) {
    if (before?.parentElement === list) list.insertBefore(item, before);
    else list.append(item);
  }
  let trimmed = false;
  while (list.children.length > MAX_LIST_ITEMS) {
    list.firstElementChild?.remove();
    trimmed = true;
  }
  const current = page.state.session;
  if (trimmed && current !== undefined) {
    current.shown = current.shown.filter((shown) => current.items.get(shown.id)?.parentElement === list);
    for (const [id, item] of current.items) if (item.parentElement !== list) current.items.delete(id);
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function appendItem(page: ChatPage, item: HTMLLIElement): void {
  placeItems(page, [{ item, before: undefined }]);
}

function renderMessage(page: ChatPage, current: Session, view: MessageView): HTMLLIElement {
  const item = document.createElement('li');
  item.className = view.own ? 'message own' : 'message';
  item.dataset['messageId'] = view.id;
  item.dataset['senderId'] = view.senderId;

  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.append(textElement('span', 'author', view.senderName));
  if (view.senderRole === 'moderator') meta.append(textElement('span', 'badge', 'moderator'));
  const time = textElement('time', 'time', timeOfDay(view.sentAt));
  time.dateTime = view.sentAt.toISOString();
  meta.append(time);
  item.append(meta, textElement('p', 'text', view.text));

  const actions = actionsFor(page, current, view, item);
  if (actions !== undefined) item.append(actions);
  return item;
}

function renderNotice(title: string, details: string, className = 'notice'): HTMLLIElement {
  const item = document.createElement('li');
  item.className = className;
  item.append(textElement('span', 'notice-title', title));
  if (details !== '') item.append(textElement('span', 'notice-details', details));
  return item;
}

/**
 * Merges messages (live or from history) into the list by IVS message id: one already shown stays
 * as it is, a new one goes where its send time puts it, a deleted one never appears.
 */
export function showMessages(page: ChatPage, current: Session, incoming: readonly ShownMessage[]): void {
  if (!isCurrent(page, current)) return;
  // Unbounded here: placeItems trims the oldest items past MAX_LIST_ITEMS and the list with them.
  const merged = mergeMessages(current.shown, incoming, { deleted: current.deleted });
  const byId = new Map(merged.map((entry) => [entry.id, entry]));
  const placements = insertionPoints(merged, new Set(current.items.keys())).flatMap(({ id, before }) => {
    const entry = byId.get(id);
    if (entry === undefined) return [];
    const view = messageView(entry.message, current.userId, current.capabilities);
    current.names.set(view.senderId, view.senderName);
    const item = renderMessage(page, current, view);
    current.items.set(id, item);
    return [{ item, before: before === undefined ? undefined : current.items.get(before) }];
  });
  current.shown = merged.filter((entry) => current.items.has(entry.id));
  placeItems(page, placements);
}

export function showLiveMessage(page: ChatPage, current: Session, message: ChatMessage): void {
  showMessages(page, current, [{ id: message.id, sendTime: message.sendTime, message }]);
}

/** A message deleted live (aws:DELETE_MESSAGE): gone from the list, and kept out of later history reads. */
export function removeDeletedMessage(page: ChatPage, current: Session, event: DeleteMessageEvent): void {
  current.deleted.add(event.messageId);
  current.shown = withoutMessage(current.shown, event.messageId);
  const item = current.items.get(event.messageId);
  current.items.delete(event.messageId);
  if (item === undefined) return;
  // Keep keyboard users somewhere sensible when the item holding focus goes away.
  const hadFocus = item.contains(document.activeElement);
  const author = current.names.get(item.dataset['senderId'] ?? '') ?? 'someone';
  item.remove();
  if (hadFocus) page.ui.messages.focus();
  setFeedback(page.ui, deletionNotice(author, event.reason), 'info');
}

export function showUserDisconnect(page: ChatPage, current: Session, event: DisconnectUserEvent): void {
  const title = disconnectNoticeTitle(event.userId, current.userId, current.names);
  appendItem(page, renderNotice(title, event.reason ?? '', 'notice moderation'));
}

/** An empty list, message box and feedback line, for another room or after signing out. */
export function clearChat(page: ChatPage): void {
  page.ui.messages.replaceChildren();
  page.ui.message.value = '';
  setFeedback(page.ui, '', 'info');
}

/** An application event (SendEvent) as a notice line. */
export function showEvent(page: ChatPage, event: ChatEvent): void {
  const summary = eventSummary(event);
  appendItem(page, renderNotice(`Event ${summary.name}`, summary.details));
}

/** A notice line of the page's own (e.g. the room's modes changed). */
export function showNotice(page: ChatPage, current: Session, title: string, details: string): void {
  if (isCurrent(page, current)) appendItem(page, renderNotice(title, details));
}

/**
 * The user's own message held for review, at the end of the list: their text, marked as waiting for a
 * moderator. It stays until a moderator approves it (then the approved message takes its place) or the
 * room is left; a rejection is not announced.
 */
export function showPendingHeld(
  page: ChatPage,
  current: Session,
  text: string,
  heldId: string | undefined,
): void {
  if (!isCurrent(page, current)) return;
  const entry: PendingHeld = { text, heldId };
  const item = document.createElement('li');
  item.className = 'message own held';
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.append(
    textElement('span', 'author', current.displayName),
    textElement('span', 'badge held', 'waiting for a moderator'),
  );
  item.append(meta, textElement('p', 'text', text));
  current.pendingHeld.set(entry, item);
  appendItem(page, item);
}

/**
 * `app:approved-message`: a held message a moderator approved, shown for everyone as a message from
 * its original sender. The sender's own waiting copy goes.
 */
export function showApprovedMessage(page: ChatPage, current: Session, approved: ApprovedMessage): void {
  if (!isCurrent(page, current)) return;
  const pending = pendingFor([...current.pendingHeld.keys()], approved, current.userId);
  if (pending !== undefined) {
    current.pendingHeld.get(pending)?.remove();
    current.pendingHeld.delete(pending);
  }
  showMessages(page, current, [approved]);
}
