import type { IncomingHttpHeaders } from 'node:http'

/** A TLS client certificate and its key, presented on the connection (RFC 8705). */
export interface TlsIdentity {
  cert: string
  key: string
}

/** One HTTP request, fully formed; a token request's body or header holds the credential. */
export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  headers: Record<string, string>
  body: string
  /** A client certificate to present on the connection (mTLS, RFC 8705). */
  tls?: TlsIdentity
  /** PEM certificates to trust besides the default CAs (the ca-certificate input), or '' for none. */
  caCertificate?: string
  /** The origin the credentials in it were made for: sendWithRetries sends it to no other. */
  credentialsFor?: string
}

export interface HttpResponse {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** What one attempt produced: an HTTP response, or no response at all. */
export type Outcome =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: string }
  | {
      kind: 'network'
      reason: string
      retryable: boolean
      /** Set when it failed on the way to the proxy: that, not the endpoint, is what to check. */
      proxy?: ProxyName
    }

/** A proxy as messages name it: host:port and the variable it came from, never its credentials. */
export interface ProxyName {
  address: string
  variable: string
}

export type Send = (request: HttpRequest, timeoutMs: number) => Promise<Outcome>
