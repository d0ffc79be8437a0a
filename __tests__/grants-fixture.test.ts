// The auth-server fixture's RFC 8693 token exchange and RFC 7523 JWT-bearer grants (grants.mjs),
// exercised with plain fetch and the emulated GitHub token service: what the action's tests rely on.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import {
  SignJWT,
  createLocalJWKSet,
  decodeJwt,
  exportJWK,
  jwtVerify,
  type JSONWebKeySet
} from 'jose'
import { generateKeyPairSync } from 'node:crypto'
import {
  DEMO_CLIENT,
  DEMO_RESOURCE,
  DEMO_SCOPES,
  startAuthServer
} from '../__fixtures__/auth-server.mjs'
import { GITHUB_ISSUER, GITHUB_SUBJECT, startGitHubOidc } from '../__fixtures__/github-oidc.js'
import {
  ANONYMOUS_CLIENT,
  JWT_BEARER,
  POLICY_MISMATCH,
  TOKEN_EXCHANGE,
  TOKEN_TYPES
} from '../__fixtures__/grants.mjs'

const AUDIENCE = 'https://sts.stent.example'
const OTHER_RESOURCE = 'https://api.stent.example/rest'
const PUBLIC_CLIENT = { client_id: 'public-client', token_endpoint_auth_method: 'none' as const }

type Server = Awaited<ReturnType<typeof startAuthServer>>
type Body = Record<string, unknown> & {
  access_token?: string
  error?: string
  error_description?: string
}

let github: Awaited<ReturnType<typeof startGitHubOidc>>
let server: Server
let strict: Server
/** A key and issuer of our own, for tokens the GitHub fixture will not mint (expired ones). */
const own = generateKeyPairSync('rsa', { modulusLength: 2048 })
let ownServer: Server

/** An ID token from the emulated runner service, as the action would request it. */
const idToken = async (audience = AUDIENCE) => {
  const response = await fetch(
    `${github.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(audience)}`,
    { headers: { authorization: `Bearer ${github.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } }
  )
  return ((await response.json()) as { value: string }).value
}

const post = async (url: string, fields: Array<[string, string]>, headers = {}) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString()
  })
  return { status: response.status, body: (await response.json()) as Body }
}

const exchange = async (subject: string, extra: Array<[string, string]> = [], to = server) =>
  post(to.tokenUrl, [
    ['grant_type', TOKEN_EXCHANGE],
    ['subject_token', subject],
    ['subject_token_type', TOKEN_TYPES.jwt],
    ['client_id', PUBLIC_CLIENT.client_id],
    ...extra
  ])

const verified = async (to: Server, token: string) =>
  (
    await jwtVerify(
      token,
      createLocalJWKSet((await (await fetch(to.jwksUrl)).json()) as JSONWebKeySet),
      {
        issuer: to.issuer
      }
    )
  ).payload

const spies: Array<ReturnType<typeof jest.spyOn>> = []
beforeAll(async () => {
  for (const method of ['warn', 'info', 'log', 'error'] as const) {
    spies.push(jest.spyOn(console, method).mockImplementation(() => {}))
  }
  github = await startGitHubOidc()
  const policy = { jwks: github.jwks, issuer: GITHUB_ISSUER, audience: AUDIENCE }
  const clients = [DEMO_CLIENT, PUBLIC_CLIENT]
  server = await startAuthServer({
    clients,
    grants: { ...policy, repository: 'acme/deploy', resources: [OTHER_RESOURCE], idTokens: true }
  })
  strict = await startAuthServer({
    clients,
    grants: { ...policy, repository: 'acme/other', subjectTokenError: 'invalid_request' }
  })
  ownServer = await startAuthServer({
    clients,
    grants: {
      jwks: { keys: [{ ...(await exportJWK(own.publicKey)), kid: 'own', alg: 'RS256' }] },
      issuer: GITHUB_ISSUER,
      audience: AUDIENCE,
      repository: 'acme/deploy'
    }
  })
})
afterAll(async () => {
  await Promise.all([server.close(), strict.close(), ownServer.close(), github.close()])
  const lines = spies.map(spy => spy.mock.calls)
  spies.splice(0).forEach(spy => spy.mockRestore())
  // The fixture stays quiet with the grants too.
  expect(lines).toEqual([[], [], [], []])
})

describe('token exchange (RFC 8693)', () => {
  it('exchanges the GitHub ID token for a JWT access token whose sub is the job', async () => {
    const { status, body } = await exchange(await idToken(), [['scope', 'api:read']])
    expect(status).toBe(200)
    expect(body).toMatchObject({
      issued_token_type: TOKEN_TYPES.accessToken,
      token_type: 'Bearer',
      scope: 'api:read',
      expires_in: expect.any(Number)
    })
    const claims = await verified(server, body.access_token ?? '')
    expect(claims).toMatchObject({
      sub: GITHUB_SUBJECT,
      aud: DEMO_RESOURCE,
      scope: 'api:read',
      client_id: PUBLIC_CLIENT.client_id
    })
    const call = server.calls.at(-1)
    expect(call?.body).toMatchObject({ grant_type: TOKEN_EXCHANGE, scope: 'api:read' })
    expect(call?.error).toBeUndefined()
  })

  it('works for a client authenticated with client_secret_post (and id_token as type)', async () => {
    const { status, body } = await post(server.tokenUrl, [
      ['grant_type', TOKEN_EXCHANGE],
      ['subject_token', await idToken()],
      ['subject_token_type', TOKEN_TYPES.idToken],
      ['client_id', DEMO_CLIENT.client_id],
      ['client_secret', DEMO_CLIENT.client_secret]
    ])
    expect(status).toBe(200)
    expect(decodeJwt(body.access_token ?? '')).toMatchObject({
      sub: GITHUB_SUBJECT,
      client_id: DEMO_CLIENT.client_id
    })
    const wrong = await post(server.tokenUrl, [
      ['grant_type', TOKEN_EXCHANGE],
      ['subject_token', await idToken()],
      ['subject_token_type', TOKEN_TYPES.jwt],
      ['client_id', DEMO_CLIENT.client_id],
      ['client_secret', 'not the secret']
    ])
    expect(wrong).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
  })

  it('serves a request with no client authentication at all as the built-in public client', async () => {
    const subject = await idToken()
    const { status, body } = await post(server.tokenUrl, [
      ['grant_type', TOKEN_EXCHANGE],
      ['subject_token', subject],
      ['subject_token_type', TOKEN_TYPES.jwt]
    ])
    expect(status).toBe(200)
    expect(decodeJwt(body.access_token ?? '')).toMatchObject({
      sub: GITHUB_SUBJECT,
      client_id: ANONYMOUS_CLIENT.client_id
    })
    // The call log shows the form as sent: no client_id.
    expect(server.calls.at(-1)?.body).toEqual({
      grant_type: TOKEN_EXCHANGE,
      subject_token: subject,
      subject_token_type: TOKEN_TYPES.jwt
    })
  })

  it('accepts resource twice, and refuses a resource or audience it does not know', async () => {
    const twice = await exchange(await idToken(), [
      ['resource', DEMO_RESOURCE],
      ['resource', OTHER_RESOURCE]
    ])
    expect(twice.status).toBe(200)
    expect(server.calls.at(-1)?.body.resource).toEqual([DEMO_RESOURCE, OTHER_RESOURCE])
    expect(await exchange(await idToken(), [['resource', 'https://elsewhere.example']])).toEqual({
      status: 400,
      body: {
        error: 'invalid_target',
        error_description: 'resource https://elsewhere.example is not known to this server'
      }
    })
    expect(await exchange(await idToken(), [['audience', 'elsewhere']])).toEqual({
      status: 400,
      body: {
        error: 'invalid_target',
        error_description: 'audience elsewhere is not known to this server'
      }
    })
    expect(server.calls.at(-1)?.error).toBe('invalid_target')
  })

  it('answers a subject token for another audience with invalid_grant', async () => {
    expect(await exchange(await idToken('https://someone-else.example'))).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'subject_token audience is not accepted' }
    })
    expect(server.calls.at(-1)?.error).toBe('invalid_grant')
  })

  it('answers a repository the policy does not trust with invalid_grant, or invalid_request', async () => {
    const subject = await idToken()
    expect(await exchange(subject, [], strict)).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: POLICY_MISMATCH }
    })
    expect(POLICY_MISMATCH).toBe('subject token does not match the trust policy')
    const other = await startAuthServer({
      clients: [PUBLIC_CLIENT],
      grants: { jwks: github.jwks, issuer: GITHUB_ISSUER, audience: AUDIENCE, repository: 'x/y' }
    })
    try {
      expect(await exchange(subject, [], other)).toEqual({
        status: 400,
        body: { error: 'invalid_grant', error_description: POLICY_MISMATCH }
      })
    } finally {
      await other.close()
    }
  })

  it('refuses expired, foreign-signed, malformed and missing subject tokens', async () => {
    const now = Math.floor(Date.now() / 1000)
    const mint = (exp: number) =>
      new SignJWT({ repository: 'acme/deploy' })
        .setProtectedHeader({ alg: 'RS256', kid: 'own' })
        .setIssuer(GITHUB_ISSUER)
        .setSubject(GITHUB_SUBJECT)
        .setAudience(AUDIENCE)
        .setIssuedAt(now - 900)
        .setExpirationTime(exp)
        .sign(own.privateKey)
    expect((await exchange(await mint(now + 300), [], ownServer)).status).toBe(200)
    expect(await exchange(await mint(now - 600), [], ownServer)).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'subject_token is expired' }
    })
    // Signed by a key the GitHub policy does not hold.
    expect(await exchange(await mint(now + 300))).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'subject_token signature is not valid' }
    })
    expect(await exchange('not-a-jwt')).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'subject_token is not a valid JWT' }
    })
    const missing = await post(server.tokenUrl, [
      ['grant_type', TOKEN_EXCHANGE],
      ['subject_token_type', TOKEN_TYPES.jwt],
      ['client_id', PUBLIC_CLIENT.client_id]
    ])
    expect(missing).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'missing required parameter(s) (subject_token)'
      }
    })
  })

  it('refuses an unsupported subject_token_type or requested_token_type with invalid_request', async () => {
    const subject = await idToken()
    const saml = await post(server.tokenUrl, [
      ['grant_type', TOKEN_EXCHANGE],
      ['subject_token', subject],
      ['subject_token_type', 'urn:ietf:params:oauth:token-type:saml2'],
      ['client_id', PUBLIC_CLIENT.client_id]
    ])
    expect(saml).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description:
          'subject_token_type urn:ietf:params:oauth:token-type:saml2 is not supported'
      }
    })
    // Without `idTokens`, the server issues access tokens only.
    expect(
      await exchange(subject, [['requested_token_type', TOKEN_TYPES.idToken]], ownServer)
    ).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: `requested_token_type ${TOKEN_TYPES.idToken} is not supported`
      }
    })
  })

  it('answers requested_token_type id_token with token_type N_A and a signed ID token', async () => {
    const { status, body } = await exchange(await idToken(), [
      ['requested_token_type', TOKEN_TYPES.idToken]
    ])
    expect(status).toBe(200)
    expect(body).toMatchObject({
      issued_token_type: TOKEN_TYPES.idToken,
      token_type: 'N_A',
      expires_in: 300
    })
    expect(await verified(server, body.access_token ?? '')).toMatchObject({
      sub: GITHUB_SUBJECT,
      aud: PUBLIC_CLIENT.client_id,
      repository: 'acme/deploy'
    })
  })

  it('verifies an actor token and wants its type', async () => {
    const subject = await idToken()
    expect(
      (
        await exchange(subject, [
          ['actor_token', await idToken()],
          ['actor_token_type', TOKEN_TYPES.jwt]
        ])
      ).status
    ).toBe(200)
    expect(await exchange(subject, [['actor_token', await idToken()]])).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'actor_token_type is required with actor_token'
      }
    })
    expect(
      await exchange(subject, [
        ['actor_token', 'not-a-jwt'],
        ['actor_token_type', TOKEN_TYPES.jwt]
      ])
    ).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'actor_token is not a valid JWT' }
    })
  })
})

describe('JWT bearer (RFC 7523 §2.1)', () => {
  const bearer = async (assertion: string, extra: Array<[string, string]> = []) =>
    post(server.tokenUrl, [
      ['grant_type', JWT_BEARER],
      ['assertion', assertion],
      ['client_id', PUBLIC_CLIENT.client_id],
      ...extra
    ])

  it('issues a JWT access token for the GitHub ID token as the assertion', async () => {
    const { status, body } = await bearer(await idToken(), [['scope', DEMO_SCOPES]])
    expect(status).toBe(200)
    expect(body).toMatchObject({ token_type: 'Bearer', scope: DEMO_SCOPES })
    expect(body.issued_token_type).toBeUndefined()
    expect(await verified(server, body.access_token ?? '')).toMatchObject({
      sub: GITHUB_SUBJECT,
      aud: DEMO_RESOURCE
    })
    expect(server.calls.at(-1)?.body).toMatchObject({ grant_type: JWT_BEARER })
  })

  it('works with client_secret_post and with no client at all', async () => {
    const withSecret = await post(server.tokenUrl, [
      ['grant_type', JWT_BEARER],
      ['assertion', await idToken()],
      ['client_id', DEMO_CLIENT.client_id],
      ['client_secret', DEMO_CLIENT.client_secret]
    ])
    expect(withSecret.status).toBe(200)
    const anonymous = await post(server.tokenUrl, [
      ['grant_type', JWT_BEARER],
      ['assertion', await idToken()]
    ])
    expect(anonymous.status).toBe(200)
    expect(decodeJwt(anonymous.body.access_token ?? '').client_id).toBe(ANONYMOUS_CLIENT.client_id)
  })

  it('answers a bad assertion with invalid_grant, and an unknown resource with invalid_target', async () => {
    expect(await bearer(await idToken('https://someone-else.example'))).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'assertion audience is not accepted' }
    })
    expect(await bearer(await idToken(), [['resource', 'https://elsewhere.example']])).toEqual({
      status: 400,
      body: {
        error: 'invalid_target',
        error_description: 'resource https://elsewhere.example is not known to this server'
      }
    })
    expect(await bearer(await idToken(), [['scope', 'admin']])).toMatchObject({
      status: 400,
      body: { error: 'invalid_scope' }
    })
  })
})

describe('without the grants option', () => {
  it('refuses the grants, and oidc-provider refuses a request with no client_id', async () => {
    const plain = await startAuthServer({ clients: [DEMO_CLIENT, PUBLIC_CLIENT] })
    try {
      const fields: Array<[string, string]> = [
        ['grant_type', TOKEN_EXCHANGE],
        ['subject_token', await idToken()],
        ['subject_token_type', TOKEN_TYPES.jwt]
      ]
      expect(await post(plain.tokenUrl, fields)).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'no client authentication mechanism provided'
        }
      })
      expect(
        await post(plain.tokenUrl, [...fields, ['client_id', PUBLIC_CLIENT.client_id]])
      ).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } })
    } finally {
      await plain.close()
    }
  })
})
