import { ActionError } from '../errors.js'
import { exchange } from '../exchange.js'
import { maskAll } from '../mask.js'
import { JWT_BEARER, type HttpRequest } from '../request.js'
import { parseJsonObject, type Endpoint, type HttpResponse } from '../response.js'
import { checkToken } from '../untrusted.js'
import type { AttemptContext, AuthFamily, Credentials } from './types.js'

/** The job's GitHub OIDC ID token as the client assertion: federated credentials, no secret. */
export interface GitHubOidcAuth {
  method: 'github_oidc'
  /** Empty: the token endpoint's origin, known once the endpoint is. */
  audience: string
}

/** The issuer of the job's GitHub ID tokens: what a federated credential on the server names. */
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

/** The token service, for messages: failures point at the permission and the audience. */
export const GITHUB_OIDC_ENDPOINT: Endpoint = {
  label: "GitHub's OIDC token service",
  input: 'oidc-audience',
  hint: 'check that the job has permissions: id-token: write, and oidc-audience.'
}

/**
 * Where the runner serves the job's GitHub OIDC ID token (when the job has `id-token: write`).
 * Asked for with our transport, so the deadline and attempt budget hold, as for every request.
 */
export function githubIdTokenRequest(
  env: Readonly<Record<string, string | undefined>>,
  audience: string,
  cause = 'auth-method github_oidc'
): HttpRequest {
  const { ACTIONS_ID_TOKEN_REQUEST_URL: base, ACTIONS_ID_TOKEN_REQUEST_TOKEN: bearer } = env
  if (!base || !bearer) {
    throw new ActionError(
      `${cause} needs the job to be allowed to request an OIDC token: add \`permissions: id-token: write\` to the job (or workflow). Jobs triggered from forks cannot have it.`
    )
  }
  let url: URL
  try {
    url = new URL(base)
  } catch {
    throw new ActionError(
      "The runner's ACTIONS_ID_TOKEN_REQUEST_URL is not a URL. Re-run the job; if it persists, report it to the runner's administrator."
    )
  }
  url.searchParams.set('audience', audience)
  return {
    method: 'GET',
    url,
    headers: { accept: 'application/json', authorization: `Bearer ${bearer}` },
    body: ''
  }
}

/** The ID token in the token service's answer ({"value": "<JWT>"}), checked as a token. */
export function parseGitHubIdToken(response: HttpResponse): string {
  return checkToken(
    parseJsonObject(response)?.value,
    "The GitHub OIDC token service's answer",
    'value'
  )
}

/**
 * The job's GitHub ID token for `audience`: one request under the deadline, made within an attempt
 * of the request it is for, whose exchange retries it (one attempt budget for both).
 */
export async function githubIdToken(
  audience: string,
  context: AttemptContext,
  cause: string
): Promise<string> {
  const { deps } = context
  const request = githubIdTokenRequest(deps.env, audience, cause)
  const bearer = (request.headers.authorization ?? '').slice('Bearer '.length)
  maskAll(deps.core, [bearer])
  const { response } = await exchange(
    {
      endpoint: GITHUB_OIDC_ENDPOINT,
      request: async () => request,
      secrets: [bearer],
      timeoutMs: context.timeoutMs,
      maxAttempts: 1
    },
    deps
  )
  const idToken = parseGitHubIdToken(response)
  context.onIdToken?.(idToken)
  return idToken
}

export const githubOidcFamily: AuthFamily<GitHubOidcAuth> = {
  read(method, getInput) {
    return { method, audience: getInput('oidc-audience') }
  },

  secrets() {
    return []
  },

  refusalHint() {
    return `the server did not accept the job's GitHub ID token. Check client-id and the federated credential the server holds for it: issuer ${GITHUB_ISSUER}, a subject that matches this job, and the audience in oidc-audience (by default the token endpoint's origin); that the job has permissions: id-token: write; and that auth-method matches how the client is registered.`
  },

  async credentials(auth, context): Promise<Omit<Credentials, 'origin'>> {
    const idToken = await githubIdToken(
      auth.audience || context.tokenUrl.origin,
      context,
      'auth-method github_oidc'
    )
    return {
      form: [
        ['client_id', context.clientId],
        ['client_assertion_type', JWT_BEARER],
        ['client_assertion', idToken]
      ],
      headers: {},
      fresh: [idToken]
    }
  }
}
