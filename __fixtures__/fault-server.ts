// A scriptable node:http server on loopback for what a real authorization server will not do:
// hang, trickle, reset, throttle, redirect, or answer with HTML or garbage.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'

export interface SeenRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
  at: number
}

/** Answers request number `index` (0-based), whose body has been read; may leave it unanswered. */
export type Script = (
  req: IncomingMessage,
  res: ServerResponse,
  index: number,
  seen: SeenRequest
) => void

/** With `tls`, serves https with that key and certificate. */
export async function startFaultServer(script: Script, tls?: { key: string; cert: string }) {
  const requests: SeenRequest[] = []
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', chunk => (body += chunk))
    req.on('end', () => {
      const index = requests.length
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        at: Date.now()
      }
      requests.push(seen)
      script(req, res, index, seen)
    })
  }
  const server = tls ? createTlsServer(tls, handler) : createServer(handler)
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`
  return {
    port,
    origin,
    tokenUrl: `${origin}/connect/token`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

export const STENT_TOKEN_RESPONSE = {
  token_type: 'Bearer',
  access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl',
  expires_in: 2592000
}
