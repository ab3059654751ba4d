/**
 * "Did you mean …?" for mistyped names: the closest candidate by Damerau–Levenshtein
 * distance (a swapped pair of letters counts as one edit, the most common typo), when it
 * is close enough to be a plausible slip rather than a different word.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `input`, or undefined when none is within about a third of
 * the input's length (so `xyz` suggests nothing rather than some unrelated name).
 * `normalize` lets callers compare loosely (symbologies ignore case, spaces and dashes).
 */
export function closest(
  input: string,
  candidates: Iterable<string>,
  normalize: (s: string) => string = (s) => s.toLowerCase(),
): string | undefined {
  const wanted = normalize(input);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalize(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.floor(wanted.length / 3));
  return bestDistance > 0 && bestDistance <= limit ? best : undefined;
}

/** ` (did you mean 'demo'?)`, or "" when nothing is close. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closest(input, candidates);
  return match ? ` (did you mean '${match}'?)` : "";
}
