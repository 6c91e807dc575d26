/**
 * The chat page: sign in through the token service's dev login, get a chat token for the room, and
 * connect with amazon-ivs-chat-messaging. Every user-supplied string reaches the DOM through
 * textContent only (CSP also forbids inline script and style).
 */
import {
  ChatRoom,
  DeleteMessageRequest,
  DisconnectUserRequest,
  SendMessageRequest,
  type ChatEvent,
  type ChatMessage,
  type ChatToken,
  type DeleteMessageEvent,
  type DisconnectReason,
  type DisconnectUserEvent,
} from 'amazon-ivs-chat-messaging';
import type { ChatTokenCapability } from '../../../shared/ivs/limits.js';
import {
  chatTokenSource,
  createApiClient,
  describeApiError,
  isDemoRole,
  type ApiClient,
  type ChatTokenGrant,
} from './api.js';
import { parseDemoConfig, type DemoConfig } from './config.js';
import {
  canSend,
  counterState,
  describeCapabilities,
  describeDisconnect,
  describeRequestError,
  devUserId,
  eventSummary,
  messageView,
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

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`The page has no #${id} of the expected kind`);
  return found;
}

const ui = {
  status: byId('status', HTMLParagraphElement),
  signin: byId('signin', HTMLElement),
  signinForm: byId('signin-form', HTMLFormElement),
  signinButton: byId('signin-button', HTMLButtonElement),
  signinError: byId('signin-error', HTMLParagraphElement),
  name: byId('name', HTMLInputElement),
  role: byId('role', HTMLSelectElement),
  chat: byId('chat', HTMLElement),
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
};

type StatusState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'error';

function setStatus(state: StatusState, text: string): void {
  ui.status.dataset['state'] = state;
  ui.status.textContent = text;
}

function setFeedback(text: string, kind: 'denied' | 'rate-limited' | 'error' | 'info' = 'error'): void {
  ui.feedback.dataset['kind'] = kind;
  ui.feedback.textContent = text;
}

/** One signed-in session: the JWT, the room connection and what the last token allowed. */
interface Session {
  readonly room: ChatRoom;
  readonly displayName: string;
  readonly unsubscribe: readonly (() => void)[];
  userId: string | undefined;
  capabilities: readonly ChatTokenCapability[];
  lastTokenError: string | undefined;
  /** Display names seen so far, to name users in disconnect notices. */
  readonly names: Map<string, string>;
}

let config: DemoConfig | undefined;
let api: ApiClient | undefined;
let session: Session | undefined;

function updateCounter(): void {
  const max = config?.maximumMessageLength ?? 500;
  const state = counterState(ui.message.value, max);
  ui.counter.textContent = state.over ? `${state.label}: ${-state.remaining} too many` : state.label;
  ui.counter.classList.toggle('over', state.over);
  ui.message.setAttribute('aria-invalid', String(state.over));
  ui.send.disabled = !canSend(ui.message.value, max) || session?.room.state !== 'connected';
}

function applyCapabilities(current: Session): void {
  const canSendMessages = current.capabilities.includes('SEND_MESSAGE');
  ui.composer.hidden = !canSendMessages;
  ui.viewerNote.hidden = canSendMessages;
  ui.whoami.textContent = `Signed in as ${current.displayName}: ${describeCapabilities(current.capabilities)}`;
  updateCounter();
}

function appendItem(item: HTMLLIElement): void {
  const list = ui.messages;
  // Follow new items only when the reader is already at the bottom, so reading history is not interrupted.
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(item);
  while (list.children.length > MAX_LIST_ITEMS) list.firstElementChild?.remove();
  if (atBottom) list.scrollTop = list.scrollHeight;
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

  if (view.canDelete || view.canDisconnect) {
    const actions = document.createElement('div');
    actions.className = 'actions';
    if (view.canDelete) {
      const remove = textElement('button', 'action delete', 'Delete');
      remove.type = 'button';
      remove.setAttribute('aria-label', `Delete message from ${view.senderName}`);
      remove.addEventListener('click', () => void deleteMessage(current, view, remove));
      actions.append(remove);
    }
    if (view.canDisconnect) {
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

async function deleteMessage(current: Session, view: MessageView, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
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

function onMessage(current: Session, message: ChatMessage): void {
  const view = messageView(message, current.userId, current.capabilities);
  current.names.set(view.senderId, view.senderName);
  appendItem(renderMessage(view, current));
}

function onMessageDelete(current: Session, event: DeleteMessageEvent): void {
  const item = [...ui.messages.querySelectorAll<HTMLLIElement>('li.message')].find(
    (candidate) => candidate.dataset['messageId'] === event.messageId,
  );
  if (item === undefined) return;
  // Keep keyboard users somewhere sensible when the item holding focus goes away.
  const hadFocus = item.contains(document.activeElement);
  const author = current.names.get(item.dataset['senderId'] ?? '') ?? 'someone';
  item.remove();
  if (hadFocus) ui.messages.focus();
  setFeedback(`A message from ${author} was deleted${event.reason ? `: ${event.reason}` : ''}.`, 'info');
}

function onUserDisconnect(current: Session, event: DisconnectUserEvent): void {
  const name = event.userId === current.userId ? 'You' : (current.names.get(event.userId) ?? 'A user');
  appendItem(
    renderNotice(
      `${name} ${name === 'You' ? 'were' : 'was'} disconnected`,
      event.reason ?? '',
      'notice moderation',
    ),
  );
}

function onEvent(event: ChatEvent): void {
  const summary = eventSummary(event);
  appendItem(renderNotice(`Event ${summary.name}`, summary.details));
}

function onDisconnect(current: Session, reason: DisconnectReason): void {
  if (session !== current) return;
  const state: StatusState = reason === 'clientDisconnect' ? 'disconnected' : 'error';
  setStatus(state, describeDisconnect(reason, current.lastTokenError));
  ui.reconnect.hidden = reason === 'clientDisconnect';
  updateCounter();
}

function startSession(
  demo: DemoConfig,
  nextChatToken: () => Promise<ChatTokenGrant>,
  displayName: string,
): Session {
  const room = new ChatRoom({
    regionOrUrl: demo.messagingUrl,
    // Called on the first connect and on every reconnect: a chat token opens one connection only.
    tokenProvider: async (): Promise<ChatToken> => {
      try {
        const grant = await nextChatToken();
        current.userId = grant.userId;
        current.capabilities = grant.capabilities;
        current.lastTokenError = undefined;
        if (session === current) applyCapabilities(current);
        return {
          token: grant.token,
          tokenExpirationTime: grant.tokenExpirationTime,
          sessionExpirationTime: grant.sessionExpirationTime,
        };
      } catch (error) {
        current.lastTokenError = describeApiError(error);
        throw error;
      }
    },
  });
  // The SDK's debug and info logs print chat tokens and message texts to the console.
  room.logLevel = 'error';
  const unsubscribe = [
    room.addListener('connecting', () => {
      setStatus('connecting', 'Connecting…');
      updateCounter();
    }),
    room.addListener('connect', () => {
      setStatus('connected', 'Connected');
      ui.reconnect.hidden = true;
      updateCounter();
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
  const current: Session = {
    room,
    displayName,
    unsubscribe,
    userId: undefined,
    capabilities: [],
    lastTokenError: undefined,
    names: new Map(),
  };
  return current;
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
    const login = (): Promise<string> => client.devLogin({ userId, displayName: name.name, roles: [role] });
    const idToken = await login();
    const current = startSession(config, chatTokenSource(client, config.roomArn, login, idToken), name.name);
    session = current;
    ui.messages.replaceChildren();
    setFeedback('', 'info');
    ui.whoami.textContent = `Signed in as ${name.name}`;
    ui.composer.hidden = true;
    ui.viewerNote.hidden = true;
    ui.signin.hidden = true;
    ui.chat.hidden = false;
    current.room.connect();
    ui.signout.focus();
    const focusComposer = current.room.addListener('connect', () => {
      focusComposer();
      if (!ui.composer.hidden) ui.message.focus();
    });
  } catch (error) {
    ui.signinError.textContent = describeApiError(error);
    setStatus('error', 'Not signed in');
  } finally {
    ui.signinButton.disabled = false;
  }
}

function signOut(): void {
  const current = session;
  session = undefined;
  if (current !== undefined) {
    for (const stop of current.unsubscribe) stop();
    current.room.disconnect();
  }
  ui.messages.replaceChildren();
  ui.message.value = '';
  setFeedback('', 'info');
  ui.chat.hidden = true;
  ui.signin.hidden = false;
  setStatus('idle', 'Signed out');
  ui.name.focus();
}

async function send(): Promise<void> {
  const current = session;
  if (current === undefined || config === undefined) return;
  const content = ui.message.value;
  if (!canSend(content, config.maximumMessageLength)) return;
  ui.send.disabled = true;
  setFeedback('', 'info');
  try {
    await current.room.sendMessage(new SendMessageRequest(content));
    // Clear only what was sent: the user may have typed on while the review ran.
    if (ui.message.value === content) ui.message.value = '';
  } catch (error) {
    // A refused message stays in the box so it can be edited and sent again.
    const feedback = describeRequestError(error);
    setFeedback(feedback.text, feedback.kind);
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
  ui.composer.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
  ui.message.addEventListener('input', updateCounter);
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
