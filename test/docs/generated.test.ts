/** The parts of docs/ written from the code are as the code writes them today (`npm run docs`). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { format } from 'prettier';
import { generatedPages } from '../../scripts/docs.js';

describe('generated documentation', () => {
  for (const [path, expected] of Object.entries(generatedPages())) {
    it(`${path.slice(path.indexOf('docs/'))} is current (run npm run docs)`, async () => {
      const formatted = await format(expected, { filepath: path });
      assert.equal(readFileSync(path, 'utf8'), formatted);
    });
  }
});
