/**
 * The open room's state beyond its messages: its modes (the small line everyone sees), its pinned
 * message (the bar above the chat), the caller's role in it, and the moderators' tools. Learnt from
 * the room lists or config.json when the room opens, from `GET /v1/rooms/{roomId}` once it is open,
 * and live from the events the service announces (`app:modes`, `app:pin`, `app:unpin`).
 */
import { describeApiError } from './api.js';
import { applyCapabilities } from './composer.js';
import { textElement } from './dom.js';
import { showNotice } from './message-list.js';
import { mayModerateRoom } from './moderation.js';
import { setFeedback } from './page-elements.js';
import { isCurrent, type ChatPage, type Session } from './page-state.js';
import { pinFromEvent, pinnedView, type Pinned } from './pinned.js';
import { createRoomTools } from './room-tools.js';
import { modesChangeNotice, modesFromEvent, modesSummary, type RoomModes } from './room-modes.js';
import type { DemoRoom } from './rooms.js';
import { renewConnection } from './session-lifecycle.js';
import { endCountdown } from './slow-mode.js';

/** The line of modes under the heading: one part each, hidden when all are off. */
function renderModesLine(page: ChatPage, modes: RoomModes): void {
  const parts = modesSummary(modes);
  page.ui.modesLine.replaceChildren(...parts.map((part) => textElement('span', 'mode', part)));
  page.ui.modesLine.hidden = parts.length === 0;
}

/** The pin bar above the messages (with Unpin for the room's moderators), or none. */
export function renderPinned(page: ChatPage, current: Session): void {
  if (!isCurrent(page, current)) return;
  const { ui } = page;
  const pinned = current.pinned;
  ui.pinned.hidden = pinned === undefined;
  ui.unpin.hidden = pinned === undefined || current.roomTools === undefined;
  if (pinned === undefined) {
    ui.pinnedText.textContent = '';
    ui.pinnedDetail.textContent = '';
    return;
  }
  const view = pinnedView(pinned, current.names, current.userId, new Date());
  ui.pinnedText.textContent = view.text;
  ui.pinnedDetail.textContent = view.detail;
}

export function setPinned(page: ChatPage, current: Session, pinned: Pinned | undefined): void {
  current.pinned = pinned;
  renderPinned(page, current);
}

/**
 * The room's modes changed (read, announced or saved): the line, the moderators' form, the countdown
 * (slow mode off ends it), the queue's polling, and what the token allows.
 */
export function setModes(page: ChatPage, current: Session, modes: RoomModes): void {
  const before = current.modes;
  current.modes = modes;
  if (!isCurrent(page, current)) return;
  renderModesLine(page, modes);
  current.roomTools?.modes.show(modes);
  if (before.holdForReview !== modes.holdForReview) current.roomTools?.held.watch(modes.holdForReview);
  if (modes.slowModeSeconds === 0 && current.slowModeUntil !== undefined) endCountdown(page, current);
  applyCapabilities(page, current);
}

/** Creates the moderators' tools once the caller is known to moderate the room (idempotent). */
export function ensureRoomTools(page: ChatPage, current: Session): void {
  const { setup, account } = page.state;
  if (
    current.roomTools !== undefined ||
    current.roomId === undefined ||
    setup === undefined ||
    account === undefined ||
    !isCurrent(page, current) ||
    !mayModerateRoom(current.appRoles, current.roomRole)
  ) {
    return;
  }
  const tools = createRoomTools(
    page.roomToolsUi,
    {
      client: setup.api,
      identity: account.identity,
      roomId: current.roomId,
      names: current.names,
      selfUserId: () => current.userId,
      notify: (text) => {
        if (isCurrent(page, current)) setFeedback(page.ui, text, 'info');
      },
    },
    {
      modes: (modes) => {
        setModes(page, current, modes);
      },
      pinned: (pinned) => {
        setPinned(page, current, pinned);
      },
    },
  );
  current.roomTools = tools;
  tools.modes.show(current.modes);
  tools.held.watch(current.modes.holdForReview);
  if (!current.modes.holdForReview) void tools.held.load();
  void tools.log.load();
  renderPinned(page, current);
}

/** What the service says of the room now: the caller's role, privacy, modes and pin. */
export function applyRoom(page: ChatPage, current: Session, room: DemoRoom): void {
  if (!isCurrent(page, current)) return;
  current.roomRole = room.myRole;
  current.privacy = room.privacy;
  ensureRoomTools(page, current);
  setModes(page, current, room.modes);
  setPinned(page, current, room.pinned);
}

/** Reads the open room (`GET /v1/rooms/{roomId}`); a failure leaves what the page knew, and says so. */
export async function loadRoom(page: ChatPage, current: Session): Promise<void> {
  const { setup, account } = page.state;
  const roomId = current.roomId;
  if (setup === undefined || account === undefined || roomId === undefined) return;
  try {
    const room = await account.identity.authorized((idToken) => setup.api.getRoom(idToken, roomId));
    applyRoom(page, current, room);
  } catch (error) {
    if (isCurrent(page, current)) {
      setFeedback(page.ui, `Could not read the room’s modes: ${describeApiError(error)}`, 'info');
    }
  }
}

/** `app:modes`: a moderator changed the modes; everyone's line follows, with a notice in the chat. */
export function onModesEvent(
  page: ChatPage,
  current: Session,
  attributes: Readonly<Record<string, string>> | undefined,
): void {
  const modes = modesFromEvent(attributes);
  if (modes === undefined) {
    void loadRoom(page, current);
    return;
  }
  const membersOnlyChanged = current.modes.membersOnlySend !== modes.membersOnlySend;
  setModes(page, current, modes);
  showNotice(page, current, modesChangeNotice(modes), '');
  void current.roomTools?.log.load();
  // A non-member's token was decided under the old members-only setting: fetch one under the new.
  const member = current.roomRole !== null && current.roomRole !== undefined;
  const exempt = mayModerateRoom(current.appRoles, current.roomRole);
  if (membersOnlyChanged && !member && !exempt && current.userId !== undefined && isCurrent(page, current)) {
    renewConnection(page.state, current);
  }
}

/** `app:pin` and `app:unpin`: the bar follows at once; a pin too long for the event is read from the room. */
export function onPinEvent(
  page: ChatPage,
  current: Session,
  attributes: Readonly<Record<string, string>> | undefined,
  unpinned: boolean,
): void {
  void current.roomTools?.log.load();
  if (unpinned) {
    setPinned(page, current, undefined);
    return;
  }
  const announced = pinFromEvent(attributes);
  if (announced !== undefined && 'pinned' in announced) setPinned(page, current, announced.pinned);
  else void loadRoom(page, current);
}
