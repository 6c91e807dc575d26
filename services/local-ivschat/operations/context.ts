/** What every control-plane operation works with, and the helpers several of them share. */
import { parseRoomArn } from '../../../shared/ivs/arn.js';
import type { Clock } from '../clock.js';
import { notFound } from '../errors.js';
import type { FunctionHost } from '../function-host.js';
import type { Messaging } from '../messaging.js';
import type { Quotas } from '../quotas.js';
import type { Room, Store } from '../store.js';
import type { TokenRegistry } from '../tokens.js';

export interface OperationContext {
  readonly store: Store;
  readonly messaging: Messaging;
  readonly tokens: TokenRegistry;
  readonly functions: FunctionHost;
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  /** The account's API rate quotas, counted by the control plane before an operation runs. */
  readonly quotas: Quotas;
}

export interface OperationResult {
  readonly status?: number;
  readonly body?: Readonly<Record<string, unknown>>;
}

export interface OperationInput {
  readonly body: Readonly<Record<string, unknown>>;
  /** The decoded `{resourceArn}` of the tag operations. */
  readonly resourceArn?: string;
  /** Query parameters (UntagResource's repeated `tagKeys`). */
  readonly query?: URLSearchParams;
}

export type Operation = (input: OperationInput, context: OperationContext) => OperationResult;

/** The room a roomIdentifier (always an ARN) names in this emulator's region and account. */
export function findRoom(context: OperationContext, identifier: string): Room {
  const arn = parseRoomArn(identifier);
  const room = arn ? context.store.rooms.get(arn.id) : undefined;
  if (!room || room.arn !== identifier) throw notFound(arn?.id ?? identifier, 'ROOM');
  return room;
}
