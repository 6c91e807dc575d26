/**
 * Every relative link in the project's Markdown (README.md, docs/*.md and any other .md file in the
 * repository) points at a file or folder that exists, and every `#anchor` names a heading of the page it
 * points into, slugged as GitHub slugs headings. A page moved or a heading renamed without its links is
 * a dead end for a reader; this finds it before they do. Links are read by a Markdown parser, so code
 * spans and fenced blocks (which hold commands, not links) are not taken for links.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';
import GithubSlugger from 'github-slugger';
import MarkdownIt, { type Token } from 'markdown-it';
import { repoRoot } from '../../scripts/sam-template.js';

const markdown = new MarkdownIt({ html: true });

/** Markdown files in the repository, tracked or new (ignored ones, such as node_modules, are not). */
const pages = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
  cwd: repoRoot,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => file !== '' && existsSync(join(repoRoot, file)))
  .sort();

function tokensOf(file: string): Token[] {
  return markdown.parse(readFileSync(join(repoRoot, file), 'utf8'), {});
}

/** Link targets on a page, in order, from the parsed document (links and images). */
function linksOf(file: string): string[] {
  const targets: string[] = [];
  const visit = (tokens: readonly Token[]): void => {
    for (const token of tokens) {
      const target =
        token.type === 'link_open'
          ? token.attrGet('href')
          : token.type === 'image'
            ? token.attrGet('src')
            : null;
      if (typeof target === 'string') targets.push(target);
      if (token.children) visit(token.children);
    }
  };
  visit(tokensOf(file));
  return targets;
}

/** The anchors GitHub gives a page's headings (text of the heading, code spans included, slugged). */
function anchorsOf(file: string): Set<string> {
  const slugger = new GithubSlugger();
  const tokens = tokensOf(file);
  const anchors = new Set<string>();
  tokens.forEach((token, index) => {
    if (token.type !== 'heading_open') return;
    const inline = tokens[index + 1];
    const text = (inline?.children ?? [])
      .filter((child) => child.type === 'text' || child.type === 'code_inline')
      .map((child) => child.content)
      .join('');
    anchors.add(slugger.slug(text));
  });
  return anchors;
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/** What is wrong with one link on `page`, or undefined when it resolves. */
function problemWith(page: string, target: string): string | undefined {
  const hash = target.indexOf('#');
  const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const resolved =
    path === '' ? page : normalize(path.startsWith('/') ? path.slice(1) : join(dirname(page), path));
  if (resolved.startsWith('..')) return `${target} leaves the repository`;
  const absolute = join(repoRoot, resolved);
  if (!existsSync(absolute)) return `${target}: ${resolved} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(absolute).isDirectory() || !resolved.endsWith('.md')) {
    return `${target}: an anchor into ${resolved}, which is not a Markdown page`;
  }
  return anchorsOf(resolved).has(anchor) ? undefined : `${target}: ${resolved} has no heading #${anchor}`;
}

describe('links in the documentation', () => {
  it('finds the front page and the manual', () => {
    assert.ok(pages.includes('README.md'));
    assert.ok(pages.filter((page) => page.startsWith('docs/')).length >= 10, pages.join(', '));
  });

  it('resolve every relative link to a file or folder, and every anchor to a heading', () => {
    // Prepare
    const relativeLinks = pages.flatMap((page) =>
      linksOf(page)
        .filter((target) => !isExternal(target))
        .map((target) => ({ page, target })),
    );
    // Act
    const broken = relativeLinks.flatMap(({ page, target }) => {
      const problem = problemWith(page, target);
      return problem === undefined ? [] : [`${page}: ${problem}`];
    });
    // Assess: the check ran on real links (the README alone links to every docs page).
    assert.ok(relativeLinks.length >= 50, `only ${relativeLinks.length} relative links found`);
    assert.deepEqual(broken, []);
  });

  it('link the README to every page of the manual', () => {
    const linked = new Set(
      linksOf('README.md')
        .filter((target) => !isExternal(target))
        .map((target) => normalize(target.split('#')[0] ?? '')),
    );
    const unlinked = pages
      .filter((page) => page.startsWith('docs/') && dirname(page) === 'docs')
      .filter((page) => !linked.has(relative(repoRoot, join(repoRoot, page))));
    assert.deepEqual(unlinked, []);
  });
});
