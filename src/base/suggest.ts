/** The candidate a typo most likely meant, or undefined when none is close. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const text = normalize(typed)
  let best: { candidate: string; distance: number } | undefined
  for (const candidate of candidates) {
    const distance = editDistance(text, normalize(candidate))
    if (!best || distance < best.distance) best = { candidate, distance }
  }
  // A third of the text may be wrong (at least 2 edits): 'tokenurl', 'client-secrets', 'scopes'.
  return best && best.distance <= Math.max(2, Math.floor(text.length / 3))
    ? best.candidate
    : undefined
}

/** ` Did you mean '<candidate>'?` when one is close, else ''. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const near = closest(typed, candidates)
  return near === undefined ? '' : ` Did you mean '${near}'?`
}

/** Case and the separator (_ - or space) do not count as typos. */
function normalize(text: string): string {
  return text.toLowerCase().replace(/[_ -]/g, '-')
}

/** Levenshtein distance, with a swap of two neighbours as one edit ('scoep'). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[]
      const prev = d[i - 1] as number[]
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1)
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number
}
