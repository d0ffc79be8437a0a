import { refusalHint } from './auth/index.js'
import { attemptContext, tokenRequest, withPolicyClaims } from './attempt.js'
import type { Deps } from './deps.js'
import type { Endpoints } from './discovery.js'
import { exchange, getDocument } from './exchange.js'
import type { Settings } from './inputs.js'
import { maskAll } from './mask.js'
import {
  parseJsonObject,
  parseTokenResponse,
  TOKEN_ENDPOINT,
  type TokenResponse
} from './response.js'
import { checkAccessToken } from './verify.js'

/** A checked token, when it was asked for, and when it expires (undefined: nobody said). */
export interface FetchedToken {
  token: TokenResponse
  requestedAt: number
  expiresAtMs: number | undefined
}

/**
 * The one way this action gets a token, for the main step and for every refresh of the token
 * agent: each attempt's request with fresh credentials, sent with retries and a deadline, the
 * response parsed and masked, then verify-token and min-validity. `secrets` are the settings'
 * secrets; what an attempt makes is added to it.
 */
export async function fetchToken(
  settings: Settings,
  endpoints: Endpoints,
  secrets: string[],
  deps: Deps
): Promise<FetchedToken> {
  const { core } = deps
  const { grant, clientId, auth } = settings
  core.info(
    `Requesting a token from ${endpoints.tokenUrl.host}${endpoints.tokenUrl.pathname}${clientId ? ` for client '${clientId}'` : ''} (${grant.type === 'client_credentials' ? '' : `${grant.type}, `}${auth.method}).`
  )
  let idToken: string | undefined
  const context = attemptContext(settings, endpoints.tokenUrl, deps, token => (idToken = token))
  const { response, requestedAt } = await exchange(
    {
      endpoint: { ...TOKEN_ENDPOINT, hint: refusalHint(auth, clientId) },
      request: () => tokenRequest(settings, endpoints.tokenUrl, context, secrets),
      secrets,
      timeoutMs: settings.timeoutMs,
      maxAttempts: settings.maxAttempts
    },
    deps
  ).catch((error: unknown) => {
    throw withPolicyClaims(error, idToken)
  })
  const token = parseTokenResponse(response, grant.type)
  maskAll(core, [token.accessToken])
  const expiresAtMs = await checkAccessToken(token, settings, {
    requestedAt,
    jwksUrl: endpoints.jwksUrl,
    fetchKeySet: async url =>
      parseJsonObject(
        await getDocument(url, { label: 'The key set endpoint', input: 'jwks-url' }, settings, deps)
      ),
    log: deps.core,
    now: deps.now
  })
  return { token, requestedAt, expiresAtMs }
}
