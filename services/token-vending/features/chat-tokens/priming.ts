/**
 * The token path's first calls, made once as the process starts, so that a caller's first token
 * request does not pay for them. In a fresh process each SDK command's code and the process's first
 * fetch run for the first time: measured on this 2-core machine, a fresh process's first token request
 * took 110-340 ms against 40-60 ms for the next ones, and 240-600 ms against 75-170 ms with the cores
 * busy. On a machine loaded several times over, that ran past the calls' 2 s deadlines and answered
 * the first caller 503. Primed, the first request took 55-241 ms against 127-560 ms unprimed (12
 * spinning processes on the 2 cores, four fresh processes each). (/readyz warms only GetItem and
 * ListRooms.)
 *
 * Nothing is written and IVS is not called:
 * - the key set is fetched from the JWKS (it is then cached, as the first request would have);
 * - BatchGetItem reads a key no item has (`ROOM#` and a name IVS room ids cannot take: they are 12
 *   letters and digits);
 * - UpdateItem carries a condition that cannot hold, so DynamoDB refuses it (a refused conditional
 *   write costs a write unit);
 * - CreateChatToken is sent with a signal already aborted: the SDK builds and signs the request, and
 *   its HTTP handler drops it before it is sent, so no token is made and the quota is not touched.
 * Every failure is ignored: priming only moves work earlier, and a real request retries what it needs.
 */
import { CreateChatTokenCommand } from '@aws-sdk/client-ivschat';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { IvschatClient } from '@aws-sdk/client-ivschat';
import type { Table } from '../../../../shared/table/client.js';
import type { TokenVerifier } from '../../auth/verifier.js';

const PRIMING_KEY = { pk: 'ROOM#priming-read', sk: 'ROOM' } as const;
const PRIMING_ROOM_ARN = 'arn:aws:ivschat:us-east-1:000000000000:room/primingRoom';

export interface PrimingDeps {
  readonly table: Table;
  readonly ivs: IvschatClient;
  readonly verifier: TokenVerifier;
}

/**
 * Starts every priming call at once (each SDK call is sent before this returns its promise, so a
 * client instrumented afterwards does not trace them) and settles when all have, never rejecting.
 */
export function primeTokenPath(deps: PrimingDeps): Promise<void> {
  const { table, ivs, verifier } = deps;
  const calls: Promise<unknown>[] = [
    verifier.warm?.() ?? Promise.resolve(),
    table.client.send(
      new BatchGetCommand({ RequestItems: { [table.name]: { Keys: [PRIMING_KEY], ConsistentRead: true } } }),
    ),
    table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: PRIMING_KEY,
        UpdateExpression: 'SET primed = :zero',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(pk)',
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    ),
    ivs.send(
      new CreateChatTokenCommand({ roomIdentifier: PRIMING_ROOM_ARN, userId: 'priming', capabilities: [] }),
      { abortSignal: AbortSignal.abort() },
    ),
  ];
  return Promise.allSettled(calls).then(() => undefined);
}
