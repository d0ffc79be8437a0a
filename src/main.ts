import * as actionsCore from '@actions/core'
import {
  GITHUB_OIDC_ENDPOINT,
  githubIdTokenRequest,
  parseGitHubIdToken,
  signClientAssertion
} from './assertion.js'
import { discoveryUrl, parseDiscovery, resolveEndpoints, type Endpoints } from './discovery.js'
import { ActionError } from './errors.js'
import { exchange, type ExchangeDeps } from './exchange.js'
import { checkInputNames } from './input-names.js'
import { readSettings, type Settings } from './inputs.js'
import { maskAll } from './mask.js'
import { publish, summaryMarkdown, type Publisher } from './publish.js'
import {
  basicAuthorization,
  buildGetRequest,
  buildTokenRequest,
  type HttpRequest
} from './request.js'
import {
  parseJsonObject,
  parseTokenResponse,
  TOKEN_ENDPOINT,
  type Endpoint,
  type HttpResponse,
  type TokenResponse
} from './response.js'
import { send } from './transport.js'
import { verifyAccessToken } from './verify.js'

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
    const settings = readSettings(name => core.getInput(name))
    // Mask before anything can print: the secret, its Basic credential, or the key, in every form.
    const secrets = secretsOf(settings)
    maskAll(core, secrets)
    const endpoints = await findEndpoints(settings, deps)
    core.info(
      `Requesting a token from ${endpoints.tokenUrl.host}${endpoints.tokenUrl.pathname} for client '${settings.clientId}' (${settings.auth.method}).`
    )
    const { response, requestedAt } = await exchange(
      {
        endpoint: TOKEN_ENDPOINT,
        request: () => tokenRequest(settings, endpoints.tokenUrl, deps),
        secrets,
        timeoutMs: settings.timeoutMs,
        maxAttempts: settings.maxAttempts
      },
      deps
    )
    const token = parseTokenResponse(response)
    maskAll(core, [token.accessToken])
    await check(token, settings, endpoints, requestedAt, deps)
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

/**
 * The values to mask and to strip from what servers say: the client secret (and, for Basic, the
 * credential made of it, whole and without its scheme) or the private key.
 */
export function secretsOf({ auth, clientId }: Settings): string[] {
  if (auth.method === 'client_secret_basic') {
    const header = basicAuthorization(clientId, auth.secret)
    return [auth.secret, header, header.slice('Basic '.length)]
  }
  if (auth.method === 'client_secret_post') return [auth.secret]
  return auth.method === 'private_key_jwt' ? [auth.keyPem] : []
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
  return resolveEndpoints(settings, parseDiscovery(response, settings.issuer))
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

/**
 * The token request for one attempt. A client assertion is made fresh each time: a signed JWT
 * for private_key_jwt, the job's GitHub ID token for github_oidc; both masked before use.
 */
async function tokenRequest(settings: Settings, tokenUrl: URL, deps: Deps): Promise<HttpRequest> {
  const assertion = await clientAssertion(settings, tokenUrl, deps)
  return buildTokenRequest(settings, tokenUrl, assertion)
}

export async function clientAssertion(
  settings: Settings,
  tokenUrl: URL,
  deps: Deps
): Promise<string | undefined> {
  const { auth } = settings
  let assertion: string | undefined
  if (auth.method === 'private_key_jwt') {
    assertion = await signClientAssertion(settings.clientId, tokenUrl.href, auth, deps.now())
  } else if (auth.method === 'github_oidc') {
    assertion = await githubIdToken(auth.audience || tokenUrl.origin, settings, deps)
  }
  if (assertion) maskAll(deps.core, [assertion])
  return assertion
}

/** The job's GitHub ID token for `audience`, under the same deadline and attempt budget. */
async function githubIdToken(audience: string, settings: Settings, deps: Deps): Promise<string> {
  const request = githubIdTokenRequest(deps.env, audience)
  const bearer = request.headers.authorization ?? ''
  maskAll(deps.core, [bearer.slice('Bearer '.length)])
  const { response } = await exchange(
    {
      endpoint: GITHUB_OIDC_ENDPOINT,
      request: async () => request,
      secrets: [bearer.slice('Bearer '.length)],
      timeoutMs: settings.timeoutMs,
      maxAttempts: settings.maxAttempts
    },
    deps
  )
  return parseGitHubIdToken(response)
}

/** verify-token and min-validity: fail before any output is written. */
async function check(
  token: TokenResponse,
  settings: Settings,
  endpoints: Endpoints,
  requestedAt: number,
  deps: Deps
): Promise<void> {
  let expiresAtMs = token.expiresIn === undefined ? undefined : requestedAt + token.expiresIn * 1000
  if (settings.verifyToken) {
    const jwksUrl = endpoints.jwksUrl
    if (!jwksUrl) {
      throw new ActionError(
        'verify-token is true, but the discovery document lists no jwks_uri. Set jwks-url.'
      )
    }
    const response = await getDocument(
      jwksUrl,
      { label: 'The key set endpoint', input: 'jwks-url' },
      settings,
      deps
    )
    const exp = await verifyAccessToken(
      token.accessToken,
      parseJsonObject(response),
      { issuer: settings.issuer || undefined, audience: settings.audience || undefined },
      deps.now()
    )
    if (exp !== undefined) expiresAtMs = exp * 1000
    deps.core.info(`Verified the token's signature and claims against ${jwksUrl.host}.`)
  }
  if (settings.minValidity > 0 && expiresAtMs === undefined) {
    deps.core.warning(
      'min-validity is set, but the server did not say when the token expires (no expires_in), so it was not checked.'
    )
  }
  if (settings.minValidity > 0 && expiresAtMs !== undefined) {
    const left = Math.floor((expiresAtMs - deps.now()) / 1000)
    if (left < settings.minValidity) {
      throw new ActionError(
        `The token is valid for ${left} s more, less than min-validity (${settings.minValidity} s). Hint: lower min-validity, or ask the server for longer-lived tokens.`
      )
    }
  }
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
