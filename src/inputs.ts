import { readClientAuth, type ClientAuth } from './auth/index.js'
import { ActionError } from './errors.js'
import { readGrant, type Grant } from './grant.js'
import { noControlCharacters, required, singleLine, type GetInput } from './input-rules.js'

export type { GetInput } from './input-rules.js'

export const DEFAULT_TOKEN_URL = 'https://auth.stent.io/connect/token'

/** Every input, read and validated once; the rest of the action trusts this. */
export interface Settings {
  /** '' only for grants other than client_credentials, where a public client may send none. */
  clientId: string
  auth: ClientAuth
  grant: Grant
  /** The token endpoint; undefined when it is to be discovered from `issuer`. */
  tokenUrl: URL | undefined
  /** OpenID Connect issuer to discover endpoints from, or '' for none. */
  issuer: string
  jwksUrl: URL | undefined
  revocationUrl: URL | undefined
  /** Sent as `response_type` unless empty (Stent requires `token`). */
  responseType: string
  scope: string
  audience: string
  /** RFC 8707 resource indicators, one form field each. */
  resources: string[]
  extraParams: Array<[name: string, value: string]>
  /** Env var to export the token to, or '' for none. */
  exportVariable: string
  timeoutMs: number
  maxAttempts: number
  /** Write a job summary after success. */
  summary: boolean
  /** The summary's heading, or '' for one naming the client. */
  summaryTitle: string
  verifyToken: boolean
  /** Seconds the token must still be valid for. */
  minValidity: number
  /** Revoke the token in the post step. */
  revoke: boolean
  /** Start the token agent, which serves fresh tokens to later steps (docs/long-jobs.md). */
  agent: boolean
}

/** Parameters the action sets itself; `extra-params` may not override them. */
const RESERVED_PARAMS = new Set([
  'grant_type',
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'response_type',
  'scope',
  'audience',
  'assertion',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type'
])

/**
 * Names the runner owns, or that change how later steps run: what their shells source or trust
 * (BASH_ENV, ENV, PS4, IFS...), what loaders and interpreters load (LD_*, NODE_*, PYTHON*...),
 * where git and HTTP clients connect (GIT_*, *_PROXY, CA bundles). Exporting a token there would
 * break later steps, or hand a hostile token's text to a shell. Case-insensitive, as on Windows.
 */
const RESERVED_ENV = new RegExp(
  `^(${[
    'GITHUB_.*',
    'RUNNER_.*',
    'ACTIONS_.*',
    'CI',
    'HOME',
    'PATH',
    'PATHEXT',
    'SHELL',
    'TMPDIR',
    'ENV',
    'BASH_ENV',
    'BASH_FUNC_.*',
    'BASHOPTS',
    'SHELLOPTS',
    'CDPATH',
    'GLOBIGNORE',
    'IFS',
    'PS4',
    'PROMPT_COMMAND',
    'ZDOTDIR',
    'COMSPEC',
    'PSMODULEPATH',
    'LD_.*',
    'DYLD_.*',
    'NODE_.*',
    'NPM_CONFIG_.*',
    'PYTHON.*',
    'PERL5.*',
    'PERLLIB',
    'RUBY.*',
    'GEM_.*',
    'JAVA_TOOL_OPTIONS',
    '_JAVA_OPTIONS',
    'JDK_JAVA_OPTIONS',
    'CLASSPATH',
    'DOTNET_STARTUP_HOOKS',
    'CORECLR_.*',
    'GIT_.*',
    '.*_PROXY',
    'SSL_CERT_.*',
    'CURL_CA_BUNDLE',
    'REQUESTS_CA_BUNDLE'
  ].join('|')})$`,
  'i'
)

/** `nowMs` judges certificates' validity (client-assertion-cert, client-certificate). */
export function readSettings(getInput: GetInput, nowMs: number = Date.now()): Settings {
  const grant = readGrant(getInput)
  const auth = readClientAuth(getInput, nowMs, grant.type === 'client_credentials')
  // Every method but none names the client; a public client of the other grants may not.
  const clientId =
    auth.method === 'none' ? getInput('client-id') : required(getInput, 'client-id', auth.method)
  noControlCharacters('client-id', clientId)
  const issuer = parseIssuer(getInput('issuer'))
  const tokenUrlInput = getInput('token-url')
  // The runner always passes token-url's default; with an issuer, only another value wins.
  const tokenUrl =
    issuer && (!tokenUrlInput || tokenUrlInput === DEFAULT_TOKEN_URL)
      ? undefined
      : parseUrl(tokenUrlInput || DEFAULT_TOKEN_URL, "Input 'token-url'")
  const jwksUrl = optionalUrl(getInput('jwks-url'), 'jwks-url')
  const revocationUrl = optionalUrl(getInput('revocation-url'), 'revocation-url')
  const verifyToken = parseBoolean(getInput, 'verify-token', false)
  const revoke = parseBoolean(getInput, 'revoke', false)
  if (verifyToken && !issuer && !jwksUrl) {
    throw new ActionError(
      "Input 'verify-token' needs the server's keys: set jwks-url, or issuer to discover them."
    )
  }
  if (revoke && !issuer && !revocationUrl) {
    throw new ActionError(
      "Input 'revoke' needs a revocation endpoint: set revocation-url, or issuer to discover it."
    )
  }
  return {
    clientId,
    auth,
    grant,
    tokenUrl,
    issuer,
    jwksUrl,
    revocationUrl,
    responseType: getInput('response-type'),
    scope: getInput('scope'),
    audience: getInput('audience'),
    resources: parseResources(getInput('resource')),
    extraParams: parseExtraParams(getInput('extra-params')),
    exportVariable: parseExportVariable(getInput('export-variable')),
    timeoutMs: parseWholeNumber(getInput, 'timeout-seconds', 30, 1, 600) * 1000,
    maxAttempts: parseWholeNumber(getInput, 'max-attempts', 6, 1, 20),
    summary: parseBoolean(getInput, 'summary', true),
    summaryTitle: singleLine(getInput, 'summary-title'),
    verifyToken,
    minValidity: parseWholeNumber(getInput, 'min-validity', 0, 0, 31_536_000),
    revoke,
    agent: parseBoolean(getInput, 'agent', false)
  }
}

function parseIssuer(value: string): string {
  if (!value) return ''
  parseUrl(value, "Input 'issuer'")
  return value
}

function optionalUrl(value: string, name: string): URL | undefined {
  return value ? parseUrl(value, `Input '${name}'`) : undefined
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

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
  const loopback = LOOPBACK_HOSTS.test(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ActionError(
      `${what} must use https:// (got ${url.protocol}//${url.hostname}). Plain http:// is accepted only for loopback hosts (localhost, 127.0.0.1, [::1]) in local tests.`
    )
  }
  return url
}

/** RFC 8707 §2: each resource an absolute URI without a fragment; one per line. */
function parseResources(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(Boolean)
    .map((resource, index) => {
      let url: URL | undefined
      try {
        url = new URL(resource)
      } catch {
        url = undefined
      }
      if (!url || url.hash || /\s/.test(resource)) {
        throw new ActionError(
          `Input 'resource' line ${index + 1} is not an absolute URI without a fragment (RFC 8707), e.g. https://api.example.com.`
        )
      }
      return resource
    })
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
      `Input 'export-variable' names '${value}', which the runner owns or which changes how later steps, their shells or interpreters run. Choose another name, e.g. STENT_TOKEN.`
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
