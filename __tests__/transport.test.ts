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
import { MAX_BODY_BYTES, send } from '../src/http/transport.js'

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
      expect(outcome).toEqual({
        kind: 'network',
        reason: `no complete response within 1 s (timeout-seconds), stalled ${phase}`,
        retryable: true
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
      'the proxy closed the connection instead of answering CONNECT; check HTTPS_PROXY and NO_PROXY',
      true
    ],
    [
      'answers 403 with text that must not be printed',
      (socket: Socket) => socket.end('HTTP/1.1 403 ::set-output name=x::y\r\n\r\n'),
      'the proxy refused to open a tunnel to the endpoint (HTTP 403); check HTTPS_PROXY and NO_PROXY',
      false
    ]
  ])('a proxy that %s', async (_what, onConnect, reason, retryable) => {
    const proxy = await silentTcpServer(socket => socket.once('data', () => onConnect(socket)))
    process.env.HTTPS_PROXY = `http://127.0.0.1:${proxy.port}`
    try {
      expect(await send(request('https://auth.proxy.test/connect/token'), 5000)).toEqual({
        kind: 'network',
        reason,
        retryable
      })
    } finally {
      delete process.env.HTTPS_PROXY
    }
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
