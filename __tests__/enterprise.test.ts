// Issue 11, every enterprise identity provider: keys as users paste them, certificate credentials
// (Entra ID), mutual TLS (RFC 8705), client_secret_jwt and the Basic encoding real servers use.
// Against oidc-provider in-process, over HTTPS with features.mTLS where it applies; each method
// also end to end through dist/ with the leak scan.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK } from 'jose'
import { X509Certificate, createHash, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startAuthServer } from '../__fixtures__/auth-server.mjs'
import { startConnectProxy } from '../__fixtures__/connect-proxy.js'
import { fakeCore } from '../__fixtures__/core.js'
import { sendJson, startFaultServer, STENT_TOKEN_RESPONSE } from '../__fixtures__/fault-server.js'
import { leakForms, runAction, type ActionRun } from '../__fixtures__/run-action.mjs'
import { makeCertificates, makeClientCertificate, makeSelfSigned } from '../__fixtures__/tls.js'
import type { Deps } from '../src/entry/deps.js'
import { run } from '../src/entry/main.js'
import { send } from '../src/http/transport.js'

const PROXY_HOST = 'auth.proxy.test'
const SUBJECT_DN = 'CN=deploy-bot,O=Stent'
const SECRET = 'an hmac client secret+/=:%& ' + 'x'.repeat(40)
const pki = makeCertificates([PROXY_HOST], { loopback: true })
const client = makeClientCertificate(pki, '/O=Stent/CN=deploy-bot')
const selfSigned = makeSelfSigned('/CN=self-signed-bot')
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const sha256 = (pem: string) =>
  createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url')
const sha1 = (pem: string) =>
  createHash('sha1').update(new X509Certificate(pem).raw).digest('base64url')
const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: 'jwk' }), kid })

/** A self-signed certificate for a key, made with openssl (as a user would for Entra ID). */
function certificateFor(key: KeyObject, days = 2): string {
  const dir = mkdtempSync(join(tmpdir(), 'cert-'))
  writeFileSync(join(dir, 'key.pem'), key.export({ format: 'pem', type: 'pkcs8' }))
  execFileSync('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    join(dir, 'key.pem'),
    '-subj',
    '/CN=entra-client',
    '-days',
    String(days),
    '-out',
    join(dir, 'cert.pem')
  ])
  return readFileSync(join(dir, 'cert.pem'), 'utf8')
}
const rsaCert = certificateFor(rsa.privateKey)

let server: Awaited<ReturnType<typeof startAuthServer>>
let tlsServer: Awaited<ReturnType<typeof startAuthServer>>
beforeAll(async () => {
  server = await startAuthServer({
    clients: [
      {
        client_id: 'rsa-client',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jwk(rsa.publicKey, 'rsa-1')] }
      },
      {
        client_id: 'ec-client',
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [jwk(ec.publicKey, 'ec-1')] }
      },
      {
        client_id: 'hmac-client',
        token_endpoint_auth_method: 'client_secret_jwt',
        client_secret: SECRET
      },
      {
        client_id: 'basic-client',
        token_endpoint_auth_method: 'client_secret_basic',
        client_secret: SECRET
      }
    ]
  })
  tlsServer = await startAuthServer({
    tls: { key: pki.key, cert: pki.cert, ca: pki.caCert },
    clients: [
      {
        client_id: 'pki-client',
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: SUBJECT_DN
      },
      {
        client_id: 'self-signed-client',
        token_endpoint_auth_method: 'self_signed_tls_client_auth',
        jwks: {
          keys: [
            {
              ...(await exportJWK(new X509Certificate(selfSigned.cert).publicKey)),
              x5c: [new X509Certificate(selfSigned.cert).raw.toString('base64')]
            }
          ]
        }
      }
    ]
  })
})
afterAll(async () => {
  await Promise.all([server.close(), tlsServer.close()])
})

function expectNoLeak(result: ActionRun, values: string[]) {
  for (const value of values.filter(Boolean)) {
    for (const form of leakForms(value)) expect(result.log).not.toContain(form)
  }
}

/** The action in-process with the real transport, and a clock that may be moved. */
async function runInProcess(inputs: Record<string, string>, now = Date.now) {
  const { core, record } = fakeCore({ 'max-attempts': '1', ...inputs })
  const deps: Deps = { core, env: {}, send, sleep: async () => {}, now, random: () => 0.5 }
  await run(deps)
  return record
}

describe('keys as users paste them (private_key_jwt)', () => {
  const pkcs8 = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString()
  const forms: Array<[string, (pem: string) => string]> = [
    ['as is', pem => pem],
    ['with CRLF line ends', pem => pem.replaceAll('\n', '\r\n')],
    ['with surrounding whitespace', pem => `\n  ${pem}  \n\n`],
    ['with literal \\n escapes', pem => pem.trim().replaceAll('\n', '\\n')],
    ['base64-encoded once', pem => Buffer.from(pem).toString('base64')]
  ]
  const keys: Array<[string, string, string]> = [
    ['RSA PKCS#8', 'rsa-client', pkcs8(rsa.privateKey)],
    [
      'RSA PKCS#1',
      'rsa-client',
      rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString()
    ],
    ['EC PKCS#8', 'ec-client', pkcs8(ec.privateKey)],
    ['EC SEC1', 'ec-client', ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString()]
  ]
  const table = keys.flatMap(([kind, id, pem]) =>
    forms.map(([form, shape]) => [`${kind}, ${form}`, id, shape(pem)] as const)
  )

  it.each(table)('%s gets a token', async (_name, id, key) => {
    const record = await runInProcess({
      'client-id': id,
      'auth-method': 'private_key_jwt',
      'client-assertion-key': key,
      'token-url': server.tokenUrl
    })
    expect(record.failed).toBeUndefined()
    expect(record.outputs['token-type']).toBe('Bearer')
    // Every form the key arrived in is masked before anything prints.
    expect(record.secrets).toContain(key.trim())
  })

  it('an encrypted key is refused through dist/, naming the input and the openssl fix, leaking nothing', async () => {
    const encrypted = rsa.privateKey
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pass' })
      .toString()
    const result = await runAction({
      'client-id': 'rsa-client',
      'auth-method': 'private_key_jwt',
      'client-assertion-key': encrypted,
      'token-url': server.tokenUrl
    })
    expect(result.code).toBe(1)
    expect(result.log).toMatch(
      /^::error::Input 'client-assertion-key' is an encrypted private key.*openssl pkcs8 -topk8 -nocrypt/m
    )
    expect(result.outputs).toEqual({})
    for (const line of encrypted.split('\n').filter(l => l && !l.startsWith('-----'))) {
      expect(result.log).not.toContain(line)
    }
  })
})

describe('certificate credentials (Microsoft Entra ID)', () => {
  it('the assertion header carries the certificate thumbprints, x5t#S256 and x5t, through dist/', async () => {
    const before = server.calls.length
    const result = await runAction(
      {
        'client-id': 'rsa-client',
        'auth-method': 'private_key_jwt',
        'client-assertion-key': rsa.privateKey.export({ format: 'pem', type: 'pkcs1' }).toString(),
        'client-assertion-cert': rsaCert,
        'client-assertion-alg': 'PS256',
        'token-url': server.tokenUrl
      },
      { env: { RUNNER_DEBUG: '1' } }
    )
    expect(result.log).not.toMatch(/::error::/)
    expect(result.code).toBe(0)
    const assertion = String(server.calls.slice(before)[0]?.body.client_assertion)
    const header = decodeProtectedHeader(assertion)
    expect(header).toMatchObject({ alg: 'PS256', 'x5t#S256': sha256(rsaCert), x5t: sha1(rsaCert) })
    // The same thumbprints as openssl's fingerprints of the DER.
    const fingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], {
      input: rsaCert
    })
      .toString()
      .replace(/^.*=/, '')
      .trim()
      .replaceAll(':', '')
    expect(
      Buffer.from(header['x5t#S256'] as string, 'base64url')
        .toString('hex')
        .toUpperCase()
    ).toBe(fingerprint)
    expect(decodeJwt(assertion)).toMatchObject({ iss: 'rsa-client', aud: server.tokenUrl })
    expectNoLeak(result, [assertion, result.outputs['access-token'] ?? ''])
  })

  it('a certificate of another key fails before any request', async () => {
    const before = server.calls.length
    const record = await runInProcess({
      'client-id': 'ec-client',
      'auth-method': 'private_key_jwt',
      'client-assertion-key': ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      'client-assertion-cert': rsaCert,
      'token-url': server.tokenUrl
    })
    expect(record.failed).toMatch(
      /^Input 'client-assertion-cert' does not match input 'client-assertion-key'/
    )
    expect(server.calls.length).toBe(before)
  })

  it('an expired certificate fails before any request, saying when it expired', async () => {
    const validTo = Date.parse(new X509Certificate(rsaCert).validTo)
    const record = await runInProcess(
      {
        'client-id': 'rsa-client',
        'auth-method': 'private_key_jwt',
        'client-assertion-key': rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        'client-assertion-cert': rsaCert,
        'token-url': server.tokenUrl
      },
      () => validTo + 86_400_000
    )
    expect(record.failed).toMatch(
      /^Input 'client-assertion-cert' holds a certificate that expired on /
    )
  })
})

describe('client_secret_jwt (RFC 7523 with HMAC)', () => {
  it.each(['HS256', 'HS384', 'HS512'])(
    '%s through dist/: a token; secret and assertion masked',
    async alg => {
      const before = server.calls.length
      const result = await runAction({
        'client-id': 'hmac-client',
        'auth-method': 'client_secret_jwt',
        'client-secret': SECRET,
        'client-assertion-alg': alg === 'HS256' ? '' : alg,
        'token-url': server.tokenUrl
      })
      expect(result.log).not.toMatch(/::error::/)
      expect(result.code).toBe(0)
      const assertion = String(server.calls.slice(before)[0]?.body.client_assertion)
      expect(decodeProtectedHeader(assertion).alg).toBe(alg)
      expect(result.masks).toEqual(expect.arrayContaining([SECRET, assertion]))
      expectNoLeak(result, [SECRET, assertion, result.outputs['access-token'] ?? ''])
    }
  )

  it('a fresh assertion for each attempt', async () => {
    const assertions: string[] = []
    const flaky = await startFaultServer((_req, res, i, seen) => {
      assertions.push(new URLSearchParams(seen.body).get('client_assertion') ?? '')
      if (i === 0) sendJson(res, 503, {})
      else sendJson(res, 200, STENT_TOKEN_RESPONSE)
    })
    try {
      const record = await runInProcess({
        'client-id': 'hmac-client',
        'auth-method': 'client_secret_jwt',
        'client-secret': SECRET,
        'token-url': flaky.tokenUrl,
        'max-attempts': '2'
      })
      expect(record.failed).toBeUndefined()
      expect(new Set(assertions.map(a => decodeJwt(a).jti)).size).toBe(2)
    } finally {
      await flaky.close()
    }
  })
})

describe('mutual TLS (RFC 8705)', () => {
  const tlsEnv = { NODE_EXTRA_CA_CERTS: pki.caFile }
  /** The tls_client_auth client with its CA-signed certificate. */
  const pkiClient = {
    'client-id': 'pki-client',
    'auth-method': 'tls_client_auth',
    'client-certificate': client.cert,
    'client-key': client.key
  }

  it.each([
    ['tls_client_auth', 'pki-client', client],
    ['self_signed_tls_client_auth', 'self-signed-client', selfSigned]
  ])(
    '%s through dist/: a certificate-bound token, verified against our certificate',
    async (method, id, pair) => {
      const result = await runAction(
        {
          'client-id': id,
          'auth-method': method,
          'client-certificate': pair.cert,
          'client-key': pair.key,
          'token-url': tlsServer.tokenUrl,
          'jwks-url': tlsServer.jwksUrl,
          'verify-token': 'true'
        },
        { env: { ...tlsEnv, RUNNER_DEBUG: '1' } }
      )
      expect(result.log).not.toMatch(/::error::/)
      expect(result.code).toBe(0)
      expect(result.log).toContain("Verified the token's signature and claims")
      expect(result.summary).toContain(', exp, certificate binding (cnf x5t#S256) |')
      const token = result.outputs['access-token'] ?? ''
      expect(decodeJwt(token).cnf).toEqual({ 'x5t#S256': sha256(pair.cert) })
      expectNoLeak(result, [pair.key, token])
    }
  )

  it.each([
    [
      'tls_client_auth',
      'pki-client',
      makeClientCertificate(pki, '/O=Stent/CN=someone-else'),
      /for tls_client_auth, the server must trust the CA that issued the certificate, and the client must be registered with its subject DN or a SAN/
    ],
    [
      'self_signed_tls_client_auth',
      'self-signed-client',
      makeSelfSigned('/CN=self-signed-bot'),
      /for self_signed_tls_client_auth, the certificate itself must be registered in the client's JWKS/
    ]
  ])(
    '%s refused (a certificate the server does not hold) through dist/: the hint names the certificate inputs, never a secret',
    async (method, id, pair, registration) => {
      const result = await runAction(
        {
          'client-id': id,
          'auth-method': method,
          'client-certificate': pair.cert,
          'client-key': pair.key,
          'token-url': tlsServer.tokenUrl
        },
        { env: tlsEnv }
      )
      expect(result.code).toBe(1)
      const error = /^::error::(.*)$/m.exec(result.log)?.[1] ?? ''
      expect(error).toMatch(
        /^The token endpoint refused the request: HTTP 401, error 'invalid_client'.*Hint: the server did not accept the client certificate\. Check client-id, client-certificate and client-key: /
      )
      expect(error).toMatch(registration)
      expect(error).not.toContain('client-secret')
      expectNoLeak(result, [pair.key])
    }
  )

  it('with issuer, the mtls_endpoint_aliases token endpoint is used, through dist/', async () => {
    // oidc-provider publishes no aliases; this issuer does, pointing at the mTLS server.
    const issuer = await startFaultServer((req, res) =>
      sendJson(res, 200, {
        issuer: `http://${req.headers.host}`,
        token_endpoint: `http://${req.headers.host}/not-for-certificates`,
        mtls_endpoint_aliases: { token_endpoint: tlsServer.tokenUrl }
      })
    )
    try {
      const result = await runAction(
        {
          ...pkiClient,
          issuer: issuer.origin
        },
        { env: tlsEnv }
      )
      expect(result.log).not.toMatch(/::error::/)
      expect(result.code).toBe(0)
      expect(issuer.requests.map(r => r.url)).toEqual(['/.well-known/openid-configuration'])
      expect(decodeJwt(result.outputs['access-token'] ?? '').cnf).toEqual({
        'x5t#S256': sha256(client.cert)
      })
    } finally {
      await issuer.close()
    }
  })

  it('through the CONNECT proxy: the certificate reaches the server end to end', async () => {
    const proxied = await startAuthServer({
      tls: { key: pki.key, cert: pki.cert, ca: pki.caCert, hostname: PROXY_HOST },
      clients: [
        {
          client_id: 'pki-client',
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: SUBJECT_DN
        }
      ]
    })
    const proxy = await startConnectProxy({ hosts: { [PROXY_HOST]: '127.0.0.1' } })
    try {
      const result = await runAction(
        {
          ...pkiClient,
          issuer: proxied.issuer
        },
        { env: { ...tlsEnv, HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` } }
      )
      expect(result.log).not.toMatch(/::error::/)
      expect(result.code).toBe(0)
      expect(proxy.connects.length).toBeGreaterThanOrEqual(2)
      expect(decodeJwt(result.outputs['access-token'] ?? '').cnf).toEqual({
        'x5t#S256': sha256(client.cert)
      })
    } finally {
      await Promise.all([proxied.close(), proxy.close()])
    }
  })

  it('a server that refuses the client certificate after the handshake: says it is likely that, and retries', async () => {
    const strict = await startFaultServer((_req, res) => sendJson(res, 200, STENT_TOKEN_RESPONSE), {
      key: pki.key,
      cert: pki.cert,
      ca: pki.caCert,
      requestCert: true,
      rejectUnauthorized: true
    } as { key: string; cert: string })
    try {
      const result = await runAction(
        {
          'client-id': 'pki-client',
          'auth-method': 'tls_client_auth',
          'client-certificate': selfSigned.cert,
          'client-key': selfSigned.key,
          'token-url': `https://localhost:${strict.port}/token`,
          'max-attempts': '2'
        },
        { env: tlsEnv }
      )
      expect(result.code).toBe(1)
      expect(result.log).toMatch(
        /^::error::Gave up after 2 attempts\. Could not get a response from localhost:\d+: the server closed the connection after the TLS handshake; if this persists, it is likely refusing the client certificate/m
      )
      expect(strict.requests).toHaveLength(0)
    } finally {
      await strict.close()
    }
  })

  it('a server certificate the runner does not trust: says so, with the ca-certificate hint', async () => {
    const result = await runAction({
      ...pkiClient,
      'token-url': tlsServer.tokenUrl
    })
    expect(result.code).toBe(1)
    expect(result.log).toMatch(
      /TLS error \w+; if the server uses a private CA, pass its certificate as ca-certificate, or point NODE_EXTRA_CA_CERTS/
    )
  })

  it('a token bound to another certificate fails verify-token', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const bound = await new SignJWT({ cnf: { 'x5t#S256': sha256(selfSigned.cert) } })
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .setExpirationTime('1h')
      .sign(privateKey)
    const fake = await startFaultServer((req, res) =>
      req.url === '/jwks'
        ? exportJWK(publicKey).then(key =>
            sendJson(res, 200, { keys: [{ ...key, kid: 'k', alg: 'ES256' }] })
          )
        : sendJson(res, 200, { ...STENT_TOKEN_RESPONSE, access_token: bound })
    )
    try {
      const record = await runInProcess({
        ...pkiClient,
        'token-url': fake.tokenUrl,
        'jwks-url': `${fake.origin}/jwks`,
        'verify-token': 'true'
      })
      expect(record.failed).toMatch(
        /^The access token is bound to another certificate \(its cnf x5t#S256 does not match client-certificate\)/
      )
      expect(record.outputs).toEqual({})
    } finally {
      await fake.close()
    }
  })
})

describe('the Basic encoding real servers use', () => {
  // A server that, like Authlib before 1.3 or Glewlwyd, takes the Basic credential raw.
  const rawServer = () =>
    startFaultServer((req, res) => {
      const pair = Buffer.from((req.headers.authorization ?? '').slice(6), 'base64').toString(
        'utf8'
      )
      const colon = pair.indexOf(':')
      return pair.slice(0, colon) === 'raw-client' && pair.slice(colon + 1) === SECRET
        ? sendJson(res, 200, STENT_TOKEN_RESPONSE)
        : sendJson(res, 401, { error: 'invalid_client' })
    })

  it('basic-encoding: raw against a server that does not decode, through dist/', async () => {
    const server = await rawServer()
    try {
      const result = await runAction({
        'client-id': 'raw-client',
        'client-secret': SECRET,
        'auth-method': 'client_secret_basic',
        'basic-encoding': 'raw',
        'token-url': server.tokenUrl
      })
      expect(result.code).toBe(0)
      const basic = server.requests[0]?.headers.authorization ?? ''
      expectNoLeak(result, [SECRET, basic, basic.slice(6)])
    } finally {
      await server.close()
    }
  })

  it('form (the default) against a server that decodes: oidc-provider, as Stent', async () => {
    const record = await runInProcess({
      'client-id': 'basic-client',
      'client-secret': SECRET,
      'auth-method': 'client_secret_basic',
      'token-url': server.tokenUrl
    })
    expect(record.failed).toBeUndefined()
  })

  it('form refused by a server that does not decode: the hint names both fixes', async () => {
    const server = await rawServer()
    try {
      const record = await runInProcess({
        'client-id': 'raw-client',
        'client-secret': SECRET,
        'auth-method': 'client_secret_basic',
        'token-url': server.tokenUrl
      })
      expect(record.failed).toMatch(
        /error 'invalid_client'\. Hint: .*form-encoding changes.*set basic-encoding: raw, or auth-method: client_secret_post/
      )
    } finally {
      await server.close()
    }
  })

  it('a refused scope keeps its own hint, whatever the secret holds', async () => {
    const server = await startFaultServer((_req, res) =>
      sendJson(res, 400, { error: 'invalid_scope' })
    )
    try {
      const record = await runInProcess({
        'client-id': 'raw-client',
        'client-secret': SECRET,
        'auth-method': 'client_secret_basic',
        'token-url': server.tokenUrl
      })
      expect(record.failed).toMatch(/error 'invalid_scope'\. Hint: check the scope input/)
    } finally {
      await server.close()
    }
  })

  it('a secret that form-encoding leaves alone gets the usual hint', async () => {
    const server = await rawServer()
    try {
      const record = await runInProcess({
        'client-id': 'raw-client',
        'client-secret': 'plain-secret-123',
        'auth-method': 'client_secret_basic',
        'token-url': server.tokenUrl
      })
      expect(record.failed).toMatch(
        /Hint: the server did not accept the client credentials\. Check client-id/
      )
    } finally {
      await server.close()
    }
  })
})
