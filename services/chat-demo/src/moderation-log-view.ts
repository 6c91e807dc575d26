/**
 * The moderators' view of the room's moderation log (`GET /v1/rooms/{roomId}/moderation-log`, newest
 * first, paged): one line an entry, "15:05 Mia banned Bob until 16:05. Reason: spam". Read when the
 * room opens, on Refresh, after the moderator's own actions and when a change is announced.
 */
import { describeApiError } from './api.js';
import { textElement } from './dom.js';
import { logLine, type LogEntry } from './moderation-log.js';
import type { ToolContext } from './room-tools.js';

export interface LogViewElements {
  readonly panel: HTMLElement;
  readonly refresh: HTMLButtonElement;
  readonly error: HTMLElement;
  readonly list: HTMLOListElement;
  readonly empty: HTMLElement;
  readonly more: HTMLButtonElement;
}

export interface LogView {
  /** Reads the newest page again and redraws. */
  load(): Promise<void>;
  /** Reads the next (older) page below the ones shown. */
  more(): Promise<void>;
  close(): void;
}

export function createLogView(ui: LogViewElements, context: ToolContext): LogView {
  const { client, identity, roomId, names, selfUserId } = context;
  let closed = false;
  const isClosed = (): boolean => closed;
  let nextToken: string | undefined;
  let generation = 0;
  ui.panel.hidden = false;
  ui.error.textContent = '';
  ui.list.replaceChildren();
  ui.empty.hidden = false;
  ui.more.hidden = true;

  function entryItem(entry: LogEntry): HTMLLIElement {
    const line = logLine(entry, names, selfUserId(), new Date());
    const item = document.createElement('li');
    item.className = 'log-entry';
    item.dataset['action'] = entry.action;
    const when = textElement('time', 'log-when', line.when);
    when.dateTime = entry.time;
    item.append(when, textElement('span', 'log-text', line.text));
    return item;
  }

  async function read(append: boolean): Promise<void> {
    if (isClosed() || (append && nextToken === undefined)) return;
    const mine = append ? generation : ++generation;
    ui.panel.setAttribute('aria-busy', 'true');
    try {
      const page = await identity.authorized((idToken) =>
        client.readModerationLog(idToken, roomId, append ? nextToken : undefined),
      );
      if (isClosed() || mine !== generation) return;
      const items = page.entries.map(entryItem);
      if (append) ui.list.append(...items);
      else ui.list.replaceChildren(...items);
      nextToken = page.nextToken;
      ui.error.textContent = '';
      ui.empty.hidden = ui.list.children.length > 0;
      ui.more.hidden = nextToken === undefined;
    } catch (error) {
      if (!isClosed()) ui.error.textContent = `Could not read the log: ${describeApiError(error)}`;
    } finally {
      if (!isClosed() && mine === generation) ui.panel.setAttribute('aria-busy', 'false');
    }
  }

  return {
    load: () => read(false),
    more: () => read(true),
    close() {
      closed = true;
      ui.panel.hidden = true;
      ui.list.replaceChildren();
    },
  };
}
