/**
 * The rules, applied to one message in a fixed order. The first DENY wins; MASK rewrites accumulate
 * as marks over the message's code points, so every rule sees the original text and the answer keeps
 * the same number of code points (IVS counts maximumMessageLength in code points, IVS Chat API reference and service quotas).
 *
 * The hold rules (`holdTerms`, links with action HOLD) only mark an ALLOW as doubtful (`hold`): they
 * never change the content, and any DENY wins over them. Whether a doubtful message is held depends on
 * its room (`holdForReview`), which the handler learns from the table (review-handler.ts).
 */
import { capitals, longestRun } from './flood.js';
import { findLinks, isAllowedHost } from './links.js';
import { displayedUnits } from './bidi.js';
import { toUnits, type Units } from './normalise.js';
import { findEmails, findPhoneNumbers } from './pii.js';
import type { CompiledPolicy } from './policy.js';
import type { TermMatch } from './terms.js';
import { countCodePoints, type Range } from './text.js';

export const RULES = [
  'empty',
  'length',
  'repeatedCharacters',
  'capitals',
  'blockedTerms',
  'links',
  'email',
  'phone',
  'remoteCheck',
  'standing',
  'holdTerms',
  'slowMode',
] as const;
export type RuleName = (typeof RULES)[number];

/** What the sender of a held message reads: it was not delivered, and a moderator will decide. */
export const HELD_REASON = 'Your message is waiting for a moderator.';

/** Short, user-presentable reasons: IVS hands `Attributes.Reason` to the sender (ERROR 406). */
export const REASONS: Readonly<Record<RuleName, string>> = {
  empty: 'Your message is empty.',
  length: 'Your message is too long.',
  repeatedCharacters: 'Please do not flood the chat with repeated characters.',
  capitals: 'Please do not shout: too many capital letters.',
  blockedTerms: 'Your message contains a word that is not allowed here.',
  links: 'Links to that site are not allowed here.',
  email: 'Please do not share e-mail addresses in the chat.',
  phone: 'Please do not share phone numbers in the chat.',
  remoteCheck: 'Your message was rejected by moderation.',
  standing: 'You may not send messages in this room right now.',
  holdTerms: HELD_REASON,
  // The handler says how long to wait (slowModeReason); this is for a reader of the rule names.
  slowMode: 'Slow mode: please wait before your next message.',
};

/** The rules that make a message doubtful (held in rooms with `holdForReview` on). */
export type HoldRule = 'holdTerms' | 'links';

export type Verdict =
  | { readonly result: 'DENY'; readonly rule: RuleName; readonly fired: readonly RuleName[] }
  | {
      readonly result: 'ALLOW';
      readonly content: string;
      readonly fired: readonly RuleName[];
      /** The first hold rule that found something; the handler decides whether it holds. */
      readonly hold?: HoldRule;
    };

/**
 * The code points a match of units covers. In display order (bidi.ts) origins may run backwards, so
 * the range spans the lowest to the highest. In logical order, invisible characters and combining
 * marks right after the match go too.
 */
function originRange(units: Units, { start, end }: TermMatch, logical = true): Range {
  let first = Number.MAX_SAFE_INTEGER;
  let last = -1;
  for (let unit = start; unit < end; unit++) {
    const origin = units.origin[unit] ?? 0;
    first = Math.min(first, origin);
    last = Math.max(last, origin);
  }
  if (!logical) return { start: first, end: last + 1 };
  const next = end < units.length ? (units.origin[end] ?? last + 1) : Number.MAX_SAFE_INTEGER;
  return { start: first, end: Math.max(last + 1, next) };
}

/** `content` with every marked code point replaced by one `*`, built from slices of the original. */
function applyMask(content: string, masked: Uint8Array): string {
  let out = '';
  let offset = 0;
  let index = 0;
  while (offset < content.length) {
    const from = offset;
    const hidden = masked[index] === 1;
    let count = 0;
    while (offset < content.length && (masked[index] === 1) === hidden) {
      const code = content.charCodeAt(offset);
      const pair = code >= 0xd800 && code <= 0xdbff && offset + 1 < content.length;
      const low = pair ? content.charCodeAt(offset + 1) : 0;
      offset += pair && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
      index++;
      count++;
    }
    out += hidden ? '*'.repeat(count) : content.slice(from, offset);
  }
  return out;
}

export function applyRules(policy: CompiledPolicy, content: string): Verdict {
  const fired: RuleName[] = [];
  const deny = (rule: RuleName): Verdict => {
    fired.push(rule);
    return { result: 'DENY', rule, fired };
  };
  // An ALLOW must carry non-empty Content within the room limit, or IVS counts it invalid.
  if (content.length === 0) return deny('empty');
  // UTF-16 length bounds the code point count: count only when it could be over.
  const length = content.length;
  if (length > policy.maximumMessageLength && countCodePoints(content) > policy.maximumMessageLength) {
    return deny('length');
  }
  // Code points to mask, marked only when a rule masks something.
  let masked: Uint8Array | undefined;
  const mask = (ranges: readonly Range[]): void => {
    masked ??= new Uint8Array(length);
    for (const { start, end } of ranges) masked.fill(1, start, Math.min(end, length));
  };

  const { flood } = policy;
  if (flood.maxRepeatedCharacters > 0 && longestRun(content) > flood.maxRepeatedCharacters) {
    return deny('repeatedCharacters');
  }
  if (flood.maxCapitalsShare < 1) {
    const { letters, upper } = capitals(content);
    if (letters >= flood.capitalsMinLetters && upper / letters > flood.maxCapitalsShare)
      return deny('capitals');
  }

  // Normalised once, for the blocked terms and the hold terms alike.
  let units: Units | undefined;
  if (policy.matcher.size > 0) {
    const all = policy.blockedTermAction === 'MASK';
    const read = (units = toUnits(content));
    let ranges = policy.matcher.find(read, all).map((match) => originRange(read, match));
    // Bidirectional controls can display another word than the logical order spells: check both.
    const displayed = read.explicitBidi ? displayedUnits(content, read) : undefined;
    if (displayed && (all || ranges.length === 0)) {
      ranges = ranges.concat(
        policy.matcher.find(displayed, all).map((match) => originRange(displayed, match, false)),
      );
    }
    if (ranges.length > 0) {
      if (policy.blockedTermAction === 'DENY') return deny('blockedTerms');
      fired.push('blockedTerms');
      mask(ranges);
    }
  }

  let hold: HoldRule | undefined;
  if (policy.holdMatcher.size > 0 && holdTermIn(policy, content, units ?? toUnits(content))) {
    hold = 'holdTerms';
  }

  if (policy.links.action !== 'ALLOW') {
    const links = findLinks(content).filter((link) => !isAllowedHost(link.host, policy.links.allowedDomains));
    if (links.length > 0) {
      if (policy.links.action === 'DENY') return deny('links');
      if (policy.links.action === 'HOLD') {
        hold ??= 'links';
      } else {
        fired.push('links');
        mask(links);
      }
    }
  }

  for (const [rule, enabled, find] of [
    ['email', policy.pii.email, findEmails],
    ['phone', policy.pii.phone, findPhoneNumbers],
  ] as const) {
    if (!enabled) continue;
    const found = find(content);
    if (found.length === 0) continue;
    if (policy.pii.action === 'DENY') return deny(rule);
    fired.push(rule);
    mask(found);
  }

  const delivered = masked === undefined ? content : applyMask(content, masked);
  return hold === undefined
    ? { result: 'ALLOW', content: delivered, fired }
    : { result: 'ALLOW', content: delivered, fired, hold };
}

/** Whether a hold term is in the message, in logical or (with bidi controls) display order. */
function holdTermIn(policy: CompiledPolicy, content: string, units: Units): boolean {
  if (policy.holdMatcher.find(units, false).length > 0) return true;
  const displayed = units.explicitBidi ? displayedUnits(content, units) : undefined;
  return displayed !== undefined && policy.holdMatcher.find(displayed, false).length > 0;
}
