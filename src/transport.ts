import type { IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http'
import { HttpClient } from '@actions/http-client'
import type { RequestHandler } from '@actions/http-client/lib/interfaces'
import { ActionError } from './errors.js'
import type { HttpRequest } from './request.js'

/** Larger than any token, discovery or JWKS response; a bigger body is a wrong endpoint. */
export const MAX_BODY_BYTES = 1024 * 1024

/** What one attempt produced: an HTTP response, or no response at all. */
export type Outcome =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: string }
  | { kind: 'network'; reason: string; retryable: boolean }

export type Send = (request: HttpRequest, timeoutMs: number) => Promise<Outcome>

const USER_AGENT = 'stent-token-action'

/**
 * One request through @actions/http-client (which routes through HTTPS_PROXY/NO_PROXY), with its
 * own retries and redirects off: a redirect would re-send the secret to another host. Its socket
 * timeout only measures idleness, so an AbortSignal bounds the whole exchange, body included.
 */
export const send: Send = async (request, timeoutMs) => {
  const signal = AbortSignal.timeout(timeoutMs)
  const client = new HttpClient(USER_AGENT, [abortWith(signal)], {
    allowRedirects: false,
    allowRetries: false,
    keepAlive: false,
    // Idle timeout, kept past the deadline so that the abort below is what ends a slow exchange.
    socketTimeout: timeoutMs + 1000
  })
  try {
    const response = await client.request(
      request.method,
      request.url.href,
      request.body || null,
      request.headers
    )
    const body = await readCapped(request, response.message, signal)
    return {
      kind: 'response',
      status: response.message.statusCode ?? 0,
      headers: response.message.headers,
      body
    }
  } catch (error) {
    if (error instanceof ActionError) throw error
    return networkFailure(error, signal, timeoutMs)
  } finally {
    client.dispose()
  }
}

/** http-client calls prepareRequest with the options it passes to http.request. */
function abortWith(signal: AbortSignal): RequestHandler {
  return {
    prepareRequest: (options: RequestOptions) => {
      options.signal = signal
    },
    canHandleAuthentication: () => false,
    handleAuthentication: () => Promise.reject(new Error('not used'))
  }
}

async function readCapped(
  request: HttpRequest,
  message: IncomingMessage,
  signal: AbortSignal
): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  const abort = (): void => {
    message.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'))
  }
  signal.addEventListener('abort', abort, { once: true })
  try {
    for await (const chunk of message) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY_BYTES) {
        message.destroy()
        throw new ActionError(
          `The server at ${request.url.host} sent a response larger than ${MAX_BODY_BYTES / 1024} KiB (HTTP ${message.statusCode}) for ${request.url.pathname}; a token, discovery or key set response is a few KiB. Check the endpoint URL.`
        )
      }
      chunks.push(chunk as Buffer)
    }
  } finally {
    signal.removeEventListener('abort', abort)
  }
  return Buffer.concat(chunks).toString('utf8')
}

// TLS failures are not transient: retrying cannot fix a certificate.
const TLS_ERROR = /^(CERT_|ERR_TLS|ERR_SSL|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/

function networkFailure(error: unknown, signal: AbortSignal, timeoutMs: number): Outcome {
  if (signal.aborted) {
    return {
      kind: 'network',
      reason: `no complete response within ${timeoutMs / 1000} s (timeout-seconds)`,
      retryable: true
    }
  }
  const message = error instanceof Error ? error.message : ''
  // The proxy tunnel (HTTPS_PROXY) reports a refused CONNECT only in its message.
  const proxyStatus = /^tunneling socket could not be established, statusCode=(\d+)/.exec(message)
  if (proxyStatus) {
    const status = Number(proxyStatus[1])
    return {
      kind: 'network',
      reason:
        status === 407
          ? 'the proxy refused the credentials in HTTPS_PROXY (HTTP 407)'
          : `the proxy refused to connect to the token endpoint (HTTP ${status}); check HTTPS_PROXY and NO_PROXY`,
      retryable: status !== 407 && status !== 403
    }
  }
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    const tls = TLS_ERROR.test(code)
    return {
      kind: 'network',
      reason: tls
        ? `TLS error ${code}; if the server uses a private CA, point NODE_EXTRA_CA_CERTS at its certificate`
        : `network error ${code}`,
      retryable: !tls
    }
  }
  // Errors without a code come from http-client (its idle timeout); their messages name a path,
  // never a body.
  return { kind: 'network', reason: `connection failed: ${message.slice(0, 200)}`, retryable: true }
}
