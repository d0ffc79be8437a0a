import { clientCertificateThumbprint } from '../auth/index.js'
import { ActionError } from '../base/errors.js'
import type { Settings } from '../config/settings.js'
import { verifyAccessToken } from '../oauth/jwt.js'
import type { TokenResponse } from '../oauth/token-response.js'

/** What the checks need besides the token and the settings: the key set, a clock, a log. */
export interface CheckContext {
  /** When the token was asked for: expires_in counts from then. */
  requestedAt: number
  jwksUrl: URL | undefined
  fetchKeySet: (url: URL) => Promise<unknown>
  log: { info(message: string): void; warning(message: string): void }
  now: () => number
}

/** What was verified of the token, for the summary: nothing unless verify-token or min-validity. */
export interface Verified {
  /** The key set's host, when the signature and claims (exp among them) were verified. */
  keySetHost: string | undefined
  /** The token named this step's client certificate (cnf x5t#S256). */
  certificateBinding: boolean
  /** The seconds of validity left that min-validity asked for, when it was checked. */
  minValidity: number | undefined
  /** When the token expires: its verified exp, else expires_in; undefined when nobody says. */
  expiresAtMs: number | undefined
}

/**
 * verify-token (signature and claims, and the certificate a bound token names) and min-validity:
 * run before any output is written, so a token that fails them is never handed on.
 */
export async function checkAccessToken(
  token: TokenResponse,
  settings: Settings,
  { requestedAt, jwksUrl, fetchKeySet, log, now }: CheckContext
): Promise<Verified> {
  const verified: Verified = {
    keySetHost: undefined,
    certificateBinding: false,
    minValidity: undefined,
    expiresAtMs: undefined
  }
  let expiresAtMs = token.expiresIn === undefined ? undefined : requestedAt + token.expiresIn * 1000
  if (settings.verifyToken) {
    if (!jwksUrl) {
      throw new ActionError(
        'verify-token is true, but the discovery document lists no jwks_uri. Set jwks-url.'
      )
    }
    const claims = await verifyAccessToken(
      token.accessToken,
      await fetchKeySet(jwksUrl),
      { issuer: settings.issuer || undefined, audience: settings.audience || undefined },
      now()
    )
    if (claims.exp !== undefined) expiresAtMs = claims.exp * 1000
    verified.certificateBinding = checkBinding(claims.cnf, settings)
    verified.keySetHost = jwksUrl.host
    log.info(`Verified the token's signature and claims against ${jwksUrl.host}.`)
  }
  if (settings.minValidity > 0 && expiresAtMs === undefined) {
    log.warning(
      'min-validity is set, but the server did not say when the token expires (no expires_in), so it was not checked.'
    )
  }
  if (settings.minValidity > 0 && expiresAtMs !== undefined) {
    const left = Math.floor((expiresAtMs - now()) / 1000)
    if (left < settings.minValidity) {
      throw new ActionError(
        `The token is valid for ${left} s more, less than min-validity (${settings.minValidity} s). Hint: lower min-validity, or ask the server for longer-lived tokens.`
      )
    }
    verified.minValidity = settings.minValidity
  }
  return { ...verified, expiresAtMs }
}

/**
 * RFC 8705 §3.1: a certificate-bound token names its certificate's SHA-256 thumbprint in
 * cnf x5t#S256. It must be ours, or the token is useless to us (and someone else's). True if bound.
 */
function checkBinding(cnf: unknown, settings: Settings): boolean {
  const bound =
    typeof cnf === 'object' && cnf !== null
      ? (cnf as Record<string, unknown>)['x5t#S256']
      : undefined
  if (bound === undefined) return false
  const ours = clientCertificateThumbprint(settings.auth)
  if (bound !== ours) {
    throw new ActionError(
      `The access token is bound to ${ours ? 'another certificate' : 'a client certificate'} (its cnf x5t#S256 ${ours ? 'does not match client-certificate' : 'names one, and this step presents none'}). Hint: check client-certificate, and that the server binds tokens to the certificate it was shown.`
    )
  }
  return true
}
