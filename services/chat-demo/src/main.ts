/*! This bundle includes amazon-ivs-chat-messaging@1.1.1, Copyright Amazon.com, Inc. or its affiliates.
 * All Rights Reserved. Provided as AWS Content under the AWS Customer Agreement; licence:
 * https://ivschat.live-video.net/js/LICENSE.txt (see THIRD_PARTY_NOTICES.md). */
/**
 * The chat page: sign in through the token service's dev login, pick a room (the configured one
 * first), get a chat token for it, and connect with amazon-ivs-chat-messaging. Every user-supplied
 * string reaches the DOM through textContent only (CSP also forbids inline script and style).
 *
 * This entry finds the elements, makes the page's one state object, wires the controls and reads
 * config.json. The parts: sign-in.ts (sign in and out), open-room.ts (a room's connection and its
 * events), token-provider.ts (chat tokens for the SDK), session-lifecycle.ts (timers, renewal,
 * leaving), message-list.ts and message-actions.ts (the messages and what a moderator can do to
 * them), room-history.ts, standing.ts (bans and timeouts), composer.ts and send-message.ts;
 * room-state.ts (the room's modes and pin), slow-mode.ts (the countdown), members-only.ts, and the
 * moderators' room-tools.ts (modes and pin panel, held messages queue, moderation log).
 */
import { createApiClient } from './api.js';
import { wireComposer, updateCounter } from './composer.js';
import { parseDemoConfig } from './config.js';
import { joinFromNotice } from './members-only.js';
import { moderationElements } from './moderation-controller.js';
import { chatElements, setFeedback } from './page-elements.js';
import { createPageState, type ChatPage } from './page-state.js';
import { roomToolsElements } from './room-tools.js';
import { roomsElements } from './rooms-controller.js';
import { sendMessage } from './send-message.js';
import { signIn, signOut } from './sign-in.js';
import '../app.css';

/** The moderators' panels for the room's modes, pin, held messages and log (room-tools.ts). */
function wireRoomTools(page: ChatPage): void {
  const { ui, roomToolsUi, state } = page;
  const tools = () => state.session?.roomTools;
  roomToolsUi.modes.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void tools()?.modes.save();
  });
  roomToolsUi.modes.pinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void tools()?.modes.pinOwnText();
  });
  ui.unpin.addEventListener('click', () => {
    const modes = tools()?.modes;
    if (modes === undefined) return;
    ui.unpin.disabled = true;
    void modes.unpin().then((problem) => {
      ui.unpin.disabled = false;
      if (problem !== undefined) setFeedback(ui, problem);
    });
  });
  roomToolsUi.held.refresh.addEventListener('click', () => void tools()?.held.load());
  roomToolsUi.held.more.addEventListener('click', () => void tools()?.held.more());
  roomToolsUi.log.refresh.addEventListener('click', () => void tools()?.log.load());
  roomToolsUi.log.more.addEventListener('click', () => void tools()?.log.more());
  ui.membersOnlyJoin.addEventListener('click', () => void joinFromNotice(page));
}

function wire(page: ChatPage): void {
  const { ui, roomsUi, moderationUi, state } = page;
  ui.signinForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn(page);
  });
  ui.signout.addEventListener('click', () => {
    signOut(page);
  });
  ui.reconnect.addEventListener('click', () => {
    if (state.session?.room.state === 'disconnected') state.session.room.connect();
  });
  moderationUi.refresh.addEventListener('click', () => void state.session?.moderation?.load());
  wireComposer(page, () => void sendMessage(page));
  roomsUi.refresh.addEventListener('click', () => void state.rooms?.load());
  roomsUi.createRoomForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void state.rooms?.createRoom();
  });
  roomsUi.addMemberForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void state.rooms?.addMember();
  });
  wireRoomTools(page);
}

async function loadConfig(page: ChatPage): Promise<void> {
  const { ui } = page;
  ui.signinButton.disabled = true;
  try {
    // Relative to the page, so the same static files work on any host with their own config.json.
    const response = await fetch('config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    const config = parseDemoConfig(await response.json());
    const api = createApiClient({ baseUrl: config.apiBaseUrl, fetch: globalThis.fetch.bind(globalThis) });
    page.state.setup = { config, api };
    ui.signinButton.disabled = false;
    updateCounter(page);
  } catch (error) {
    ui.signinError.textContent = `The page is not configured: ${error instanceof Error ? error.message : 'unknown error'}`;
  }
}

const page: ChatPage = {
  ui: chatElements(),
  roomsUi: roomsElements(),
  moderationUi: moderationElements(),
  roomToolsUi: roomToolsElements(),
  state: createPageState(),
};
wire(page);
void loadConfig(page);
