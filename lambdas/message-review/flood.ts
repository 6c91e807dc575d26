/**
 * Flood: one character repeated past a limit ("!!!!!!!!!!!!!!!!!!!!!!"), and shouting: a share of
 * capitals over a limit, judged only on messages with enough letters to mean it ("OK" is fine).
 */

/** Longest run of one code point. */
export function longestRun(codePoints: readonly string[]): number {
  let longest = 0;
  let run = 0;
  let previous = '';
  for (const char of codePoints) {
    run = char === previous ? run + 1 : 1;
    previous = char;
    if (run > longest) longest = run;
  }
  return longest;
}

const LETTER = /\p{L}/u;
const UPPER = /\p{Lu}/u;

/** Letters and upper-case letters among them. */
export function capitals(codePoints: readonly string[]): { letters: number; upper: number } {
  let letters = 0;
  let upper = 0;
  for (const char of codePoints) {
    const code = char.charCodeAt(0);
    if (code < 128) {
      if (code >= 65 && code <= 90) {
        letters++;
        upper++;
      } else if (code >= 97 && code <= 122) {
        letters++;
      }
    } else if (LETTER.test(char)) {
      letters++;
      if (UPPER.test(char)) upper++;
    }
  }
  return { letters, upper };
}
