/**
 * Joining the open room from the members-only notice: `PUT /v1/rooms/{roomId}/members/me` as
 * `member`, then a new chat token (the one in use was issued to a non-member, without SEND_MESSAGE).
 */
import { describeApiError } from './api.js';
import { setFeedback } from './page-elements.js';
import { isCurrent, type ChatPage, type Session } from './page-state.js';
import { renewConnection } from './session-lifecycle.js';

/**
 * The caller became a member of the open room (here or from the rooms panel): a token that lacks
 * SEND_MESSAGE is replaced, since the service now grants it; one that has it keeps the connection.
 */
export function joinedOpenRoom(page: ChatPage, current: Session): void {
  if (!isCurrent(page, current)) return;
  if (current.roomRole === null || current.roomRole === undefined) current.roomRole = 'member';
  if (current.capabilities.includes('SEND_MESSAGE')) return;
  setFeedback(page.ui, 'You joined this room. Getting a chat token that may send…', 'info');
  renewConnection(page.state, current);
}

export async function joinFromNotice(page: ChatPage): Promise<void> {
  const { ui, state } = page;
  const current = state.session;
  const { setup, account } = state;
  if (current === undefined || current.roomId === undefined || setup === undefined || account === undefined) {
    return;
  }
  const roomId = current.roomId;
  ui.membersOnlyJoin.disabled = true;
  ui.membersOnlyError.textContent = '';
  try {
    await account.identity.authorized((idToken) => setup.api.putMember(idToken, roomId, 'me', 'member'));
    joinedOpenRoom(page, current);
    void state.rooms?.load();
  } catch (error) {
    if (isCurrent(page, current))
      ui.membersOnlyError.textContent = `Could not join: ${describeApiError(error)}`;
  } finally {
    ui.membersOnlyJoin.disabled = false;
  }
}
