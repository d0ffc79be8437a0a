// Security round 2 (issue 16), through dist/ as the runner runs it: certificate checks nobody can
// switch off, a private CA trusted by input, proxies named as the job names them, and a client
// certificate's whole chain on the wire. A man in the middle here holds a certificate from a CA
// the action is never told about; NODE_TLS_REJECT_UNAUTHORIZED=0 is in the job's env, as one
// earlier step can put it there through GITHUB_ENV.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { decodeJwt } from 'jose'
import { X509Certificate, createHash } from 'node:crypto'
import { createServer as createTlsServer } from 'node:tls'
import type { AddressInfo } from 'node:net'
import { DEMO_CLIENT, startAuthServer } from '../__fixtures__/auth-server.mjs'
import { startConnectProxy } from '../__fixtures__/connect-proxy.js'
import { sendJson, startFaultServer, STENT_TOKEN_RESPONSE } from '../__fixtures__/fault-server.js'
import { leakForms, postStepEnv, runAction, type ActionRun } from '../__fixtures__/run-action.mjs'
import { makeCertificates, makeClientCertificate, makeIntermediateCa } from '../__fixtures__/tls.js'

const ID = 'tls-client'
const SECRET = 'tls client secret+/=:%&'
const BEARER = 'runner-id-token-request-bearer'
const PROXY_PASSWORD = 'pr0xy-pa55word'
/** Not a loopback name, so that the proxy is used; only the CONNECT proxy resolves it. */
const HOST = 'auth.proxy.test'
const CHECKS_OFF = { NODE_TLS_REJECT_UNAUTHORIZED: '0' }
const IGNORED =
  'NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored: this action always verifies TLS certificates. To trust a private CA, pass its certificate as ca-certificate, or point NODE_EXTRA_CA_CERTS at its PEM file.'

/** The CA the job trusts (by ca-certificate or NODE_EXTRA_CA_CERTS), and one it never hears of. */
const pki = makeCertificates([HOST], { loopback: true })
const attacker = makeCertificates(['127.0.0.1'], { loopback: true })
const sha256 = (pem: string) =>
  createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url')

const servers: Array<{ close(): Promise<void> }> = []
afterAll(() => Promise.all(servers.map(server => server.close())))
async function track<T extends { close(): Promise<unknown> }>(server: Promise<T>): Promise<T> {
  const started = await server
  servers.push({ close: async () => void (await started.close()) })
  return started
}

/** Where a stolen credential would be used; it must never see a request. */
let canary: Awaited<ReturnType<typeof startFaultServer>>
/** A man in the middle: answers anything with a forged token, and records what reaches it. */
let mitm: Awaited<ReturnType<typeof startFaultServer>>
beforeAll(async () => {
  canary = await track(startFaultServer((_req, res) => sendJson(res, 200, { stolen: true })))
  mitm = await track(
    startFaultServer((req, res) => {
      const origin = `https://${req.headers.host}`
      if (req.url === '/.well-known/openid-configuration') {
        sendJson(res, 200, { issuer: origin, token_endpoint: `${origin}/connect/token` })
      } else if (req.url?.startsWith('/id-token')) {
        sendJson(res, 200, { value: 'eyJhbGciOiJub25lIn0.eyJmb3JnZWQiOnRydWV9.' })
      } else {
        sendJson(res, 200, { ...STENT_TOKEN_RESPONSE, access_token: 'forged-by-the-mitm-0123' })
      }
    }, attacker)
  )
})

const warnings = (run: ActionRun) =>
  run.commands.filter(command => command.name === 'warning').map(command => command.data)

/** Nothing went anywhere it should not, nothing leaked, no command but the action's own. */
function expectRefused(run: ActionRun, message: RegExp) {
  expect(run.code).toBe(1)
  expect(run.log).toMatch(message)
  expect(run.outputs).toEqual({})
  expect(run.exported).toEqual({})
  expect(canary.requests).toHaveLength(0)
  expect(
    run.commands.filter(c => !['add-mask', 'debug', 'error', 'warning'].includes(c.name))
  ).toEqual([])
  expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m)
  for (const value of [SECRET, BEARER, PROXY_PASSWORD]) {
    for (const form of leakForms(value)) expect(run.log).not.toContain(form)
  }
}

describe('NODE_TLS_REJECT_UNAUTHORIZED=0 cannot switch certificate checks off', () => {
  const secretClient = { 'client-id': ID, 'client-secret': SECRET, 'max-attempts': '2' }
  const tlsRefusal = (host: string, trust: string) =>
    new RegExp(
      `^::error::Could not get a response from ${host.replace(/\./g, '\\.')}: TLS error \\w+; if the server uses a private CA, ${trust}`,
      'm'
    )

  /** A run with checks "off" whose endpoint is the man in the middle: he receives nothing. */
  async function expectMitmRefused(inputs: Record<string, string>) {
    const before = mitm.requests.length
    const run = await runAction(inputs, { env: CHECKS_OFF })
    expect(mitm.requests.slice(before)).toEqual([])
    expectRefused(
      run,
      tlsRefusal(`127.0.0.1:${mitm.port}`, 'pass its certificate as ca-certificate')
    )
    expect(warnings(run)).toEqual([IGNORED])
  }

  it('a token endpoint with an untrusted certificate never receives the secret', async () => {
    await expectMitmRefused({ ...secretClient, 'token-url': mitm.tokenUrl })
  })

  it('a discovery document from an untrusted issuer is never read, so it cannot redirect the secret', async () => {
    await expectMitmRefused({ ...secretClient, issuer: mitm.origin })
  })

  it("an ID token service with an untrusted certificate never receives the runner's bearer", async () => {
    const before = mitm.requests.length
    const run = await runAction(
      { 'client-id': ID, 'auth-method': 'github_oidc', 'token-url': canary.tokenUrl },
      {
        env: {
          ...CHECKS_OFF,
          ACTIONS_ID_TOKEN_REQUEST_URL: `${mitm.origin}/id-token?api-version=2.0`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: BEARER
        }
      }
    )
    expect(mitm.requests.slice(before)).toEqual([])
    // ca-certificate is for the server's endpoints: GitHub's service keeps the runner's trust.
    expectRefused(
      run,
      tlsRefusal(`127.0.0.1:${mitm.port}`, 'point NODE_EXTRA_CA_CERTS at its certificate')
    )
    expect(warnings(run)).toEqual([IGNORED])
  })

  it('an https:// proxy with an untrusted certificate never receives CONNECT or its credentials', async () => {
    const received: Buffer[] = []
    const proxy = createTlsServer({ key: attacker.key, cert: attacker.cert }, socket => {
      socket.on('data', chunk => received.push(chunk))
      socket.on('error', () => {})
    })
    await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
    servers.push({ close: () => new Promise<void>(resolve => proxy.close(() => resolve())) })
    const { port } = proxy.address() as AddressInfo
    // The fake proxy never answers CONNECT: the deadline ends a run that got that far.
    const run = await runAction(
      { ...secretClient, 'token-url': `https://${HOST}/connect/token`, 'timeout-seconds': '2' },
      { env: { ...CHECKS_OFF, HTTPS_PROXY: `https://corp:${PROXY_PASSWORD}@127.0.0.1:${port}` } }
    )
    expect(Buffer.concat(received).toString('latin1')).toBe('')
    expectRefused(
      run,
      new RegExp(
        `^::error::Could not reach the proxy 127\\.0\\.0\\.1:${port} \\(from HTTPS_PROXY\\) on the way to auth\\.proxy\\.test: TLS error \\w+; if the proxy uses a private CA, pass its certificate as ca-certificate`,
        'm'
      )
    )
    expect(warnings(run)).toEqual([IGNORED])
  })

  it('a key set with an untrusted certificate is never read, so it cannot vouch for a forged token', async () => {
    const issuer = await track(
      startFaultServer((_req, res) => sendJson(res, 200, STENT_TOKEN_RESPONSE))
    )
    await expectMitmRefused({
      ...secretClient,
      'token-url': issuer.tokenUrl,
      'verify-token': 'true',
      'jwks-url': `${mitm.origin}/jwks`
    })
  })

  it('a revocation endpoint with an untrusted certificate never receives the token or the secret', async () => {
    const token = 'a-token-to-revoke-0123456789'
    const before = mitm.requests.length
    const post = await runAction(
      {
        ...secretClient,
        'token-url': mitm.tokenUrl,
        revoke: 'true',
        'revocation-url': `${mitm.origin}/revoke`
      },
      { env: { ...CHECKS_OFF, ...postStepEnv({ isPost: 'true', 'revoke-token': token }) } }
    )
    expect(mitm.requests.slice(before)).toEqual([])
    expect(post.code).toBe(0)
    expect(warnings(post)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The access token was not revoked\\. Could not get a response from 127\\.0\\.0\\.1:${mitm.port}: TLS error \\w+;`
        )
      )
    ])
    for (const value of [SECRET, token]) {
      for (const form of leakForms(value)) expect(post.log).not.toContain(form)
    }
  })

  it('without the variable, no warning', async () => {
    const run = await runAction({ ...secretClient, 'token-url': mitm.tokenUrl })
    expect(run.code).toBe(1)
    expect(warnings(run)).toEqual([])
  })
})

describe('ca-certificate: a private CA trusted in addition to the default ones', () => {
  /** Its tokens are reference tokens, which the server can revoke. */
  const OPAQUE = { client_id: 'opaque-client', client_secret: 'opaque client secret' }
  let server: Awaited<ReturnType<typeof startAuthServer>>
  beforeAll(async () => {
    server = await track(
      startAuthServer({
        tls: { key: pki.key, cert: pki.cert, ca: pki.caCert },
        clients: [DEMO_CLIENT, OPAQUE],
        opaque: [OPAQUE.client_id]
      })
    )
  })
  const demo = { 'client-id': DEMO_CLIENT.client_id, 'client-secret': DEMO_CLIENT.client_secret }

  it('discovery, token and key set over HTTPS, without NODE_EXTRA_CA_CERTS', async () => {
    const before = server.calls.length
    const run = await runAction(
      { ...demo, issuer: server.issuer, 'ca-certificate': pki.caCert, 'verify-token': 'true' },
      { env: CHECKS_OFF }
    )
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(run.log).toContain("Verified the token's signature and claims")
    expect(server.calls.slice(before)).toHaveLength(1)
    expect(warnings(run)).toEqual([IGNORED])
  })

  it('revocation, in the post step, over HTTPS', async () => {
    const inputs = {
      'client-id': OPAQUE.client_id,
      'client-secret': OPAQUE.client_secret,
      issuer: server.issuer,
      'ca-certificate': pki.caCert,
      revoke: 'true'
    }
    const main = await runAction(inputs)
    expect(main.code).toBe(0)
    const post = await runAction(inputs, { env: postStepEnv(main.state) })
    expect(post.log).not.toMatch(/::warning::/)
    expect(post.log).toContain('Revoked the access token.')
  })

  it('NODE_EXTRA_CA_CERTS keeps working beside a ca-certificate of another CA', async () => {
    const run = await runAction(
      { ...demo, 'token-url': server.tokenUrl, 'ca-certificate': attacker.caCert },
      { env: { NODE_EXTRA_CA_CERTS: pki.caFile } }
    )
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
  })

  it('a ca-certificate of another CA does not make the server trusted', async () => {
    const run = await runAction({
      ...demo,
      'token-url': server.tokenUrl,
      'ca-certificate': attacker.caCert,
      'max-attempts': '1'
    })
    expect(run.code).toBe(1)
    expect(run.log).toMatch(/TLS error \w+; if the server uses a private CA/)
  })

  it.each([
    [
      'not PEM',
      'not a certificate',
      /^::error::Input 'ca-certificate' is not a PEM certificate\./m
    ],
    [
      'a certificate cut short',
      pki.caCert.replace(/\n[A-Za-z0-9+/=]{20,}\n/, '\nAAAA\n'),
      /^::error::Input 'ca-certificate' is not a PEM certificate\. Its certificate block does not parse/m
    ],
    [
      'the CA and its private key',
      `${pki.caCert}${pki.key}`,
      /^::error::Input 'ca-certificate' holds a private key: pass only certificates/m
    ]
  ])('%s: refused before any request, naming the input', async (_what, value, message) => {
    const run = await runAction({
      ...demo,
      'token-url': canary.tokenUrl,
      'ca-certificate': value
    })
    expectRefused(run, message)
  })
})

describe('a proxy variable as users write it', () => {
  let endpoint: Awaited<ReturnType<typeof startFaultServer>>
  let proxy: Awaited<ReturnType<typeof startConnectProxy>>
  beforeAll(async () => {
    endpoint = await track(
      startFaultServer((_req, res) => sendJson(res, 200, STENT_TOKEN_RESPONSE), pki)
    )
    proxy = await track(startConnectProxy({ hosts: { [HOST]: '127.0.0.1' } }))
  })

  it.each(['HTTPS_PROXY', 'https_proxy'])(
    '%s=localhost:PORT, without a scheme, is an http:// proxy',
    async variable => {
      const before = proxy.connects.length
      const run = await runAction(
        {
          'client-id': ID,
          'client-secret': SECRET,
          'token-url': `https://${HOST}:${endpoint.port}/t`
        },
        { env: { [variable]: `localhost:${proxy.port}`, NODE_EXTRA_CA_CERTS: pki.caFile } }
      )
      expect(run.log).not.toMatch(/::error::/)
      expect(run.code).toBe(0)
      expect(proxy.connects.slice(before)).toEqual([
        { target: `${HOST}:${endpoint.port}`, authorization: undefined }
      ])
    }
  )

  it('an https:// proxy whose CA is in ca-certificate: trusted, and the endpoint through it', async () => {
    const secure = await track(
      startConnectProxy({ hosts: { [HOST]: '127.0.0.1' }, tls: { key: pki.key, cert: pki.cert } })
    )
    const run = await runAction(
      {
        'client-id': ID,
        'client-secret': SECRET,
        'token-url': `https://${HOST}:${endpoint.port}/t`,
        'ca-certificate': pki.caCert
      },
      { env: { HTTPS_PROXY: `https://localhost:${secure.port}` } }
    )
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(secure.connects).toEqual([
      { target: `${HOST}:${endpoint.port}`, authorization: undefined }
    ])
  })

  it.each(['HTTPS_PROXY', 'https_proxy'])(
    'a proxy that refuses connections is named, with %s, not the endpoint; its password never',
    async variable => {
      const closed = await startFaultServer(() => {})
      await closed.close()
      const run = await runAction(
        {
          'client-id': ID,
          'client-secret': SECRET,
          'token-url': `https://${HOST}/connect/token`,
          'max-attempts': '1'
        },
        { env: { [variable]: `http://corp:${PROXY_PASSWORD}@127.0.0.1:${closed.port}` } }
      )
      expectRefused(
        run,
        new RegExp(
          `^::error::Could not reach the proxy 127\\.0\\.0\\.1:${closed.port} \\(from ${variable}\\) on the way to auth\\.proxy\\.test: network error ECONNREFUSED\\. Hint: check ${variable}`,
          'm'
        )
      )
    }
  )
})

describe('a client certificate from an intermediate CA: the whole chain is presented', () => {
  const intermediate = makeIntermediateCa(pki)
  const leaf = makeClientCertificate(intermediate, '/O=Stent/CN=chain-bot')
  let server: Awaited<ReturnType<typeof startAuthServer>>
  beforeAll(async () => {
    // The server trusts the root alone, as one does that trusts a whole enterprise PKI.
    server = await track(
      startAuthServer({
        tls: { key: pki.key, cert: pki.cert, ca: pki.caCert },
        clients: [
          {
            client_id: 'chain-client',
            token_endpoint_auth_method: 'tls_client_auth',
            tls_client_auth_subject_dn: 'CN=chain-bot,O=Stent'
          }
        ]
      })
    )
  })

  it.each([
    [
      'leaf then intermediate: accepted, the token bound to the leaf',
      `${leaf.cert}${intermediate.caCert}`,
      0
    ],
    ['the leaf alone: the server cannot build the chain', leaf.cert, 1]
  ])('%s', async (_what, certificate, code) => {
    const run = await runAction(
      {
        'client-id': 'chain-client',
        'auth-method': 'tls_client_auth',
        'client-certificate': certificate,
        'client-key': leaf.key,
        'token-url': server.tokenUrl,
        'max-attempts': '1'
      },
      { env: { NODE_EXTRA_CA_CERTS: pki.caFile } }
    )
    expect(run.code).toBe(code)
    if (code === 0) {
      expect(decodeJwt(run.outputs['access-token'] ?? '').cnf).toEqual({
        'x5t#S256': sha256(leaf.cert)
      })
    } else {
      expect(run.log).toMatch(/^::error::The token endpoint refused the request: HTTP \d+/m)
    }
  })

  it('with the CA in ca-certificate instead: one TLS context holds the CA and the chain', async () => {
    const run = await runAction({
      'client-id': 'chain-client',
      'auth-method': 'tls_client_auth',
      'client-certificate': `${leaf.cert}${intermediate.caCert}`,
      'client-key': leaf.key,
      'ca-certificate': pki.caCert,
      'token-url': server.tokenUrl,
      'max-attempts': '1'
    })
    expect(run.code).toBe(0)
    expect(decodeJwt(run.outputs['access-token'] ?? '').cnf).toEqual({
      'x5t#S256': sha256(leaf.cert)
    })
  })
})
