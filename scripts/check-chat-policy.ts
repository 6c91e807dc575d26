/**
 * `npm run check:chat-policy -- <file.json | inline JSON>`: validates a chat policy with the very
 * parser the token service runs at start (CHAT_POLICY, CHAT_POLICY_FILE and the template's ChatPolicy
 * parameter all go through it), and prints it as one compact line (with --parameter-override, as
 * the `ChatPolicy="…"` entry `sam deploy --parameter-overrides` takes). Exits 1 with the reason otherwise, so a
 * policy is checked before a deploy rather than by a function that fails to start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePolicy } from '../services/token-vending/access/chat-policy.js';

/**
 * The policy as one `--parameter-overrides` entry: the SAM CLI strips bare double quotes from
 * override values, so they are escaped and the value quoted (aws/aws-sam-cli#1602, #3508).
 */
export function parameterOverride(compact: string): string {
  return `ChatPolicy="${compact.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The template's ChatPolicy MaxLength (Lambda's 4 KB of environment is shared with the AUTH_* values). */
export const CHAT_POLICY_MAX_LENGTH = 2048;

export type PolicyCheck =
  { readonly ok: true; readonly compact: string } | { readonly ok: false; readonly reason: string };

export function checkChatPolicy(text: string): PolicyCheck {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    parsePolicy(document);
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const compact = JSON.stringify(document);
  if (compact.length > CHAT_POLICY_MAX_LENGTH) {
    return {
      ok: false,
      reason: `${compact.length} characters compacted; the ChatPolicy parameter takes at most ${CHAT_POLICY_MAX_LENGTH}`,
    };
  }
  return { ok: true, compact };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const asOverride = args.includes('--parameter-override');
  const argument = args.find((arg) => arg !== '--parameter-override');
  if (argument === undefined) {
    console.error('usage: npm run check:chat-policy -- [--parameter-override] <policy.json | inline JSON>');
    process.exit(2);
  }
  const text =
    argument.trimStart().startsWith('{') || !existsSync(argument) ? argument : readFileSync(argument, 'utf8');
  const result = checkChatPolicy(text);
  if (!result.ok) {
    console.error(`chat policy refused: ${result.reason}`);
    process.exit(1);
  }
  console.log(asOverride ? parameterOverride(result.compact) : result.compact);
}
