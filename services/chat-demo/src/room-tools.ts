/**
 * The tools of a room's moderators (its owner and moderators, and admins) for the live-stream modes:
 * the Room modes panel with pinning (modes-panel.ts), the held messages queue (held-queue.ts) and the
 * moderation log (moderation-log-view.ts). One set per open room; closed when the room is left.
 */
import type { ApiClient, Identity } from './api.js';
import { byId } from './dom.js';
import { createHeldQueue, type HeldQueue, type HeldQueueElements } from './held-queue.js';
import {
  createModesPanel,
  type ModesPanel,
  type ModesPanelElements,
  type ModesPanelEvents,
} from './modes-panel.js';
import { createLogView, type LogView, type LogViewElements } from './moderation-log-view.js';

export interface RoomToolsElements {
  readonly modes: ModesPanelElements;
  readonly held: HeldQueueElements;
  readonly log: LogViewElements;
}

export function roomToolsElements(): RoomToolsElements {
  return {
    modes: {
      panel: byId('room-modes', HTMLElement),
      form: byId('modes-form', HTMLFormElement),
      slow: byId('mode-slow', HTMLInputElement),
      slowSeconds: byId('mode-slow-seconds', HTMLInputElement),
      membersOnly: byId('mode-members-only', HTMLInputElement),
      hold: byId('mode-hold', HTMLInputElement),
      save: byId('modes-save', HTMLButtonElement),
      error: byId('modes-error', HTMLParagraphElement),
      pinForm: byId('pin-form', HTMLFormElement),
      pinText: byId('pin-text', HTMLInputElement),
      pinButton: byId('pin-button', HTMLButtonElement),
      pinError: byId('pin-error', HTMLParagraphElement),
    },
    held: {
      panel: byId('held-queue', HTMLElement),
      refresh: byId('held-refresh', HTMLButtonElement),
      error: byId('held-error', HTMLParagraphElement),
      list: byId('held-list', HTMLUListElement),
      empty: byId('held-empty', HTMLParagraphElement),
      more: byId('held-more', HTMLButtonElement),
    },
    log: {
      panel: byId('moderation-log', HTMLElement),
      refresh: byId('log-refresh', HTMLButtonElement),
      error: byId('log-error', HTMLParagraphElement),
      list: byId('log-list', HTMLOListElement),
      empty: byId('log-empty', HTMLParagraphElement),
      more: byId('log-more', HTMLButtonElement),
    },
  };
}

/** What each tool needs: the service, the moderator's identity, the room, and the page's names. */
export interface ToolContext {
  readonly client: ApiClient;
  readonly identity: Identity;
  readonly roomId: string;
  /** Display names seen in the room, to name users. */
  readonly names: ReadonlyMap<string, string>;
  readonly selfUserId: () => string | undefined;
  /** A sentence for the moderator after an action succeeded. */
  readonly notify: (text: string) => void;
  /** The moderator did something the log records. */
  readonly acted: () => void;
}

export interface RoomTools {
  readonly modes: ModesPanel;
  readonly held: HeldQueue;
  readonly log: LogView;
  close(): void;
}

export function createRoomTools(
  ui: RoomToolsElements,
  context: Omit<ToolContext, 'acted'>,
  events: ModesPanelEvents,
): RoomTools {
  // The log is read again after each of the moderator's own actions, so it shows what they just did;
  // the panels that act are made before the log, hence the holder.
  const made: { log?: LogView } = {};
  const full: ToolContext = { ...context, acted: () => void made.log?.load() };
  const modes = createModesPanel(ui.modes, full, {
    modes: (changed) => {
      events.modes(changed);
      full.acted();
    },
    pinned: (pinned) => {
      events.pinned(pinned);
      full.acted();
    },
  });
  const held = createHeldQueue(ui.held, full);
  const log = createLogView(ui.log, full);
  made.log = log;
  return {
    modes,
    held,
    log,
    close() {
      modes.close();
      held.close();
      log.close();
    },
  };
}
