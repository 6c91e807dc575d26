/**
 * Every reference in code, tests and docs must resolve inside the repository (or be a public
 * document such as the AWS documentation): a pointer at a file readers cannot open is a dead end.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
  .split('\0')
  .filter((file) => file !== '' && !file.endsWith('.json') && file !== 'package-lock.json');

function offending(pattern: RegExp): string[] {
  return tracked.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    return text.split('\n').flatMap((line, index) => (pattern.test(line) ? [`${file}:${index + 1}`] : []));
  });
}

describe('references in the repository', () => {
  it('never point at a facts file outside the repository', () => {
    // Prepare: the private notes this project was built from are not part of it.
    // (Spelt in pieces, so this file does not match itself.)
    const pattern = new RegExp(['ivschat' + '-facts', 'shared/' + 'reference/', 'facts' + ' §'].join('|'));
    // Act
    const hits = offending(pattern);
    // Assess
    assert.deepEqual(hits, []);
  });

  it('cite sections only of named public documents (an RFC), never a bare §', () => {
    const hits = offending(/(?<!RFC [0-9]{3,5} )§\s?\d/);
    assert.deepEqual(hits, []);
  });
});
