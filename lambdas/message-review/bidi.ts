/**
 * The order in which a message is displayed, when bidirectional controls change it.
 *
 * A right-to-left override (U+202E) makes "kcuf" display as "fuck": the controls themselves are
 * invisible and vanish from the units, so the logical order alone would miss the word readers see.
 * This runs a reduced Unicode Bidirectional Algorithm (UAX #9): explicit embeddings, overrides and
 * isolates (X1–X10), neutrals between strong types (N1/N2), implicit levels (I1/I2) and reversal of
 * runs by level (L2). It leaves out what cannot reorder letters into a word: mirrored brackets,
 * weak-type rules beyond digits, and paragraph or line splitting beyond resetting at a paragraph break.
 * Called only for messages with explicit controls (Units.explicitBidi), so plain chat pays nothing.
 */
import type { Units } from './normalise.js';

const L = 0;
const R = 1;
const EN = 2;
const NEUTRAL = 3;
/** Explicit formatting characters, removed from the levels (X9). */
const REMOVED = 4;

const LRE = 0x202a;
const RLE = 0x202b;
const PDF = 0x202c;
const LRO = 0x202d;
const RLO = 0x202e;
const LRI = 0x2066;
const RLI = 0x2067;
const FSI = 0x2068;
const PDI = 0x2069;
const MAX_DEPTH = 125;

const RIGHT_TO_LEFT =
  /^[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\u200f\u061c]$/u;
const LETTER_OR_MARK = /^[\p{L}\p{M}]$/u;
const DIGIT = /^\p{Nd}$/u;
const PARAGRAPH_BREAK = new Set([0x0a, 0x0d, 0x1c, 0x1d, 0x1e, 0x85, 0x2029]);

function strongType(code: number): number {
  if (code < 0x80) {
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) return L;
    return code >= 0x30 && code <= 0x39 ? EN : NEUTRAL;
  }
  const char = String.fromCodePoint(code);
  if (RIGHT_TO_LEFT.test(char)) return R;
  if (code === 0x200e || LETTER_OR_MARK.test(char)) return L;
  return DIGIT.test(char) ? EN : NEUTRAL;
}

interface Entry {
  readonly level: number;
  /** The direction every character takes (an override), or NEUTRAL for none. */
  readonly override: number;
  readonly isolate: boolean;
}

/** Resolved embedding level of each code point (REMOVED ones take their neighbour's). */
function resolveLevels(points: readonly number[]): Int32Array {
  const count = points.length;
  const types = new Uint8Array(count);
  const levels = new Int32Array(count);
  // P2/P3: the first strong character outside isolates sets the paragraph's direction.
  let base = 0;
  for (let index = 0, depth = 0; index < count; index++) {
    const code = points[index] ?? 0;
    if (code === LRI || code === RLI || code === FSI) depth++;
    else if (code === PDI) depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      const type = strongType(code);
      if (type === L || type === R) {
        base = type;
        break;
      }
    }
  }
  const bottom: Entry = { level: base, override: NEUTRAL, isolate: false };
  const stack: Entry[] = [bottom];
  const top = (): Entry => stack[stack.length - 1] ?? bottom;
  const push = (odd: boolean, override: number, isolate: boolean): void => {
    const current = top().level;
    const level = odd ? current + 1 + (current % 2 === 0 ? 0 : 1) : current + 1 + (current % 2);
    if (level <= MAX_DEPTH) stack.push({ level, override, isolate });
  };
  for (let index = 0; index < count; index++) {
    const code = points[index] ?? 0;
    const entry = top();
    levels[index] = entry.level;
    types[index] = entry.override === NEUTRAL ? strongType(code) : entry.override;
    switch (code) {
      case RLE:
      case LRE:
      case RLO:
      case LRO:
        types[index] = REMOVED;
        push(code === RLE || code === RLO, code === RLO ? R : code === LRO ? L : NEUTRAL, false);
        break;
      case PDF:
        types[index] = REMOVED;
        if (stack.length > 1 && !entry.isolate) stack.pop();
        break;
      case RLI:
      case LRI:
      case FSI:
        types[index] = NEUTRAL;
        push(code === RLI, NEUTRAL, true);
        break;
      case PDI: {
        const isolate = stack.findLastIndex((candidate) => candidate.isolate);
        if (isolate > 0) stack.length = isolate;
        levels[index] = top().level;
        types[index] = NEUTRAL;
        break;
      }
      default:
        if (PARAGRAPH_BREAK.has(code)) {
          stack.length = 1;
          levels[index] = base;
          types[index] = NEUTRAL;
        }
    }
  }
  // N1/N2: a run of neutrals between strong types of one direction (digits count as R) takes it;
  // otherwise the direction of its embedding.
  const direction = (type: number): number => (type === L ? L : R);
  for (let index = 0; index < count;) {
    if (types[index] !== NEUTRAL && types[index] !== REMOVED) {
      index++;
      continue;
    }
    let end = index;
    while (end < count && (types[end] === NEUTRAL || types[end] === REMOVED)) end++;
    const before = index > 0 ? direction(types[index - 1] ?? L) : -1;
    const after = end < count ? direction(types[end] ?? L) : -1;
    for (let unit = index; unit < end; unit++) {
      if (types[unit] === REMOVED) continue;
      types[unit] = before >= 0 && before === after ? before : (levels[unit] ?? 0) % 2;
    }
    index = end;
  }
  // I1/I2.
  for (let index = 0; index < count; index++) {
    const level = levels[index] ?? 0;
    const type = types[index];
    if (type === REMOVED) levels[index] = index > 0 ? (levels[index - 1] ?? base) : base;
    else if (level % 2 === 0) levels[index] = level + (type === R ? 1 : type === EN ? 2 : 0);
    else if (type === L || type === EN) levels[index] = level + 1;
  }
  return levels;
}

/** L2: code point indices in display order. */
function displayOrder(levels: Int32Array): Int32Array {
  const order = Int32Array.from({ length: levels.length }, (_, index) => index);
  let highest = 0;
  let lowestOdd = Number.MAX_SAFE_INTEGER;
  for (const level of levels) {
    highest = Math.max(highest, level);
    if (level % 2 === 1) lowestOdd = Math.min(lowestOdd, level);
  }
  for (let level = highest; level >= lowestOdd; level--) {
    for (let index = 0; index < order.length;) {
      if ((levels[order[index] ?? 0] ?? 0) < level) {
        index++;
        continue;
      }
      let end = index;
      while (end < order.length && (levels[order[end] ?? 0] ?? 0) >= level) end++;
      order.subarray(index, end).reverse();
      index = end;
    }
  }
  return order;
}

/**
 * `units` in the order `text` is displayed, or undefined when that is the order they are in. Units
 * keep their origin, so a match found in display order masks the right code points.
 */
export function displayedUnits(text: string, units: Units): Units | undefined {
  const points = Array.from(text, (char) => char.codePointAt(0) ?? 0);
  const order = displayOrder(resolveLevels(points));
  const position = new Int32Array(order.length);
  order.forEach((index, at) => (position[index] = at));
  const indices = Array.from({ length: units.length }, (_, unit) => unit);
  // Stable: the units of one code point (a ligature's letters) keep their order.
  indices.sort((a, b) => (position[units.origin[a] ?? 0] ?? 0) - (position[units.origin[b] ?? 0] ?? 0));
  if (indices.every((unit, at) => unit === at)) return undefined;
  const pick = <T extends Int32Array | Uint8Array | Int8Array>(from: T, to: T): T => {
    indices.forEach((unit, at) => (to[at] = from[unit] ?? 0));
    return to;
  };
  const length = units.length;
  return {
    length,
    code: pick(units.code, new Int32Array(length)),
    kind: pick(units.kind, new Uint8Array(length)),
    leet: pick(units.leet, new Int8Array(length)),
    letter: pick(units.letter, new Uint8Array(length)),
    origin: pick(units.origin, new Int32Array(length)),
    explicitBidi: true,
  };
}
