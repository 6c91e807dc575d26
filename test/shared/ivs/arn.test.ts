import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatArn, newResourceId, parseRoomArn } from '../../../shared/ivs/arn.js';

describe('parseRoomArn', () => {
  it('reads region, account and id from a room ARN', () => {
    const arn = parseRoomArn('arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456');

    assert.deepEqual(arn, {
      partition: 'aws',
      region: 'us-east-1',
      accountId: '123456789012',
      resourceType: 'room',
      id: 'abcDEF123456',
    });
  });

  for (const bad of [
    'abcDEF123456',
    'arn:aws:ivschat:us-east-1:12345678901:room/abcDEF123456',
    'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF12345',
    'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456/extra',
    'arn:aws:ivs:us-east-1:123456789012:channel/abcDEF123456',
    'arn:aws:ivschat:us-east-1:123456789012:logging-configuration/abcDEF123456',
    42,
    null,
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.equal(parseRoomArn(bad), undefined);
    });
  }

  it('round-trips through formatArn', () => {
    const text = 'arn:aws:ivschat:eu-west-1:000000000000:room/Zz0000000000';
    const arn = parseRoomArn(text);

    assert.ok(arn);
    assert.equal(formatArn(arn), text);
  });
});

describe('newResourceId', () => {
  it('makes 12 alphanumeric characters, different each time', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newResourceId()));

    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^[a-zA-Z0-9]{12}$/);
  });
});
