import { ActionError } from '../base/errors.js'

/** action.yml's inputs, in its order (the README's groups); __tests__/input-names.test.ts holds the two equal. */
export const INPUT_NAMES = [
  'client-id',
  'client-secret',
  'token-url',
  'scope',
  'audience',
  'resource',
  'response-type',
  'extra-params',
  'auth-method',
  'basic-encoding',
  'client-assertion-key',
  'client-assertion-cert',
  'client-assertion-alg',
  'client-assertion-kid',
  'client-certificate',
  'client-key',
  'oidc-audience',
  'grant-type',
  'subject-token-source',
  'subject-token',
  'subject-token-type',
  'actor-token',
  'actor-token-type',
  'requested-token-type',
  'issuer',
  'verify-token',
  'jwks-url',
  'min-validity',
  'revoke',
  'revocation-url',
  'timeout-seconds',
  'max-attempts',
  'ca-certificate',
  'export-variable',
  'summary',
  'summary-title'
] as const

/** The start of the message for an input action.yml does not declare (README troubleshooting). */
export const UNKNOWN_INPUT = 'Unknown input '

/** The variable the runner sets for a `with:` key: INPUT_, upper-cased, spaces as _, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * Fails on any INPUT_* variable that is not one of our inputs: the runner passes every `with:` key,
 * declared or not, and only warns, so a typo would otherwise read as an empty or default input.
 */
export function checkInputNames(env: Readonly<Record<string, string | undefined>>): void {
  const known = new Set(INPUT_NAMES.map(inputVariable))
  const unknown = Object.keys(env)
    .filter(key => key.toUpperCase().startsWith('INPUT_') && !known.has(key.toUpperCase()))
    .map(key => key.slice('INPUT_'.length).toLowerCase())
    .sort()
  if (unknown.length === 0) return
  throw new ActionError(
    unknown
      .map(name => {
        const near = closestInput(name)
        return `${UNKNOWN_INPUT}'${name}'. ${near ? `Did you mean '${near}'?` : `This action's inputs are: ${INPUT_NAMES.join(', ')}.`}`
      })
      .join(' ')
  )
}

/** The declared input a typo most likely meant, or undefined when none is close. */
export function closestInput(name: string): string | undefined {
  const typed = normalize(name)
  let best: { name: string; distance: number } | undefined
  for (const candidate of INPUT_NAMES) {
    const distance = editDistance(typed, normalize(candidate))
    if (!best || distance < best.distance) best = { name: candidate, distance }
  }
  // A third of the name may be wrong (at least 2 edits): 'tokenurl', 'client-secrets', 'scopes'.
  return best && best.distance <= Math.max(2, Math.floor(typed.length / 3)) ? best.name : undefined
}

/** Case and the separator (_ - or space) do not count as typos. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[_ ]/g, '-')
}

/** Levenshtein distance, with a swap of two neighbours as one edit ('scoep'). */
function editDistance(a: string, b: string): number {
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
