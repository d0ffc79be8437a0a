import { maskAll } from '../base/mask.js'
import { checkToken, neutralise } from '../base/untrusted.js'
import { ActionError } from '../base/errors.js'
import { isLoopback } from '../base/input-rules.js'
import { parseJsonObject } from '../http/json.js'
import type { HttpRequest, HttpResponse } from '../http/types.js'
import type { AttemptContext } from './attempt-context.js'
import type { Endpoint } from './failure.js'
import { sendWithRetries } from './send.js'

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
  // The bearer goes only over TLS (http:// on loopback is for the runner's own test doubles).
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new ActionError(
      "The runner's ACTIONS_ID_TOKEN_REQUEST_URL is not an https:// URL, so the job's ID token request bearer is not sent to it. Report it to the runner's administrator."
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
 * of the request it is for, which retries it (one attempt budget for both).
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
  const { response } = await sendWithRetries(
    {
      endpoint: GITHUB_OIDC_ENDPOINT,
      request: async () => request,
      secrets: () => [bearer],
      timeoutMs: context.timeoutMs,
      maxAttempts: 1,
      deadline: context.deadline
    },
    deps
  )
  const idToken = parseGitHubIdToken(response)
  context.onIdToken?.(idToken)
  return idToken
}

/** The ID token claims that servers' trust policies match on (GitHub's documented subject parts). */
const POLICY_CLAIMS = ['sub', 'repository', 'ref', 'environment', 'job_workflow_ref'] as const

/**
 * The policy claims of the job's GitHub ID token, for a message when the server refused it: the
 * claims only, never the token, each neutralised (GitHub wrote them, but nothing is printed raw).
 */
export function policyClaims(idToken: string): string {
  let payload: Record<string, unknown> = {}
  try {
    const decoded: unknown = JSON.parse(
      Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')
    )
    if (typeof decoded === 'object' && decoded !== null)
      payload = decoded as Record<string, unknown>
  } catch {
    return ''
  }
  const claims = POLICY_CLAIMS.map(name => {
    const value = payload[name]
    return `${name} '${typeof value === 'string' ? neutralise(value, 200) : '(none)'}'`
  })
  return `The job's GitHub ID token has ${claims.join(', ')}; the server's trust policy (subject, repository, branch or environment conditions) must match them.`
}
