import type { FetchedToken } from '../src/steps/token.js'

/** A token as fetchToken returns it: expiring at `expiresAtMs` (or never said), nothing verified. */
export function fetchedToken(
  accessToken: string,
  expiresAtMs: number | undefined,
  requestedAt = 0
): FetchedToken {
  return {
    token: {
      accessToken,
      tokenType: 'Bearer',
      issuedTokenType: undefined,
      expiresIn: undefined,
      scope: undefined
    },
    requestedAt,
    verified: {
      keySetHost: undefined,
      certificateBinding: false,
      minValidity: undefined,
      expiresAtMs
    },
    attempts: 1
  }
}
