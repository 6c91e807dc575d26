/**
 * Signing in through the token service's dev login (local stack only; a real app signs in with its
 * identity provider here), which opens the rooms panel and the configured room; and signing out.
 */
import { createIdentity, describeApiError, isDemoRole } from './api.js';
import { markInvalid, markValid } from './dom.js';
import { joinedOpenRoom } from './members-only.js';
import { openRoom } from './open-room.js';
import { clearChat } from './message-list.js';
import { setStatus } from './page-elements.js';
import type { ChatPage } from './page-state.js';
import { createRoomsController } from './rooms-controller.js';
import { closeSession } from './session-lifecycle.js';
import { devUserId, validateDisplayName } from './view.js';

export async function signIn(page: ChatPage): Promise<void> {
  const { ui, state } = page;
  const setup = state.setup;
  if (setup === undefined) return;
  const name = validateDisplayName(ui.name.value);
  const role = ui.role.value;
  if (!name.ok) {
    markInvalid(ui.name, ui.signinError, name.text);
    return;
  }
  if (!isDemoRole(role)) return;
  markValid(ui.name, ui.signinError);
  ui.signinButton.disabled = true;
  setStatus(ui, 'connecting', 'Signing in…');
  try {
    const { config, api } = setup;
    const userId = devUserId(name.name, crypto.getRandomValues(new Uint8Array(4)));
    const roles = [role];
    const login = (): Promise<string> => api.devLogin({ userId, displayName: name.name, roles });
    const idToken = await login();
    const identity = createIdentity(login, idToken);
    state.account = { userId, displayName: name.name, roles, identity };
    state.rooms?.close();
    const rooms = createRoomsController(page.roomsUi, {
      client: api,
      identity,
      userId,
      appRoles: roles,
      currentArn: () => state.session?.roomArn,
      openRoom: (room) => {
        openRoom(page, room);
      },
      joinedOpenRoom: () => {
        if (state.session !== undefined) joinedOpenRoom(page, state.session);
      },
    });
    state.rooms = rooms;
    ui.signin.hidden = true;
    ui.workspace.hidden = false;
    // The lists first (one quick read), so the configured room opens with the caller's role in it
    // (its moderators get the moderation tools); a failed read is shown and the room opens anyway.
    await rooms.load();
    const listed = rooms.roomByArn(config.roomArn);
    openRoom(page, {
      arn: config.roomArn,
      maximumMessageLength: config.maximumMessageLength,
      myRole: listed?.myRole,
      privacy: listed?.privacy,
      // config.json carries the room's modes and pin as the page was served; the lists are newer.
      modes: listed?.modes ?? config.modes,
      pinned: listed === undefined ? config.pinned : listed.pinned,
    });
    ui.signout.focus();
  } catch (error) {
    ui.signinError.textContent = describeApiError(error);
    setStatus(ui, 'error', 'Not signed in');
  } finally {
    ui.signinButton.disabled = false;
  }
}

export function signOut(page: ChatPage): void {
  const { ui, state } = page;
  closeSession(page);
  state.account = undefined;
  state.rooms?.close();
  state.rooms = undefined;
  clearChat(page);
  ui.workspace.hidden = true;
  ui.signin.hidden = false;
  setStatus(ui, 'idle', 'Signed out');
  ui.name.focus();
}
