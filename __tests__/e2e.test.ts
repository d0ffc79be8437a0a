// The built dist/index.js, run as a child process exactly as the runner runs it, against the real
// authorization server and the fault server.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { createHash } from 'node:crypto'
import { startAuthServer } from '../__fixtures__/auth-server.mjs'
import { sendJson, startFaultServer, STENT_TOKEN_RESPONSE } from '../__fixtures__/fault-server.js'
import { leakForms, runAction, type ActionRun } from '../__fixtures__/run-action.mjs'
import { basicAuthorization } from '../src/auth/secret.js'

const ID = 'e2e-client'
const SECRET = 'e2e secret+/=:%&~'

let server: Awaited<ReturnType<typeof startAuthServer>>
beforeAll(async () => {
  server = await startAuthServer({ clients: [{ client_id: ID, client_secret: SECRET }] })
})
afterAll(() => server.close())

/** No form of a secret is visible to a viewer, and the raw value is only ever in add-mask lines. */
function expectNoLeak(run: ActionRun, secrets: string[]) {
  for (const secret of secrets) {
    for (const form of leakForms(secret)) expect(run.log).not.toContain(form)
    const rawLines = (run.stdout + run.stderr).split('\n').filter(line => line.includes(secret))
    for (const line of rawLines) expect(line).toMatch(/^::add-mask::/)
  }
}

describe.each(['client_secret_post', 'client_secret_basic'])('%s through dist/', method => {
  let run: ActionRun
  beforeAll(async () => {
    run = await runAction(
      {
        'client-id': ID,
        'client-secret': SECRET,
        'token-url': server.tokenUrl,
        'auth-method': method,
        scope: 'api:read api:write',
        'export-variable': 'STENT_TOKEN'
      },
      { env: { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' } }
    )
  })

  it('exits 0 with every output set', async () => {
    expect(run.code).toBe(0)
    expect(Object.keys(run.outputs).sort()).toEqual([
      'access-token',
      'expires-at',
      'expires-in',
      'scope',
      'token-type'
    ])
    expect(run.outputs).toMatchObject({
      'token-type': 'Bearer',
      'expires-in': '2592000',
      scope: 'api:read api:write'
    })
    expect(run.outputs['expires-at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    await jwtVerify(run.outputs['access-token'] ?? '', createRemoteJWKSet(new URL(server.jwksUrl)))
  })

  it('exports the token to GITHUB_ENV', () => {
    expect(run.exported).toEqual({ STENT_TOKEN: run.outputs['access-token'] })
  })

  it('shows the token and the secret only in add-mask lines, even in debug mode', () => {
    const token = run.outputs['access-token'] ?? ''
    expect(run.masks).toEqual(expect.arrayContaining([SECRET, token]))
    const basic = basicAuthorization(ID, SECRET)
    expectNoLeak(run, [SECRET, token, basic, basic.slice(6)])
    expect(run.log).toContain('Got a Bearer token, valid 30 days')
  })

  it('writes a job summary with a fingerprint, never the token', () => {
    const token = run.outputs['access-token'] ?? ''
    const sha = createHash('sha256').update(token).digest('hex').slice(0, 12)
    expect(run.summary).toContain(`| Client ID | ${ID} |`)
    expect(run.summary).toContain(`| Auth method | ${method} |`)
    expect(run.summary).toContain('| Scope | api:read api:write |')
    expect(run.summary).toMatch(/\| Expires \| \d{4}-\d\d-\d\dT[\d:.]+Z \(in 30 days\) \|/)
    expect(run.summary).toContain(`| Token fingerprint | sha256:${sha} |`)
    expect(run.summary).toContain('| Detail | Value |')
    expect(run.summary).toContain('| Token type | Bearer |')
    expect(run.summary).toContain('| Attempts | 1 |')
    expect(run.summary).toContain(
      '| Fingerprint of $TOKEN | printf %s "$TOKEN" &#124; sha256sum &#124; cut -c1-12 |'
    )
    for (const form of leakForms(token)) expect(run.summary).not.toContain(form)
  })

  it('prints no stack trace and nothing on stderr', () => {
    expect(run.stderr).toBe('')
  })
})

describe('a non-ASCII secret (oidc-provider only registers printable ASCII ones)', () => {
  it.each(['client_secret_post', 'client_secret_basic'])(
    '%s: a standard form / Basic decoder reads back exactly the secret',
    async method => {
      const secret = 'é ü+/=:%&ß'
      const fault = await startFaultServer((req, res) => {
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1]
        const [id, got] = basic
          ? Buffer.from(basic, 'base64')
              .toString('utf8')
              .split(':')
              .map(part => decodeURIComponent(part.replaceAll('+', ' ')))
          : [undefined, undefined]
        const form = new URLSearchParams(fault.requests.at(-1)?.body)
        const matches = basic
          ? id === ID && got === secret
          : form.get('client_id') === ID && form.get('client_secret') === secret
        if (matches) sendJson(res, 200, STENT_TOKEN_RESPONSE)
        else sendJson(res, 401, { error: 'invalid_client' })
      })
      try {
        const run = await runAction({
          'client-id': ID,
          'client-secret': secret,
          'token-url': fault.tokenUrl,
          'auth-method': method
        })
        expect(run.code).toBe(0)
        expect(run.outputs['access-token']).toBe(STENT_TOKEN_RESPONSE.access_token)
        expectNoLeak(run, [secret])
      } finally {
        await fault.close()
      }
    }
  )
})

describe('failures through dist/', () => {
  it('a wrong secret: exit 1, one request, a clear message, no outputs', async () => {
    const before = server.calls.length
    const run = await runAction({
      'client-id': ID,
      'client-secret': 'wrong secret',
      'token-url': server.tokenUrl
    })
    expect(run.code).toBe(1)
    expect(server.calls.length - before).toBe(1)
    expect(run.log).toMatch(
      /^::error::The token endpoint refused the request: HTTP 401, error 'invalid_client'/m
    )
    expect(run.outputs).toEqual({})
    expect(run.exported).toEqual({})
    expectNoLeak(run, ['wrong secret'])
  })

  it('summary: false writes no job summary', async () => {
    const run = await runAction({
      'client-id': ID,
      'client-secret': SECRET,
      'token-url': server.tokenUrl,
      summary: 'false'
    })
    expect(run.code).toBe(0)
    expect(run.summary).toBe('')
  })

  it('a bad input: exit 1 before any request, naming the input', async () => {
    const before = server.calls.length
    const run = await runAction({
      'client-id': ID,
      'client-secret': SECRET,
      'token-url': server.tokenUrl,
      'auth-method': 'private_key'
    })
    expect(run.code).toBe(1)
    expect(server.calls.length).toBe(before)
    expect(run.log).toContain("::error::Input 'auth-method' has an unsupported value 'private_key'")
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
  })

  it('a typo in a value (auth-method: private-key-jwt): exit 1 before any request, suggesting the value', async () => {
    const before = server.calls.length
    const run = await runAction({
      'client-id': ID,
      'client-secret': SECRET,
      'token-url': server.tokenUrl,
      'auth-method': 'private-key-jwt'
    })
    expect(run.code).toBe(1)
    expect(server.calls.length).toBe(before)
    expect(run.log).toContain(
      "::error::Input 'auth-method' has an unsupported value 'private-key-jwt'. Did you mean 'private_key_jwt'?"
    )
  })

  it('an unknown input (client_secret for client-secret): exit 1 before any request, no outputs', async () => {
    const before = server.calls.length
    const run = await runAction(
      { 'client-id': ID, 'token-url': server.tokenUrl },
      { env: { INPUT_CLIENT_SECRET: SECRET } }
    )
    expect(run.code).toBe(1)
    expect(server.calls.length).toBe(before)
    expect(run.log).toContain(
      "::error::Unknown input 'client_secret'. Did you mean 'client-secret'?"
    )
    expect(run.outputs).toEqual({})
    expect(run.exported).toEqual({})
    expectNoLeak(run, [SECRET])
  })

  it('an error_description echoing the secret and the body: masked, and redacted too', async () => {
    const secret = 'echo me+/=é'
    const fault = await startFaultServer((_req, res) => {
      sendJson(res, 400, {
        error: 'invalid_request',
        error_description: `got ${secret} in ${new URLSearchParams({ client_secret: secret })}`
      })
    })
    try {
      const run = await runAction(
        { 'client-id': ID, 'client-secret': secret, 'token-url': fault.tokenUrl },
        { env: { RUNNER_DEBUG: '1' } }
      )
      expect(run.code).toBe(1)
      expect(run.stdout).toContain("error 'invalid_request': got *** in client_secret=***")
      expectNoLeak(run, [secret])
    } finally {
      await fault.close()
    }
  })
})
