/** The value at `share` (0.5 for the median, 0.99 for p99) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
}
