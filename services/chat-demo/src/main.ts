/*! This bundle includes amazon-ivs-chat-messaging@1.1.1, Copyright Amazon.com, Inc. or its affiliates.
 * All Rights Reserved. Provided as AWS Content under the AWS Customer Agreement; licence:
 * https://ivschat.live-video.net/js/LICENSE.txt (see THIRD_PARTY_NOTICES.md). */
/**
 * The chat page: sign in through the token service's dev login, pick a room (the configured one
 * first), get a chat token for it, and connect with amazon-ivs-chat-messaging. Every user-supplied
 * string reaches the DOM through textContent only (CSP also forbids inline script and style).
 */
import {
  ChatRoom,
  DeleteMessageRequest,
  DisconnectUserRequest,
  SendMessageRequest,
  type ChatEvent,
  type ChatMessage,
  type DeleteMessageEvent,
  type DisconnectReason,
  type DisconnectUserEvent,
} from 'amazon-ivs-chat-messaging';
import type { ChatTokenCapability } from '../../../shared/ivs/limits.js';
import {
  ApiError,
  createApiClient,
  createIdentity,
  describeApiError,
  isDemoRole,
  type ApiClient,
  type BanNotice,
  type DemoRole,
  type Identity,
} from './api.js';
import { parseDemoConfig, type DemoConfig } from './config.js';
import { byId } from './dom.js';
import {
  HISTORY_PAGE_SIZE,
  insertionPoints,
  mergeMessages,
  shownFromHistory,
  withoutMessage,
  type ShownMessage,
} from './history.js';
import {
  createModerationController,
  moderationElements,
  type ModerationController,
} from './moderation-controller.js';
import { restrictForm } from './moderation-panel.js';
import {
  RENEWING_TOKEN_TEXT,
  banText,
  mayModerateRoom,
  messageActions,
  roomIdOf,
  sendRefusal,
  timeoutText,
  type RestrictionKind,
} from './moderation.js';
import { createRoomsController, roomsElements, type RoomsController } from './rooms-controller.js';
import type { RoomRole } from './rooms.js';
import { chatTokenSource, createTokenProvider, type GrantSource } from './token-provider.js';
import {
  canSend,
  counterState,
  deletionNotice,
  describeCapabilities,
  describeDisconnect,
  describeRequestError,
  devUserId,
  disconnectNoticeTitle,
  eventSummary,
  messageView,
  showsComposer,
  timeOfDay,
  validateDisplayName,
  type MessageView,
} from './view.js';
import '../app.css';

/** Older entries are dropped past this many, so a long session keeps a bounded DOM. */
const MAX_LIST_ITEMS = 200;
/** IVS reason fields are 1–256 characters (IVS Chat API reference and service quotas). */
const DELETE_REASON = 'Removed by a moderator';
const DISCONNECT_REASON = 'Disconnected by a moderator';
/**
 * History is fetched again this long after each connect: in AWS the chat log reaches it about 10 s
 * after a message is sent (README, "Chat history"), so messages sent just before connecting may
 * be missing from the first fetch. Merging is idempotent.
 */
const HISTORY_SETTLE_MS = 15_000;
/** A timer fires at most this far ahead (setTimeout's limit is about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const ui = {
  status: byId('status', HTMLParagraphElement),
  signin: byId('signin', HTMLElement),
  signinForm: byId('signin-form', HTMLFormElement),
  signinButton: byId('signin-button', HTMLButtonElement),
  signinError: byId('signin-error', HTMLParagraphElement),
  name: byId('name', HTMLInputElement),
  role: byId('role', HTMLSelectElement),
  workspace: byId('workspace', HTMLDivElement),
  whoami: byId('whoami', HTMLParagraphElement),
  reconnect: byId('reconnect', HTMLButtonElement),
  signout: byId('signout', HTMLButtonElement),
  messages: byId('messages', HTMLOListElement),
  feedback: byId('feedback', HTMLParagraphElement),
  composer: byId('composer', HTMLFormElement),
  message: byId('message', HTMLTextAreaElement),
  send: byId('send', HTMLButtonElement),
  counter: byId('counter', HTMLParagraphElement),
  viewerNote: byId('viewer-note', HTMLParagraphElement),
  standing: byId('standing', HTMLParagraphElement),
};
const roomsUi = roomsElements();
const moderationUi = moderationElements();

type StatusState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'error';

function setStatus(state: StatusState, text: string): void {
  ui.status.dataset['state'] = state;
  ui.status.textContent = text;
}

function setFeedback(text: string, kind: 'denied' | 'rate-limited' | 'error' | 'info' = 'error'): void {
  ui.feedback.dataset['kind'] = kind;
  ui.feedback.textContent = text;
}

/** Who is signed in: their dev-login identity and app roles, for every room they open. */
interface Account {
  readonly userId: string;
  readonly displayName: string;
  readonly roles: readonly DemoRole[];
  readonly identity: Identity;
}

/** The room to open: its ARN and limit, and the caller's room role when the room lists know it. */
interface RoomTarget {
  readonly arn: string;
  readonly maximumMessageLength: number;
  readonly myRole?: RoomRole | null | undefined;
}

/** One room connection of the signed-in user, and what its last token allowed. */
interface Session {
  readonly room: ChatRoom;
  readonly roomArn: string;
  readonly roomId: string | undefined;
  /** Bans, timeouts and deletes through the service, for the room's moderators and admins. */
  readonly moderation: ModerationController | undefined;
  readonly appRoles: readonly string[];
  /** The room's maximumMessageLength, in code points. */
  readonly maximumMessageLength: number;
  readonly displayName: string;
  readonly unsubscribe: readonly (() => void)[];
  userId: string | undefined;
  capabilities: readonly ChatTokenCapability[];
  lastTokenError: string | undefined;
  /** Display names seen so far, to name users in disconnect notices. */
  readonly names: Map<string, string>;
  /** The messages on screen, oldest first, and their list items. */
  shown: ShownMessage[];
  readonly items: Map<string, HTMLLIElement>;
  /** Ids deleted live: kept out of later history fetches. */
  readonly deleted: Set<string>;
  /** The end of a timeout the page knows of. */
  sendBlockedUntil: string | undefined;
  /** Pending timers (history refetch, timeout end), cleared when the room is left. */
  readonly timers: Set<ReturnType<typeof setTimeout>>;
}

let config: DemoConfig | undefined;
let api: ApiClient | undefined;
let account: Account | undefined;
let session: Session | undefined;
/** The signed-in user's rooms panel. */
let rooms: RoomsController | undefined;

function messageLimit(): number {
  return session?.maximumMessageLength ?? config?.maximumMessageLength ?? 500;
}

function updateCounter(): void {
  const max = messageLimit();
  const state = counterState(ui.message.value, max);
  ui.counter.textContent = state.over ? `${state.label}: ${-state.remaining} too many` : state.label;
  ui.counter.classList.toggle('over', state.over);
  ui.message.setAttribute('aria-invalid', String(state.over));
  ui.send.disabled = !canSend(ui.message.value, max) || session?.room.state !== 'connected';
}

function applyCapabilities(current: Session): void {
  const composer = showsComposer(current.capabilities, current.sendBlockedUntil !== undefined);
  ui.composer.hidden = !composer;
  ui.viewerNote.hidden = composer;
  ui.whoami.textContent = `Signed in as ${current.displayName}: ${describeCapabilities(current.capabilities)}`;
  updateCounter();
}

/** Puts items into the list (before `before`, else at the end), keeping it bounded and scrolled. */
function placeItems(placements: readonly { item: HTMLLIElement; before: HTMLLIElement | undefined }[]): void {
  const list = ui.messages;
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
  const current = session;
  if (trimmed && current !== undefined) {
    current.shown = current.shown.filter((shown) => current.items.get(shown.id)?.parentElement === list);
    for (const [id, item] of current.items) if (item.parentElement !== list) current.items.delete(id);
  }
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function appendItem(item: HTMLLIElement): void {
  placeItems([{ item, before: undefined }]);
}

/** Shows the standing banner (a ban or a timeout), or hides it with `undefined`. */
function setStanding(text: string | undefined, kind: 'ban' | 'timeout' = 'timeout'): void {
  ui.standing.hidden = text === undefined;
  ui.standing.dataset['kind'] = kind;
  ui.standing.textContent = text ?? '';
}

function showBan(current: Session, ban: BanNotice): void {
  if (session !== current) return;
  setStanding(banText(ban, new Date()), 'ban');
  ui.composer.hidden = true;
}

function textElement<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.className = className;
  element.textContent = text;
  return element;
}

function renderMessage(view: MessageView, current: Session): HTMLLIElement {
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

  const offered = messageActions(view, current.appRoles, current.moderation !== undefined);
  if (offered.delete || offered.disconnect || offered.restrict) {
    const actions = document.createElement('div');
    actions.className = 'actions';
    if (offered.delete) {
      const remove = textElement('button', 'action delete', 'Delete');
      remove.type = 'button';
      remove.setAttribute('aria-label', `Delete message from ${view.senderName}`);
      remove.addEventListener('click', () => void deleteMessage(current, view, remove));
      actions.append(remove);
    }
    if (offered.restrict) {
      for (const kind of ['timeout', 'ban'] as const) {
        const open = textElement('button', `action ${kind}`, kind === 'ban' ? 'Ban' : 'Time out');
        open.type = 'button';
        open.setAttribute('aria-label', `${kind === 'ban' ? 'Ban' : 'Time out'} ${view.senderName}`);
        open.addEventListener('click', () => {
          openRestrictForm(current, item, view, kind, open);
        });
        actions.append(open);
      }
    }
    if (offered.disconnect) {
      const kick = textElement('button', 'action disconnect', 'Disconnect user');
      kick.type = 'button';
      kick.setAttribute('aria-label', `Disconnect ${view.senderName}`);
      kick.addEventListener('click', () => void disconnectUser(current, view, kick));
      actions.append(kick);
    }
    item.append(actions);
  }
  return item;
}

function renderNotice(title: string, details: string, className = 'notice'): HTMLLIElement {
  const item = document.createElement('li');
  item.className = className;
  item.append(textElement('span', 'notice-title', title));
  if (details !== '') item.append(textElement('span', 'notice-details', details));
  return item;
}

/** The ban or time-out form under a message (one open at a time); focus moves into it and back. */
function openRestrictForm(
  current: Session,
  item: HTMLLIElement,
  view: MessageView,
  kind: RestrictionKind,
  opener: HTMLButtonElement,
): void {
  const moderation = current.moderation;
  if (moderation === undefined) return;
  for (const open of ui.messages.querySelectorAll('form.restrict-form')) open.remove();
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

async function deleteMessage(current: Session, view: MessageView, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  if (current.moderation !== undefined) {
    const problem = await current.moderation.deleteMessage(view.id, DELETE_REASON);
    if (problem !== undefined) {
      button.disabled = false;
      setFeedback(problem);
    }
    return;
  }
  try {
    await current.room.deleteMessage(new DeleteMessageRequest(view.id, DELETE_REASON));
  } catch (error) {
    button.disabled = false;
    setFeedback(describeRequestError(error).text);
  }
}

async function disconnectUser(current: Session, view: MessageView, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    await current.room.disconnectUser(new DisconnectUserRequest(view.senderId, DISCONNECT_REASON));
  } catch (error) {
    setFeedback(describeRequestError(error).text);
  } finally {
    button.disabled = false;
  }
}

/**
 * Merges messages (live or from history) into the list by IVS message id: one already shown stays
 * as it is, a new one goes where its send time puts it, a deleted one never appears.
 */
function showMessages(current: Session, incoming: readonly ShownMessage[]): void {
  if (session !== current) return;
  // Unbounded here: placeItems trims the oldest items past MAX_LIST_ITEMS and the list with them.
  const merged = mergeMessages(current.shown, incoming, { deleted: current.deleted });
  const byId = new Map(merged.map((entry) => [entry.id, entry]));
  const placements = insertionPoints(merged, new Set(current.items.keys())).flatMap(({ id, before }) => {
    const entry = byId.get(id);
    if (entry === undefined) return [];
    const view = messageView(entry.message, current.userId, current.capabilities);
    current.names.set(view.senderId, view.senderName);
    const item = renderMessage(view, current);
    current.items.set(id, item);
    return [{ item, before: before === undefined ? undefined : current.items.get(before) }];
  });
  current.shown = merged.filter((entry) => current.items.has(entry.id));
  placeItems(placements);
}

function onMessage(current: Session, message: ChatMessage): void {
  showMessages(current, [{ id: message.id, sendTime: message.sendTime, message }]);
}

/**
 * The room's last messages, merged above the live ones. Called once connected (live messages are
 * already subscribed, so nothing falls between the two) and after a server disconnect, where a 403
 * `banned` answer says why the user was put out.
 */
async function loadHistory(current: Session): Promise<void> {
  const roomId = current.roomId;
  if (api === undefined || account === undefined || roomId === undefined) return;
  const client = api;
  try {
    const page = await account.identity.authorized((idToken) =>
      client.listMessages(idToken, roomId, HISTORY_PAGE_SIZE),
    );
    showMessages(current, page.messages.map(shownFromHistory));
  } catch (error) {
    if (session !== current) return;
    if (error instanceof ApiError && error.ban !== undefined) showBan(current, error.ban);
    else if (current.room.state === 'connected')
      setFeedback(`Could not load earlier messages: ${describeApiError(error)}`, 'info');
  }
}

/** Runs `action` after `ms` unless the room is left first. */
function later(current: Session, ms: number, action: () => void): void {
  const timer = setTimeout(
    () => {
      current.timers.delete(timer);
      if (session === current) action();
    },
    Math.min(Math.max(ms, 0), MAX_TIMER_MS),
  );
  current.timers.add(timer);
}

/** Opens a new connection with a fresh token (e.g. one with SEND_MESSAGE once a timeout is over). */
function renewConnection(current: Session): void {
  if (current.room.state === 'disconnected') {
    current.room.connect();
    return;
  }
  const reconnect = current.room.addListener('disconnect', () => {
    reconnect();
    // After the SDK has finished closing: connecting from inside its own event loses the new socket.
    later(current, 0, () => {
      current.room.connect();
    });
  });
  current.room.disconnect();
}

/** A timeout the page learnt of (from a token, or from the review's refusal): say until when. */
function noteTimeout(current: Session, until: string, tokenLacksSend: boolean): void {
  if (session !== current) return;
  current.sendBlockedUntil = until;
  setStanding(timeoutText(until, new Date()), 'timeout');
  applyCapabilities(current);
  // When it ends, a token fetched during it still lacks SEND_MESSAGE: get a new one.
  later(current, Date.parse(until) - Date.now() + 1_000, () => {
    if (current.sendBlockedUntil !== until) return;
    endTimeout(current);
    if (tokenLacksSend) renewConnection(current);
  });
}

function endTimeout(current: Session): void {
  current.sendBlockedUntil = undefined;
  if (ui.standing.dataset['kind'] === 'timeout') setStanding(undefined);
  applyCapabilities(current);
}

function onMessageDelete(current: Session, event: DeleteMessageEvent): void {
  current.deleted.add(event.messageId);
  current.shown = withoutMessage(current.shown, event.messageId);
  const item = current.items.get(event.messageId);
  current.items.delete(event.messageId);
  if (item === undefined) return;
  // Keep keyboard users somewhere sensible when the item holding focus goes away.
  const hadFocus = item.contains(document.activeElement);
  const author = current.names.get(item.dataset['senderId'] ?? '') ?? 'someone';
  item.remove();
  if (hadFocus) ui.messages.focus();
  setFeedback(deletionNotice(author, event.reason), 'info');
}

function onUserDisconnect(current: Session, event: DisconnectUserEvent): void {
  const title = disconnectNoticeTitle(event.userId, current.userId, current.names);
  appendItem(renderNotice(title, event.reason ?? '', 'notice moderation'));
}

function onEvent(event: ChatEvent): void {
  const summary = eventSummary(event);
  appendItem(renderNotice(`Event ${summary.name}`, summary.details));
}

function onDisconnect(current: Session, reason: DisconnectReason): void {
  if (session !== current) return;
  const state: StatusState = reason === 'clientDisconnect' ? 'disconnected' : 'error';
  setStatus(state, describeDisconnect(reason, current.lastTokenError));
  // Also after a ban: once it ends or is lifted, Reconnect gets a token again.
  ui.reconnect.hidden = reason === 'clientDisconnect';
  updateCounter();
  // Put out by the server: a ban does that, and the service says so (with the reason) when asked.
  if (reason === 'serverDisconnect') void loadHistory(current);
}

function startSession(
  demo: DemoConfig,
  target: RoomTarget,
  nextChatToken: GrantSource,
  who: Account,
  client: ApiClient,
): Session {
  const room = new ChatRoom({
    regionOrUrl: demo.messagingUrl,
    // Called for every connection the SDK opens: a chat token opens one connection only.
    tokenProvider: createTokenProvider(nextChatToken, {
      granted: (grant) => {
        current.userId = grant.userId;
        current.capabilities = grant.capabilities;
        current.lastTokenError = undefined;
        if (session === current && ui.standing.dataset['kind'] === 'ban') setStanding(undefined);
        if (grant.sendBlockedUntil !== undefined) noteTimeout(current, grant.sendBlockedUntil, true);
        else if (current.sendBlockedUntil !== undefined) endTimeout(current);
        if (session === current) applyCapabilities(current);
      },
      refused: (error) => {
        current.lastTokenError = describeApiError(error);
        if (error instanceof ApiError && error.ban !== undefined) showBan(current, error.ban);
      },
    }),
  });
  // The SDK's debug and info logs print chat tokens and message texts to the console.
  room.logLevel = 'error';
  const unsubscribe = [
    room.addListener('connecting', () => {
      setStatus('connecting', 'Connecting…');
      updateCounter();
    }),
    room.addListener('connect', () => {
      if (session !== current) return;
      setStatus('connected', 'Connected');
      ui.reconnect.hidden = true;
      updateCounter();
      // Live messages are subscribed already: history fills in what came before, without a gap.
      void loadHistory(current);
      later(current, HISTORY_SETTLE_MS, () => void loadHistory(current));
    }),
    room.addListener('disconnect', (reason) => {
      onDisconnect(current, reason);
    }),
    room.addListener('message', (message) => {
      onMessage(current, message);
    }),
    room.addListener('messageDelete', (event) => {
      onMessageDelete(current, event);
    }),
    room.addListener('userDisconnect', (event) => {
      onUserDisconnect(current, event);
    }),
    room.addListener('event', onEvent),
  ];
  const roomId = roomIdOf(target.arn);
  const names = new Map<string, string>();
  const moderation =
    roomId !== undefined && mayModerateRoom(who.roles, target.myRole)
      ? createModerationController(moderationUi, {
          client,
          identity: who.identity,
          roomId,
          names,
          notify: (text) => {
            setFeedback(text, 'info');
          },
        })
      : undefined;
  const current: Session = {
    room,
    roomArn: target.arn,
    roomId,
    moderation,
    appRoles: who.roles,
    maximumMessageLength: target.maximumMessageLength,
    displayName: who.displayName,
    unsubscribe,
    userId: undefined,
    capabilities: [],
    lastTokenError: undefined,
    names,
    shown: [],
    items: new Map(),
    deleted: new Set(),
    sendBlockedUntil: undefined,
    timers: new Set(),
  };
  return current;
}

/** Leaves the current room: no more events from it reach the page. */
function stopSession(): void {
  const current = session;
  session = undefined;
  if (current === undefined) return;
  for (const stop of current.unsubscribe) stop();
  for (const timer of current.timers) clearTimeout(timer);
  current.timers.clear();
  current.moderation?.close();
  setStanding(undefined);
  current.room.disconnect();
}

/** Connects to a room (leaving the one before): a fresh ChatRoom with a token source for its ARN. */
function openRoom(target: RoomTarget): void {
  if (config === undefined || api === undefined || account === undefined) return;
  stopSession();
  const current = startSession(
    config,
    target,
    chatTokenSource(api, target.arn, account.identity),
    account,
    api,
  );
  session = current;
  ui.messages.replaceChildren();
  ui.message.value = '';
  setFeedback('', 'info');
  ui.whoami.textContent = `Signed in as ${account.displayName}`;
  ui.composer.hidden = true;
  ui.viewerNote.hidden = true;
  ui.reconnect.hidden = true;
  rooms?.redraw();
  void current.moderation?.load();
  current.room.connect();
  const focusComposer = current.room.addListener('connect', () => {
    focusComposer();
    if (!ui.composer.hidden && session === current) ui.message.focus();
  });
}

async function signIn(): Promise<void> {
  if (config === undefined || api === undefined) return;
  const name = validateDisplayName(ui.name.value);
  const role = ui.role.value;
  if (!name.ok) {
    ui.signinError.textContent = name.text;
    ui.name.setAttribute('aria-invalid', 'true');
    ui.name.focus();
    return;
  }
  if (!isDemoRole(role)) return;
  ui.name.removeAttribute('aria-invalid');
  ui.signinError.textContent = '';
  ui.signinButton.disabled = true;
  setStatus('connecting', 'Signing in…');
  try {
    const userId = devUserId(name.name, crypto.getRandomValues(new Uint8Array(4)));
    const client = api;
    const roles = [role];
    const login = (): Promise<string> => client.devLogin({ userId, displayName: name.name, roles });
    const idToken = await login();
    const identity = createIdentity(login, idToken);
    account = { userId, displayName: name.name, roles, identity };
    rooms?.close();
    rooms = createRoomsController(roomsUi, {
      client,
      identity,
      userId,
      appRoles: roles,
      currentArn: () => session?.roomArn,
      openRoom,
    });
    ui.signin.hidden = true;
    ui.workspace.hidden = false;
    // The lists first (one quick read), so the configured room opens with the caller's role in it
    // (its moderators get the moderation tools); a failed read is shown and the room opens anyway.
    await rooms.load();
    openRoom({
      arn: config.roomArn,
      maximumMessageLength: config.maximumMessageLength,
      myRole: rooms.roomByArn(config.roomArn)?.myRole,
    });
    ui.signout.focus();
  } catch (error) {
    ui.signinError.textContent = describeApiError(error);
    setStatus('error', 'Not signed in');
  } finally {
    ui.signinButton.disabled = false;
  }
}

function signOut(): void {
  stopSession();
  account = undefined;
  rooms?.close();
  rooms = undefined;
  ui.messages.replaceChildren();
  ui.message.value = '';
  setFeedback('', 'info');
  ui.workspace.hidden = true;
  ui.signin.hidden = false;
  setStatus('idle', 'Signed out');
  ui.name.focus();
}

async function send(): Promise<void> {
  const current = session;
  if (current === undefined || config === undefined) return;
  const content = ui.message.value;
  if (!canSend(content, messageLimit())) return;
  ui.send.disabled = true;
  setFeedback('', 'info');
  try {
    await current.room.sendMessage(new SendMessageRequest(content));
    // Clear only what was sent: the user may have typed on while the review ran.
    if (ui.message.value === content) ui.message.value = '';
    // Delivered: whatever timeout the page knew of is over (lifted early, or ended).
    if (current.sendBlockedUntil !== undefined) endTimeout(current);
  } catch (error) {
    // A refused message stays in the box so it can be edited and sent again.
    const refusal = sendRefusal(error, new Date());
    setFeedback(refusal.feedback.text, refusal.feedback.kind);
    if (refusal.timedOutUntil !== undefined) noteTimeout(current, refusal.timedOutUntil, false);
    if (refusal.tokenLacksSend && session === current) {
      setFeedback(RENEWING_TOKEN_TEXT, 'denied');
      renewConnection(current);
    }
  } finally {
    updateCounter();
  }
}

function wire(): void {
  ui.signinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn();
  });
  ui.signout.addEventListener('click', signOut);
  ui.reconnect.addEventListener('click', () => {
    if (session?.room.state === 'disconnected') session.room.connect();
  });
  moderationUi.refresh.addEventListener('click', () => void session?.moderation?.load());
  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
  ui.message.addEventListener('input', updateCounter);
  roomsUi.refresh.addEventListener('click', () => void rooms?.load());
  roomsUi.createRoomForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void rooms?.createRoom();
  });
  roomsUi.addMemberForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void rooms?.addMember();
  });
  ui.message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.composer.requestSubmit();
    }
  });
}

async function loadConfig(): Promise<void> {
  ui.signinButton.disabled = true;
  try {
    // Relative to the page, so the same static files work on any host with their own config.json.
    const response = await fetch('config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    config = parseDemoConfig(await response.json());
    api = createApiClient({ baseUrl: config.apiBaseUrl, fetch: globalThis.fetch.bind(globalThis) });
    ui.signinButton.disabled = false;
    updateCounter();
  } catch (error) {
    ui.signinError.textContent = `The page is not configured: ${error instanceof Error ? error.message : 'unknown error'}`;
  }
}

wire();
void loadConfig();
