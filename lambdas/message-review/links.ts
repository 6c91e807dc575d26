/**
 * Links: URLs with a scheme, `www.` names, and bare domains ("evil.example/x"). A bare name counts as
 * a link when it has a path, a query or a port, or when its top-level domain is one that links
 * commonly use; otherwise "node.js", "e.g." or "file.txt" would be taken for links.
 * Allowed domains match themselves and their subdomains.
 */
import { matchRanges, type Range } from './text.js';

const LINK =
  /(?<![\p{L}\p{N}@._-])(?:(?<scheme>[a-z][a-z0-9+.-]{1,15}):\/\/(?<schemeRest>[^\s<>"'`]+)|(?<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?<tld>[a-z][a-z0-9-]{1,62}))(?<tail>(?::\d{1,5})?[/?#][^\s<>"'`]*|:\d{1,5})?)/giu;

/** Top-level domains that bare links commonly use (names that are also file extensions left out). */
const COMMON_TLDS = new Set(
  (
    'com net org info biz io co ai app dev xyz online site top shop store club me tv gg ly to cc ' +
    'ru cn de uk us eu fr nl br in jp it es pl ca au ch se no be at dk fi cz ro hu gr pt ua kr tw hk ' +
    'tk ml ga cf gq link click live news pro mobi name tech space website fun icu vip win bid loan ' +
    'men work party review stream download racing date cam lol wtf ws gl gd bit ninja page blog ' +
    'example invalid test localhost onion'
  ).split(' '),
);

const TRAILING_PUNCTUATION = /[.,!?;:)\]}]+$/u;

export interface LinkMatch extends Range {
  readonly host: string;
}

export function findLinks(text: string): LinkMatch[] {
  // Every link form has a dot or "://": most chat lines are ruled out without the expression.
  if (!text.includes('.') && !text.includes('://')) return [];
  const hosts: string[] = [];
  const ranges = matchRanges(text, LINK, (match) => {
    const groups = match.groups ?? {};
    let host: string;
    if (groups.scheme !== undefined) {
      const rest = groups.schemeRest ?? '';
      const authority = rest.split(/[/?#]/u, 1)[0] ?? '';
      host = (authority.slice(authority.lastIndexOf('@') + 1).split(':', 1)[0] ?? '').toLowerCase();
    } else {
      host = (groups.host ?? '').toLowerCase();
      const tld = (groups.tld ?? '').toLowerCase();
      const isLink = groups.tail !== undefined || host.startsWith('www.') || COMMON_TLDS.has(tld);
      if (!isLink) return undefined;
    }
    const matched = match[0].replace(TRAILING_PUNCTUATION, '');
    hosts.push(host.replace(/\.$/u, ''));
    return { start: match.index, end: match.index + matched.length };
  });
  return ranges.map((range, index) => ({ ...range, host: hosts[index] ?? '' }));
}

/** Whether `host` is an allowed domain or one of its subdomains. */
export function isAllowedHost(host: string, allowedDomains: readonly string[]): boolean {
  return allowedDomains.some((domain) => host === domain || host.endsWith(`.${domain}`));
}
