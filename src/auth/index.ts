import { ActionError } from '../errors.js'
import { oneOf, type GetInput } from '../input-rules.js'
import { assertionFamily, type AssertionAuth } from './jwt.js'
import { githubOidcFamily, type GitHubOidcAuth } from './github-oidc.js'
import { mtlsFamily, type MtlsAuth } from './mtls.js'
import { noneFamily, type NoAuth } from './none.js'
import { secretFamily, type SecretAuth } from './secret.js'
import type { AttemptContext, AuthFamily, Credentials } from './types.js'

/** How the client proves who it is; each method carries what it needs. */
export type ClientAuth = SecretAuth | AssertionAuth | MtlsAuth | GitHubOidcAuth | NoAuth
export type AuthMethod = ClientAuth['method']

/** Every method and the family that implements it: a new method is one line here. */
const FAMILIES: Record<
  AuthMethod,
  | AuthFamily<SecretAuth>
  | AuthFamily<AssertionAuth>
  | AuthFamily<MtlsAuth>
  | AuthFamily<GitHubOidcAuth>
  | AuthFamily<NoAuth>
> = {
  client_secret_post: secretFamily,
  client_secret_basic: secretFamily,
  client_secret_jwt: assertionFamily,
  private_key_jwt: assertionFamily,
  tls_client_auth: mtlsFamily,
  self_signed_tls_client_auth: mtlsFamily,
  github_oidc: githubOidcFamily,
  none: noneFamily
}

export const AUTH_METHODS = Object.keys(FAMILIES) as AuthMethod[]

function familyOf(method: AuthMethod): AuthFamily<ClientAuth> {
  return FAMILIES[method] as AuthFamily<ClientAuth>
}

/**
 * The client authentication from the inputs. Without auth-method: client_secret_post for the
 * client-credentials grant (what Stent documents); for the other grants, client_secret_post when
 * a client-secret is given, else none (the subject token is the credential).
 */
export function readClientAuth(
  getInput: GetInput,
  nowMs: number,
  clientCredentials: boolean
): ClientAuth {
  const fallback = clientCredentials || getInput('client-secret') ? 'client_secret_post' : 'none'
  const method = oneOf(getInput, 'auth-method', AUTH_METHODS, fallback)
  // A key or certificate given without its method would be silently left out.
  const stray = ['client-assertion-key', 'client-certificate'].find(name => getInput(name))
  if (stray && !getInput('auth-method')) {
    throw new ActionError(
      `Input '${stray}' is set, but auth-method is not, so it would not be used. Set auth-method to ${stray === 'client-certificate' ? 'tls_client_auth or self_signed_tls_client_auth' : 'private_key_jwt'}.`
    )
  }
  if (method === 'none' && clientCredentials) {
    throw new ActionError(
      "Input 'auth-method' is none, but the client_credentials grant needs the client to authenticate. Choose the method the client is registered with, or a grant-type that takes a subject token (token-exchange, jwt-bearer)."
    )
  }
  return familyOf(method).read(method, getInput, nowMs)
}

/** What to mask before anything prints and to strip from anything a server says. */
export function authSecrets(auth: ClientAuth, clientId: string): string[] {
  return familyOf(auth.method).secrets(auth, clientId)
}

/**
 * The client's credentials for one attempt, made for the token endpoint (an assertion's aud, an
 * ID token's audience): its origin is the only one exchange sends them to.
 */
export async function authenticate(
  auth: ClientAuth,
  context: AttemptContext
): Promise<Credentials> {
  const made = await familyOf(auth.method).credentials(auth, context)
  return { ...made, origin: context.tokenUrl.origin }
}

/** The hint for a refusal of the client: the inputs of the method in use, and what to check. */
export function refusalHint(auth: ClientAuth, clientId: string): string {
  return familyOf(auth.method).refusalHint(auth, clientId)
}

/**
 * The SHA-256 thumbprint of the TLS client certificate the method presents, if it presents one:
 * such a client uses mtls_endpoint_aliases, and a token bound to a certificate must name this one.
 */
export function clientCertificateThumbprint(auth: ClientAuth): string | undefined {
  return familyOf(auth.method).certificateThumbprint?.(auth)
}

export type { AttemptContext, Credentials } from './types.js'
