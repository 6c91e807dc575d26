/**
 * Personal data people should not post in a public room: e-mail addresses and phone numbers
 * (7 to 15 digits, the E.164 maximum, with the usual separators and an optional leading +).
 */
import { matchRanges, type Range } from './text.js';

const EMAIL = /[\p{L}\p{N}._%+-]+@(?:[\p{L}\p{N}-]+\.)+\p{L}{2,}/gu;
const PHONE = /(?<![\p{L}\p{N}+])\+?\(?\d(?:[ .()-]{0,2}\d){6,14}(?![\p{L}\p{N}])/gu;

const whole = (match: RegExpExecArray): Range => ({ start: match.index, end: match.index + match[0].length });

export function findEmails(text: string): Range[] {
  if (!text.includes('@')) return [];
  return matchRanges(text, EMAIL, whole);
}

export function findPhoneNumbers(text: string): Range[] {
  return matchRanges(text, PHONE, whole);
}
