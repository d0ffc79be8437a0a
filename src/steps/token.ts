import { refusalHint } from '../auth/index.js'
import { maskAll } from '../base/mask.js'
import type { Settings } from '../config/settings.js'
import { grantDefinition } from '../grants/index.js'
import { parseJsonObject } from '../http/json.js'
import type { AttemptDeps } from '../oauth/attempt-context.js'
import type { Endpoints } from '../oauth/discovery.js'
import { TOKEN_ENDPOINT } from '../oauth/failure.js'
import { getDocument, sendWithRetries } from '../oauth/send.js'
import { parseTokenResponse, type TokenResponse } from '../oauth/token-response.js'
import { attemptContext, type Secrets, tokenRequest, withPolicyClaims } from './attempt.js'
import { checkAccessToken, type Verified } from './checks.js'

/** What getting a token needs: an attempt's collaborators, and a log that can warn. */
export interface TokenDeps extends AttemptDeps {
  core: AttemptDeps['core'] & { warning(message: string): void }
}

/** A checked token, when it was asked for, what its checks verified (its expiry among them), and
 * how many attempts it took. */
export interface FetchedToken {
  token: TokenResponse
  requestedAt: number
  verified: Verified
  attempts: number
}

/**
 * The one way this action gets a token, for the main step and for every refresh of the token
 * agent: each attempt's request with fresh credentials, sent with retries under the deadline, the
 * response parsed and masked, then verify-token and min-validity. What an attempt makes (an
 * assertion, an ID token) is added to `secrets`.
 */
export async function fetchToken(
  settings: Settings,
  endpoints: Endpoints,
  secrets: Secrets,
  /** When the step's time budget ends (ms since the epoch): no attempt or wait runs past it. */
  deadline: number,
  deps: TokenDeps
): Promise<FetchedToken> {
  const { core } = deps
  const { grant, clientId, auth } = settings
  core.info(
    `Requesting a token from ${endpoints.tokenUrl.host}${endpoints.tokenUrl.pathname}${clientId ? ` for client '${clientId}'` : ''} (${grant.type === 'client_credentials' ? '' : `${grant.type}, `}${auth.method}).`
  )
  let idToken: string | undefined
  const context = attemptContext(
    settings,
    endpoints.tokenUrl,
    deadline,
    deps,
    token => (idToken = token)
  )
  const { response, requestedAt, attempts } = await sendWithRetries(
    {
      endpoint: { ...TOKEN_ENDPOINT, hint: refusalHint(auth, clientId) },
      request: () => tokenRequest(settings, context, secrets),
      secrets: () => secrets.values,
      timeoutMs: settings.timeoutMs,
      maxAttempts: settings.maxAttempts,
      deadline
    },
    deps
  ).catch((error: unknown) => {
    throw withPolicyClaims(error, idToken)
  })
  const token = parseTokenResponse(response, grantDefinition(grant).response, endpoints.tokenUrl)
  maskAll(core, [token.accessToken])
  const verified = await checkAccessToken(token, settings, {
    requestedAt,
    jwksUrl: endpoints.jwksUrl,
    fetchKeySet: async url =>
      parseJsonObject(
        await getDocument(
          url,
          { label: 'The key set endpoint', input: 'jwks-url' },
          { ...settings, deadline },
          deps
        )
      ),
    log: core,
    now: deps.now
  })
  return { token, requestedAt, verified, attempts }
}
