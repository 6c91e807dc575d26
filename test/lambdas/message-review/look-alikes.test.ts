import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generate, OUTPUT } from '../../../scripts/generate-look-alikes.js';
import { CONTEXT_FIRST, LEET_CANDIDATES, toUnits } from '../../../lambdas/message-review/normalise.js';

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

  it('gives Greek and Cyrillic letters that stand for a Latin vowel that vowel as an extra reading', () => {
    const readings = (text: string): string[] =>
      Array.from(text, (char) => {
        const units = toUnits(char);
        const index = units.leet[0] ?? -1;
        return index >= CONTEXT_FIRST ? String.fromCodePoint(...(LEET_CANDIDATES[index] ?? [])) : '';
      });

    assert.deepEqual(readings('уүμцηиэΣДΛФωа'), [
      'u',
      'u',
      'u',
      'u',
      'i',
      'i',
      'e',
      'e',
      'a',
      'a',
      'o',
      'o',
      '',
    ]);
  });
});
