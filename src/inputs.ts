import { ActionError } from './errors.js'

export const AUTH_METHODS = ['client_secret_post', 'client_secret_basic'] as const
export type AuthMethod = (typeof AUTH_METHODS)[number]

export const DEFAULT_TOKEN_URL = 'https://auth.stent.io/connect/token'

/** Every input, read and validated once; the rest of the action trusts this. */
export interface Settings {
  clientId: string
  clientSecret: string
  tokenUrl: URL
  authMethod: AuthMethod
  /** Sent as `response_type` unless empty (Stent requires `token`). */
  responseType: string
  scope: string
  audience: string
  extraParams: Array<[name: string, value: string]>
  /** Env var to export the token to, or '' for none. */
  exportVariable: string
  timeoutMs: number
  maxAttempts: number
  /** Write a job summary after success. */
  summary: boolean
}

/** How an input is read: `@actions/core`'s getInput in the action, a map in tests. */
export type GetInput = (name: string) => string

/** Parameters the action sets itself; `extra-params` may not override them. */
const RESERVED_PARAMS = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'response_type',
  'scope',
  'audience'
])

// Names the runner owns or that would change how later steps run node itself.
const RESERVED_ENV = /^(GITHUB_|RUNNER_|ACTIONS_)|^(NODE_OPTIONS|PATH|CI|HOME)$/i

export function readSettings(getInput: GetInput): Settings {
  const clientId = required(getInput, 'client-id')
  const clientSecret = required(getInput, 'client-secret')
  noControlCharacters('client-id', clientId)
  noControlCharacters('client-secret', clientSecret)
  return {
    clientId,
    clientSecret,
    tokenUrl: parseTokenUrl(getInput('token-url') || DEFAULT_TOKEN_URL),
    authMethod: parseAuthMethod(getInput('auth-method') || 'client_secret_post'),
    responseType: getInput('response-type'),
    scope: getInput('scope'),
    audience: getInput('audience'),
    extraParams: parseExtraParams(getInput('extra-params')),
    exportVariable: parseExportVariable(getInput('export-variable')),
    timeoutMs: parseWholeNumber(getInput, 'timeout-seconds', 30, 1, 600) * 1000,
    maxAttempts: parseWholeNumber(getInput, 'max-attempts', 6, 1, 20),
    summary: parseBoolean(getInput, 'summary', true)
  }
}

function required(getInput: GetInput, name: string): string {
  const value = getInput(name)
  if (!value) {
    throw new ActionError(
      `Input '${name}' is required and was empty. Pass it from a secret, e.g. ${name}: \${{ secrets.STENT_${name.replace('-', '_').toUpperCase()} }}, and check the secret exists in this repository or environment.`
    )
  }
  return value
}

function noControlCharacters(name: string, value: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new ActionError(
      `Input '${name}' contains a line break or control character. Store the value on a single line, without a trailing newline.`
    )
  }
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

export function parseTokenUrl(value: string, name = 'token-url'): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ActionError(
      `Input '${name}' is not a valid URL. Expected an absolute https:// URL such as ${DEFAULT_TOKEN_URL}.`
    )
  }
  if (url.username || url.password) {
    throw new ActionError(
      `Input '${name}' must not contain credentials (user:password@). Pass them as client-id and client-secret.`
    )
  }
  const loopback = LOOPBACK_HOSTS.test(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ActionError(
      `Input '${name}' must use https:// (got ${url.protocol}//${url.hostname}). Plain http:// is accepted only for loopback hosts (localhost, 127.0.0.1, [::1]) in local tests.`
    )
  }
  return url
}

function parseAuthMethod(value: string): AuthMethod {
  const method = AUTH_METHODS.find(m => m === value)
  if (!method) {
    throw new ActionError(
      `Input 'auth-method' has an unsupported value '${value}'. Accepted values: ${AUTH_METHODS.join(', ')}.`
    )
  }
  return method
}

export function parseExtraParams(value: string): Array<[string, string]> {
  const params: Array<[string, string]> = []
  value.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim()
    if (!line) return
    const eq = line.indexOf('=')
    const name = eq < 0 ? line : line.slice(0, eq).trim()
    if (eq <= 0 || !name) {
      throw new ActionError(
        `Input 'extra-params' line ${index + 1} is not of the form name=value. Write one parameter per line, e.g. resource=https://api.example.com.`
      )
    }
    if (RESERVED_PARAMS.has(name)) {
      throw new ActionError(
        `Input 'extra-params' line ${index + 1} sets '${name}', which the action sets itself. Use the dedicated input (client-id, client-secret, response-type, scope, audience) instead.`
      )
    }
    params.push([name, line.slice(eq + 1).trim()])
  })
  return params
}

function parseExportVariable(value: string): string {
  if (!value) return ''
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw new ActionError(
      `Input 'export-variable' is not a valid environment variable name: use letters, digits and underscores, not starting with a digit (e.g. STENT_TOKEN).`
    )
  }
  if (RESERVED_ENV.test(value)) {
    throw new ActionError(
      `Input 'export-variable' names '${value}', which the runner or later steps rely on. Choose another name, e.g. STENT_TOKEN.`
    )
  }
  return value
}

function parseWholeNumber(
  getInput: GetInput,
  name: string,
  fallback: number,
  min: number,
  max: number
): number {
  const value = getInput(name)
  if (!value) return fallback
  const number = /^\d+$/.test(value) ? Number(value) : NaN
  if (!(number >= min && number <= max)) {
    throw new ActionError(
      `Input '${name}' must be a whole number from ${min} to ${max} (got '${value}').`
    )
  }
  return number
}

/** YAML 1.2's core booleans, as @actions/core's getBooleanInput reads them. */
function parseBoolean(getInput: GetInput, name: string, fallback: boolean): boolean {
  const value = getInput(name)
  if (!value) return fallback
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new ActionError(`Input '${name}' must be true or false (got '${value}').`)
}
