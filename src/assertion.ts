import { createPrivateKey, randomUUID } from 'node:crypto'
import { ActionError } from './errors.js'

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
 * The job's GitHub OIDC ID token for `audience`, through @actions/core. Its errors quote the
 * response body, so only the status is kept.
 */
export async function githubIdToken(
  getIDToken: (audience: string) => Promise<string>,
  audience: string
): Promise<string> {
  try {
    return await getIDToken(audience)
  } catch (error) {
    const message = error instanceof Error ? error.message : ''
    if (/ACTIONS_ID_TOKEN_REQUEST_(URL|TOKEN)/.test(message)) {
      throw new ActionError(
        'auth-method github_oidc needs the job to be allowed to request an OIDC token: add `permissions: id-token: write` to the job (or workflow). Jobs triggered from forks cannot have it.'
      )
    }
    const status = /Error Code : (\d+)/.exec(message)?.[1]
    throw new ActionError(
      `Could not get the job's GitHub OIDC token${status ? ` (HTTP ${status})` : ''} for audience '${audience}'. Hint: check oidc-audience, and that the job has permissions: id-token: write.`
    )
  }
}
