import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readClaim, readRoles } from '../../../../services/token-vending/auth/claims.js';

describe('readClaim', () => {
  it('reads a top-level name with colons, slashes and dots as it is', () => {
    const claims = { 'cognito:groups': ['a'], 'https://example.com/roles': ['b'] };

    assert.deepEqual(readClaim(claims, 'cognito:groups'), ['a']);
    assert.deepEqual(readClaim(claims, 'https://example.com/roles'), ['b']);
  });

  it('follows a dotted path into nested objects', () => {
    assert.deepEqual(readClaim({ realm_access: { roles: ['moderator'] } }, 'realm_access.roles'), [
      'moderator',
    ]);
  });

  it('finds a key that itself contains dots inside a nested object', () => {
    const claims = { resource_access: { 'chat.web': { roles: ['viewer'] } } };

    assert.deepEqual(readClaim(claims, 'resource_access.chat.web.roles'), ['viewer']);
  });

  it('reads a namespaced object claim and a field inside it', () => {
    const claims = { 'https://example.com/app': { roles: ['moderator'] } };

    assert.deepEqual(readClaim(claims, 'https://example.com/app.roles'), ['moderator']);
  });

  it('never reads through the prototype', () => {
    assert.equal(readClaim({}, '__proto__'), undefined);
    assert.equal(readClaim({}, 'constructor.name'), undefined);
    assert.equal(readClaim({ a: 'x' }, 'a.length'), undefined);
  });

  it('answers undefined for a missing path', () => {
    assert.equal(readClaim({ realm_access: {} }, 'realm_access.roles'), undefined);
  });
});

describe('readRoles', () => {
  it('takes an array of strings and skips other items', () => {
    assert.deepEqual(readRoles({ r: ['a', 1, 'b', null] }, 'r'), ['a', 'b']);
  });

  it('splits a space- or comma-separated string', () => {
    assert.deepEqual(readRoles({ r: 'a b,c' }, 'r'), ['a', 'b', 'c']);
  });

  it('answers no roles for an object or a missing claim', () => {
    assert.deepEqual(readRoles({ r: { a: 1 } }, 'r'), []);
    assert.deepEqual(readRoles({}, 'r'), []);
  });
});
