import { AUTH_FORM_FIELDS, readClientAuth } from '../auth/index.js'
import { ActionError } from '../base/errors.js'
import {
  DEFAULT_TOKEN_URL,
  noControlCharacters,
  parseUrl,
  required,
  singleLine,
  type GetInput
} from '../base/input-rules.js'
import { readTrustedCertificates } from '../base/keys.js'
import { didYouMean } from '../base/suggest.js'
import { NETWORK_DEFAULTS } from '../http/retry.js'
import { beforeWellKnown } from '../oauth/discovery.js'
import { grantDefinition, GRANT_FORM_FIELDS, readGrant } from '../grants/index.js'
import type { Settings } from './settings.js'

/** Fields the action sets: the registries' and its own. `extra-params` may not override them. */
export function reservedFields(...sent: ReadonlyArray<readonly string[]>): Set<string> {
  return new Set([...sent.flat(), 'response_type', 'scope', 'audience'])
}

export const RESERVED_PARAMS = reservedFields(GRANT_FORM_FIELDS, AUTH_FORM_FIELDS)

/**
 * export-variable takes only a name a later step reads as a token: the token's text is the
 * server's choice, and a denylist of the names that tools read as code or configuration (CC,
 * MAKEFLAGS, LESSOPEN, PIP_INDEX_URL...) cannot be complete. Case-insensitive, as on Windows.
 */
const TOKEN_VARIABLE = /(TOKEN|JWT)$/i

/** The runner's own names, GITHUB_TOKEN among them, are never overwritten. */
const RUNNER_VARIABLE = /^(GITHUB|RUNNER|ACTIONS)_/i

/** `nowMs` judges certificates' validity (client-assertion-cert, client-certificate). */
export function readSettings(getInput: GetInput, nowMs: number = Date.now()): Settings {
  const grant = readGrant(getInput)
  const auth = readClientAuth(getInput, nowMs, grantDefinition(grant).clientMustAuthenticate)
  // Every method but none names the client; a public client of the other grants may not.
  const clientId =
    auth.method === 'none' ? getInput('client-id') : required(getInput, 'client-id', auth.method)
  noControlCharacters('client-id', clientId)
  const issuer = parseIssuer(getInput('issuer'))
  const tokenUrlInput = getInput('token-url')
  // The runner always passes token-url's default; with an issuer, only another value wins.
  const configuredTokenUrl =
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
    configuredTokenUrl,
    issuer,
    jwksUrl,
    revocationUrl,
    responseType: getInput('response-type'),
    scope: getInput('scope'),
    audience: getInput('audience'),
    resources: parseResources(getInput('resource')),
    extraParams: parseExtraParams(getInput('extra-params')),
    exportVariable: parseExportVariable(getInput('export-variable')),
    timeoutMs:
      parseWholeNumber(getInput, 'timeout-seconds', NETWORK_DEFAULTS.timeoutMs / 1000, 1, 600) *
      1000,
    maxAttempts: parseWholeNumber(getInput, 'max-attempts', NETWORK_DEFAULTS.maxAttempts, 1, 20),
    caCertificate: readTrustedCertificates(getInput('ca-certificate'), 'ca-certificate'),
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
  // Discovery adds /.well-known/openid-configuration itself: with it in the input, it would twice.
  const before = beforeWellKnown(value)
  if (before !== undefined) {
    throw new ActionError(
      `Input 'issuer' is the discovery document's URL; set issuer to the part before ${value.slice(before.length)}: ${before}`
    )
  }
  return value
}

function optionalUrl(value: string, name: string): URL | undefined {
  return value ? parseUrl(value, `Input '${name}'`) : undefined
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
  if (RUNNER_VARIABLE.test(value)) {
    throw new ActionError(
      `Input 'export-variable' names '${value}', which the runner owns (GITHUB_*, RUNNER_*, ACTIONS_*). Choose another name, e.g. STENT_TOKEN.`
    )
  }
  if (!TOKEN_VARIABLE.test(value)) {
    throw new ActionError(
      `Input 'export-variable' names '${value}', which is not a token variable: the name must end in TOKEN or JWT (e.g. STENT_TOKEN, NODE_AUTH_TOKEN), since later steps may read other names (CC, MAKEFLAGS, BASH_ENV...) as commands or configuration.`
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
  throw new ActionError(
    `Input '${name}' must be true or false (got '${value}').${didYouMean(value, ['true', 'false'])}`
  )
}
