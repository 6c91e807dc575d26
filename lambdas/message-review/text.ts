/**
 * Helpers over code points: IVS counts maximumMessageLength in Unicode code points
 * (IVS Chat API reference and service quotas), so every rewrite here works on code points and never changes their number.
 */

/** A range of code point indices, end exclusive. */
export interface Range {
  readonly start: number;
  readonly end: number;
}

/** Code point index of each UTF-16 offset in `text` (for regular-expression match positions). */
export function codePointIndexer(text: string): (offset: number) => number {
  let table: Int32Array | undefined;
  return (offset) => {
    if (!table) {
      table = new Int32Array(text.length + 1);
      let index = 0;
      for (let unit = 0; unit < text.length; unit++) {
        table[unit] = index;
        const code = text.charCodeAt(unit);
        // A high surrogate followed by a low one is one code point.
        const pair = code >= 0xd800 && code <= 0xdbff && unit + 1 < text.length;
        if (pair) {
          const low = text.charCodeAt(unit + 1);
          if (low >= 0xdc00 && low <= 0xdfff) {
            unit++;
            table[unit] = index;
          }
        }
        index++;
      }
      table[text.length] = index;
    }
    return table[offset] ?? 0;
  };
}

/** Ranges (in code points) of every match of a global regular expression. */
export function matchRanges(
  text: string,
  pattern: RegExp,
  keep: (match: RegExpExecArray) => Range | undefined,
): Range[] {
  const ranges: Range[] = [];
  let toIndex: ((offset: number) => number) | undefined;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const kept = keep(match);
    if (!kept) continue;
    toIndex ??= codePointIndexer(text);
    ranges.push({ start: toIndex(kept.start), end: toIndex(kept.end) });
  }
  return ranges;
}

/**
 * Length in code points, as IVS counts maximumMessageLength: UTF-16 units minus the low halves of
 * surrogate pairs (same result as shared `codePointLength`, without an iterator, on the hot path).
 */
export function countCodePoints(text: string): number {
  let count = text.length;
  for (let offset = 1; offset < text.length; offset++) {
    const code = text.charCodeAt(offset);
    if (code >= 0xdc00 && code <= 0xdfff) {
      const high = text.charCodeAt(offset - 1);
      if (high >= 0xd800 && high <= 0xdbff) count--;
    }
  }
  return count;
}
