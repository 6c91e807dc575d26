/**
 * Flood: one character repeated past a limit ("!!!!!!!!!!!!!!!!!!!!!!"), and shouting: a share of
 * capitals over a limit, judged only on messages with enough letters to mean it ("OK" is fine).
 * Both walk the string by code point without copying it.
 */

/** Longest run of one code point. */
export function longestRun(text: string): number {
  let longest = 0;
  let run = 0;
  let previous = -1;
  for (let offset = 0; offset < text.length; offset++) {
    const point = text.codePointAt(offset) ?? 0;
    if (point > 0xffff) offset++;
    run = point === previous ? run + 1 : 1;
    previous = point;
    if (run > longest) longest = run;
  }
  return longest;
}

const LETTER = /\p{L}/u;
const UPPER = /\p{Lu}/u;

/** Letters, and upper-case letters among them. */
export function capitals(text: string): { letters: number; upper: number } {
  let letters = 0;
  let upper = 0;
  for (let offset = 0; offset < text.length; offset++) {
    const code = text.charCodeAt(offset);
    if (code < 128) {
      if (code >= 65 && code <= 90) {
        letters++;
        upper++;
      } else if (code >= 97 && code <= 122) {
        letters++;
      }
      continue;
    }
    const point = text.codePointAt(offset) ?? 0;
    if (point > 0xffff) offset++;
    const char = String.fromCodePoint(point);
    if (LETTER.test(char)) {
      letters++;
      if (UPPER.test(char)) upper++;
    }
  }
  return { letters, upper };
}
