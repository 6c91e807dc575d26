/**
 * Opening a room (leaving the one before): a fresh ChatRoom whose token provider and events feed
 * the message list, the user's standing and the composer, and the moderation tools for those who
 * moderate the room.
 */
import { ChatRoom, type ChatEvent, type DisconnectReason } from 'amazon-ivs-chat-messaging';
import { ApiError, describeApiError, type ChatTokenGrant } from './api.js';
import { applyCapabilities, updateCounter } from './composer.js';
import { APPROVED_EVENT, approvedMessage } from './held.js';
import { createModerationController } from './moderation-controller.js';
import { mayModerateRoom, roomIdOf } from './moderation.js';
import {
  clearChat,
  removeDeletedMessage,
  showApprovedMessage,
  showEvent,
  showLiveMessage,
  showUserDisconnect,
} from './message-list.js';
import { setFeedback, setStatus } from './page-elements.js';
import {
  isCurrent,
  type Account,
  type ChatPage,
  type RoomTarget,
  type Session,
  type Setup,
} from './page-state.js';
import { PIN_EVENT, UNPIN_EVENT } from './pinned.js';
import { HISTORY_SETTLE_MS, loadHistory } from './room-history.js';
import { MODES_EVENT, MODES_OFF } from './room-modes.js';
import { ensureRoomTools, loadRoom, onModesEvent, onPinEvent, setModes, setPinned } from './room-state.js';
import { closeSession, later } from './session-lifecycle.js';
import { clearBan, endTimeout, noteTimeout, showBan } from './standing.js';
import { chatTokenSource, createTokenProvider } from './token-provider.js';
import { describeDisconnect } from './view.js';

/** Connects to a room, leaving the one before: a fresh ChatRoom with a token source for its ARN. */
export function openRoom(page: ChatPage, target: RoomTarget): void {
  const { ui, state } = page;
  const { setup, account } = state;
  if (setup === undefined || account === undefined) return;
  closeSession(page);
  const current = startSession(page, target, setup, account);
  state.session = current;
  clearChat(page);
  ui.whoami.textContent = `Signed in as ${account.displayName}`;
  ui.composer.hidden = true;
  ui.viewerNote.hidden = true;
  ui.reconnect.hidden = true;
  state.rooms?.redraw();
  void current.moderation?.load();
  // What the lists (or config.json) know of the room, at once; read again once connected.
  ensureRoomTools(page, current);
  setModes(page, current, current.modes);
  setPinned(page, current, current.pinned);
  current.room.connect();
  const focusComposer = current.room.addListener('connect', () => {
    focusComposer();
    if (!ui.composer.hidden && isCurrent(page, current)) ui.message.focus();
  });
}

/** A token's news for the page: who the user is there, what the token allows, and their standing. */
function takeGrant(page: ChatPage, current: Session, grant: ChatTokenGrant): void {
  current.userId = grant.userId;
  current.capabilities = grant.capabilities;
  current.lastTokenError = undefined;
  clearBan(page, current);
  if (grant.sendBlockedUntil !== undefined) noteTimeout(page, current, grant.sendBlockedUntil, true);
  else if (current.sendBlockedUntil !== undefined) endTimeout(page, current);
  if (isCurrent(page, current)) applyCapabilities(page, current);
}

/** No token: the status line will say why once the SDK gives up; a ban is shown at once. */
function takeTokenRefusal(page: ChatPage, current: Session, error: unknown): void {
  current.lastTokenError = describeApiError(error);
  if (error instanceof ApiError && error.ban !== undefined) showBan(page, current, error.ban);
}

function onDisconnect(page: ChatPage, current: Session, reason: DisconnectReason): void {
  if (!isCurrent(page, current)) return;
  const { ui } = page;
  setStatus(
    ui,
    reason === 'clientDisconnect' ? 'disconnected' : 'error',
    describeDisconnect(reason, current.lastTokenError),
  );
  // Also after a ban: once it ends or is lifted, Reconnect gets a token again.
  ui.reconnect.hidden = reason === 'clientDisconnect';
  updateCounter(page);
  // Put out by the server: a ban does that, and the service says so (with the reason) when asked.
  if (reason === 'serverDisconnect') void loadHistory(page, current);
}

/** The service's own events change the page; any other application event is shown as a notice. */
function onRoomEvent(page: ChatPage, current: Session, event: ChatEvent): void {
  if (!isCurrent(page, current)) return;
  switch (event.eventName) {
    case MODES_EVENT:
      onModesEvent(page, current, event.attributes);
      return;
    case PIN_EVENT:
    case UNPIN_EVENT:
      onPinEvent(page, current, event.attributes, event.eventName === UNPIN_EVENT);
      return;
    case APPROVED_EVENT: {
      const approved = approvedMessage(event);
      if (approved === undefined) break;
      showApprovedMessage(page, current, approved);
      void current.roomTools?.held.load();
      return;
    }
  }
  showEvent(page, event);
}

/** A session for `target` with its ChatRoom (not connected yet) and, for its moderators, the tools. */
function startSession(page: ChatPage, target: RoomTarget, setup: Setup, who: Account): Session {
  const client = setup.api;
  const room = new ChatRoom({
    regionOrUrl: setup.config.messagingUrl,
    // Called for every connection the SDK opens: a chat token opens one connection only.
    tokenProvider: createTokenProvider(chatTokenSource(client, target.arn, who.identity), {
      granted: (grant) => {
        takeGrant(page, current, grant);
      },
      refused: (error) => {
        takeTokenRefusal(page, current, error);
      },
    }),
  });
  // The SDK's debug and info logs print chat tokens and message texts to the console.
  room.logLevel = 'error';
  const roomId = roomIdOf(target.arn);
  const names = new Map<string, string>();
  const moderation =
    roomId !== undefined && mayModerateRoom(who.roles, target.myRole)
      ? createModerationController(page.moderationUi, {
          client,
          identity: who.identity,
          roomId,
          names,
          notify: (text) => {
            setFeedback(page.ui, text, 'info');
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
    unsubscribe: [],
    userId: undefined,
    capabilities: [],
    lastTokenError: undefined,
    names,
    shown: [],
    items: new Map(),
    deleted: new Set(),
    sendBlockedUntil: undefined,
    timers: new Set(),
    roomRole: target.myRole,
    privacy: target.privacy,
    modes: target.modes ?? MODES_OFF,
    pinned: target.pinned,
    slowModeUntil: undefined,
    pendingHeld: new Map(),
    roomTools: undefined,
  };
  current.unsubscribe.push(...listenTo(page, current));
  return current;
}

/** The room's events, sent to the status line, the message list and the history; returns the removers. */
function listenTo(page: ChatPage, current: Session): (() => void)[] {
  const { ui } = page;
  const { room } = current;
  return [
    room.addListener('connecting', () => {
      setStatus(ui, 'connecting', 'Connecting…');
      updateCounter(page);
    }),
    room.addListener('connect', () => {
      if (!isCurrent(page, current)) return;
      setStatus(ui, 'connected', 'Connected');
      ui.reconnect.hidden = true;
      updateCounter(page);
      // Live messages are subscribed already: history fills in what came before, without a gap.
      void loadHistory(page, current);
      // Events are subscribed too: the room's modes and pin as they are now (changes missed while
      // disconnected included).
      void loadRoom(page, current);
      later(page.state, current, HISTORY_SETTLE_MS, () => void loadHistory(page, current));
    }),
    room.addListener('disconnect', (reason) => {
      onDisconnect(page, current, reason);
    }),
    room.addListener('message', (message) => {
      showLiveMessage(page, current, message);
    }),
    room.addListener('messageDelete', (event) => {
      removeDeletedMessage(page, current, event);
    }),
    room.addListener('userDisconnect', (event) => {
      showUserDisconnect(page, current, event);
    }),
    room.addListener('event', (event) => {
      onRoomEvent(page, current, event);
    }),
  ];
}
