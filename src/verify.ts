import { clientCertificateThumbprint } from './auth/index.js'
import { ActionError } from './errors.js'
import type { Settings } from './inputs.js'
import type { TokenResponse } from './response.js'

/** What the checks need besides the token and the settings: the key set, a clock, a log. */
export interface CheckContext {
  /** When the token was asked for: expires_in counts from then. */
  requestedAt: number
  jwksUrl: URL | undefined
  fetchKeySet: (url: URL) => Promise<unknown>
  log: { info(message: string): void; warning(message: string): void }
  now: () => number
}

/**
 * verify-token (signature and claims, and the certificate a bound token names) and min-validity:
 * run before any output is written, so a token that fails them is never handed on. Returns when
 * the token expires (its verified exp, else expires_in), or undefined when nobody says.
 */
export async function checkAccessToken(
  token: TokenResponse,
  settings: Settings,
  { requestedAt, jwksUrl, fetchKeySet, log, now }: CheckContext
): Promise<number | undefined> {
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
    checkBinding(claims.cnf, settings)
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
  }
  return expiresAtMs
}

/**
 * RFC 8705 §3.1: a certificate-bound token names its certificate's SHA-256 thumbprint in
 * cnf x5t#S256. It must be ours, or the token is useless to us (and someone else's).
 */
function checkBinding(cnf: unknown, settings: Settings): void {
  const bound =
    typeof cnf === 'object' && cnf !== null
      ? (cnf as Record<string, unknown>)['x5t#S256']
      : undefined
  if (bound === undefined) return
  const ours = clientCertificateThumbprint(settings.auth)
  if (bound !== ours) {
    throw new ActionError(
      `The access token is bound to ${ours ? 'another certificate' : 'a client certificate'} (its cnf x5t#S256 ${ours ? 'does not match client-certificate' : 'names one, and this step presents none'}). Hint: check client-certificate, and that the server binds tokens to the certificate it was shown.`
    )
  }
}

/** A JWS in compact form whose header is JSON with an alg: a JWT we can try to verify. */
export function isJwt(token: string): boolean {
  const parts = token.split('.')
  if (parts.length !== 3) return false
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'))
    return typeof header === 'object' && header !== null && 'alg' in header
  } catch {
    return false
  }
}

export interface Expected {
  /** The issuer the token must name, when known. */
  issuer: string | undefined
  /** An audience the token must name, when one was asked for. */
  audience: string | undefined
}

/**
 * Verifies an access token against the server's key set (a JWKS document): signature, exp, nbf,
 * and iss and aud when expected. Returns its exp (seconds) and cnf. jose is loaded only here.
 */
export async function verifyAccessToken(
  token: string,
  jwks: unknown,
  expected: Expected,
  nowMs: number
): Promise<{ exp: number | undefined; cnf: unknown }> {
  if (!isJwt(token)) {
    throw new ActionError(
      'verify-token is true, but the access token is opaque (not a JWT), so it cannot be verified here. Set verify-token: false for servers that issue reference tokens.'
    )
  }
  if (
    typeof jwks !== 'object' ||
    jwks === null ||
    !Array.isArray((jwks as { keys?: unknown }).keys)
  ) {
    throw new ActionError(
      "The server's key set (jwks-url or the discovered jwks_uri) is not a JWKS document: expected a JSON object with a keys array."
    )
  }
  const { createLocalJWKSet, jwtVerify, errors } = await import('jose')
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks as { keys: [] }), {
      issuer: expected.issuer,
      audience: expected.audience,
      // RFC 9068 §2.2: a JWT access token has an exp; without one, min-validity means nothing.
      requiredClaims: ['exp'],
      currentDate: new Date(nowMs)
    })
    return { exp: payload.exp, cnf: payload.cnf }
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      throw new ActionError('The access token has already expired (its exp claim is in the past).')
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      const hint: Record<string, string> = {
        iss: `it was not issued by '${expected.issuer}' (check issuer)`,
        aud: `it is not meant for '${expected.audience}' (check audience)`,
        nbf: 'it is not valid yet (nbf is in the future; is the runner clock right?)',
        exp:
          error.reason === 'missing'
            ? 'it has none, and RFC 9068 §2.2 requires one (a token that never expires cannot be verified as current)'
            : 'it is not a number of seconds'
      }
      throw new ActionError(
        `The access token's ${error.claim} claim failed verification: ${Object.hasOwn(hint, error.claim) ? hint[error.claim] : 'check failed'}.`
      )
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      throw new ActionError(
        "No key in the server's key set matches the access token's kid and alg. Hint: check jwks-url, or the issuer's jwks_uri."
      )
    }
    if (error instanceof errors.JOSEError) {
      throw new ActionError(
        `The access token did not verify against the server's key set (${error.code}). It may have been altered, or signed by another server. Hint: check jwks-url or issuer.`
      )
    }
    throw error
  }
}
