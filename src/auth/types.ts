import type { GetInput } from '../base/input-rules.js'
import type { AttemptContext } from '../oauth/attempt-context.js'
import type { RequestCredentials } from '../oauth/token-request.js'

/** What one attempt's client authentication adds to a request. */
export interface Credentials extends RequestCredentials {
  /** Secrets made for this attempt (an assertion, an ID token): masked before the request. */
  fresh: string[]
}

/**
 * One family of client-authentication methods (secret, signed assertion, mTLS, GitHub OIDC): its
 * methods, how it reads its inputs, what it must mask, and what it adds to each attempt. A new
 * family is a file exporting one of these, and a line in auth/index.ts.
 */
export interface AuthFamily<A extends { method: string }> {
  /** The auth-method values it implements, in action.yml's order. */
  methods: readonly A['method'][]
  /** Every form field its credentials may send: extra-params may not set them. */
  formFields: readonly string[]
  /**
   * Inputs that mean this family, each with the method to suggest: set without auth-method, they
   * would be silently left out, so the action refuses them.
   */
  impliedBy?: Readonly<Record<string, string>>
  /** `nowMs` judges a certificate's validity before any request. */
  read(method: A['method'], getInput: GetInput, nowMs: number): A
  /** Every form of every secret the method holds, to mask first and strip from server text. */
  secrets(auth: A, clientId: string): string[]
  credentials(auth: A, context: AttemptContext): Promise<Omit<Credentials, 'origin'>>
  /** For a method that presents a TLS client certificate: its SHA-256 thumbprint (base64url). */
  certificateThumbprint?(auth: A): string
  /**
   * The hint for a refusal of the client (invalid_client, or an HTTP 400, 401 or 403 that says no
   * more): names this method's own inputs, and what the server must hold to accept them.
   */
  refusalHint(auth: A, clientId: string): string
}
