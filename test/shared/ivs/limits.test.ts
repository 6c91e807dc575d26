import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { attributesByteSize, codePointLength } from '../../../shared/ivs/limits.js';

describe('codePointLength', () => {
  it('counts an astral emoji as one code point, not two UTF-16 units', () => {
    assert.equal(codePointLength('a😀b'), 3);
    assert.equal('a😀b'.length, 4);
  });

  it('counts a combining mark as its own code point', () => {
    assert.equal(codePointLength('e\u0301'), 2);
  });
});

describe('attributesByteSize', () => {
  it('sums UTF-8 bytes of keys and values', () => {
    assert.equal(attributesByteSize({ ab: 'é' }), 4);
    assert.equal(attributesByteSize({}), 0);
  });
});
