import { authenticate, type AttemptContext, type Credentials } from '../auth/index.js'
import type { Deps } from '../entry/deps.js'
import { ActionError } from '../base/errors.js'
import { grantFields, policyClaims } from '../grants/index.js'
import type { Settings } from '../config/inputs.js'
import { maskAll } from '../base/mask.js'
import { buildTokenRequest, type HttpRequest } from '../oauth/token-request.js'
import { TOKEN_ENDPOINT } from '../oauth/failure.js'

/** What each attempt's credentials and grant need: the endpoint, the budget, the network. */
export function attemptContext(
  settings: Settings,
  tokenUrl: URL,
  deps: Deps,
  onIdToken?: (idToken: string) => void
): AttemptContext {
  return {
    clientId: settings.clientId,
    tokenUrl,
    timeoutMs: settings.timeoutMs,
    maxAttempts: settings.maxAttempts,
    deps,
    ...(onIdToken ? { onIdToken } : {})
  }
}

/**
 * The client's credentials for one attempt, made fresh each time (a signed assertion, the job's
 * GitHub ID token), masked before use and added to `secrets`, the values its exchange strips
 * from what servers say.
 */
export async function credentials(
  settings: Settings,
  context: AttemptContext,
  secrets: string[]
): Promise<Credentials> {
  const made = await authenticate(settings.auth, context)
  keepSecret(made.fresh, context, secrets)
  return made
}

/** Secrets made for an attempt: masked before use, and stripped from what servers say. */
function keepSecret(fresh: string[], context: AttemptContext, secrets: string[]): void {
  maskAll(context.deps.core, fresh)
  secrets.push(...fresh)
}

/** One attempt's token request: the grant's fields and the credentials, fresh and masked. */
export async function tokenRequest(
  settings: Settings,
  tokenUrl: URL,
  context: AttemptContext,
  secrets: string[]
): Promise<HttpRequest> {
  const grant = await grantFields(settings.grant, context)
  keepSecret(grant.fresh, context, secrets)
  const made = await credentials(settings, context, secrets)
  return buildTokenRequest(settings, tokenUrl, made, grant.form)
}

/**
 * A refusal of a request made with the job's GitHub ID token (a federation or token-exchange
 * trust policy that does not match) says which claims the token has; never the token.
 */
export function withPolicyClaims(error: unknown, idToken: string | undefined): unknown {
  if (!(error instanceof ActionError) || !idToken || !error.exchange) return error
  const { outcome, endpoint } = error.exchange
  const refused = outcome.kind === 'response' && outcome.status >= 400 && outcome.status <= 403
  if (!refused || endpoint !== TOKEN_ENDPOINT.label) return error
  return new ActionError(`${error.message} ${policyClaims(idToken)}`, error.exchange)
}
