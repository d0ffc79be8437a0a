import { ActionError } from '../base/errors.js'

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
