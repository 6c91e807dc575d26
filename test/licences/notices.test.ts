/**
 * Licences: the project's own LICENSE, and THIRD_PARTY_NOTICES.md against what the bundles really
 * contain (esbuild's metafile, built in memory with the options of `npm run build`) and the licence
 * comments esbuild keeps at the end of each bundle.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { repoRoot } from '../../scripts/sam-template.js';
import {
  NOTICES_PATH,
  bundleContents,
  renderNotices,
  type BundleContents,
} from '../../scripts/third-party-notices.js';

/** Licences that ask for nothing inside a minified bundle beyond what its licence comment carries. */
const PERMISSIVE = new Set([
  'MIT',
  // MIT without the attribution clause (Powertools for AWS Lambda): asks for nothing at all.
  'MIT-0',
  'ISC',
  '0BSD',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'Apache-2.0',
  'BlueOak-1.0.0',
]);

/** The `/*! … *\/` comments esbuild gathered at the end of a bundle (legalComments: 'eof'). */
function legalComments(text: string): string[] {
  return [...text.matchAll(/\/\*![\s\S]*?\*\//g)].map((match) => match[0]);
}

let bundles: BundleContents[];
before(async () => {
  bundles = await bundleContents();
});

describe('LICENSE', () => {
  it('is the MIT licence package.json declares', () => {
    const manifest: unknown = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const license = readFileSync(join(repoRoot, 'LICENSE'), 'utf8');

    assert.ok(typeof manifest === 'object' && manifest !== null && 'license' in manifest);
    assert.equal(manifest.license, 'MIT');
    assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} /);
    assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/);
  });
});

describe('THIRD_PARTY_NOTICES.md', () => {
  it('lists exactly the packages each bundle contains (npm run notices regenerates it)', () => {
    assert.equal(readFileSync(NOTICES_PATH, 'utf8'), renderNotices(bundles));
  });

  it('credits the default word list under CC-BY-4.0, as the review bundle does', () => {
    const review = bundles.find((bundle) => bundle.target === 'message-review');
    assert.ok(review);
    const words = review.packages.find((item) => item.name === 'naughty-words');
    assert.ok(words, 'the word list is bundled');
    const comment = legalComments(review.text).find((text) => text.includes('naughty-words'));
    assert.ok(comment, 'the bundle carries a licence comment for the word list');
    const notices = readFileSync(NOTICES_PATH, 'utf8');
    for (const part of [
      words.license,
      `${words.name}@${words.version}`,
      'Shutterstock',
      'https://github.com/LDNOOBW/List-of-Dirty-Naughty-Obscene-and-Otherwise-Bad-Words',
      'https://creativecommons.org/licenses/by/4.0/',
    ]) {
      assert.ok(comment.includes(part), `the bundle comment names ${part}`);
      assert.ok(notices.includes(part), `THIRD_PARTY_NOTICES.md names ${part}`);
    }
  });

  it('names in a licence comment every bundled package whose licence is not a permissive one', () => {
    for (const bundle of bundles) {
      const comments = legalComments(bundle.text).join('\n');
      for (const item of bundle.packages.filter((entry) => !PERMISSIVE.has(entry.license))) {
        assert.ok(
          comments.includes(`${item.name}@${item.version}`),
          `${bundle.outfile}: a licence comment names ${item.name}@${item.version} (${item.license})`,
        );
      }
    }
  });

  it('agrees with every licence comment about which packages and versions a bundle holds', () => {
    for (const bundle of bundles) {
      const names = new Set(bundle.packages.map((item) => item.name));
      const versions = new Set(bundle.packages.map((item) => `${item.name}@${item.version}`));
      for (const comment of legalComments(bundle.text)) {
        // esbuild's gathered comments head each package's text with "<package>/<file>:".
        for (const match of comment.matchAll(/^((?:@[\w.-]+\/)?[\w.-]+)\/[^\s:]*:$/gm)) {
          assert.ok(names.has(match[1] ?? ''), `${bundle.outfile}: ${match[1]} is listed`);
        }
        // Our own comments name packages as name@version.
        for (const match of comment.matchAll(/\b((?:@[\w.-]+\/)?[a-z][\w.-]*)@(\d+\.\d+\.\d+)/g)) {
          assert.ok(
            versions.has(`${match[1]}@${match[2]}`),
            `${bundle.outfile}: ${match[0]} is what is bundled`,
          );
        }
      }
    }
  });
});
