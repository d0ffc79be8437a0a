import * as actionsCore from '@actions/core'
import {
  authenticate,
  authSecrets,
  presentsCertificate,
  refusalHint,
  type AttemptContext,
  type Credentials
} from './auth/index.js'
import { grantFields, grantSecrets, policyClaims } from './grant.js'
import { discoveryUrl, parseDiscovery, resolveEndpoints, type Endpoints } from './discovery.js'
import { ActionError } from './errors.js'
import { exchange, type ExchangeDeps } from './exchange.js'
import { checkInputNames } from './input-names.js'
import { readSettings, type Settings } from './inputs.js'
import { maskAll } from './mask.js'
import { publish, summaryMarkdown, type Publisher } from './publish.js'
import { buildGetRequest, buildTokenRequest, type HttpRequest } from './request.js'
import {
  parseJsonObject,
  parseTokenResponse,
  TOKEN_ENDPOINT,
  type Endpoint,
  type HttpResponse,
  type TokenResponse
} from './response.js'
import { send } from './transport.js'
import { checkAccessToken } from './verify.js'

/** The action's collaborators; tests pass fakes or real servers, the action passes these. */
export interface Deps extends ExchangeDeps {
  core: Publisher & {
    getInput(name: string): string
    setFailed(message: string): void
    debug(message: string): void
    warning(message: string): void
    isDebug(): boolean
    saveState(name: string, value: string): void
    getState(name: string): string
    summary: { addRaw(text: string): { write(): Promise<unknown> } }
  }
  /** The job's environment: the runner's INPUT_* names, and where it serves the GitHub ID token. */
  env: Readonly<Record<string, string | undefined>>
}

export const defaultDeps: Deps = {
  core: actionsCore,
  env: process.env,
  send,
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  now: Date.now,
  random: Math.random
}

/**
 * The state the post step revokes: the token alone. Everything else (endpoints, credentials) it
 * derives again from its inputs, so that saved state cannot point it anywhere.
 */
export const REVOKE_STATE = 'revoke-token'

export async function run(deps: Deps = defaultDeps): Promise<void> {
  const { core } = deps
  // The same bundle runs as the post step; this marks the main step as done (as actions/checkout).
  core.saveState('isPost', 'true')
  try {
    checkInputNames(deps.env)
    const settings = readSettings(name => core.getInput(name), deps.now())
    // Mask before anything can print: the secret, its Basic credential, the key, a subject token.
    const secrets = [
      ...authSecrets(settings.auth, settings.clientId),
      ...grantSecrets(settings.grant)
    ]
    maskAll(core, secrets)
    const endpoints = await findEndpoints(settings, deps)
    const { grant, clientId, auth } = settings
    core.info(
      `Requesting a token from ${endpoints.tokenUrl.host}${endpoints.tokenUrl.pathname}${clientId ? ` for client '${clientId}'` : ''} (${grant.type === 'client_credentials' ? '' : `${grant.type}, `}${auth.method}).`
    )
    let idToken: string | undefined
    const context = attemptContext(settings, endpoints.tokenUrl, deps, token => (idToken = token))
    const { response, requestedAt } = await exchange(
      {
        endpoint: { ...TOKEN_ENDPOINT, hint: refusalHint(auth, clientId) },
        request: () => tokenRequest(settings, endpoints.tokenUrl, context),
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
    await checkAccessToken(token, settings, {
      requestedAt,
      jwksUrl: endpoints.jwksUrl,
      fetchKeySet: async url =>
        parseJsonObject(
          await getDocument(
            url,
            { label: 'The key set endpoint', input: 'jwks-url' },
            settings,
            deps
          )
        ),
      log: deps.core,
      now: deps.now
    })
    publish(core, token, settings, new Date(requestedAt))
    if (settings.revoke) saveRevocation(token, endpoints, deps)
    if (settings.summary) {
      // The token is out; a summary that cannot be written is worth a warning, not a failed job.
      await core.summary
        .addRaw(summaryMarkdown(token, settings, endpoints.tokenUrl, new Date(requestedAt)))
        .write()
        .catch((error: unknown) =>
          core.warning(
            `Job summary not written (${error instanceof Error ? error.message : String(error)}). Set summary: false to skip it.`
          )
        )
    }
  } catch (error) {
    fail(error, core)
  }
}

/** Fails the step with the error's message, or only its kind when we did not expect it. */
function fail(error: unknown, core: Deps['core']): void {
  if (error instanceof ActionError) {
    core.setFailed(error.message)
    return
  }
  // An unexpected error's message may quote what it was parsing: print its kind and frames only.
  const name = error instanceof Error ? error.name : typeof error
  if (error instanceof Error && core.isDebug()) {
    core.debug((error.stack ?? '').split('\n').slice(1).join('\n'))
  }
  core.setFailed(
    `Unexpected ${name} in the action. Re-run with debug logging for the stack trace and report it.`
  )
}

/** The endpoints from the inputs, completed by OpenID Connect discovery when issuer is set. */
export async function findEndpoints(settings: Settings, deps: Deps): Promise<Endpoints> {
  if (!settings.issuer) return resolveEndpoints(settings, {})
  const url = discoveryUrl(settings.issuer)
  deps.core.info(`Discovering endpoints at ${url.host}${url.pathname}.`)
  const response = await getDocument(
    url,
    { label: 'The discovery endpoint', input: 'issuer' },
    settings,
    deps
  )
  const mtls = presentsCertificate(settings.auth)
  return resolveEndpoints(settings, parseDiscovery(response, settings.issuer, { mtls }))
}

/** GETs a public JSON document (discovery, key set) with the token request's deadline and retries. */
async function getDocument(
  url: URL,
  endpoint: Endpoint,
  settings: Settings,
  deps: Deps
): Promise<HttpResponse> {
  const { response } = await exchange(
    {
      endpoint,
      request: async () => buildGetRequest(url),
      secrets: [],
      timeoutMs: settings.timeoutMs,
      maxAttempts: settings.maxAttempts
    },
    deps
  )
  return response
}

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
 * GitHub ID token), and masked before use.
 */
export async function credentials(
  settings: Settings,
  context: AttemptContext
): Promise<Credentials> {
  const made = await authenticate(settings.auth, context)
  maskAll(context.deps.core, made.fresh)
  return made
}

/** One attempt's token request: the grant's fields and the credentials, fresh and masked. */
async function tokenRequest(
  settings: Settings,
  tokenUrl: URL,
  context: AttemptContext
): Promise<HttpRequest> {
  const grant = await grantFields(settings.grant, context)
  maskAll(context.deps.core, grant.fresh)
  return buildTokenRequest(settings, tokenUrl, await credentials(settings, context), grant.form)
}

/**
 * A refusal of a request made with the job's GitHub ID token (a federation or token-exchange
 * trust policy that does not match) says which claims the token has; never the token.
 */
function withPolicyClaims(error: unknown, idToken: string | undefined): unknown {
  if (!(error instanceof ActionError) || !idToken || !error.status) return error
  if (error.status < 400 || error.status > 403) return error
  return new ActionError(`${error.message} ${policyClaims(idToken)}`, { status: error.status })
}

/** Leaves what the post step needs to revoke the token, or says why it cannot. */
function saveRevocation(token: TokenResponse, endpoints: Endpoints, deps: Deps): void {
  if (!endpoints.revocationUrl) {
    deps.core.warning(
      'revoke is true, but the discovery document lists no revocation_endpoint: the token will not be revoked. Set revocation-url.'
    )
    return
  }
  deps.core.saveState(REVOKE_STATE, token.accessToken)
}
