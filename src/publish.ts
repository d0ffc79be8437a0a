import { createHash } from 'node:crypto'
import type { Settings } from './inputs.js'
import type { TokenResponse } from './response.js'

/** The part of @actions/core this action writes through. */
export interface Publisher {
  setSecret(value: string): void
  setOutput(name: string, value: string): void
  exportVariable(name: string, value: string): void
  info(message: string): void
}

/** Writes every output and the optional env export; the token is masked by then (see main). */
export function publish(
  core: Publisher,
  token: TokenResponse,
  settings: Settings,
  requestedAt: Date
): void {
  core.setOutput('access-token', token.accessToken)
  core.setOutput('token-type', token.tokenType)
  if (token.expiresIn !== undefined) {
    core.setOutput('expires-in', String(token.expiresIn))
    core.setOutput('expires-at', expiresAt(requestedAt, token.expiresIn))
  }
  if (token.scope !== undefined) core.setOutput('scope', token.scope)
  if (settings.exportVariable) core.exportVariable(settings.exportVariable, token.accessToken)
  core.info(
    `Got a ${token.tokenType} token${token.expiresIn === undefined ? '' : `, valid ${describeDuration(token.expiresIn)} (until ${expiresAt(requestedAt, token.expiresIn)})`}${token.scope ? `, scope '${token.scope}'` : ''}${settings.exportVariable ? `; exported as ${settings.exportVariable}` : ''}.`
  )
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

/**
 * The job summary: where the token came from and until when, and a fingerprint that tells two
 * tokens apart without revealing either. Never the token.
 */
export function summaryMarkdown(
  token: TokenResponse,
  settings: Settings,
  tokenUrl: URL,
  requestedAt: Date
): string {
  const rows: Array<[string, string]> = [
    ['Endpoint', `${tokenUrl.host}${tokenUrl.pathname}`],
    ['Client ID', settings.clientId],
    ['Auth method', settings.auth.method],
    ['Scope', token.scope ?? '(none returned)'],
    [
      'Expires',
      token.expiresIn === undefined
        ? '(not returned)'
        : `${expiresAt(requestedAt, token.expiresIn)} (in ${describeDuration(token.expiresIn)})`
    ],
    ['Token fingerprint', `sha256:${fingerprint(token.accessToken)}`],
    ...(settings.exportVariable
      ? [['Exported as', settings.exportVariable] as [string, string]]
      : [])
  ]
  return [
    `### ${escapeCell(settings.summaryTitle || `Access token for ${settings.clientId}`)}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${escapeCell(value)} |`),
    ''
  ].join('\n')
}

/** The first 12 hex digits of the token's SHA-256: enough to compare, useless to replay. */
export function fingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex').slice(0, 12)
}

/** Cell text as literal text: no HTML, no table breaks, no links or code spans. */
function escapeCell(text: string): string {
  return text.replace(/[&<>|\\`[\]]/g, c => `&#${c.charCodeAt(0)};`)
}
