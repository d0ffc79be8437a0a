import { ActionError } from './errors.js'
import { didYouMean } from './suggest.js'

/** token-url's default: Stent's token endpoint. */
export const DEFAULT_TOKEN_URL = 'https://auth.stent.io/connect/token'

/** How an input is read: @actions/core's getInput in the action, a map in tests. */
export type GetInput = (name: string) => string

/** A required input; `method` names the auth-method that needs it. */
export function required(getInput: GetInput, name: string, method?: string): string {
  const value = getInput(name)
  if (!value) {
    throw new ActionError(
      `Input '${name}' is required${method ? ` with auth-method ${method}` : ''} and was empty. Pass it from a secret, e.g. ${name}: \${{ secrets.STENT_${name.replaceAll('-', '_').toUpperCase()} }}, and check the secret exists in this repository or environment.`
    )
  }
  return value
}

export function noControlCharacters(name: string, value: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new ActionError(
      `Input '${name}' contains a line break or control character. Store the value on a single line, without a trailing newline.`
    )
  }
}

/** An input that must fit on one line (it may be empty). */
export function singleLine(getInput: GetInput, name: string): string {
  const value = getInput(name)
  noControlCharacters(name, value)
  return value
}

/** One of a fixed set of values, or the input's default when empty. */
export function oneOf<T extends string>(
  getInput: GetInput,
  name: string,
  values: readonly T[],
  fallback: T
): T {
  const value = getInput(name) || fallback
  const found = values.find(v => v === value)
  if (!found) {
    throw new ActionError(unsupportedValue(name, value, values, values.join(', ')))
  }
  return found
}

/** An enumerated input's value is none of its values: the one it most likely meant, else the list. */
export function unsupportedValue(
  name: string,
  value: string,
  values: readonly string[],
  accepted: string
): string {
  const start = `Input '${name}' has an unsupported value '${value}'.`
  return `${start}${didYouMean(value, values) || ` Accepted values: ${accepted}.`}`
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/** localhost, 127.x.y.z or [::1]: where plain http:// is accepted, for local tests. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.test(url.hostname)
}

/**
 * An endpoint URL: https://, or http:// to a loopback host; never with credentials. `what` names
 * where it came from in messages, e.g. "Input 'token-url'".
 */
export function parseUrl(value: string, what: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ActionError(
      `${what} is not a valid URL. Expected an absolute https:// URL${what.includes('token-url') ? ` such as ${DEFAULT_TOKEN_URL}` : ''}.`
    )
  }
  if (url.username || url.password) {
    throw new ActionError(
      `${what} must not contain credentials (user:password@). Pass them as client-id and client-secret.`
    )
  }
  const loopback = isLoopback(url)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ActionError(
      `${what} must use https:// (got ${url.protocol}//${url.hostname}). Plain http:// is accepted only for loopback hosts (localhost, 127.0.0.1, [::1]) in local tests.`
    )
  }
  return url
}
