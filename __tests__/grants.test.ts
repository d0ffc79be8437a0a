// Issue 12, secretless everywhere: RFC 8693 token exchange and the RFC 7523 JWT-bearer grant with
// the job's GitHub OIDC token, through the built dist/ as the runner runs it, against oidc-provider
// with grant handlers that check the subject token against the emulated runner token service's
// keys and a repository policy.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { decodeJwt } from 'jose'
import { DEMO_CLIENT, startAuthServer } from '../__fixtures__/auth-server.mjs'
import { sendJson, startFaultServer } from '../__fixtures__/fault-server.js'
import { GITHUB_SUBJECT, startGitHubOidc } from '../__fixtures__/github-oidc.js'
import { ANONYMOUS_CLIENT, JWT_BEARER, TOKEN_EXCHANGE } from '../__fixtures__/grants.mjs'
import { leakForms, runAction, type ActionRun } from '../__fixtures__/run-action.mjs'

const AUDIENCE = 'https://sts.stent.example'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token'
const PUBLIC_CLIENT = { client_id: 'public-client', token_endpoint_auth_method: 'none' as const }

let github: Awaited<ReturnType<typeof startGitHubOidc>>
let server: Awaited<ReturnType<typeof startAuthServer>>
let strict: Awaited<ReturnType<typeof startAuthServer>>
beforeAll(async () => {
  github = await startGitHubOidc()
  const policy = {
    jwks: github.jwks,
    issuer: 'https://token.actions.githubusercontent.com',
    audience: AUDIENCE
  }
  server = await startAuthServer({
    clients: [DEMO_CLIENT, PUBLIC_CLIENT],
    grants: { ...policy, repository: 'acme/deploy', idTokens: true }
  })
  strict = await startAuthServer({
    clients: [DEMO_CLIENT, PUBLIC_CLIENT],
    grants: { ...policy, repository: 'acme/other' }
  })
})
afterAll(async () => {
  await Promise.all([server.close(), strict.close(), github.close()])
})

/** No form of any of these is visible to a viewer of the run. */
function expectNoLeak(run: ActionRun, values: string[]) {
  for (const value of values.filter(Boolean)) {
    for (const form of leakForms(value)) expect(run.log).not.toContain(form)
  }
}

const exchange = (inputs: Record<string, string> = {}, to = server) =>
  runAction(
    {
      'token-url': to.tokenUrl,
      'grant-type': 'token-exchange',
      'oidc-audience': AUDIENCE,
      ...inputs
    },
    { env: { ...github.env, RUNNER_DEBUG: '1' } }
  )

describe('token exchange (RFC 8693) with the job GitHub OIDC token', () => {
  it('a public client with no client-id: the job token as subject_token, an access token back', async () => {
    const before = { calls: server.calls.length, issued: github.issued.length }
    const run = await exchange({ scope: 'api:read' })
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    const issued = github.issued.slice(before.issued)
    expect(issued.map(i => i.audience)).toEqual([AUDIENCE])
    const [call] = server.calls.slice(before.calls)
    expect(call?.body).toMatchObject({
      grant_type: TOKEN_EXCHANGE,
      subject_token: issued[0]?.token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      scope: 'api:read'
    })
    expect(call?.body).not.toHaveProperty('client_id')
    expect(call?.body).not.toHaveProperty('response_type')
    expect(call?.authorization).toBeUndefined()
    expect(run.outputs).toMatchObject({
      'token-type': 'Bearer',
      'issued-token-type': ACCESS_TOKEN_TYPE,
      scope: 'api:read'
    })
    const token = run.outputs['access-token'] ?? ''
    expect(decodeJwt(token)).toMatchObject({
      sub: GITHUB_SUBJECT,
      client_id: ANONYMOUS_CLIENT.client_id
    })
    expect(run.log).toContain('(token-exchange, none)')
    expect(run.summary).toContain('| Grant | token-exchange |')
    expectNoLeak(run, [issued[0]?.token ?? '', token, github.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN])
  })

  it('a public client with its client-id, and a client authenticated with client_secret_post', async () => {
    const publicRun = await exchange({ 'client-id': PUBLIC_CLIENT.client_id })
    expect(publicRun.code).toBe(0)
    expect(decodeJwt(publicRun.outputs['access-token'] ?? '').client_id).toBe('public-client')

    const before = server.calls.length
    const confidential = await exchange({
      'client-id': DEMO_CLIENT.client_id,
      'client-secret': DEMO_CLIENT.client_secret
    })
    expect(confidential.log).not.toMatch(/::error::/)
    expect(confidential.code).toBe(0)
    expect(server.calls.slice(before)[0]?.body).toMatchObject({
      client_id: DEMO_CLIENT.client_id,
      client_secret: DEMO_CLIENT.client_secret
    })
    expect(confidential.log).toContain('(token-exchange, client_secret_post)')
    expectNoLeak(confidential, [
      DEMO_CLIENT.client_secret,
      confidential.outputs['access-token'] ?? ''
    ])
  })

  it('N_A for an issued ID token: said in the log, not failed', async () => {
    const run = await exchange({ 'requested-token-type': ID_TOKEN_TYPE })
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ 'token-type': 'N_A', 'issued-token-type': ID_TOKEN_TYPE })
    expect(run.log).toContain(
      `Got a token of type ${ID_TOKEN_TYPE} (token_type N_A: not an access token, so not for an Authorization header)`
    )
  })

  it('a wrong audience: refused, and the message names the claims policies match on', async () => {
    const run = await exchange({ 'oidc-audience': 'https://elsewhere.example' })
    expect(run.code).toBe(1)
    expect(run.log).toMatch(
      /^::error::The token endpoint refused the request: HTTP 400, error 'invalid_grant': subject_token audience is not accepted\. Hint: .*oidc-audience.* The job's GitHub ID token has sub 'repo:acme\/deploy:ref:refs\/heads\/main', repository 'acme\/deploy', ref 'refs\/heads\/main', environment '\(none\)', job_workflow_ref '\(none\)'/m
    )
    expect(run.outputs).toEqual({})
  })

  it('a trust policy the job does not match: the claims in the message, never the token', async () => {
    const before = github.issued.length
    const run = await exchange({}, strict)
    expect(run.code).toBe(1)
    expect(run.log).toMatch(
      /error 'invalid_grant': subject token does not match the trust policy\..*repository 'acme\/deploy'/
    )
    expectNoLeak(run, [github.issued[before]?.token ?? ''])
  })

  it('a subject token and an actor token from the inputs: both sent, both masked', async () => {
    // Tokens a previous step got; the server checks them like the job's own.
    const subject = await idToken()
    const actor = await idToken()
    const before = server.calls.length
    const run = await exchange({
      'subject-token-source': 'input',
      'subject-token': subject,
      'actor-token': actor,
      'requested-token-type': ACCESS_TOKEN_TYPE
    })
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(server.calls.slice(before)[0]?.body).toMatchObject({
      subject_token: subject,
      actor_token: actor,
      actor_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      requested_token_type: ACCESS_TOKEN_TYPE
    })
    expect(run.masks).toEqual(expect.arrayContaining([subject, actor]))
    expectNoLeak(run, [subject, actor, run.outputs['access-token'] ?? ''])
  })

  it('without id-token: write, the same exact fix as github_oidc, and no request', async () => {
    const before = server.calls.length
    const run = await runAction({ 'token-url': server.tokenUrl, 'grant-type': 'token-exchange' })
    expect(run.code).toBe(1)
    expect(run.log).toMatch(
      /^::error::grant-type token-exchange \(subject-token-source github_oidc\) needs the job to be allowed to request an OIDC token: add `permissions: id-token: write`/m
    )
    expect(server.calls.length).toBe(before)
  })
})

describe('retries and the deadline hold for the exchange', () => {
  it('503 then a token: two exchanges, each with a fresh job token', async () => {
    const subjects: string[] = []
    const flaky = await startFaultServer((_req, res, i, seen) => {
      subjects.push(new URLSearchParams(seen.body).get('subject_token') ?? '')
      if (i === 0) return sendJson(res, 503, {})
      sendJson(res, 200, {
        access_token: 'exchanged.access.token',
        token_type: 'Bearer',
        issued_token_type: ACCESS_TOKEN_TYPE,
        expires_in: 600
      })
    })
    try {
      const run = await exchange({ 'max-attempts': '2' }, {
        tokenUrl: flaky.tokenUrl
      } as typeof server)
      expect(run.code).toBe(0)
      expect(subjects).toHaveLength(2)
      expect(new Set(subjects).size).toBe(2)
      expectNoLeak(run, [...subjects, 'exchanged.access.token'])
    } finally {
      await flaky.close()
    }
  })

  it('a token service that never answers: each attempt ends at timeout-seconds', async () => {
    const silent = await startFaultServer(() => {})
    try {
      const run = await exchange({ 'timeout-seconds': '1', 'max-attempts': '2' }, {
        tokenUrl: silent.tokenUrl
      } as typeof server)
      expect(run.code).toBe(1)
      expect(silent.requests).toHaveLength(2)
      expect(run.elapsedMs).toBeLessThan(2 * 1000 + 1000 + 3000)
      expect(run.log).toMatch(
        /^::error::Gave up after 2 attempts\. Could not get a response from 127\.0\.0\.1:\d+: no complete response within 1 s/m
      )
    } finally {
      await silent.close()
    }
  })
})

describe('JWT bearer (RFC 7523 §2.1) with the job GitHub OIDC token', () => {
  it('the job token as the assertion, from a public client', async () => {
    const before = server.calls.length
    const run = await runAction(
      {
        'token-url': server.tokenUrl,
        'grant-type': JWT_BEARER,
        'client-id': PUBLIC_CLIENT.client_id,
        'oidc-audience': AUDIENCE,
        scope: 'api:write'
      },
      { env: github.env }
    )
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(server.calls.slice(before)[0]?.body).toMatchObject({
      grant_type: JWT_BEARER,
      client_id: PUBLIC_CLIENT.client_id,
      scope: 'api:write'
    })
    expect(run.outputs['token-type']).toBe('Bearer')
    expect(decodeJwt(run.outputs['access-token'] ?? '').sub).toBe(GITHUB_SUBJECT)
  })

  it('refused by the trust policy: invalid_grant with the claims', async () => {
    const run = await runAction(
      { 'token-url': strict.tokenUrl, 'grant-type': 'jwt-bearer', 'oidc-audience': AUDIENCE },
      { env: github.env }
    )
    expect(run.code).toBe(1)
    expect(run.log).toMatch(/error 'invalid_grant'.*The job's GitHub ID token has sub /)
  })
})

/** An ID token from the emulated runner service, as a previous step might hold one. */
async function idToken(): Promise<string> {
  const response = await fetch(
    `${github.env.ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${encodeURIComponent(AUDIENCE)}`,
    { headers: { authorization: `Bearer ${github.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` } }
  )
  return ((await response.json()) as { value: string }).value
}
