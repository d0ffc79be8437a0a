import { ActionError } from '../base/errors.js'
import { oneOf, type GetInput } from '../base/input-rules.js'
import type { AttemptContext } from '../oauth/attempt-context.js'
import { githubOidcFamily } from './github-oidc.js'
import { assertionFamily } from './jwt.js'
import { mtlsFamily } from './mtls.js'
import { noneFamily } from './none.js'
import { secretFamily } from './secret.js'
import type { AuthFamily, Credentials } from './types.js'

/** Every client-auth family, in action.yml's order: a new family is its file and a line here. */
export const AUTH_FAMILIES = [
  secretFamily,
  assertionFamily,
  mtlsFamily,
  githubOidcFamily,
  noneFamily
] as const

/** The method a family's values carry, from its type. */
export type AuthOf<F> = F extends AuthFamily<infer A> ? A : never

/** How the client proves who it is; each method carries what it needs. */
export type ClientAuth = AuthOf<(typeof AUTH_FAMILIES)[number]>
export type AuthMethod = ClientAuth['method']

/** A family with its method type forgotten: what the registry's lookups hand out. */
type AnyFamily = AuthFamily<{ method: string }>

/** The methods, form fields and input rules a list of families makes (a test adds one). */
export function authRegistry(families: readonly AnyFamily[]) {
  const methods = families.flatMap(family => family.methods)
  const familyOf = (method: string) => families.find(f => f.methods.includes(method)) as AnyFamily
  const impliedBy = families.flatMap(family => Object.entries(family.impliedBy ?? {}))
  return {
    methods,
    familyOf,
    impliedBy,
    formFields: families.flatMap(family => family.formFields),

    // Without auth-method: client_secret_post (what Stent documents) when the grant needs the
    // client to authenticate or a client-secret is given, else none (the subject token is it).
    read(getInput: GetInput, nowMs: number, clientMustAuthenticate: boolean): { method: string } {
      const fallback =
        clientMustAuthenticate || getInput('client-secret') ? 'client_secret_post' : 'none'
      const method = oneOf(getInput, 'auth-method', methods, fallback)
      // A key or certificate given without its method would be silently left out.
      const stray = impliedBy.find(([name]) => getInput(name))
      if (stray && !getInput('auth-method')) {
        throw new ActionError(
          `Input '${stray[0]}' is set, but auth-method is not, so it would not be used. Set auth-method to ${stray[1]}.`
        )
      }
      if (method === 'none' && clientMustAuthenticate) {
        throw new ActionError(
          "Input 'auth-method' is none, but the client_credentials grant needs the client to authenticate. Choose the method the client is registered with, or a grant-type that takes a subject token (token-exchange, jwt-bearer)."
        )
      }
      return familyOf(method).read(method, getInput, nowMs)
    }
  }
}

const REGISTRY = authRegistry(AUTH_FAMILIES)

export const AUTH_METHODS = REGISTRY.methods as AuthMethod[]

export const AUTH_FORM_FIELDS: readonly string[] = REGISTRY.formFields

export function readClientAuth(
  getInput: GetInput,
  nowMs: number,
  clientMustAuthenticate: boolean
): ClientAuth {
  return REGISTRY.read(getInput, nowMs, clientMustAuthenticate) as ClientAuth
}

function familyOf(method: AuthMethod): AuthFamily<ClientAuth> {
  return REGISTRY.familyOf(method) as AuthFamily<ClientAuth>
}

/** What to mask before anything prints and to strip from anything a server says. */
export function authSecrets(auth: ClientAuth, clientId: string): string[] {
  return familyOf(auth.method).secrets(auth, clientId)
}

/**
 * The client's credentials for one attempt, made for the token endpoint (an assertion's aud, an
 * ID token's audience): its origin is the only one sendWithRetries sends them to.
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

export type { AuthFamily, Credentials } from './types.js'
