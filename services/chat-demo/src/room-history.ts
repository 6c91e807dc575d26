/**
 * Reading the open room's last messages from the service (GET /v1/rooms/{roomId}/messages) into
 * the message list, above the live ones.
 */
import { ApiError, describeApiError } from './api.js';
import { HISTORY_PAGE_SIZE, shownFromHistory } from './history.js';
import { showMessages } from './message-list.js';
import { setFeedback } from './page-elements.js';
import { isCurrent, type ChatPage, type Session } from './page-state.js';
import { showBan } from './standing.js';

/**
 * History is read again this long after each connect: in AWS the chat log reaches it about 10 s
 * after a message is sent (README, "Chat history"), so messages sent just before connecting may
 * be missing from the first read. Merging is idempotent.
 */
export const HISTORY_SETTLE_MS = 15_000;

/**
 * The room's last messages, merged above the live ones. Called once connected (live messages are
 * already subscribed, so nothing falls between the two) and after a server disconnect, where a 403
 * `banned` answer says why the user was put out.
 */
export async function loadHistory(page: ChatPage, current: Session): Promise<void> {
  const roomId = current.roomId;
  const { setup, account } = page.state;
  if (setup === undefined || account === undefined || roomId === undefined) return;
  try {
    const history = await account.identity.authorized((idToken) =>
      setup.api.listMessages(idToken, roomId, HISTORY_PAGE_SIZE),
    );
    showMessages(page, current, history.messages.map(shownFromHistory));
  } catch (error) {
    if (!isCurrent(page, current)) return;
    if (error instanceof ApiError && error.ban !== undefined) showBan(page, current, error.ban);
    else if (current.room.state === 'connected')
      setFeedback(page.ui, `Could not load earlier messages: ${describeApiError(error)}`, 'info');
  }
}
