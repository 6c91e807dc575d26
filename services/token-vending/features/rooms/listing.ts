/**
 * GET /v1/rooms: newest room first, merged from up to two time-ordered sources, one opaque cursor.
 * - with `memberId`: the rooms that member belongs to (their memberships, gsi1);
 * - without: public rooms (gsi1 `PUBLIC`) and the caller's own private rooms (their memberships,
 *   private only), merged.
 * Both sources are sorted by the same key (room create time, then id), so a cursor is just the key
 * of the last room examined: the next page asks each source for rooms strictly older. A room created
 * while someone pages is newer than every cursor, so it never shifts a page: no gap, no duplicate.
 */
import { batchGet, itemAt, type Table } from '../../platform/table.js';
import { keys } from '../../../../shared/table/keys.js';
import { queryMemberships, type Membership, type RoomRole } from '../members/store.js';
import { parseRoom, queryPublicRooms, roomOrder, type RoomRecord } from './store.js';

export interface ListRoomsQuery {
  /** Whose memberships to list; undefined lists public rooms plus the caller's private ones. */
  readonly memberId: string | undefined;
  readonly callerId: string | undefined;
  readonly name: string | undefined;
  readonly maxResults: number;
  /** Exclusive upper bound (a room order) from the previous page. */
  readonly before: string | undefined;
}

export interface ListedRoom {
  readonly room: RoomRecord;
  readonly myRole: RoomRole | undefined;
}

export interface RoomListPage {
  readonly rooms: readonly ListedRoom[];
  /** Set when more rooms may follow: the order key of the last room examined. */
  readonly next: string | undefined;
}

interface Candidate {
  readonly order: string;
  readonly roomId: string;
  readonly room?: RoomRecord;
  readonly membership?: Membership;
}

interface SourcePage {
  readonly items: Candidate[];
  readonly more: boolean;
  /** Order key of the oldest item read, filtered out or not (where the next read starts). */
  readonly oldest: string | undefined;
}

interface SourceState {
  readonly fetch: (before: string | undefined, limit: number) => Promise<SourcePage>;
  buffer: Candidate[];
  /** Order key of the oldest item fetched so far, when the source has more beyond it. */
  boundary: string | undefined;
  exhausted: boolean;
}

/** Rounds of source reads per page: a page with many filtered-out rooms ends early with a cursor. */
const MAX_ROUNDS = 5;

export async function listRooms(table: Table, query: ListRoomsQuery): Promise<RoomListPage> {
  const sources: SourceState[] = [];
  const source = (fetch: SourceState['fetch']): void => {
    sources.push({ fetch, buffer: [], boundary: undefined, exhausted: false });
  };
  const fromMemberships = (userId: string, privateOnly: boolean): SourceState['fetch'] => {
    return async (before, limit) => {
      const page = await queryMemberships(table, userId, { before, limit });
      const items = page.items
        .filter((membership) => !privateOnly || membership.privacy === 'private')
        .map((membership) => ({ order: membership.roomOrder, roomId: membership.roomId, membership }));
      return { items, more: page.more, oldest: page.items.at(-1)?.roomOrder };
    };
  };
  if (query.memberId !== undefined) {
    source(fromMemberships(query.memberId, false));
  } else {
    source(async (before, limit) => {
      const page = await queryPublicRooms(table, { before, limit });
      const items = page.items.map((room) => ({ order: roomOrder(room), roomId: room.id, room }));
      return { items, more: page.more, oldest: items.at(-1)?.order };
    });
    if (query.callerId !== undefined) source(fromMemberships(query.callerId, true));
  }

  const out: ListedRoom[] = [];
  let cursor = query.before;
  const limit = query.maxResults;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Refill every source whose buffer ran dry and that has more.
    await Promise.all(
      sources.map(async (state) => {
        if (state.buffer.length > 0 || state.exhausted) return;
        const page = await state.fetch(cursor, limit);
        state.buffer = page.items;
        state.exhausted = !page.more;
        state.boundary = page.more ? page.oldest : undefined;
      }),
    );
    // Only candidates at or above every unexhausted source's boundary are in global order.
    const floor = sources.reduce<string | undefined>(
      (highest, state) =>
        state.boundary !== undefined && (highest === undefined || state.boundary > highest)
          ? state.boundary
          : highest,
      undefined,
    );
    const ready = sources
      .flatMap((state) => state.buffer)
      .filter((candidate) => floor === undefined || candidate.order >= floor)
      .sort((a, b) => (a.order < b.order ? 1 : a.order > b.order ? -1 : 0));
    const examined = ready.slice(0, limit - out.length);
    const resolved = await resolveRooms(table, examined, query.callerId);
    for (const candidate of examined) {
      const listed = resolved.get(candidate.roomId);
      if (listed && (query.name === undefined || listed.room.name === query.name)) out.push(listed);
      cursor = candidate.order;
    }
    // Nothing examinable: every item at or above the floor was read and filtered out, so the
    // listing has been seen down to the floor.
    if (examined.length === 0 && floor !== undefined) cursor = floor;
    const below = cursor;
    for (const state of sources) {
      state.buffer = state.buffer.filter((candidate) => below === undefined || candidate.order < below);
    }
    if (sources.every((state) => state.exhausted && state.buffer.length === 0))
      return { rooms: out, next: undefined };
    if (out.length >= limit) return { rooms: out, next: cursor };
  }
  return { rooms: out, next: cursor };
}

/** Rooms for the examined candidates (one BatchGet for those not already read) and the caller's role. */
async function resolveRooms(
  table: Table,
  candidates: readonly Candidate[],
  callerId: string | undefined,
): Promise<Map<string, ListedRoom>> {
  const wanted = candidates.flatMap((candidate) => [
    ...(candidate.room ? [] : [keys.room(candidate.roomId)]),
    ...(callerId !== undefined && !candidate.membership ? [keys.member(candidate.roomId, callerId)] : []),
  ]);
  const items =
    wanted.length === 0 ? new Map<string, Record<string, unknown>>() : await batchGetChunked(table, wanted);
  const out = new Map<string, ListedRoom>();
  for (const candidate of candidates) {
    const room = candidate.room ?? parseRoom(itemAt(items, keys.room(candidate.roomId)));
    if (!room) continue; // a membership outliving its room, being cleaned up
    let myRole: RoomRole | undefined;
    if (candidate.membership && candidate.membership.userId === callerId) myRole = candidate.membership.role;
    else if (callerId !== undefined) {
      const item = itemAt(items, keys.member(candidate.roomId, callerId));
      const role = item?.role;
      myRole = role === 'owner' || role === 'moderator' || role === 'member' ? role : undefined;
    }
    out.set(candidate.roomId, { room, myRole });
  }
  return out;
}

async function batchGetChunked(
  table: Table,
  wanted: readonly { pk: string; sk: string }[],
): Promise<Map<string, Record<string, unknown>>> {
  const merged = new Map<string, Record<string, unknown>>();
  for (let start = 0; start < wanted.length; start += 100) {
    const part = await batchGet(table.client, table.name, wanted.slice(start, start + 100));
    for (const [key, value] of part) merged.set(key, value);
  }
  return merged;
}
