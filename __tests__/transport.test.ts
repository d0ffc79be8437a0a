// The one network function, against a scriptable loopback server.
import { afterEach, describe, expect, it } from '@jest/globals'
import {
  sendJson,
  startFaultServer,
  STENT_TOKEN_RESPONSE,
  type Script
} from '../__fixtures__/fault-server.js'
import { createServer } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { ActionError } from '../src/base/errors.js'
import type { HttpRequest } from '../src/http/types.js'
import { rootCertificates } from 'node:tls'
import { makeCertificates, makeClientCertificate } from '../__fixtures__/tls.js'
import {
  MAX_BODY_BYTES,
  proxyFor,
  secureContextFor,
  send,
  trustedCas
} from '../src/http/transport.js'

const servers: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(server => server.close()))
})
/** A TCP server that accepts connections and says nothing unless `onConnection` does. */
async function silentTcpServer(onConnection: (socket: Socket) => void = () => {}) {
  const sockets = new Set<Socket>()
  const server = createTcpServer(socket => {
    sockets.add(socket)
    socket.on('error', () => {})
    onConnection(socket)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  servers.push({
    close: () =>
      new Promise<void>(resolve => {
        sockets.forEach(socket => socket.destroy())
        server.close(() => resolve())
      })
  })
  return { port: (server.address() as AddressInfo).port }
}
async function serve(script: Script) {
  const server = await startFaultServer(script)
  servers.push(server)
  return server
}
const request = (url: string): HttpRequest => ({
  method: 'POST',
  url: new URL(url),
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  body: 'grant_type=client_credentials&client_secret=s3cret'
})

describe('one POST', () => {
  it('sends the form with its headers and returns status, headers and body', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 200, STENT_TOKEN_RESPONSE, { 'x-a': '1' })
    )
    const outcome = await send(request(server.tokenUrl), 5000)
    expect(outcome).toMatchObject({ kind: 'response', status: 200, headers: { 'x-a': '1' } })
    expect(outcome.kind === 'response' && JSON.parse(outcome.body)).toEqual(STENT_TOKEN_RESPONSE)
    expect(server.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/connect/token',
        body: 'grant_type=client_credentials&client_secret=s3cret',
        headers: expect.objectContaining({
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json'
        })
      })
    ])
  })
})

describe('redirects are not followed: the body holds the secret', () => {
  it.each([307, 302])(
    '%i to another host: returned as is, the other host sees nothing',
    async code => {
      const elsewhere = await serve((_req, res) => sendJson(res, 200, STENT_TOKEN_RESPONSE))
      const server = await serve((_req, res) => {
        res.writeHead(code, { location: elsewhere.tokenUrl.replace('127.0.0.1', 'localhost') })
        res.end()
      })
      const outcome = await send(request(server.tokenUrl), 5000)
      expect(outcome).toMatchObject({ kind: 'response', status: code })
      expect(server.requests).toHaveLength(1)
      expect(elsewhere.requests).toHaveLength(0)
    }
  )
})

describe('the deadline covers the whole exchange', () => {
  it('a server that never answers', async () => {
    const server = await serve(() => {})
    const started = Date.now()
    const outcome = await send(request(server.tokenUrl), 1000)
    expect(Date.now() - started).toBeLessThan(1500)
    expect(outcome).toEqual({
      kind: 'network',
      reason: 'no complete response within 1 s (timeout-seconds), stalled waiting for the response',
      retryable: true
    })
  })

  it('a TLS server that accepts the connection and never completes the handshake', async () => {
    const silent = await silentTcpServer()
    const started = Date.now()
    const outcome = await send(request(`https://127.0.0.1:${silent.port}/connect/token`), 1000)
    expect(Date.now() - started).toBeLessThan(1500)
    expect(outcome).toEqual({
      kind: 'network',
      reason: 'no complete response within 1 s (timeout-seconds), stalled in the TLS handshake',
      retryable: true
    })
  })

  it.each([
    ['never answers CONNECT', 'waiting for the proxy to answer CONNECT', () => {}],
    [
      'opens the tunnel to a server that never completes the TLS handshake',
      'in the TLS handshake',
      (socket: Socket) => socket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    ]
  ])('through HTTPS_PROXY, a proxy that %s', async (_what, phase, onConnect) => {
    const proxy = await silentTcpServer(socket => socket.once('data', () => onConnect(socket)))
    process.env.HTTPS_PROXY = `http://127.0.0.1:${proxy.port}`
    try {
      const started = Date.now()
      const outcome = await send(request('https://auth.proxy.test/connect/token'), 1000)
      expect(Date.now() - started).toBeLessThan(1500)
      // Stalled before the tunnel opened: the proxy's fault; after, the endpoint's.
      const atProxy = phase.includes('proxy')
      expect(outcome).toEqual({
        kind: 'network',
        reason: `no complete response within 1 s (timeout-seconds), stalled ${phase}`,
        retryable: true,
        ...(atProxy
          ? { proxy: { address: `127.0.0.1:${proxy.port}`, variable: 'HTTPS_PROXY' } }
          : {})
      })
    } finally {
      delete process.env.HTTPS_PROXY
    }
  })

  it('a server that trickles its body a byte every 100 ms, never idle long enough to time out', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const timer = setInterval(() => res.write(' '), 100)
      res.on('close', () => clearInterval(timer))
    })
    const started = Date.now()
    const outcome = await send(request(server.tokenUrl), 1000)
    expect(Date.now() - started).toBeLessThan(1500)
    expect(outcome).toMatchObject({
      kind: 'network',
      reason: expect.stringContaining('within 1 s')
    })
  })
})

describe('the body is capped', () => {
  it(`a body over ${MAX_BODY_BYTES} bytes is refused without reading it all`, async () => {
    let sent = 0
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const pump = () => {
        while (sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length
        if (sent >= 64 * 1024 * 1024) res.end()
      }
      res.on('drain', pump)
      pump()
    })
    await expect(send(request(server.tokenUrl), 10_000)).rejects.toThrow(ActionError)
    await expect(send(request(server.tokenUrl), 10_000)).rejects.toThrow(
      /The server at 127\.0\.0\.1:\d+ sent a response larger than 1024 KiB \(HTTP 200\) for \/connect\/token/
    )
    expect(sent).toBeLessThan(16 * 1024 * 1024)
  })
})

describe('through HTTPS_PROXY', () => {
  it.each([
    [
      'closes the connection instead of answering CONNECT',
      (socket: Socket) => socket.end(),
      'the proxy closed the connection instead of answering CONNECT',
      true
    ],
    [
      'answers 403 with text that must not be printed',
      (socket: Socket) => socket.end('HTTP/1.1 403 ::set-output name=x::y\r\n\r\n'),
      'the proxy refused to open a tunnel to the endpoint (HTTP 403)',
      false
    ]
  ])('a proxy that %s: the proxy is named', async (_what, onConnect, reason, retryable) => {
    const proxy = await silentTcpServer(socket => socket.once('data', () => onConnect(socket)))
    process.env.HTTPS_PROXY = `http://127.0.0.1:${proxy.port}`
    try {
      expect(await send(request('https://auth.proxy.test/connect/token'), 5000)).toEqual({
        kind: 'network',
        reason,
        retryable,
        proxy: { address: `127.0.0.1:${proxy.port}`, variable: 'HTTPS_PROXY' }
      })
    } finally {
      delete process.env.HTTPS_PROXY
    }
  })
})

describe('the proxy for a URL, from the environment', () => {
  const https = new URL('https://auth.example.test/connect/token')
  const http = new URL('http://auth.example.test/connect/token')

  it.each([
    ['proxy.corp:3128', 'http://proxy.corp:3128/', 'proxy.corp:3128'],
    ['localhost:3128', 'http://localhost:3128/', 'localhost:3128'],
    ['10.0.0.1:8080', 'http://10.0.0.1:8080/', '10.0.0.1:8080'],
    ['[fd00::1]:3128', 'http://[fd00::1]:3128/', '[fd00::1]:3128'],
    ['http://proxy.corp', 'http://proxy.corp/', 'proxy.corp:80'],
    ['https://proxy.corp', 'https://proxy.corp/', 'proxy.corp:443'],
    [' HTTP://proxy.corp:3128/ ', 'http://proxy.corp:3128/', 'proxy.corp:3128']
  ])('%s is %s, named %s', (value, url, address) => {
    expect(proxyFor(https, { HTTPS_PROXY: value })).toMatchObject({
      url: new URL(url),
      address,
      variable: 'HTTPS_PROXY'
    })
  })

  it('the lower-case variable first, and the one for the scheme of the URL', () => {
    const env = {
      https_proxy: 'a.corp:1',
      HTTPS_PROXY: 'b.corp:2',
      http_proxy: '',
      HTTP_PROXY: 'c.corp:3'
    }
    expect(proxyFor(https, env)).toMatchObject({ address: 'a.corp:1', variable: 'https_proxy' })
    expect(proxyFor(http, env)).toMatchObject({ address: 'c.corp:3', variable: 'HTTP_PROXY' })
    expect(proxyFor(http, { HTTPS_PROXY: 'b.corp:2' })).toBeUndefined()
    expect(proxyFor(https, {})).toBeUndefined()
    expect(proxyFor(https, { HTTPS_PROXY: '  ' })).toBeUndefined()
  })

  it('credentials are decoded for CONNECT and never part of its name', () => {
    const proxy = proxyFor(https, { HTTPS_PROXY: 'corp%20user:p%40ss%3A@proxy.corp:3128' })
    expect(proxy).toMatchObject({ username: 'corp user', password: 'p@ss:' })
    // Messages print only these two.
    expect(proxy).toMatchObject({ address: 'proxy.corp:3128', variable: 'HTTPS_PROXY' })
  })

  it.each([
    ['socks5://proxy.corp:1080', /^HTTPS_PROXY names a socks5:\/\/ proxy/],
    [
      'http://us%zzer:s3cret@proxy.corp:3128',
      /^HTTPS_PROXY has a user or password that is not URL-encoded/
    ],
    ['http://s3cret@:3128', /^HTTPS_PROXY is not a proxy URL/]
  ])('%s: refused, naming the variable and never quoting it', (value, message) => {
    let error: unknown
    try {
      proxyFor(https, { HTTPS_PROXY: value })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ActionError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toMatch(/s3cret|proxy\.corp/)
  })
})

describe('trust', () => {
  it('no ca-certificate: the default store, as Node keeps it', () => {
    expect(trustedCas(undefined)).toBeUndefined()
    expect(trustedCas('')).toBeUndefined()
  })

  it('ca-certificate is added to the public CAs, never instead of them', () => {
    const extra = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    const cas = trustedCas(extra) ?? []
    expect(cas).toContain(extra)
    expect(cas).toEqual(expect.arrayContaining([...rootCertificates]))
  })

  it('with ca-certificate, one TLS context for each client certificate, made once', () => {
    const pki = makeCertificates(['auth.test'])
    const client = makeClientCertificate(pki, '/CN=bot')
    const extra = pki.caCert
    const plain = secureContextFor(extra, undefined)
    expect(secureContextFor(extra, undefined)).toBe(plain)
    const withCertificate = secureContextFor(extra, client)
    expect(withCertificate).not.toBe(plain)
    expect(secureContextFor(extra, { ...client })).toBe(withCertificate)
  })
})

describe('hosts', () => {
  it('an IPv6 loopback URL, http://[::1]:PORT, is reached', async () => {
    const server = createServer((_req, res) => sendJson(res, 200, STENT_TOKEN_RESPONSE))
    await new Promise<void>(resolve => server.listen(0, '::1', resolve))
    servers.push({ close: () => new Promise<void>(resolve => server.close(() => resolve())) })
    const { port } = server.address() as AddressInfo
    expect(await send(request(`http://[::1]:${port}/connect/token`), 5000)).toMatchObject({
      kind: 'response',
      status: 200
    })
  })
})

describe('network errors', () => {
  it('connection refused is retryable and named by its code', async () => {
    const server = await serve(() => {})
    const url = server.tokenUrl
    await server.close()
    expect(await send(request(url), 1000)).toEqual({
      kind: 'network',
      reason: 'network error ECONNREFUSED',
      retryable: true
    })
  })

  it('a reset connection is retryable', async () => {
    const server = await serve(req => req.socket.destroy())
    expect(await send(request(server.tokenUrl), 1000)).toMatchObject({
      kind: 'network',
      reason: 'network error ECONNRESET',
      retryable: true
    })
  })
})
