/**
 * Sending what is in the message box, and acting on a refusal: the text stays in the box, the
 * feedback line says why, a timeout the review reported is shown, and a token that may not send
 * (fetched during a timeout since lifted) is replaced. The room's modes: a delivered message (or a
 * held one, which slow mode paces too) starts slow mode's countdown, as does the review's "Slow mode:
 * wait N s"; a held message leaves the box and waits in the list; the review's members-only backstop
 * (a token fetched before the mode) gets a new token, which then shows why this user cannot send.
 */
import { SendMessageRequest } from 'amazon-ivs-chat-messaging';
import { messageLimit, updateCounter } from './composer.js';
import { RENEWING_TOKEN_TEXT, sendRefusal } from './moderation.js';
import { setFeedback } from './page-elements.js';
import { isCurrent, type ChatPage } from './page-state.js';
import { HELD_FEEDBACK, heldIdFromRefusal } from './held.js';
import { showPendingHeld } from './message-list.js';
import { isHeldRefusal, isMembersOnlyRefusal, slowModeWaitFromRefusal } from './room-modes.js';
import { renewConnection } from './session-lifecycle.js';
import { countDown, noteDelivered, slowModeHolds } from './slow-mode.js';
import { endTimeout, noteTimeout } from './standing.js';
import { canSend, isChatError } from './view.js';

export async function sendMessage(page: ChatPage): Promise<void> {
  const { ui } = page;
  const current = page.state.session;
  if (current === undefined || page.state.setup === undefined) return;
  const content = ui.message.value;
  // Enter while the countdown runs: Send is disabled, and the keyboard must not get round it.
  if (!canSend(content, messageLimit(page)) || slowModeHolds(current, Date.now())) return;
  ui.send.disabled = true;
  setFeedback(ui, '', 'info');
  try {
    await current.room.sendMessage(new SendMessageRequest(content));
    // Clear only what was sent: the user may have typed on while the review ran.
    if (ui.message.value === content) ui.message.value = '';
    // Delivered: whatever timeout the page knew of is over (lifted early, or ended).
    if (current.sendBlockedUntil !== undefined) endTimeout(page, current);
    // Counted from the page's clock when the answer came: the review function counted from when it
    // reviewed, a little earlier, so the page never lets the user send before the review would.
    noteDelivered(page, current, Date.now());
  } catch (error) {
    const reason = isChatError(error) && error.errorCode === 406 ? error.errorMessage : '';
    if (reason !== '' && isHeldRefusal(reason)) {
      // Not lost: it waits for a moderator, shown in the list; the box is free for the next one.
      if (ui.message.value === content) ui.message.value = '';
      showPendingHeld(page, current, content, heldIdFromRefusal(reason));
      // A moderator whose own message was held sees it in their queue at once.
      void current.roomTools?.held.load();
      setFeedback(ui, HELD_FEEDBACK, 'info');
      noteDelivered(page, current, Date.now());
      return;
    }
    // A refused message stays in the box so it can be edited and sent again.
    const refusal = sendRefusal(error, new Date());
    const wait = slowModeWaitFromRefusal(reason);
    if (wait !== undefined) countDown(page, current, Date.now() + wait * 1000);
    if (reason !== '' && isMembersOnlyRefusal(reason) && isCurrent(page, current)) {
      // A token from before the room went members-only: the new one shows the members-only notice.
      renewConnection(page.state, current);
    }
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
