/** Edit distance (insertions, deletions, substitutions), two rows at a time. */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * ` (did you mean "x"?)` for the closest candidate when it is close enough to
 * be a typo (at most a third of the name's length, at least 2 edits allowed),
 * else the known names when they are few, else nothing.
 */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const list = [...candidates];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of list) {
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)))
    return ` (did you mean "${best}"?)`;
  if (list.length && list.length <= 8) return ` (known: ${list.join(', ')})`;
  return '';
}
