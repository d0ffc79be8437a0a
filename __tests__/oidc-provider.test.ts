// The token flow against a real authorization server (oidc-provider) on loopback, through the real
// transport: only @actions/core is replaced, by a recorder.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { DEMO_RESOURCE, startAuthServer } from '../__fixtures__/auth-server.mjs'
import { fakeCore } from '../__fixtures__/core.js'
import { defaultDeps } from '../src/entry/deps.js'
import { run } from '../src/entry/main.js'

const SECRET = 'a+b/c=d:e%f&g h'
const clients = [
  {
    client_id: 'post-client',
    client_secret: SECRET,
    token_endpoint_auth_method: 'client_secret_post'
  },
  {
    client_id: 'basic client:1',
    client_secret: SECRET,
    token_endpoint_auth_method: 'client_secret_basic'
  }
] as const

let server: Awaited<ReturnType<typeof startAuthServer>>
beforeAll(async () => {
  server = await startAuthServer({ clients: [...clients] })
})
afterAll(() => server.close())

async function getToken(inputs: Record<string, string>) {
  const { core, record } = fakeCore({
    'token-url': server.tokenUrl,
    'response-type': 'token',
    ...inputs
  })
  const before = server.calls.length
  await run({ ...defaultDeps, core })
  return { record, calls: server.calls.slice(before) }
}

describe.each([
  ['client_secret_post', 'post-client'],
  ['client_secret_basic', 'basic client:1']
])('%s with a secret full of special characters', (method, clientId) => {
  it('gets a JWT that verifies against the server JWKS', async () => {
    const { record, calls } = await getToken({
      'client-id': clientId,
      'client-secret': SECRET,
      'auth-method': method,
      scope: 'api:read'
    })
    expect(record.failed).toBeUndefined()
    expect(calls).toHaveLength(1)
    const token = record.outputs['access-token'] ?? ''
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(server.jwksUrl)),
      { issuer: server.issuer, audience: DEMO_RESOURCE }
    )
    expect(protectedHeader.typ).toBe('at+jwt')
    expect(payload.client_id).toBe(clientId)
    expect(payload.scope).toBe('api:read')
    expect(payload.exp! - payload.iat!).toBe(2592000)
    expect(record.outputs).toMatchObject({
      'token-type': 'Bearer',
      'expires-in': '2592000',
      scope: 'api:read'
    })
    expect(Date.parse(record.outputs['expires-at'] ?? '') / 1000).toBeCloseTo(payload.exp!, -1)
    expect(record.secrets).toEqual(expect.arrayContaining([SECRET, token]))
  })

  it('sends response_type=token, and the secret only where the method says', async () => {
    const { calls } = await getToken({
      'client-id': clientId,
      'client-secret': SECRET,
      'auth-method': method
    })
    const [call] = calls
    expect(call?.body).toMatchObject({ grant_type: 'client_credentials', response_type: 'token' })
    if (method === 'client_secret_basic') {
      expect(call?.authorization).toMatch(/^Basic /)
      expect(call?.body).not.toHaveProperty('client_secret')
    } else {
      expect(call?.authorization).toBeUndefined()
      expect(call?.body).toMatchObject({ client_id: clientId, client_secret: SECRET })
    }
  })

  it('a wrong secret fails at once, after exactly one request', async () => {
    const { record, calls } = await getToken({
      'client-id': clientId,
      'client-secret': `${SECRET}x`,
      'auth-method': method
    })
    expect(calls).toHaveLength(1)
    expect(calls[0]?.error).toBe('invalid_client')
    expect(record.failed).toMatch(
      /^The token endpoint refused the request: HTTP 401, error 'invalid_client'.*Hint: the server did not accept the client credentials/
    )
    expect(record.outputs).toEqual({})
  })
})

describe('a scope the server refuses', () => {
  it('fails with invalid_scope and the scope hint', async () => {
    const { record } = await getToken({
      'client-id': 'post-client',
      'client-secret': SECRET,
      scope: 'openid'
    })
    expect(record.failed).toMatch(/HTTP 400, error 'invalid_scope'.*Hint: check the scope input/)
  })
})
