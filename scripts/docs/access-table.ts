/**
 * The permission tables of docs/access.md, written from the access model's rule table
 * (shared/access/model.ts), so the page cannot drift from what the service and the review function
 * decide. `npm run docs` rewrites them; a test fails when the page is not what this produces.
 */
import {
  RULES,
  describeRoles,
  type CallerRole,
  type Rule,
  type TargetRole,
} from '../../shared/access/model.js';

const TARGETS: readonly [TargetRole, string][] = [
  ['nonMember', 'a non-member'],
  ['member', 'a member'],
  ['moderator', 'a moderator'],
  ['owner', 'the owner'],
];

function who(roles: readonly CallerRole[]): string {
  return roles.length === 0 ? 'nobody' : describeRoles(roles);
}

export function accessTables(): string {
  const rules = Object.entries(RULES) as [string, Rule][];
  const lines = [
    '| action | in a public room | in a private room | banned caller | timed-out caller |',
    '|---|---|---|---|---|',
    ...rules
      .map(([name, rule]) =>
        [
          `\`${name}\`: ${rule.summary}`,
          who(rule.public),
          who(rule.private),
          rule.keptWhenBanned === true ? 'may' : 'refused (`banned`)',
          rule.refusedWhenTimedOut === true ? 'refused (`timed_out`)' : 'acts as a member',
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
    '',
    '| action about a user | on ' + TARGETS.map(([, label]) => label).join(' | on ') + ' | on oneself |',
    '|---|' + TARGETS.map(() => '---|').join('') + '---|',
    ...rules
      .filter(([, rule]) => rule.onOthers !== undefined || rule.onSelf !== undefined)
      .map(([name, rule]) => {
        const others = TARGETS.map(([role]) => (rule.onOthers ? who(rule.onOthers[role]) : 'nobody'));
        const self = rule.onSelf
          ? TARGETS.map(([role, label]) => {
              const entry = rule.onSelf?.[role];
              return `as ${label.replace(/^an? |^the /, '')}: ${entry === 'conflict' ? '409 (delete the room instead)' : who(entry ?? [])}`;
            }).join('; ')
          : 'nobody';
        return `| \`${name}\` | ${[...others, self].join(' | ')} |`;
      }),
  ];
  return lines.join('\n');
}

export const START =
  '<!-- access-tables:start (npm run docs writes this part from shared/access/model.ts) -->';
export const END = '<!-- access-tables:end -->';

/** The page with its generated part replaced. */
export function withAccessTables(page: string): string {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start === -1 || end === -1 || end < start)
    throw new Error('docs/access.md lacks its access-tables markers');
  return `${page.slice(0, start + START.length)}\n\n${accessTables()}\n\n${page.slice(end)}`;
}
