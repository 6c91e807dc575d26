/**
 * What the page remembers, in one object made once at startup (main.ts) and passed to every part:
 * no module keeps state of its own. A session is one room connection; the handlers of a session
 * left behind check `isCurrent` before they touch the page.
 */
import type { ChatRoom } from 'amazon-ivs-chat-messaging';
import type { ChatTokenCapability } from '../../../shared/ivs/limits.js';
import type { ApiClient, DemoRole, Identity } from './api.js';
import type { DemoConfig } from './config.js';
import type { PendingHeld } from './held.js';
import type { ShownMessage } from './history.js';
import type { ModerationController } from './moderation-controller.js';
import type { ModerationPanelElements } from './moderation-panel.js';
import type { ChatElements } from './page-elements.js';
import type { Pinned } from './pinned.js';
import type { RoomModes } from './room-modes.js';
import type { RoomTools, RoomToolsElements } from './room-tools.js';
import type { RoomsController, RoomsElements } from './rooms-controller.js';
import type { Privacy, RoomRole } from './rooms.js';

/** Who is signed in: their dev-login identity and app roles, for every room they open. */
export interface Account {
  readonly userId: string;
  readonly displayName: string;
  readonly roles: readonly DemoRole[];
  readonly identity: Identity;
}

/**
 * The room to open: its ARN and limit, and what the room lists (or config.json) know of it: the
 * caller's room role, its privacy, modes and pin. The room is read again once it is open.
 */
export interface RoomTarget {
  readonly arn: string;
  readonly maximumMessageLength: number;
  readonly myRole?: RoomRole | null | undefined;
  readonly privacy?: Privacy | undefined;
  readonly modes?: RoomModes | undefined;
  readonly pinned?: Pinned | undefined;
}

/** One room connection of the signed-in user, and what its last token allowed. */
export interface Session {
  readonly room: ChatRoom;
  readonly roomArn: string;
  readonly roomId: string | undefined;
  /** Bans, timeouts and deletes through the service, for the room's moderators and admins. */
  readonly moderation: ModerationController | undefined;
  readonly appRoles: readonly string[];
  /** The room's maximumMessageLength, in code points. */
  readonly maximumMessageLength: number;
  readonly displayName: string;
  /** Remove the page's listeners from the room. */
  readonly unsubscribe: (() => void)[];
  userId: string | undefined;
  capabilities: readonly ChatTokenCapability[];
  lastTokenError: string | undefined;
  /** Display names seen so far, to name users in disconnect notices. */
  readonly names: Map<string, string>;
  /** The messages on screen, oldest first, and their list items. */
  shown: ShownMessage[];
  readonly items: Map<string, HTMLLIElement>;
  /** Ids deleted live: kept out of later history fetches. */
  readonly deleted: Set<string>;
  /** The end of a timeout the page knows of. */
  sendBlockedUntil: string | undefined;
  /** Pending timers (history refetch, timeout end), cleared when the room is left. */
  readonly timers: Set<ReturnType<typeof setTimeout>>;
  /** The caller's room role as last read; undefined until known. */
  roomRole: RoomRole | null | undefined;
  privacy: Privacy | undefined;
  /** The room's modes as last read or announced (`app:modes`). */
  modes: RoomModes;
  /** The pinned message as last read or announced (`app:pin`, `app:unpin`). */
  pinned: Pinned | undefined;
  /** Slow mode holds this user back until then (ms since the epoch). */
  slowModeUntil: number | undefined;
  /** The user's own messages held for review, shown until a moderator approves them. */
  readonly pendingHeld: Map<PendingHeld, HTMLLIElement>;
  /** Modes, pins, the held queue and the moderation log, for the room's moderators. */
  roomTools: RoomTools | undefined;
}

/** config.json and the token service client made from it: both or neither. */
export interface Setup {
  readonly config: DemoConfig;
  readonly api: ApiClient;
}

export interface PageState {
  /** Undefined until config.json is read; sign-in stays disabled until then. */
  setup: Setup | undefined;
  account: Account | undefined;
  /** The room on screen. */
  session: Session | undefined;
  /** The signed-in user's rooms panel. */
  rooms: RoomsController | undefined;
}

/** The page: its elements and its state, handed to every function that acts on it. */
export interface ChatPage {
  readonly ui: ChatElements;
  readonly roomsUi: RoomsElements;
  readonly moderationUi: ModerationPanelElements;
  readonly roomToolsUi: RoomToolsElements;
  readonly state: PageState;
}

export function createPageState(): PageState {
  return { setup: undefined, account: undefined, session: undefined, rooms: undefined };
}

/** Whether `current` is still the room on screen (not left for another room or by signing out). */
export function isCurrent(page: ChatPage, current: Session): boolean {
  return page.state.session === current;
}
