// An HTTP CONNECT proxy on loopback, as corporate networks run: it checks Basic proxy credentials
// and resolves names itself (from `hosts`), so the client never needs to. With `tls`, an
// https:// proxy: the client speaks TLS to the proxy, and its own TLS through the tunnel.
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { connect, type AddressInfo, type Socket } from 'node:net'

export interface ProxyOptions {
  /** Names the proxy resolves, e.g. { 'auth.proxy.test': '127.0.0.1' }. */
  hosts: Record<string, string>
  credentials?: { username: string; password: string }
  /** The proxy's own certificate and key: serve https://. */
  tls?: { key: string; cert: string }
}

export async function startConnectProxy({ hosts, credentials, tls }: ProxyOptions) {
  const connects: Array<{ target: string; authorization: string | undefined }> = []
  const expected = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    : undefined
  const refuse = (_req: unknown, res: { writeHead(status: number): void; end(): void }) => {
    res.writeHead(405)
    res.end()
  }
  const server = tls ? createHttpsServer(tls, refuse) : createServer(refuse)
  // Tunnels leave the server's own bookkeeping once upgraded, so close() must end them itself.
  const tunnels = new Set<Socket>()
  server.on('connect', (req, client: Socket, head) => {
    tunnels.add(client)
    client.on('close', () => tunnels.delete(client))
    const target = req.url ?? ''
    const authorization = req.headers['proxy-authorization']
    connects.push({ target, authorization })
    if (expected && authorization !== expected) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n')
      return
    }
    const [host = '', port = '443'] = target.split(':')
    const upstream = connect(Number(port), hosts[host] ?? host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'))
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    connects,
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of tunnels) socket.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
