import { createPrivateKey, randomUUID } from 'node:crypto'
import { ActionError } from './errors.js'
import type { HttpRequest } from './request.js'
import { parseJsonObject, type Endpoint, type HttpResponse } from './response.js'
import { checkToken } from './untrusted.js'

/** Lifetime of a private_key_jwt assertion; RFC 7523 servers accept at most a few minutes. */
const ASSERTION_LIFETIME_S = 300

/**
 * A private_key_jwt client assertion (RFC 7523 §2.2, OIDC Core §9): iss = sub = the client id,
 * aud = the endpoint it is sent to, a fresh jti. jose is loaded here, only when a key is used,
 * so that the default path does not pay for it at start-up.
 */
export async function signClientAssertion(
  clientId: string,
  audience: string,
  { keyPem, alg, kid }: { keyPem: string; alg: string; kid: string },
  nowMs: number
): Promise<string> {
  const { SignJWT } = await import('jose')
  const now = Math.floor(nowMs / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + ASSERTION_LIFETIME_S)
    .sign(createPrivateKey(keyPem))
}

/**
 * Where the runner serves the job's GitHub OIDC ID token (when the job has `id-token: write`).
 * Asked for with our transport, so the deadline and attempt budget hold, as for every request.
 */
export function githubIdTokenRequest(
  env: Record<string, string | undefined>,
  audience: string
): HttpRequest {
  const { ACTIONS_ID_TOKEN_REQUEST_URL: base, ACTIONS_ID_TOKEN_REQUEST_TOKEN: bearer } = env
  if (!base || !bearer) {
    throw new ActionError(
      'auth-method github_oidc needs the job to be allowed to request an OIDC token: add `permissions: id-token: write` to the job (or workflow). Jobs triggered from forks cannot have it.'
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

/** The token service, for messages: failures point at the permission and the audience. */
export const GITHUB_OIDC_ENDPOINT: Endpoint = {
  label: "GitHub's OIDC token service",
  input: 'oidc-audience',
  hint: 'check that the job has permissions: id-token: write, and oidc-audience.'
}
