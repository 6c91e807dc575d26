/**
 * ROOM_STACK_TAG: every room made through the API carries the stack tag (in AWS the template's IAM grant
 * covers only rooms carrying it), beside the privacy tag, and a caller's most tags still fit IVS's 50.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetRoomCommand } from '@aws-sdk/client-ivschat';
import { at } from '../../support/http.js';
import { PRIVACY_TAG, STACK_TAG } from '../../../../../shared/ivs/tags.js';
import { IVS_LIMITS } from '../../../../../shared/ivs/limits.js';
import { MAX_CALLER_TAGS } from '../../../../../services/token-vending/features/rooms/schema.js';
import { call, startServiceStack, type ServiceStack } from '../../support/stack.js';

let stack: ServiceStack;

before(async () => {
  stack = await startServiceStack({ ROOM_STACK_TAG: 'chat-prod' });
});
after(async () => {
  await stack.close();
});

async function ivsTags(body: Record<string, unknown>): Promise<Record<string, string>> {
  const res = await call(stack.url, 'POST', '/v1/rooms', { jwt: stack.jwt('ann', ['admin']), body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const room = await stack.ivs.send(new GetRoomCommand({ identifier: String(at(res.body, 'arn')) }));
  return room.tags ?? {};
}

describe('POST /v1/rooms with ROOM_STACK_TAG', () => {
  it('tags the IVS room with the stack tag beside its privacy and the caller’s tags', async () => {
    const tags = await ivsTags({ privacy: 'private', tags: { team: 'events' } });

    assert.deepEqual(tags, { team: 'events', [PRIVACY_TAG]: 'private', [STACK_TAG]: 'chat-prod' });
  });

  it('keeps a room with the most tags a caller may give within the IVS limit of 50 per room', async () => {
    const given = Object.fromEntries(Array.from({ length: MAX_CALLER_TAGS }, (_, i) => [`k${i}`, 'v']));

    const tags = await ivsTags({ tags: given });

    assert.equal(Object.keys(tags).length, IVS_LIMITS.tags.maxPerResource);
    assert.equal(tags[STACK_TAG], 'chat-prod');
  });
});
