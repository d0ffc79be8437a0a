// Beyond secrets, through the built dist/ as the runner runs it, against oidc-provider:
// private_key_jwt, github_oidc (with an emulated runner token service and federation at the
// provider), discovery, verification, and revocation in the post step.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { SignJWT, decodeJwt, importJWK } from 'jose'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { DEMO_RESOURCE, startAuthServer } from '../__fixtures__/auth-server.mjs'
import { sendJson, startFaultServer } from '../__fixtures__/fault-server.js'
import { GITHUB_ISSUER, GITHUB_SUBJECT, startGitHubOidc } from '../__fixtures__/github-oidc.js'
import { leakForms, postStepEnv, runAction, type ActionRun } from '../__fixtures__/run-action.mjs'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }).toString()
const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: 'jwk' }), kid })
const SECRET = 'opaque client secret+/='

let github: Awaited<ReturnType<typeof startGitHubOidc>>
let server: Awaited<ReturnType<typeof startAuthServer>>
beforeAll(async () => {
  github = await startGitHubOidc()
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
      { client_id: 'opaque-client', client_secret: SECRET },
      { client_id: 'jwt-client', client_secret: SECRET }
    ],
    opaque: ['opaque-client'],
    federation: {
      clientId: 'github-deploy',
      issuer: GITHUB_ISSUER,
      jwks: github.jwks,
      subject: GITHUB_SUBJECT,
      audience: 'api://stent-deploy'
    }
  })
})
afterAll(async () => {
  await Promise.all([server.close(), github.close()])
})

function expectNoLeak(run: ActionRun, values: string[]) {
  for (const value of values) {
    for (const form of leakForms(value)) expect(run.log).not.toContain(form)
  }
}

describe('private_key_jwt', () => {
  it.each([
    ['RSA', 'rsa-client', rsa.privateKey, 'RS256'],
    ['EC P-256', 'ec-client', ec.privateKey, 'ES256']
  ])(
    '%s key: a signed assertion gets a token; the key never shows',
    async (_kind, id, key, alg) => {
      const before = server.calls.length
      const run = await runAction(
        {
          'client-id': id,
          'auth-method': 'private_key_jwt',
          'client-assertion-key': pem(key),
          'token-url': server.tokenUrl
        },
        { env: { RUNNER_DEBUG: '1' } }
      )
      expect(run.log).not.toMatch(/::error::/)
      expect(run.code).toBe(0)
      expect(run.outputs['token-type']).toBe('Bearer')
      const [call] = server.calls.slice(before)
      expect(call?.body).toMatchObject({
        client_id: id,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
      })
      const assertion = String(call?.body.client_assertion)
      const claims = decodeJwt(assertion)
      expect(claims).toMatchObject({ iss: id, sub: id, aud: server.tokenUrl })
      expect(typeof claims.jti).toBe('string')
      expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(300)
      expect(
        JSON.parse(Buffer.from(assertion.split('.')[0] ?? '', 'base64url').toString()).alg
      ).toBe(alg)
      const keyPem = pem(key)
      const keyLines = keyPem.split('\n').filter(line => line && !line.startsWith('-----'))
      expectNoLeak(run, [keyPem, ...keyLines, assertion, run.outputs['access-token'] ?? ''])
    }
  )

  it('a key the client is not registered with is refused as invalid_client', async () => {
    const run = await runAction({
      'client-id': 'rsa-client',
      'auth-method': 'private_key_jwt',
      'client-assertion-key': pem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
      'token-url': server.tokenUrl
    })
    expect(run.code).toBe(1)
    expect(run.log).toMatch(
      /::error::The token endpoint refused the request: HTTP 401, error 'invalid_client'/
    )
  })

  it('a missing key is named up front', async () => {
    const run = await runAction({
      'client-id': 'rsa-client',
      'auth-method': 'private_key_jwt',
      'token-url': server.tokenUrl
    })
    expect(run.code).toBe(1)
    expect(run.log).toContain(
      "::error::Input 'client-assertion-key' is required with auth-method private_key_jwt"
    )
  })
})

describe('github_oidc', () => {
  const inputs = () => ({
    'client-id': 'github-deploy',
    'auth-method': 'github_oidc',
    'oidc-audience': 'api://stent-deploy',
    'token-url': server.tokenUrl
  })

  it("the job's ID token is the client assertion: a token, no secret, the ID token masked", async () => {
    const before = github.issued.length
    const run = await runAction(inputs(), { env: { ...github.env, RUNNER_DEBUG: '1' } })
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    const issued = github.issued.slice(before)
    expect(issued.map(i => i.audience)).toEqual(['api://stent-deploy'])
    expectNoLeak(run, [issued[0]?.token ?? '', run.outputs['access-token'] ?? ''])
  })

  it('without id-token: write (no request URL in the job), the fix is in the message', async () => {
    const run = await runAction(inputs())
    expect(run.code).toBe(1)
    expect(run.log).toContain(
      '::error::auth-method github_oidc needs the job to be allowed to request an OIDC token: add `permissions: id-token: write`'
    )
  })

  it('the default audience is the token endpoint origin, which this federation refuses', async () => {
    const before = github.issued.length
    const run = await runAction({ ...inputs(), 'oidc-audience': '' }, { env: github.env })
    expect(github.issued.slice(before).map(i => i.audience)).toEqual([
      new URL(server.tokenUrl).origin
    ])
    expect(run.code).toBe(1)
    expect(run.log).toMatch(/error 'invalid_client': federated assertion rejected/)
  })
})

describe('discovery', () => {
  it('issuer alone finds the token endpoint', async () => {
    const run = await runAction({
      'client-id': 'jwt-client',
      'client-secret': SECRET,
      issuer: server.issuer
    })
    expect(run.code).toBe(0)
    expect(run.log).toContain(
      `Discovering endpoints at ${new URL(server.issuer).host}/.well-known/openid-configuration.`
    )
    expect(run.log).toContain(
      `Requesting a token from ${new URL(server.tokenUrl).host}/connect/token`
    )
  })

  it('an issuer that differs from the document (a trailing slash) is refused', async () => {
    const run = await runAction({
      'client-id': 'jwt-client',
      'client-secret': SECRET,
      issuer: `${server.issuer}/`
    })
    expect(run.code).toBe(1)
    expect(run.log).toContain(
      '::error::The discovery document names another issuer than the issuer input'
    )
  })
})

describe('verify-token', () => {
  const base = () => ({
    'client-id': 'jwt-client',
    'client-secret': SECRET,
    issuer: server.issuer,
    'verify-token': 'true'
  })

  it('a good token verifies against the discovered JWKS', async () => {
    const run = await runAction({ ...base(), audience: DEMO_RESOURCE, 'min-validity': '3600' })
    expect(run.code).toBe(0)
    expect(run.log).toContain("Verified the token's signature and claims")
    expect(run.summary).toMatch(
      /\| Verified \| signature and claims \(keys from 127\.0\.0\.1:\d+\), exp, valid for at least 3600 s \|/
    )
  })

  it('min-validity longer than the token lives fails, naming it', async () => {
    const run = await runAction({ ...base(), 'min-validity': String(31 * 24 * 3600) })
    expect(run.code).toBe(1)
    expect(run.log).toMatch(
      /::error::The token is valid for \d+ s more, less than min-validity \(2678400 s\)/
    )
    expect(run.outputs).toEqual({})
  })

  it('an audience the token is not for fails', async () => {
    const run = await runAction({ ...base(), audience: 'https://other.example' })
    expect(run.code).toBe(1)
    expect(run.log).toContain("::error::The access token's aud claim failed verification")
  })

  /** A token endpoint that answers with the given token, beside the real server's JWKS. */
  async function answering(token: string) {
    return startFaultServer((_req, res) =>
      sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 })
    )
  }
  const signWithServerKey = async (exp: number) =>
    new SignJWT({ client_id: 'jwt-client' })
      .setProtectedHeader({ alg: 'RS256', kid: 'demo-signing-key', typ: 'at+jwt' })
      .setIssuer(server.issuer)
      .setAudience(DEMO_RESOURCE)
      .setIssuedAt(exp - 7200)
      .setExpirationTime(exp)
      .sign(await importJWK({ ...server.signingKey }, 'RS256'))

  it.each([
    [
      'tampered',
      async () => {
        const good = await signWithServerKey(Math.floor(Date.now() / 1000) + 3600)
        const [h, p, sig] = good.split('.')
        const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString())
        const forged = Buffer.from(JSON.stringify({ ...claims, client_id: 'admin' })).toString(
          'base64url'
        )
        return `${h}.${forged}.${sig}`
      },
      /did not verify against the server's key set \(ERR_JWS_SIGNATURE_VERIFICATION_FAILED\)/
    ],
    [
      'expired',
      () => signWithServerKey(Math.floor(Date.now() / 1000) - 60),
      /The access token has already expired/
    ],
    ['opaque', async () => 'an-opaque-reference-token', /the access token is opaque \(not a JWT\)/]
  ])('a %s token fails, with no output', async (_what, make, message) => {
    const token = await make()
    const fake = await answering(token)
    try {
      const run = await runAction({
        'client-id': 'jwt-client',
        'client-secret': SECRET,
        'token-url': fake.tokenUrl,
        'jwks-url': server.jwksUrl,
        'verify-token': 'true'
      })
      expect(run.code).toBe(1)
      expect(run.log).toMatch(message)
      expect(run.outputs).toEqual({})
      expectNoLeak(run, [token])
    } finally {
      await fake.close()
    }
  })
})

describe('revoke, in the post step', () => {
  async function introspect(token: string): Promise<boolean> {
    const response = await fetch(server.introspectionUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: 'opaque-client', client_secret: SECRET })
    })
    return ((await response.json()) as { active: boolean }).active
  }

  it('an opaque token is revoked at the discovered endpoint: introspection shows it inactive', async () => {
    const inputs = {
      'client-id': 'opaque-client',
      'client-secret': SECRET,
      issuer: server.issuer,
      revoke: 'true'
    }
    const main = await runAction(inputs)
    expect(main.code).toBe(0)
    const token = main.outputs['access-token'] ?? ''
    expect(await introspect(token)).toBe(true)
    expect(main.state.isPost).toBe('true')

    const post = await runAction(inputs, { env: postStepEnv(main.state) })
    expect(post.code).toBe(0)
    expect(post.log).toContain(
      `Revoking the access token at ${new URL(server.revocationUrl).host}/token/revocation.`
    )
    expect(post.log).toContain('Revoked the access token.')
    expect(post.outputs).toEqual({})
    expect(await introspect(token)).toBe(false)
    expectNoLeak(post, [token, SECRET])
  })

  it('a revocation that fails is a warning, never a failed job', async () => {
    // oidc-provider cannot revoke a JWT access token: its revocation endpoint answers 400.
    const inputs = {
      'client-id': 'jwt-client',
      'client-secret': SECRET,
      'token-url': server.tokenUrl,
      revoke: 'true',
      'revocation-url': server.revocationUrl
    }
    const main = await runAction(inputs)
    expect(main.code).toBe(0)
    const post = await runAction(inputs, { env: postStepEnv(main.state) })
    expect(post.code).toBe(0)
    expect(post.log).toMatch(
      /::warning::The access token was not revoked\. The revocation endpoint refused the request: HTTP 400, error 'unsupported_token_type'.*many servers cannot revoke JWT access tokens/
    )
  })

  it('without revoke, the post step does nothing', async () => {
    const inputs = {
      'client-id': 'jwt-client',
      'client-secret': SECRET,
      'token-url': server.tokenUrl
    }
    const main = await runAction(inputs)
    const post = await runAction(inputs, { env: postStepEnv(main.state) })
    expect(post.code).toBe(0)
    expect(post.stdout).toBe('')
  })
})
