/**
 * The rooms panel's DOM: the two room lists and the two forms, drawn from a RoomPanel (rooms.ts).
 * Room names and user ids reach the DOM through textContent only.
 */
import { textElement } from './dom.js';
import { roomTitle, type DemoRoom, type RoomEntry, type RoomPanel } from './rooms.js';

export interface RoomsPanelElements {
  readonly myRooms: HTMLUListElement;
  readonly myRoomsEmpty: HTMLElement;
  readonly publicRooms: HTMLUListElement;
  readonly publicRoomsEmpty: HTMLElement;
  readonly addMemberForm: HTMLFormElement;
  readonly addMemberRoom: HTMLElement;
}

export interface RoomActions {
  open(room: DemoRoom): void;
  join(room: DemoRoom, button: HTMLButtonElement): void;
}

function roomItem(entry: RoomEntry, actions: RoomActions): HTMLLIElement {
  const item = document.createElement('li');
  item.className = entry.current ? 'room current' : 'room';
  item.dataset['roomId'] = entry.room.id;
  item.dataset['privacy'] = entry.room.privacy;

  const open = textElement('button', 'room-open', entry.title);
  open.type = 'button';
  // The room the chat shows is marked for assistive technology too, not by colour alone.
  if (entry.current) open.setAttribute('aria-current', 'true');
  open.addEventListener('click', () => {
    actions.open(entry.room);
  });

  item.append(
    open,
    textElement('span', 'room-detail', entry.current ? `${entry.detail} · open` : entry.detail),
  );

  if (entry.canJoin) {
    const join = textElement('button', 'room-join secondary', 'Join');
    join.type = 'button';
    join.setAttribute('aria-label', `Join ${entry.title}`);
    join.addEventListener('click', () => {
      actions.join(entry.room, join);
    });
    item.append(join);
  }
  return item;
}

export function renderRoomsPanel(ui: RoomsPanelElements, panel: RoomPanel, actions: RoomActions): void {
  ui.myRooms.replaceChildren(...panel.mine.map((entry) => roomItem(entry, actions)));
  ui.myRoomsEmpty.hidden = panel.mine.length > 0;
  ui.publicRooms.replaceChildren(...panel.others.map((entry) => roomItem(entry, actions)));
  ui.publicRoomsEmpty.hidden = panel.others.length > 0;
  ui.addMemberForm.hidden = !panel.canAddMembers;
  ui.addMemberRoom.textContent = panel.current === undefined ? '' : roomTitle(panel.current);
}
