import { authenticate, authSecrets, type Credentials } from '../auth/index.js'
import { maskAll } from '../base/mask.js'
import type { Settings } from '../config/settings.js'
import { grantDefinition, grantFields, grantSecrets } from '../grants/index.js'
import type { AttemptContext, AttemptDeps } from '../oauth/attempt-context.js'
import { policyClaims } from '../oauth/github-id-token.js'
import { RequestFailed } from '../oauth/send.js'
import { TOKEN_ENDPOINT } from '../oauth/failure.js'
import { buildTokenRequest, type TokenParameters } from '../oauth/token-request.js'
import type { HttpRequest } from '../http/types.js'

/** What each attempt's credentials and grant need: the endpoint, the budget, the network. */
export function attemptContext(
  settings: Settings,
  tokenUrl: URL,
  deadline: number,
  deps: AttemptDeps,
  onIdToken?: (idToken: string) => void
): AttemptContext {
  return {
    clientId: settings.clientId,
    tokenUrl,
    timeoutMs: settings.timeoutMs,
    deadline,
    deps,
    ...(onIdToken ? { onIdToken } : {})
  }
}

/** One request's secrets: the inputs', then each attempt's (masked as kept); failures strip all. */
export class Secrets {
  readonly #values: string[]

  constructor(fromInputs: readonly string[]) {
    this.#values = [...fromInputs]
  }

  keep(fresh: readonly string[], core: { setSecret(value: string): void }): void {
    maskAll(core, fresh)
    this.#values.push(...fresh)
  }

  get values(): readonly string[] {
    return this.#values
  }
}

/**
 * The secrets of a step's requests from its inputs (the client's, the grant's), with `extra` (a
 * token to revoke): masked by the caller before anything prints, stripped from what servers say.
 */
export function stepSecrets(settings: Settings, ...extra: string[]): Secrets {
  return new Secrets([
    ...extra,
    ...authSecrets(settings.auth, settings.clientId),
    ...grantSecrets(settings.grant)
  ])
}

/** The client's credentials for one attempt, made fresh each time, masked and kept. */
export async function credentials(
  settings: Settings,
  context: AttemptContext,
  secrets: Secrets
): Promise<Credentials> {
  const made = await authenticate(settings.auth, context)
  secrets.keep(made.fresh, context.deps.core)
  return made
}

/** Stent's response_type only where the grant sends it. */
export function tokenParameters(settings: Settings): TokenParameters {
  const { scope, audience, resources, extraParams, caCertificate } = settings
  const responseType = grantDefinition(settings.grant).sendsResponseType
    ? settings.responseType
    : ''
  return { responseType, scope, audience, resources, extraParams, caCertificate }
}

/** One attempt's token request: the grant's fields and the credentials, fresh and masked. */
export async function tokenRequest(
  settings: Settings,
  context: AttemptContext,
  secrets: Secrets
): Promise<HttpRequest> {
  const grant = await grantFields(settings.grant, context)
  secrets.keep(grant.fresh, context.deps.core)
  const made = await credentials(settings, context, secrets)
  return buildTokenRequest(context.tokenUrl, made, grant.form, tokenParameters(settings))
}

/**
 * A refusal of a request made with the job's GitHub ID token (a federation or token-exchange
 * trust policy that does not match) says which claims the token has; never the token.
 */
export function withPolicyClaims(error: unknown, idToken: string | undefined): unknown {
  if (!(error instanceof RequestFailed) || !idToken) return error
  const { outcome, endpoint } = error
  const refused = outcome.kind === 'response' && outcome.status >= 400 && outcome.status <= 403
  if (!refused || endpoint !== TOKEN_ENDPOINT.label) return error
  return new RequestFailed(`${error.message} ${policyClaims(idToken)}`, outcome, endpoint)
}
