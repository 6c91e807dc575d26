/**
 * Moderation in one room for one moderator: bans and timeouts through the service (which records them,
 * disconnects a banned user and has the review handler refuse a timed-out sender), Lift, deleting a
 * message through the service (so it is in the moderation log), and the panel of what is in force.
 * One per open room; late answers are dropped once the room is left.
 */
import { describeApiError, type ApiClient, type Identity } from './api.js';
import { byId } from './dom.js';
import {
  renderRestrictions,
  type ModerationPanelElements,
  type RestrictRequest,
} from './moderation-panel.js';
import { formatUntil, validateReason, type Restriction, type RestrictionKind } from './moderation.js';

export function moderationElements(): ModerationPanelElements {
  return {
    panel: byId('moderation', HTMLElement),
    refresh: byId('moderation-refresh', HTMLButtonElement),
    error: byId('moderation-error', HTMLParagraphElement),
    timeouts: byId('timeouts', HTMLUListElement),
    timeoutsEmpty: byId('timeouts-empty', HTMLParagraphElement),
    bans: byId('bans', HTMLUListElement),
    bansEmpty: byId('bans-empty', HTMLParagraphElement),
  };
}

export interface ModerationOptions {
  readonly client: ApiClient;
  readonly identity: Identity;
  readonly roomId: string;
  /** Display names seen in the room, to name users in the panel. */
  readonly names: ReadonlyMap<string, string>;
  /** A sentence for the moderator after an action succeeded. */
  readonly notify: (text: string) => void;
}

export interface ModerationController {
  /** Reads the bans and timeouts in force and redraws the panel. */
  load(): Promise<void>;
  /** Bans or times out a user; resolves to an error text for the form, or undefined when done. */
  restrict(
    kind: RestrictionKind,
    userId: string,
    name: string,
    request: RestrictRequest,
  ): Promise<string | undefined>;
  /** DELETE …/messages/{id}; resolves to an error text, or undefined when done. */
  deleteMessage(messageId: string, reason: string): Promise<string | undefined>;
  /** Left the room: the panel is hidden and late answers are dropped. */
  close(): void;
}

export function createModerationController(
  ui: ModerationPanelElements,
  options: ModerationOptions,
): ModerationController {
  const { client, identity, roomId, names, notify } = options;
  let closed = false;
  const isClosed = (): boolean => closed;
  ui.panel.hidden = false;
  ui.error.textContent = '';
  renderRestrictions(ui, { bans: [], timeouts: [] }, names, new Date(), () => undefined);

  async function load(): Promise<void> {
    if (isClosed()) return;
    ui.panel.setAttribute('aria-busy', 'true');
    try {
      const [bans, timeouts] = await Promise.all(
        (['ban', 'timeout'] as const).map((kind) =>
          identity.authorized((idToken) => client.listRestrictions(idToken, kind, roomId)),
        ),
      );
      if (isClosed() || bans === undefined || timeouts === undefined) return;
      ui.error.textContent = bans.more || timeouts.more ? 'More are in force than are listed here.' : '';
      renderRestrictions(
        ui,
        { bans: bans.restrictions, timeouts: timeouts.restrictions },
        names,
        new Date(),
        (kind, restriction, button) => void lift(kind, restriction, button),
      );
    } catch (error) {
      if (!isClosed()) ui.error.textContent = `Could not list bans and timeouts: ${describeApiError(error)}`;
    } finally {
      if (!isClosed()) ui.panel.setAttribute('aria-busy', 'false');
    }
  }

  async function lift(
    kind: RestrictionKind,
    restriction: Restriction,
    button: HTMLButtonElement,
  ): Promise<void> {
    button.disabled = true;
    try {
      await identity.authorized((idToken) => client.lift(idToken, kind, roomId, restriction.userId));
      if (isClosed()) return;
      const name = names.get(restriction.userId) ?? restriction.userId;
      notify(kind === 'ban' ? `${name} is no longer banned.` : `${name} may send again.`);
      await load();
    } catch (error) {
      button.disabled = false;
      if (!isClosed()) ui.error.textContent = `Could not lift it: ${describeApiError(error)}`;
    }
  }

  async function restrict(
    kind: RestrictionKind,
    userId: string,
    name: string,
    request: RestrictRequest,
  ): Promise<string | undefined> {
    const reason = validateReason(request.rawReason);
    if (!reason.ok) return reason.text;
    try {
      const set = await identity.authorized((idToken) =>
        client.restrict(idToken, kind, roomId, userId, {
          ...(request.durationMinutes === undefined ? {} : { durationMinutes: request.durationMinutes }),
          ...(reason.reason === undefined ? {} : { reason: reason.reason }),
        }),
      );
      if (isClosed()) return undefined;
      const end =
        set.until === undefined ? 'for good' : `until ${formatUntil(new Date(set.until), new Date())}`;
      notify(kind === 'ban' ? `${name} is banned ${end}.` : `${name} is timed out ${end}.`);
      void load();
      return undefined;
    } catch (error) {
      return describeApiError(error);
    }
  }

  async function deleteMessage(messageId: string, reason: string): Promise<string | undefined> {
    try {
      await identity.authorized((idToken) => client.deleteMessage(idToken, roomId, messageId, reason));
      return undefined;
    } catch (error) {
      return describeApiError(error);
    }
  }

  return {
    load,
    restrict,
    deleteMessage,
    close() {
      closed = true;
      ui.panel.hidden = true;
    },
  };
}
