import { createHash } from 'node:crypto'
import type { Settings } from '../config/settings.js'
import type { TokenResponse } from '../oauth/token-response.js'
import type { Verified } from './checks.js'

/** The part of @actions/core this action writes through. */
export interface Publisher {
  setSecret(value: string): void
  setOutput(name: string, value: string): void
  exportVariable(name: string, value: string): void
  info(message: string): void
}

/**
 * Writes every output and the optional env export; the token is masked by then (steps/token.ts). Every
 * value is computed before the first is written, so a failure cannot leave outputs half-written.
 */
export function publish(
  core: Publisher,
  token: TokenResponse,
  settings: Settings,
  requestedAt: Date
): void {
  const outputs = outputsOf(token, requestedAt)
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value)
  if (settings.exportVariable) core.exportVariable(settings.exportVariable, token.accessToken)
  const lifetime =
    token.expiresIn === undefined
      ? ''
      : `, valid ${describeDuration(token.expiresIn)} (until ${outputs['expires-at']})`
  // RFC 8693 §2.2.1: N_A is a valid answer to a token exchange, for a token that is not an
  // access token (an ID token, say): worth saying, not failing.
  const kind =
    token.tokenType === 'N_A'
      ? `token of type ${token.issuedTokenType} (token_type N_A: not an access token, so not for an Authorization header)`
      : `${token.tokenType} token`
  core.info(
    `Got a ${kind}${lifetime}${token.scope ? `, scope '${token.scope}'` : ''}${settings.exportVariable ? `; exported as ${settings.exportVariable}` : ''}.`
  )
}

/** The step's outputs, by name: expires-in and expires-at only when the server said. */
export interface Outputs {
  'access-token': string
  'token-type': string
  'expires-in'?: string
  'expires-at'?: string
  scope?: string
  'issued-token-type'?: string
}

/** The step's outputs, by name; expires-in and expires-at only when the server said. */
export function outputsOf(token: TokenResponse, requestedAt: Date): Outputs {
  return {
    'access-token': token.accessToken,
    'token-type': token.tokenType,
    ...(token.expiresIn === undefined
      ? {}
      : {
          'expires-in': String(token.expiresIn),
          'expires-at': expiresAt(requestedAt, token.expiresIn)
        }),
    ...(token.scope === undefined ? {} : { scope: token.scope }),
    ...(token.issuedTokenType === undefined ? {} : { 'issued-token-type': token.issuedTokenType })
  }
}

/** Counted from when the request was sent, so it errs early, never late. */
export function expiresAt(requestedAt: Date, expiresIn: number): string {
  return new Date(requestedAt.getTime() + expiresIn * 1000).toISOString()
}

/** Whole seconds in the largest unit that divides them evenly: '30 days', '90 seconds'. */
export function describeDuration(seconds: number): string {
  const units: Array<[number, string]> = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second']
  ]
  const [size, name] = units.find(([size]) => seconds >= size && seconds % size === 0) ?? [
    1,
    'second'
  ]
  const n = seconds / size
  return `${n} ${name}${n === 1 ? '' : 's'}`
}

/** The command that computes the summary's fingerprint from a token in $TOKEN. */
export const FINGERPRINT_COMMAND = 'printf %s "$TOKEN" | sha256sum | cut -c1-12'

/**
 * The job summary: where the token came from and until when, what was verified, in how many
 * attempts, and a fingerprint that tells two tokens apart without revealing either; never the
 * token. Its values are outputsOf's.
 */
export function summaryMarkdown(
  token: TokenResponse,
  settings: Settings,
  tokenUrl: URL,
  requestedAt: Date,
  verified: Verified,
  attempts: number
): string {
  const outputs = outputsOf(token, requestedAt)
  const expiresIn = outputs['expires-in']
  const rows: Array<[string, string]> = [
    ['Endpoint', `${tokenUrl.host}${tokenUrl.pathname}`],
    ['Client ID', settings.clientId || '(none: a public client)'],
    ...(settings.grant.type === 'client_credentials'
      ? []
      : [['Grant', settings.grant.type] as [string, string]]),
    ['Auth method', settings.auth.method],
    ['Token type', outputs['token-type']],
    ...(outputs['issued-token-type']
      ? [['Issued token type', outputs['issued-token-type']] as [string, string]]
      : []),
    ['Scope', outputs.scope ?? '(none returned)'],
    [
      'Expires',
      expiresIn === undefined
        ? '(not returned)'
        : `${outputs['expires-at']} (in ${describeDuration(Number(expiresIn))})`
    ],
    ['Verified', describeVerified(verified)],
    ['Attempts', String(attempts)],
    ['Token fingerprint', `sha256:${fingerprint(token.accessToken)}`],
    // A row, not a line under the table: every line of the summary is a heading or a table row.
    ['Fingerprint of $TOKEN', FINGERPRINT_COMMAND],
    ...(settings.exportVariable
      ? [['Exported as', settings.exportVariable] as [string, string]]
      : [])
  ]
  return [
    `### ${escapeCell(settings.summaryTitle || `Access token${settings.clientId ? ` for ${settings.clientId}` : ` (${settings.grant.type})`}`)}`,
    '',
    '| Detail | Value |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${escapeCell(value)} |`),
    ''
  ].join('\n')
}

/** What the checks verified, in a line, and that the signature was not when verify-token was off. */
export function describeVerified({
  keySetHost,
  certificateBinding,
  minValidity
}: Verified): string {
  const parts = keySetHost ? [`signature and claims (keys from ${keySetHost}), exp`] : []
  if (certificateBinding) parts.push('certificate binding (cnf x5t#S256)')
  if (minValidity !== undefined) parts.push(`valid for at least ${minValidity} s`)
  if (!keySetHost)
    parts.push(`${parts.length ? 'signature ' : ''}not verified (verify-token: false)`)
  return parts.join(', ')
}

/** The first 12 hex digits of the token's SHA-256: enough to compare, useless to replay. */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12)
}

/**
 * Cell text as literal text: one line, no HTML, no table breaks, no code spans, and no links (a
 * server-chosen scope or token type may be a URL, which GitHub would make clickable). GFM finds
 * `://` and `www.` (after any of `_*~(` too) in the source, so an entity breaks them; it finds
 * e-mail addresses (`mailto:` and `xmpp:` ones too) after entities are decoded, so each `@` is
 * followed by a zero-width space, which no address holds.
 */
function escapeCell(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/[&<>|\\`[\]]/g, c => `&#${c.charCodeAt(0)};`)
      .replace(/:\/\//g, '&#58;//')
      .replace(/www\./gi, match => `${match.slice(0, 3)}&#46;`)
      .replaceAll('@', '@&#8203;')
  )
}
