import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  collectRooms,
  mayAddMembers,
  mayCreateRooms,
  parseRoom,
  parseRoomPage,
  roomDetail,
  roomPanel,
  roomTitle,
  validateMemberId,
  validateRoomName,
  type DemoRoom,
  type RoomPage,
} from '../../../services/chat-demo/src/rooms.js';
import { MODES_OFF } from '../../../services/chat-demo/src/room-modes.js';

function room(id: string, overrides: Partial<DemoRoom> = {}): DemoRoom {
  return {
    id,
    arn: `arn:aws:ivschat:us-east-1:123456789012:room/${id}`,
    name: id.toLowerCase(),
    privacy: 'public',
    maximumMessageLength: 500,
    myRole: null,
    modes: MODES_OFF,
    pinned: undefined,
    ...overrides,
  };
}

const SERVICE_ROOM = {
  id: 'abcDEF123456',
  arn: 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456',
  name: 'team',
  privacy: 'private',
  createTime: '2026-01-01T00:00:00.000Z',
  updateTime: '2026-01-01T00:00:00.000Z',
  maximumMessageLength: 300,
  maximumMessageRatePerSecond: 10,
  tags: { team: 'a' },
  myRole: 'owner',
};

describe('parseRoom', () => {
  it('keeps what the page needs from the service’s Room', () => {
    assert.deepEqual(parseRoom(SERVICE_ROOM), {
      id: 'abcDEF123456',
      arn: SERVICE_ROOM.arn,
      name: 'team',
      privacy: 'private',
      maximumMessageLength: 300,
      myRole: 'owner',
      modes: MODES_OFF,
      pinned: undefined,
    });
  });

  it('keeps the room’s modes and its pin', () => {
    const modes = { slowModeSeconds: 10, membersOnlySend: true, holdForReview: false };
    const pinned = {
      text: 'Be kind',
      by: 'mia-1',
      at: '2026-01-01T10:00:00.000Z',
      messageId: 'msgMSG123456',
    };

    const parsed = parseRoom({ ...SERVICE_ROOM, modes, pinned });

    assert.deepEqual(parsed?.modes, modes);
    assert.deepEqual(parsed.pinned, pinned);
  });

  it('refuses malformed modes or a malformed pin rather than guess', () => {
    assert.equal(
      parseRoom({
        ...SERVICE_ROOM,
        modes: { slowModeSeconds: -1, membersOnlySend: false, holdForReview: false },
      }),
      undefined,
    );
    assert.equal(parseRoom({ ...SERVICE_ROOM, modes: { slowModeSeconds: 5 } }), undefined);
    assert.equal(parseRoom({ ...SERVICE_ROOM, pinned: { text: 'x', by: 'mia' } }), undefined);
  });

  it('accepts a room the caller has no role in (myRole null)', () => {
    assert.equal(parseRoom({ ...SERVICE_ROOM, myRole: null })?.myRole, null);
  });

  it('refuses unknown privacy or role, an ARN of another room, and a limit outside 1–500', () => {
    assert.equal(parseRoom({ ...SERVICE_ROOM, privacy: 'secret' }), undefined);
    assert.equal(parseRoom({ ...SERVICE_ROOM, myRole: 'king' }), undefined);
    assert.equal(parseRoom({ ...SERVICE_ROOM, myRole: undefined }), undefined);
    assert.equal(
      parseRoom({ ...SERVICE_ROOM, arn: 'arn:aws:ivschat:us-east-1:123456789012:room/zzzZZZ999999' }),
      undefined,
    );
    assert.equal(parseRoom({ ...SERVICE_ROOM, maximumMessageLength: 501 }), undefined);
    assert.equal(parseRoom('room'), undefined);
  });
});

describe('parseRoomPage', () => {
  it('reads the rooms and the next page token', () => {
    const page = parseRoomPage({ rooms: [SERVICE_ROOM], nextToken: 'next' });

    assert.ok(page);
    assert.equal(page.rooms.length, 1);
    assert.equal(page.nextToken, 'next');
  });

  it('refuses the whole page when one room is malformed or rooms is not a list', () => {
    assert.equal(parseRoomPage({ rooms: [SERVICE_ROOM, { id: 'x' }] }), undefined);
    assert.equal(parseRoomPage({ rooms: {} }), undefined);
    assert.equal(parseRoomPage({ rooms: [], nextToken: 7 }), undefined);
  });
});

describe('collectRooms', () => {
  it('follows next page tokens until the last page', async () => {
    const pages: Record<string, RoomPage> = {
      first: { rooms: [room('AAAAAAAAAAAA')], nextToken: 'p2' },
      p2: { rooms: [room('BBBBBBBBBBBB')], nextToken: undefined },
    };
    const asked: (string | undefined)[] = [];

    const result = await collectRooms((token) => {
      asked.push(token);
      return Promise.resolve(pages[token ?? 'first'] ?? { rooms: [], nextToken: undefined });
    });

    assert.deepEqual(asked, [undefined, 'p2']);
    assert.deepEqual(
      result.rooms.map((item) => item.id),
      ['AAAAAAAAAAAA', 'BBBBBBBBBBBB'],
    );
    assert.equal(result.more, false);
  });

  it('stops after the page budget and says more rooms exist', async () => {
    let calls = 0;
    const result = await collectRooms(() => {
      calls++;
      return Promise.resolve({ rooms: [room('AAAAAAAAAAAA')], nextToken: 'again' });
    }, 3);

    assert.equal(calls, 3);
    assert.equal(result.more, true);
  });
});

describe('roomPanel', () => {
  const open = room('OPENOPENOPEN');
  const joined = room('JOINEDJOINED', { myRole: 'member' });
  const owned = room('OWNEDOWNED12', { privacy: 'private', myRole: 'owner' });

  it('puts joined rooms under mine and unjoined public rooms under others, each once', () => {
    // The visible list holds a joined public room and the caller's own private room too.
    const panel = roomPanel([owned, joined], [open, joined, owned], undefined);

    assert.deepEqual(
      panel.mine.map((entry) => entry.room.id),
      [owned.id, joined.id],
    );
    assert.deepEqual(
      panel.others.map((entry) => entry.room.id),
      [open.id],
    );
  });

  it('offers Join only for public rooms the caller has not joined', () => {
    const panel = roomPanel([joined], [open, joined], undefined);

    assert.equal(panel.others[0]?.canJoin, true);
    assert.equal(panel.mine[0]?.canJoin, false);
  });

  it('never lists a private room the caller is not a member of', () => {
    const hidden = room('HIDDENHIDDEN', { privacy: 'private' });

    const panel = roomPanel([], [hidden, open], undefined);

    assert.deepEqual(
      [...panel.mine, ...panel.others].map((entry) => entry.room.id),
      [open.id],
    );
  });

  it('marks the current room and offers Add member when it is a private room the caller owns', () => {
    const panel = roomPanel([owned, joined], [open], owned.arn);

    assert.equal(panel.current?.id, owned.id);
    assert.equal(panel.canAddMembers, true);
    assert.deepEqual(
      panel.mine.map((entry) => entry.current),
      [true, false],
    );
  });

  it('offers no Add member in a public room, or when the current room is not listed', () => {
    assert.equal(roomPanel([joined], [open], joined.arn).canAddMembers, false);
    assert.equal(roomPanel([joined], [open], 'arn:elsewhere').current, undefined);
    assert.equal(roomPanel([joined], [open], 'arn:elsewhere').canAddMembers, false);
  });
});

describe('mayAddMembers', () => {
  it('is for the owner and moderators of a private room', () => {
    assert.equal(mayAddMembers({ privacy: 'private', myRole: 'owner' }), true);
    assert.equal(mayAddMembers({ privacy: 'private', myRole: 'moderator' }), true);
    assert.equal(mayAddMembers({ privacy: 'private', myRole: 'member' }), false);
    assert.equal(mayAddMembers({ privacy: 'public', myRole: 'owner' }), false);
    assert.equal(mayAddMembers(undefined), false);
  });
});

describe('mayCreateRooms', () => {
  it('shows the form to admins only (the service’s default room creators)', () => {
    assert.equal(mayCreateRooms(['admin']), true);
    assert.equal(mayCreateRooms(['user', 'moderator']), false);
    assert.equal(mayCreateRooms([]), false);
  });
});

describe('roomTitle and roomDetail', () => {
  it('names a room without a name by its id', () => {
    assert.equal(roomTitle({ id: 'abcDEF123456', name: '' }), 'abcDEF123456');
    assert.equal(roomTitle({ id: 'abcDEF123456', name: 'team' }), 'team');
  });

  it('says the privacy and the caller’s role', () => {
    assert.equal(roomDetail({ privacy: 'private', myRole: 'owner' }), 'private · owner');
    assert.equal(roomDetail({ privacy: 'public', myRole: null }), 'public · not joined');
  });
});

describe('validateRoomName', () => {
  it('accepts the IVS room name characters and trims blanks', () => {
    assert.deepEqual(validateRoomName(' team-1_a '), { ok: true, name: 'team-1_a' });
  });

  it('refuses an empty name, other characters and names over 128', () => {
    assert.equal(validateRoomName('  ').ok, false);
    assert.equal(validateRoomName('my room').ok, false);
    assert.equal(validateRoomName('<b>').ok, false);
    assert.equal(validateRoomName('a'.repeat(129)).ok, false);
    assert.equal(validateRoomName('a'.repeat(128)).ok, true);
  });
});

describe('validateMemberId', () => {
  it('accepts a user id and trims blanks', () => {
    assert.deepEqual(validateMemberId(' bob-1a2b3c4d '), { ok: true, userId: 'bob-1a2b3c4d' });
  });

  it('refuses an empty id, control characters and ids over 128 code points', () => {
    assert.equal(validateMemberId('').ok, false);
    assert.equal(validateMemberId('bob\u0007').ok, false);
    assert.equal(validateMemberId('😀'.repeat(129)).ok, false);
    assert.equal(validateMemberId('😀'.repeat(128)).ok, true);
  });
});
