import { ActionError } from '../base/errors.js'
import { closest } from '../base/suggest.js'

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
  'summary-title',
  'agent'
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
  return closest(name, INPUT_NAMES)
}
