import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseDemoConfig } from '../../../services/chat-demo/src/config.js';

const valid = {
  apiBaseUrl: '',
  roomArn: 'arn:aws:ivschat:us-east-1:123456789012:room/abcDEF123456',
  messagingUrl: 'ws://127.0.0.1:4510',
  maximumMessageLength: 500,
};

describe('parseDemoConfig', () => {
  it('accepts the local stack’s config', () => {
    assert.deepEqual(parseDemoConfig(valid), valid);
  });

  it('accepts a deployed config and drops a trailing slash from the API base URL', () => {
    const config = parseDemoConfig({
      ...valid,
      apiBaseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/',
      messagingUrl: 'wss://edge.ivschat.eu-west-1.amazonaws.com',
    });

    assert.equal(config.apiBaseUrl, 'https://abc.execute-api.eu-west-1.amazonaws.com');
    assert.equal(config.messagingUrl, 'wss://edge.ivschat.eu-west-1.amazonaws.com');
  });

  it('defaults maximumMessageLength to the IVS default of 500', () => {
    const { maximumMessageLength: _, ...rest } = valid;

    assert.equal(parseDemoConfig(rest).maximumMessageLength, 500);
  });

  it('names every bad field', () => {
    assert.throws(
      () =>
        parseDemoConfig({
          apiBaseUrl: 'ftp://x',
          roomArn: 'room-1',
          messagingUrl: 'http://x',
          maximumMessageLength: 501,
        }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /apiBaseUrl/.test(error.message) &&
        /roomArn/.test(error.message) &&
        /messagingUrl/.test(error.message) &&
        /maximumMessageLength/.test(error.message),
    );
  });

  it('refuses a non-integer message length', () => {
    assert.throws(() => parseDemoConfig({ ...valid, maximumMessageLength: 12.5 }), ConfigError);
  });

  it('keeps the room’s modes and pin the token service adds, and names malformed ones', () => {
    const modes = { slowModeSeconds: 5, membersOnlySend: true, holdForReview: false };
    const pinned = { text: 'Be kind', by: 'mia', at: '2026-01-05T14:00:00.000Z' };
    assert.deepEqual(parseDemoConfig({ ...valid, modes, pinned }), { ...valid, modes, pinned });
    assert.throws(
      () => parseDemoConfig({ ...valid, modes: { ...modes, slowModeSeconds: 4000 }, pinned: { text: 'x' } }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /modes must be/.test(error.message) &&
        /pinned must be/.test(error.message),
    );
  });

  it('refuses something that is not an object', () => {
    assert.throws(() => parseDemoConfig([valid]), ConfigError);
    assert.throws(() => parseDemoConfig(null), ConfigError);
  });
});
