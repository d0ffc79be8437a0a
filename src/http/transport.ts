import { on, once } from 'node:events'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { isIP, connect as tcpConnect, type Socket } from 'node:net'
import {
  connect as tlsConnect,
  createSecureContext,
  getCACertificates,
  type SecureContext
} from 'node:tls'
import type { Duplex } from 'node:stream'
import { checkBypass } from '@actions/http-client/lib/proxy'
import { ActionError } from '../base/errors.js'
import type { HttpRequest, Outcome, ProxyName, Send, TlsIdentity } from './types.js'

/** Larger than any token, discovery or JWKS response; a bigger body is a wrong endpoint. */
export const MAX_BODY_BYTES = 1024 * 1024

/** The proxy from the environment, credentials decoded (they go in Proxy-Authorization only). */
export interface Proxy extends ProxyName {
  url: URL
  username: string
  password: string
}

/**
 * When the job sets this to 0, Node would accept any certificate: every connection here passes
 * `rejectUnauthorized: true`, so it is ignored, and main says so once.
 */
export const TLS_CHECKS_OFF_WARNING =
  'NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored: this action always verifies TLS certificates. To trust a private CA, pass its certificate as ca-certificate, or point NODE_EXTRA_CA_CERTS at its PEM file.'

const USER_AGENT = 'stent-token-action'

/** The step an attempt is in, so that a timeout can say where it waited. */
type Phase =
  | 'connecting'
  | 'connecting to the proxy'
  | 'in the TLS handshake with the proxy'
  | 'waiting for the proxy to answer CONNECT'
  | 'in the TLS handshake'
  | 'waiting for the response'
  | 'reading the response body'

/** The phases on the way to the proxy: a failure there is the proxy's to explain. */
const PROXY_PHASES: ReadonlySet<Phase> = new Set([
  'connecting to the proxy',
  'in the TLS handshake with the proxy',
  'waiting for the proxy to answer CONNECT'
])

/**
 * The proxy refused the tunnel; `status` is its HTTP status, 0 when it closed the connection
 * instead of answering, -1 when its answer was not HTTP.
 */
class ProxyRefused extends Error {
  constructor(
    readonly status: number,
    /** Where the proxy's URL and credentials came from, e.g. HTTPS_PROXY. */
    readonly variable: string
  ) {
    super(`proxy answered ${status}`)
  }
}

/**
 * One request, with no redirects (they would re-send the secret elsewhere) and no retries of its
 * own. The action opens every socket itself, directly or through a CONNECT tunnel when
 * HTTPS_PROXY says so (NO_PROXY and loopback as @actions/http-client decides), so that one deadline
 * covers every wait: DNS, connect, the proxy's CONNECT, the TLS handshake and the whole body.
 */
export const send: Send = async (request, timeoutMs) => {
  const proxy = checkBypass(request.url) ? undefined : proxyFor(request.url, process.env)
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), timeoutMs)
  const state = { phase: 'connecting' as Phase, sockets: [] as Duplex[] }
  // Every socket this attempt opened ends with it, or when the deadline passes.
  const destroyAll = (): void => state.sockets.forEach(socket => socket.destroy())
  deadline.signal.addEventListener('abort', destroyAll, { once: true })
  try {
    const socket = await open(request, proxy, state, deadline.signal)
    state.phase = 'waiting for the response'
    const message = await exchangeOn(socket, request, deadline.signal)
    state.phase = 'reading the response body'
    const body = await readCapped(request, message)
    return { kind: 'response', status: message.statusCode ?? 0, headers: message.headers, body }
  } catch (error) {
    if (error instanceof ActionError) throw error
    const outcome = networkFailure(error, deadline.signal.aborted, state.phase, timeoutMs, request)
    if (!proxy || !PROXY_PHASES.has(state.phase)) return outcome
    return { ...outcome, proxy: { address: proxy.address, variable: proxy.variable } }
  } finally {
    clearTimeout(timer)
    destroyAll()
  }
}

/**
 * The proxy for `url` from the variable its scheme reads (https_proxy, then HTTPS_PROXY; http_proxy,
 * then HTTP_PROXY), or undefined. A value without a scheme (`proxy.corp:3128`) is http://, as
 * curl, Go and Python read it. Messages never quote the value: it may hold a password.
 */
export function proxyFor(
  url: URL,
  env: Readonly<Record<string, string | undefined>>
): Proxy | undefined {
  const names =
    url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY']
  const variable = names.find(name => env[name])
  const value = variable ? (env[variable] ?? '').trim() : ''
  if (!variable || !value) return undefined
  const expected = `expected http://host:port or https://host:port, with a user and password, if any, URL-encoded (the value is not printed: it may hold a password)`
  let proxy: URL
  try {
    proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`)
  } catch {
    throw new ActionError(`${variable} is not a proxy URL: ${expected}.`)
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new ActionError(
      `${variable} names a ${proxy.protocol}// proxy; this action tunnels through http:// and https:// proxies: ${expected}.`
    )
  }
  if (!proxy.hostname) throw new ActionError(`${variable} names no proxy host: ${expected}.`)
  let username: string
  let password: string
  try {
    username = decodeURIComponent(proxy.username)
    password = decodeURIComponent(proxy.password)
  } catch {
    throw new ActionError(
      `${variable} has a user or password that is not URL-encoded: ${expected}.`
    )
  }
  return { url: proxy, username, password, address: `${proxy.hostname}:${portOf(proxy)}`, variable }
}

/**
 * The CAs a connection trusts: undefined for Node's default store (its bundled CAs and
 * NODE_EXTRA_CA_CERTS), else that store and `extra`, since `ca` replaces the default store.
 */
export function trustedCas(extra: string | undefined): string[] | undefined {
  return extra ? [...getCACertificates('default'), extra] : undefined
}

const contexts = new Map<string, SecureContext>()

/**
 * The TLS context that trusts `extra` besides the default store (or the default store alone), with
 * the client certificate when there is one: made once for each, since parsing the ~150 default
 * CAs again took every connection 10 to 20 ms (a step makes several, and the agent one per
 * refresh).
 */
export function secureContextFor(
  extra: string | undefined,
  identity: TlsIdentity | undefined
): SecureContext {
  const id = JSON.stringify([extra, identity?.cert, identity?.key])
  let context = contexts.get(id)
  if (!context) {
    context = createSecureContext({ ca: trustedCas(extra), ...identity })
    contexts.set(id, context)
  }
  return context
}

/** The URL's host for a socket: an IPv6 literal without its brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

/** The name the certificate must match; SNI only for names, never for IP addresses (RFC 6066). */
function tlsHost(url: URL): { host: string; servername: string | undefined } {
  const host = hostOf(url)
  return { host, servername: isIP(host) ? undefined : host }
}

function portOf(url: URL): number {
  return Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
}

/**
 * A connected socket to the request's origin, through the proxy when there is one; TLS for https,
 * with the client certificate when the request carries one (mTLS: end to end, never to the proxy).
 * Every TLS connection verifies its peer, whatever NODE_TLS_REJECT_UNAUTHORIZED says.
 */
async function open(
  { url, tls, caCertificate }: HttpRequest,
  proxy: Proxy | undefined,
  state: { phase: Phase; sockets: Duplex[] },
  signal: AbortSignal
): Promise<Duplex> {
  const track = <T extends Duplex>(socket: T): T => {
    state.sockets.push(socket)
    // Errors reach us through once() and the request; this keeps a late one from crashing us.
    socket.on('error', () => {})
    if (signal.aborted) socket.destroy()
    return socket
  }
  const secure = async (
    socket: Duplex,
    peer: URL,
    identity?: HttpRequest['tls']
  ): Promise<Duplex> => {
    const secured = track(
      tlsConnect({
        ...tlsHost(peer),
        socket: socket as Socket,
        rejectUnauthorized: true,
        // Node's own default context when there is nothing to add to it.
        ...(caCertificate || identity
          ? { secureContext: secureContextFor(caCertificate, identity) }
          : {})
      })
    )
    await once(secured, 'secureConnect', { signal })
    return secured
  }
  const target = proxy?.url ?? url
  state.phase = proxy ? 'connecting to the proxy' : 'connecting'
  let socket: Duplex = track(tcpConnect({ host: hostOf(target), port: portOf(target) }))
  await once(socket, 'connect', { signal })
  if (proxy) {
    if (proxy.url.protocol === 'https:') {
      state.phase = 'in the TLS handshake with the proxy'
      socket = await secure(socket, proxy.url)
    }
    state.phase = 'waiting for the proxy to answer CONNECT'
    socket = await tunnel(socket, proxy, `${url.hostname}:${portOf(url)}`, signal)
  }
  if (url.protocol !== 'https:') return socket
  state.phase = 'in the TLS handshake'
  return secure(socket, url, tls)
}

/**
 * HTTP CONNECT (RFC 9110 §9.3.6) to `target` over an open socket to the proxy, with the proxy's
 * credentials from its URL. Resolves with the same socket once the proxy answers 200.
 */
async function tunnel(
  socket: Duplex,
  { username, password, variable }: Proxy,
  target: string,
  signal: AbortSignal
): Promise<Duplex> {
  const credentials =
    username || password
      ? `proxy-authorization: Basic ${Buffer.from(`${username}:${password}`).toString('base64')}\r\n`
      : ''
  socket.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n${credentials}\r\n`)
  let head = Buffer.alloc(0)
  // Until the end of the proxy's answer head, or until it closes the connection instead.
  for await (const [chunk] of on(socket, 'data', { signal, close: ['end', 'close'] })) {
    head = Buffer.concat([head, chunk as Buffer])
    if (head.includes('\r\n\r\n') || head.length > 16 * 1024) break
  }
  if (!head.includes('\r\n\r\n')) {
    throw new ProxyRefused(head.length > 16 * 1024 ? -1 : 0, variable)
  }
  // Only the status code is read: the rest of the proxy's answer is never printed.
  const status = Number(/^HTTP\/1\.[01] (\d{3})[ \r]/.exec(head.toString('latin1'))?.[1] ?? -1)
  // RFC 9110 §9.3.6: any 2xx opens the tunnel.
  if (status < 200 || status > 299) throw new ProxyRefused(status, variable)
  return socket
}

/** Sends the request on an open socket and resolves with the response's head. */
async function exchangeOn(
  socket: Duplex,
  request: HttpRequest,
  signal: AbortSignal
): Promise<IncomingMessage> {
  const { url, method, headers, body } = request
  const req = httpRequest({
    method,
    path: `${url.pathname}${url.search}`,
    headers: {
      ...headers,
      host: url.host,
      'user-agent': USER_AGENT,
      ...(body ? { 'content-length': Buffer.byteLength(body) } : {})
    },
    createConnection: () => socket,
    signal
  })
  req.end(body || undefined)
  const [message] = (await once(req, 'response', { signal })) as [IncomingMessage]
  return message
}

async function readCapped(request: HttpRequest, message: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of message) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) {
      throw new ActionError(
        `The server at ${request.url.host} sent a response larger than ${MAX_BODY_BYTES / 1024} KiB (HTTP ${message.statusCode}) for ${request.url.pathname}; a token, discovery or key set response is a few KiB. Check the endpoint URL.`
      )
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

// The server's TLS alerts about our certificate (mTLS): the server refused us, not we it.
const CLIENT_CERTIFICATE_REFUSED =
  /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|ACCESS_DENIED)$/

// TLS failures are not transient: retrying cannot fix a certificate.
const TLS_ERROR = /^(CERT_|ERR_TLS|ERR_SSL|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/

/**
 * Why an attempt got no response, from the error's kind and code only: an error's message can
 * quote what a server or proxy sent, so it is never printed.
 */
function networkFailure(
  error: unknown,
  aborted: boolean,
  phase: Phase,
  timeoutMs: number,
  request: HttpRequest
): Outcome {
  if (aborted) {
    return {
      kind: 'network',
      // A budget-shortened last attempt has an uneven timeout: tenths are enough to read.
      reason: `no complete response within ${Number((timeoutMs / 1000).toFixed(1))} s (timeout-seconds), stalled ${phase}`,
      retryable: true
    }
  }
  if (error instanceof ProxyRefused) {
    return {
      kind: 'network',
      reason:
        error.status === 407
          ? `the proxy refused the credentials in ${error.variable} (HTTP 407)`
          : error.status > 0
            ? `the proxy refused to open a tunnel to the endpoint (HTTP ${error.status})`
            : error.status === 0
              ? 'the proxy closed the connection instead of answering CONNECT'
              : 'the proxy answered CONNECT with something other than HTTP',
      retryable: error.status !== 407 && error.status !== 403
    }
  }
  const code = (error as { code?: unknown } | undefined)?.code
  if (typeof code === 'string' && CLIENT_CERTIFICATE_REFUSED.test(code)) {
    return {
      kind: 'network',
      reason: `the server refused the TLS client certificate (${code}); check client-certificate, and that the server trusts its issuer or has it registered`,
      retryable: false
    }
  }
  // In TLS 1.3 a server checks the client certificate after the handshake and, refusing it, only
  // closes the connection; so can a load balancer that drops us, so this stays retryable.
  if (request.tls && phase === 'waiting for the response' && code === 'ECONNRESET') {
    return {
      kind: 'network',
      reason:
        'the server closed the connection after the TLS handshake; if this persists, it is likely refusing the client certificate: check client-certificate, and that the server trusts its issuer or has it registered',
      retryable: true
    }
  }
  if (typeof code === 'string' && code.startsWith('ERR_OSSL')) {
    return {
      kind: 'network',
      reason: `the client certificate or key could not be used (${code}); check client-certificate and client-key`,
      retryable: false
    }
  }
  if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) {
    const tls = TLS_ERROR.test(code)
    const peer = PROXY_PHASES.has(phase) ? 'proxy' : 'server'
    // ca-certificate covers the step's endpoints and their proxy; the runner's own service, not.
    const trust =
      request.caCertificate === undefined
        ? 'point NODE_EXTRA_CA_CERTS at its certificate'
        : 'pass its certificate as ca-certificate, or point NODE_EXTRA_CA_CERTS at it'
    return {
      kind: 'network',
      reason: tls
        ? `TLS error ${code}; if the ${peer} uses a private CA, ${trust}`
        : `network error ${code}`,
      retryable: !tls
    }
  }
  return { kind: 'network', reason: `connection closed (${phase})`, retryable: true }
}
