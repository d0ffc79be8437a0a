import type { GetInput } from '../input-rules.js'
import type { Deps } from '../deps.js'

/** A TLS client certificate and its key, presented on the connection (RFC 8705). */
export interface TlsIdentity {
  cert: string
  key: string
}

/** What one attempt's client authentication adds to a request. */
export interface Credentials {
  /** Form fields: client_id, client_secret, client_assertion... */
  form: Array<[name: string, value: string]>
  headers: Record<string, string>
  tls?: TlsIdentity
  /** Secrets made for this attempt (an assertion, an ID token): masked before the request. */
  fresh: string[]
  /** The origin they were made for, the token endpoint's: the only one they are sent to. */
  origin: string
}

/** What a method may need to authenticate one attempt. */
export interface AttemptContext {
  clientId: string
  /** The token endpoint: a client assertion's audience, the GitHub ID token's default audience. */
  tokenUrl: URL
  timeoutMs: number
  maxAttempts: number
  deps: Deps
  /** Told each GitHub ID token fetched, so a refusal can name the claims policies match on. */
  onIdToken?: (idToken: string) => void
}

/**
 * One family of client-authentication methods (secret, signed assertion, mTLS, GitHub OIDC): how
 * it reads its inputs, what it must mask, and what it adds to each attempt.
 */
export interface AuthFamily<A extends { method: string }> {
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
