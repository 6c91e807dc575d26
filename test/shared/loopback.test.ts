import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackHost } from '../../shared/loopback.js';

describe('isLoopbackHost', () => {
  it('knows the addresses that keep a server on this machine', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      'localhost',
      'LOCALHOST',
      '::1',
      '[::1]',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });

  it('treats wildcards and every other address as reachable from elsewhere', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '',
      '192.168.1.10',
      '10.0.0.1',
      'example.com',
      '127.0.0.1.example.com',
    ]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});
