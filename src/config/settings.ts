import type { ClientAuth } from '../auth/index.js'
import type { Grant } from '../grants/index.js'

/** Every input, read and validated once; the rest of the action trusts this. */
export interface Settings {
  /** '' only for grants other than client_credentials, where a public client may send none. */
  clientId: string
  auth: ClientAuth
  grant: Grant
  /** The token-url input; undefined when the endpoint is to be discovered from `issuer`. */
  configuredTokenUrl: URL | undefined
  /** OpenID Connect issuer to discover endpoints from, or '' for none. */
  issuer: string
  jwksUrl: URL | undefined
  revocationUrl: URL | undefined
  /** Sent as `response_type` unless empty (Stent requires `token`). */
  responseType: string
  scope: string
  audience: string
  /** RFC 8707 resource indicators, one form field each. */
  resources: string[]
  extraParams: Array<[name: string, value: string]>
  /** Env var to export the token to, or '' for none. */
  exportVariable: string
  timeoutMs: number
  maxAttempts: number
  /** PEM certificates trusted besides the default CAs for the step's endpoints, or '' for none. */
  caCertificate: string
  /** Write a job summary after success. */
  summary: boolean
  /** The summary's heading, or '' for one naming the client. */
  summaryTitle: string
  verifyToken: boolean
  /** Seconds the token must still be valid for. */
  minValidity: number
  /** Revoke the token in the post step. */
  revoke: boolean
  /** Start the token agent, which serves fresh tokens to later steps (docs/long-jobs.md). */
  agent: boolean
}
