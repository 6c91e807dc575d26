import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generate, OUTPUT } from '../../../scripts/generate-look-alikes.js';
import { toUnits } from '../../../lambdas/message-review/normalise.js';

const folded = (text: string): string => {
  const units = toUnits(text);
  return String.fromCodePoint(...units.code.subarray(0, units.length));
};

describe('look-alike table', () => {
  it('is what scripts/generate-look-alikes.ts makes from the confusables data (regenerate after a change)', () => {
    assert.equal(readFileSync(OUTPUT, 'utf8'), generate());
  });

  it('folds Cyrillic, Greek, small capital and dotless letters onto the Latin ones they look like', () => {
    assert.deepEqual(['аеорсух', 'АВЕКМНОРСТХ', 'ΑΒΕΗΙΚΜΝΟΡΤΧ', 'ᴀʙᴄᴅᴇɢʜɪᴊᴋʟᴍᴏᴘʀꜱᴛᴜᴠᴡʏᴢ', 'ı'].map(folded), [
      'aeopcyx',
      'abekmhopctx',
      'abehikmnoptx',
      'abcdeghijklmoprstuvwyz',
      'i',
    ]);
  });

  it('leaves letters that look like no Latin letter alone', () => {
    assert.equal(folded('шдлжπλω'), 'шдлжπλω');
  });
});
