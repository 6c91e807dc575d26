/**
 * Sending what is in the message box, and acting on a refusal: the text stays in the box, the
 * feedback line says why, a timeout the review reported is shown, and a token that may not send
 * (fetched during a timeout since lifted) is replaced.
 */
import { SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { messageLimit, updateCounter } from './composer.js';
import { RENEWING_TOKEN_TEXT, sendRefusal } from './moderation.js';
import { setFeedback } from './page-elements.js';
import { isCurrent, type ChatPage } from './page-state.js';
import { renewConnection } from './session-lifecycle.js';
import { endTimeout, noteTimeout } from './standing.js';
import { canSend } from './view.js';

export async function sendMessage(page: ChatPage): Promise<void> {
  const { ui } = page;
  const current = page.state.session;
  if (current === undefined || page.state.setup === undefined) return;
  const content = ui.message.value;
  if (!canSend(content, messageLimit(page))) return;
  ui.send.disabled = true;
  setFeedback(ui, '', 'info');
  try {
    await current.room.sendMessage(new SendMessageRequest(content));
    // Clear only what was sent: the user may have typed on while the review ran.
    if (ui.message.value === content) ui.message.value = '';
    // Delivered: whatever timeout the page knew of is over (lifted early, or ended).
    if (current.sendBlockedUntil !== undefined) endTimeout(page, current);
  } catch (error) {
    // A refused message stays in the box so it can be edited and sent again.
    const refusal = sendRefusal(error, new Date());
    setFeedback(ui, refusal.feedback.text, refusal.feedback.kind);
    if (refusal.timedOutUntil !== undefined) noteTimeout(page, current, refusal.timedOutUntil, false);
    if (refusal.tokenLacksSend && isCurrent(page, current)) {
      setFeedback(ui, RENEWING_TOKEN_TEXT, 'denied');
      renewConnection(page.state, current);
    }
  } finally {
    updateCounter(page);
  }
}
