// The auth-server fixture over HTTPS with mutual TLS (RFC 8705) and client_secret_jwt (RFC 7523
// with HMAC), exercised with plain node:https requests: what the action's tests can rely on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { SignJWT, decodeJwt } from 'jose'
import { X509Certificate, createHash, randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { startAuthServer } from '../__fixtures__/auth-server.mjs'
import { startConnectProxy } from '../__fixtures__/connect-proxy.js'
import {
  makeCertificates,
  makeClientCertificate,
  makeSelfSigned,
  type KeyPair
} from '../__fixtures__/tls.js'

// Not a loopback name: only the proxy resolves it.
const PROXY_HOST = 'auth.proxy.test'
const SUBJECT = '/O=Stent/CN=deploy-bot' // openssl's order: most general first
const SUBJECT_DN = 'CN=deploy-bot,O=Stent' // RFC 4514: most specific first
const SECRET = 'a client secret long enough for HS512 ' + 'x'.repeat(40)

const pki = makeCertificates([PROXY_HOST], { loopback: true })
const client = makeClientCertificate(pki, SUBJECT)
const sanClient = makeClientCertificate(pki, '/CN=san-bot', 'DNS:san-bot.stent.example')
const otherSubject = makeClientCertificate(pki, '/O=Stent/CN=someone-else')
const foreign = makeClientCertificate(makeCertificates(['other.example']), SUBJECT)
const selfSigned = makeSelfSigned('/CN=self-signed-bot')
const otherSelfSigned = makeSelfSigned('/CN=self-signed-bot')

const thumbprint = (pem: string) =>
  createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url')
/** The client's public key as a JWK with the certificate in x5c (RFC 8705 §2.2). */
const selfSignedJwk = (pem: string) => {
  const cert = new X509Certificate(pem)
  return { ...cert.publicKey.export({ format: 'jwk' }), x5c: [cert.raw.toString('base64')] }
}

let server: Awaited<ReturnType<typeof startAuthServer>>
beforeAll(async () => {
  server = await startAuthServer({
    tls: { key: pki.key, cert: pki.cert, ca: pki.caCert },
    clients: [
      {
        client_id: 'pki-client',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: SUBJECT_DN
      },
      {
        client_id: 'san-client',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_san_dns: 'san-bot.stent.example'
      },
      {
        client_id: 'self-signed-client',
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: { keys: [selfSignedJwk(selfSigned.cert)] }
      },
      {
        client_id: 'hmac-client',
        token_endpoint_auth_method: 'client_secret_jwt',
        client_secret: SECRET
      },
      { client_id: 'post-client', client_secret: SECRET }
    ]
  })
})
afterAll(async () => {
  await server.close()
})

interface Reply {
  status: number
  body: Record<string, unknown>
}

interface RequestOptions {
  /** The client certificate to present. */
  identity?: KeyPair
  form?: Record<string, string>
  /** An open tunnel (CONNECT) to run TLS over, and the name to verify. */
  tunnel?: { socket: Socket; servername: string }
}

/** A POST (with `form`) or GET over HTTPS, trusting only the test CA. */
function send(url: string, { identity, form, tunnel }: RequestOptions = {}): Promise<Reply> {
  const body = form ? new URLSearchParams(form).toString() : undefined
  const tls = { ca: pki.caCert, key: identity?.key, cert: identity?.cert }
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
        ...tls,
        // No agent: a fresh connection each time, over the tunnel when there is one.
        ...(tunnel
          ? {
              createConnection: () =>
                tlsConnect({ ...tls, socket: tunnel.socket, servername: tunnel.servername })
            }
          : { agent: false })
      },
      res => {
        const chunks: Buffer[] = []
        res.on('data', chunk => chunks.push(chunk))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8'))
          })
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

const token = (clientId: string, identity?: KeyPair) =>
  send(server.tokenUrl, {
    identity,
    form: { grant_type: 'client_credentials', client_id: clientId }
  })

function expectBoundToken(reply: Reply, clientId: string, cert: string, issuer = server.issuer) {
  expect(reply.status).toBe(200)
  expect(reply.body.token_type).toBe('Bearer')
  const claims = decodeJwt(String(reply.body.access_token))
  expect(claims.client_id).toBe(clientId)
  expect(claims.iss).toBe(issuer)
  expect(claims.cnf).toEqual({ 'x5t#S256': thumbprint(cert) })
}

function expectInvalidClient(reply: Reply) {
  expect(reply.status).toBe(401)
  expect(reply.body.error).toBe('invalid_client')
}

describe('the HTTPS auth server', () => {
  it('is https on loopback, verifiable with the test CA', () => {
    expect(server.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(server.tokenUrl).toBe(`${server.issuer}/connect/token`)
  })

  it('discovery: mTLS methods, bound tokens, HMAC algs; oidc-provider publishes no mtls_endpoint_aliases', async () => {
    const { status, body } = await send(`${server.issuer}/.well-known/openid-configuration`)
    expect(status).toBe(200)
    expect(body.issuer).toBe(server.issuer)
    expect(body.token_endpoint).toBe(server.tokenUrl)
    expect(body.tls_client_certificate_bound_access_tokens).toBe(true)
    expect(body.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining([
        'tls_client_auth',
        'self_signed_tls_client_auth',
        'client_secret_jwt',
        'client_secret_post'
      ])
    )
    expect(body.token_endpoint_auth_signing_alg_values_supported).toEqual(
      expect.arrayContaining(['HS256', 'HS384', 'HS512'])
    )
    // oidc-provider 9 accepts the client metadata use_mtls_endpoint_aliases but never serves
    // aliases: if a later version does, this says so.
    expect(body.mtls_endpoint_aliases).toBeUndefined()
  })

  it('a client secret still works over HTTPS without a client certificate, unbound', async () => {
    const reply = await send(server.tokenUrl, {
      form: { grant_type: 'client_credentials', client_id: 'post-client', client_secret: SECRET }
    })
    expect(reply.status).toBe(200)
    expect(decodeJwt(String(reply.body.access_token)).cnf).toBeUndefined()
  })
})

describe('tls_client_auth', () => {
  it('the CA-signed certificate with the registered subject DN gets a certificate-bound JWT', async () => {
    expectBoundToken(await token('pki-client', client), 'pki-client', client.cert)
  })

  it('a registered SAN (DNS) identifies the client too', async () => {
    expectBoundToken(await token('san-client', sanClient), 'san-client', sanClient.cert)
  })

  it.each([
    ['no certificate', undefined],
    ['the same subject from another CA', foreign],
    ['a certificate from the CA with another subject', otherSubject],
    ['a self-signed certificate', selfSigned]
  ])('invalid_client with %s', async (_case, identity) => {
    expectInvalidClient(await token('pki-client', identity))
  })
})

describe('self_signed_tls_client_auth', () => {
  it('the registered self-signed certificate gets a certificate-bound JWT', async () => {
    expectBoundToken(
      await token('self-signed-client', selfSigned),
      'self-signed-client',
      selfSigned.cert
    )
  })

  it.each([
    ['no certificate', undefined],
    ['another self-signed certificate with the same subject', otherSelfSigned],
    ['a CA-signed certificate', client]
  ])('invalid_client with %s', async (_case, identity) => {
    expectInvalidClient(await token('self-signed-client', identity))
  })
})

describe('client_secret_jwt', () => {
  const assertion = (alg: string, secret = SECRET) =>
    new SignJWT({})
      .setProtectedHeader({ alg })
      .setIssuer('hmac-client')
      .setSubject('hmac-client')
      .setAudience(server.tokenUrl)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(new TextEncoder().encode(secret))
  const withAssertion = async (alg: string, secret?: string) =>
    send(server.tokenUrl, {
      form: {
        grant_type: 'client_credentials',
        client_id: 'hmac-client',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(alg, secret)
      }
    })

  it.each(['HS256', 'HS384', 'HS512'])('an %s assertion gets a token', async alg => {
    const reply = await withAssertion(alg)
    expect(reply.status).toBe(200)
    expect(decodeJwt(String(reply.body.access_token)).client_id).toBe('hmac-client')
  })

  it('invalid_client with a wrong secret', async () => {
    expectInvalidClient(await withAssertion('HS256', `${SECRET}!`))
  })
})

describe('through the CONNECT proxy fixture', () => {
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>
  let named: Awaited<ReturnType<typeof startAuthServer>>
  beforeAll(async () => {
    proxy = await startConnectProxy({ hosts: { [PROXY_HOST]: '127.0.0.1' } })
    // An issuer named for a host only the proxy resolves (what the action needs behind a proxy).
    named = await startAuthServer({
      tls: { key: pki.key, cert: pki.cert, ca: pki.caCert, hostname: PROXY_HOST },
      clients: [
        {
          client_id: 'pki-client',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: SUBJECT_DN
        }
      ]
    })
  })
  afterAll(async () => {
    await Promise.all([proxy.close(), named.close()])
  })

  function tunnel(target: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: proxy.port,
        method: 'CONNECT',
        path: target
      })
      req.on('connect', (res, socket) =>
        res.statusCode === 200 ? resolve(socket) : reject(new Error(`CONNECT ${res.statusCode}`))
      )
      req.on('error', reject)
      req.end()
    })
  }

  it('mTLS end to end through the tunnel: the client certificate reaches the server', async () => {
    expect(named.issuer).toMatch(new RegExp(`^https://${PROXY_HOST.replace(/\./g, '\\.')}:\\d+$`))
    const target = new URL(named.tokenUrl).host
    const discovery = await send(`${named.issuer}/.well-known/openid-configuration`, {
      tunnel: { socket: await tunnel(target), servername: PROXY_HOST }
    })
    expect(discovery.body.token_endpoint).toBe(named.tokenUrl)
    const reply = await send(named.tokenUrl, {
      identity: client,
      form: { grant_type: 'client_credentials', client_id: 'pki-client' },
      tunnel: { socket: await tunnel(target), servername: PROXY_HOST }
    })
    expectBoundToken(reply, 'pki-client', client.cert, named.issuer)
    expect(proxy.connects.map(c => c.target)).toEqual([target, target])
  })
})
