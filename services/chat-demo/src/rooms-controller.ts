/**
 * The rooms panel of one signed-in user: reads the two room lists, draws them (rooms-panel.ts), and
 * runs Join, Create room and Add member against the service. What to show is decided in rooms.ts;
 * the service decides what is allowed, and its problem detail is shown when it refuses.
 */
import { describeApiError, type ApiClient, type Identity } from './api.js';
import { byId, markInvalid, markValid } from './dom.js';
import { renderRoomsPanel, type RoomsPanelElements } from './rooms-panel.js';
import {
  collectRooms,
  mayCreateRooms,
  roomPanel,
  roomTitle,
  validateMemberId,
  validateRoomName,
  type DemoRoom,
} from './rooms.js';

export interface RoomsElements extends RoomsPanelElements {
  readonly panel: HTMLElement;
  /** The room's name in the chat's heading. */
  readonly roomTitle: HTMLElement;
  readonly userId: HTMLElement;
  readonly refresh: HTMLButtonElement;
  readonly error: HTMLElement;
  readonly note: HTMLElement;
  readonly memberId: HTMLInputElement;
  readonly addMemberButton: HTMLButtonElement;
  readonly addMemberError: HTMLElement;
  readonly createRoomForm: HTMLFormElement;
  readonly roomName: HTMLInputElement;
  readonly roomPrivate: HTMLInputElement;
  readonly createRoomButton: HTMLButtonElement;
  readonly createRoomError: HTMLElement;
}

export function roomsElements(): RoomsElements {
  return {
    panel: byId('rooms', HTMLElement),
    roomTitle: byId('room-title', HTMLSpanElement),
    userId: byId('user-id', HTMLElement),
    refresh: byId('rooms-refresh', HTMLButtonElement),
    error: byId('rooms-error', HTMLParagraphElement),
    note: byId('rooms-note', HTMLParagraphElement),
    myRooms: byId('my-rooms', HTMLUListElement),
    myRoomsEmpty: byId('my-rooms-empty', HTMLParagraphElement),
    publicRooms: byId('public-rooms', HTMLUListElement),
    publicRoomsEmpty: byId('public-rooms-empty', HTMLParagraphElement),
    addMemberForm: byId('add-member-form', HTMLFormElement),
    addMemberRoom: byId('add-member-room', HTMLSpanElement),
    memberId: byId('member-id', HTMLInputElement),
    addMemberButton: byId('add-member-button', HTMLButtonElement),
    addMemberError: byId('add-member-error', HTMLParagraphElement),
    createRoomForm: byId('create-room-form', HTMLFormElement),
    roomName: byId('room-name', HTMLInputElement),
    roomPrivate: byId('room-private', HTMLInputElement),
    createRoomButton: byId('create-room-button', HTMLButtonElement),
    createRoomError: byId('create-room-error', HTMLParagraphElement),
  };
}

export interface RoomsControllerOptions {
  readonly client: ApiClient;
  readonly identity: Identity;
  /** The dev-login user id, shown so that others can add this user to a room. */
  readonly userId: string;
  readonly appRoles: readonly string[];
  /** The ARN of the room the chat shows now. */
  readonly currentArn: () => string | undefined;
  /** Switches the chat to a room. */
  readonly openRoom: (room: DemoRoom) => void;
  /** The caller joined the room the chat shows (its token may need renewing, members-only.ts). */
  readonly joinedOpenRoom: () => void;
}

export interface RoomsController {
  /** Reads both lists (bounded pages) and redraws; a failure is shown and the old lists stay. */
  load(): Promise<void>;
  /** Redraws from the lists last read (after the chat switched rooms). */
  redraw(): void;
  /** The room with this ARN in the lists last read, with the caller's role in it. */
  roomByArn(arn: string): DemoRoom | undefined;
  createRoom(): Promise<void>;
  addMember(): Promise<void>;
  /** Signed out: late answers are dropped. */
  close(): void;
}

export function createRoomsController(ui: RoomsElements, options: RoomsControllerOptions): RoomsController {
  const { client, identity, currentArn, openRoom, joinedOpenRoom } = options;
  let lists: { mine: readonly DemoRoom[]; visible: readonly DemoRoom[] } = { mine: [], visible: [] };
  let closed = false;
  // A function, not the variable: the flag changes while a call awaits, which narrowing cannot see.
  const isClosed = (): boolean => closed;
  /** Lists being read now: the panel is `aria-busy` until the last one is in. */
  let loads = 0;

  ui.userId.textContent = options.userId;
  ui.error.textContent = '';
  ui.note.textContent = '';
  ui.createRoomError.textContent = '';
  ui.addMemberError.textContent = '';
  ui.createRoomForm.hidden = !mayCreateRooms(options.appRoles);

  const panel = (): ReturnType<typeof roomPanel> => roomPanel(lists.mine, lists.visible, currentArn());

  function redraw(): void {
    if (isClosed()) return;
    const drawn = panel();
    // The configured room may be missing from the lists (e.g. past the pages read): then no name.
    ui.roomTitle.textContent = drawn.current === undefined ? '' : roomTitle(drawn.current);
    renderRoomsPanel(ui, drawn, {
      open: (room) => {
        if (room.arn !== currentArn()) openRoom(room);
      },
      join: (room, button) => void join(room, button),
    });
  }

  async function load(): Promise<void> {
    if (isClosed()) return;
    loads++;
    ui.panel.setAttribute('aria-busy', 'true');
    try {
      const list = (mine: boolean): Promise<{ rooms: DemoRoom[]; more: boolean }> =>
        collectRooms((nextToken) =>
          identity.authorized((idToken) =>
            client.listRooms(idToken, { mine, ...(nextToken === undefined ? {} : { nextToken }) }),
          ),
        );
      const [mine, visible] = await Promise.all([list(true), list(false)]);
      if (isClosed()) return;
      lists = { mine: mine.rooms, visible: visible.rooms };
      ui.error.textContent = '';
      ui.note.textContent = mine.more || visible.more ? 'More rooms exist than are listed here.' : '';
      redraw();
    } catch (error) {
      if (!isClosed()) ui.error.textContent = `Could not list rooms: ${describeApiError(error)}`;
    } finally {
      loads--;
      if (loads === 0) ui.panel.setAttribute('aria-busy', 'false');
    }
  }

  async function join(room: DemoRoom, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await identity.authorized((idToken) => client.putMember(idToken, room.id, 'me', 'member'));
      if (isClosed()) return;
      ui.error.textContent = '';
      ui.note.textContent = `You joined ${roomTitle(room)}.`;
      // Joining the room already open keeps its connection (and the messages on screen), unless
      // its token was a non-member's that may not send (a members-only room).
      if (room.arn !== currentArn()) openRoom(room);
      else joinedOpenRoom();
      await load();
    } catch (error) {
      button.disabled = false;
      if (!isClosed()) ui.error.textContent = `Could not join ${roomTitle(room)}: ${describeApiError(error)}`;
    }
  }

  async function createRoom(): Promise<void> {
    if (isClosed()) return;
    const name = validateRoomName(ui.roomName.value);
    if (!name.ok) {
      markInvalid(ui.roomName, ui.createRoomError, name.text);
      return;
    }
    markValid(ui.roomName, ui.createRoomError);
    ui.createRoomButton.disabled = true;
    try {
      const privacy = ui.roomPrivate.checked ? 'private' : 'public';
      const room = await identity.authorized((idToken) =>
        client.createRoom(idToken, { name: name.name, privacy }),
      );
      if (isClosed()) return;
      ui.roomName.value = '';
      ui.roomPrivate.checked = false;
      ui.note.textContent = `Created ${privacy} room ${roomTitle(room)}.`;
      // Listed at once (as the open room), before the lists are read again.
      lists = { mine: [room, ...lists.mine], visible: lists.visible };
      openRoom(room);
      await load();
    } catch (error) {
      if (!isClosed()) ui.createRoomError.textContent = describeApiError(error);
    } finally {
      ui.createRoomButton.disabled = false;
    }
  }

  async function addMember(): Promise<void> {
    const room = panel().current;
    if (isClosed() || room === undefined) return;
    const member = validateMemberId(ui.memberId.value);
    if (!member.ok) {
      markInvalid(ui.memberId, ui.addMemberError, member.text);
      return;
    }
    markValid(ui.memberId, ui.addMemberError);
    ui.addMemberButton.disabled = true;
    try {
      await identity.authorized((idToken) => client.putMember(idToken, room.id, member.userId, 'member'));
      if (isClosed()) return;
      ui.memberId.value = '';
      ui.note.textContent = `Added ${member.userId} to ${roomTitle(room)}.`;
    } catch (error) {
      if (!isClosed()) ui.addMemberError.textContent = describeApiError(error);
    } finally {
      ui.addMemberButton.disabled = false;
    }
  }

  return {
    load,
    redraw,
    roomByArn: (arn) => [...lists.mine, ...lists.visible].find((room) => room.arn === arn),
    createRoom,
    addMember,
    close() {
      closed = true;
      lists = { mine: [], visible: [] };
    },
  };
}
