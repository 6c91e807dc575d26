/**
 * The chat's own elements, found once at startup, and the three lines the page writes to: the
 * connection status, the feedback under the messages, and the standing banner (a ban or a
 * timeout). The rooms and moderation panels find theirs in rooms-controller.ts and
 * moderation-controller.ts.
 */
import { byId } from './dom.js';
import type { FeedbackKind } from './view.js';

export interface ChatElements {
  readonly status: HTMLParagraphElement;
  readonly signin: HTMLElement;
  readonly signinForm: HTMLFormElement;
  readonly signinButton: HTMLButtonElement;
  readonly signinError: HTMLParagraphElement;
  readonly name: HTMLInputElement;
  readonly role: HTMLSelectElement;
  readonly workspace: HTMLDivElement;
  readonly whoami: HTMLParagraphElement;
  readonly reconnect: HTMLButtonElement;
  readonly signout: HTMLButtonElement;
  readonly messages: HTMLOListElement;
  readonly feedback: HTMLParagraphElement;
  readonly composer: HTMLFormElement;
  readonly message: HTMLTextAreaElement;
  readonly send: HTMLButtonElement;
  readonly counter: HTMLParagraphElement;
  readonly viewerNote: HTMLParagraphElement;
  readonly standing: HTMLParagraphElement;
  /** The room's modes, one part each ("Slow mode: 10 s", "Members only", …). */
  readonly modesLine: HTMLParagraphElement;
  readonly pinned: HTMLElement;
  readonly pinnedText: HTMLParagraphElement;
  readonly pinnedDetail: HTMLParagraphElement;
  readonly unpin: HTMLButtonElement;
  /** Slow mode's countdown under the box. */
  readonly slowModeWait: HTMLParagraphElement;
  readonly membersOnly: HTMLDivElement;
  readonly membersOnlyText: HTMLParagraphElement;
  readonly membersOnlyJoin: HTMLButtonElement;
  readonly membersOnlyError: HTMLParagraphElement;
}

export function chatElements(): ChatElements {
  return {
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
    modesLine: byId('modes-line', HTMLParagraphElement),
    pinned: byId('pinned', HTMLElement),
    pinnedText: byId('pinned-text', HTMLParagraphElement),
    pinnedDetail: byId('pinned-detail', HTMLParagraphElement),
    unpin: byId('unpin', HTMLButtonElement),
    slowModeWait: byId('slow-mode-wait', HTMLParagraphElement),
    membersOnly: byId('members-only', HTMLDivElement),
    membersOnlyText: byId('members-only-text', HTMLParagraphElement),
    membersOnlyJoin: byId('members-only-join', HTMLButtonElement),
    membersOnlyError: byId('members-only-error', HTMLParagraphElement),
  };
}

export type StatusState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'error';

export function setStatus(ui: ChatElements, state: StatusState, text: string): void {
  ui.status.dataset['state'] = state;
  ui.status.textContent = text;
}

export function setFeedback(ui: ChatElements, text: string, kind: FeedbackKind | 'info' = 'error'): void {
  ui.feedback.dataset['kind'] = kind;
  ui.feedback.textContent = text;
}

/** Shows the standing banner (a ban or a timeout), or hides it with `undefined`. */
export function setStanding(
  ui: ChatElements,
  text: string | undefined,
  kind: 'ban' | 'timeout' = 'timeout',
): void {
  ui.standing.hidden = text === undefined;
  ui.standing.dataset['kind'] = kind;
  ui.standing.textContent = text ?? '';
}
