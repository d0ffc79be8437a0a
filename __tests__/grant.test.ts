// The grants of issue 12 as units: reading them, the client authentication they default to, the
// form each attempt sends, the response they accept, and the claims a refusal names.
import { describe, expect, it } from '@jest/globals'
import { fakeCore } from '../__fixtures__/core.js'
import { authenticate } from '../src/auth/index.js'
import { ActionError } from '../src/base/errors.js'
import { GRANT_TYPES, grantFields } from '../src/grants/index.js'
import { githubIdTokenRequest, policyClaims } from '../src/oauth/github-id-token.js'
import { readSettings } from '../src/config/inputs.js'
import type { Settings } from '../src/config/settings.js'
import type { Deps } from '../src/entry/deps.js'
import { run } from '../src/entry/main.js'
import { buildTokenRequest } from '../src/oauth/token-request.js'
import { tokenParameters } from '../src/steps/attempt.js'
import { parseTokenResponse } from '../src/oauth/token-response.js'
import type { Outcome } from '../src/http/types.js'

const TOKEN_URL = new URL('https://sts.example.com/token')
const read = (inputs: Record<string, string>) => readSettings(name => inputs[name] ?? '')
const failure = (inputs: Record<string, string>) => {
  try {
    read(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return (error as Error).message
  }
  throw new Error('expected a failure')
}

/** The form one attempt sends, with a subject token from the inputs. */
async function form(settings: Settings): Promise<Array<[string, string]>> {
  const context = {
    clientId: settings.clientId,
    tokenUrl: TOKEN_URL,
    timeoutMs: 1000,
    deadline: Infinity,
    deps: { now: Date.now } as Deps
  }
  const request = buildTokenRequest(
    TOKEN_URL,
    await authenticate(settings.auth, context),
    (await grantFields(settings.grant, context)).form,
    tokenParameters(settings)
  )
  expect(request.headers.authorization).toBeUndefined()
  return [...new URLSearchParams(request.body)]
}

const SUBJECT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvZGVwbG95In0.c2ln'

describe('grant-type', () => {
  it.each([
    ['client_credentials', 'client_credentials'],
    ['token-exchange', 'token-exchange'],
    [GRANT_TYPES['token-exchange'], 'token-exchange'],
    ['jwt-bearer', 'jwt-bearer'],
    [GRANT_TYPES['jwt-bearer'], 'jwt-bearer']
  ])('%s is read as %s', (value, type) => {
    expect(read({ 'client-id': 'c', 'client-secret': 's', 'grant-type': value }).grant.type).toBe(
      type
    )
  })

  it('anything else lists the accepted values', () => {
    expect(failure({ 'client-id': 'c', 'grant-type': 'password' })).toBe(
      "Input 'grant-type' has an unsupported value 'password'. Accepted values: client_credentials, token-exchange, jwt-bearer (or their URNs)."
    )
  })

  it('client-id is required for client_credentials only', () => {
    expect(failure({ 'client-secret': 's' })).toMatch(/^Input 'client-id' is required/)
    expect(read({ 'grant-type': 'token-exchange' }).clientId).toBe('')
  })
})

describe('client authentication is independent of the grant', () => {
  it.each([
    [{ 'grant-type': 'token-exchange' }, 'none'],
    [{ 'grant-type': 'jwt-bearer', 'client-id': 'c' }, 'none'],
    [
      { 'grant-type': 'token-exchange', 'client-id': 'c', 'client-secret': 's' },
      'client_secret_post'
    ],
    [
      {
        'grant-type': 'token-exchange',
        'auth-method': 'client_secret_basic',
        'client-secret': 's',
        'client-id': 'c'
      },
      'client_secret_basic'
    ],
    [{ 'client-id': 'c', 'client-secret': 's' }, 'client_secret_post'],
    [{ 'grant-type': 'jwt-bearer', 'auth-method': 'none' }, 'none']
  ])('%j authenticates with %s', (inputs, method) => {
    expect(read(inputs).auth.method).toBe(method)
  })
})

describe('the client id and method must fit the grant', () => {
  it('a method that names the client needs client-id, with any grant', () => {
    expect(failure({ 'grant-type': 'token-exchange', 'client-secret': 's' })).toMatch(
      /^Input 'client-id' is required with auth-method client_secret_post/
    )
  })

  it('a key or certificate without auth-method is named, not silently left out', () => {
    expect(
      failure({ 'grant-type': 'token-exchange', 'client-id': 'c', 'client-certificate': 'pem' })
    ).toBe(
      "Input 'client-certificate' is set, but auth-method is not, so it would not be used. Set auth-method to tls_client_auth or self_signed_tls_client_auth."
    )
  })

  it('none cannot get a client-credentials token', () => {
    expect(failure({ 'client-id': 'c', 'auth-method': 'none' })).toMatch(
      /^Input 'auth-method' is none, but the client_credentials grant needs the client to authenticate/
    )
  })
})

describe('the form each grant sends', () => {
  it('token exchange, a public client with no client-id: no client_id, no Authorization, no response_type', async () => {
    const settings = read({
      'grant-type': 'token-exchange',
      'subject-token-source': 'input',
      'subject-token': SUBJECT,
      'response-type': 'token',
      audience: 'https://api.example.com',
      resource: 'https://api.example.com/a\nhttps://api.example.com/b',
      'requested-token-type': 'urn:ietf:params:oauth:token-type:access_token',
      'actor-token': 'actor.token.value',
      scope: 'read'
    })
    expect(await form(settings)).toEqual([
      ['grant_type', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      ['subject_token', SUBJECT],
      ['subject_token_type', 'urn:ietf:params:oauth:token-type:jwt'],
      ['actor_token', 'actor.token.value'],
      ['actor_token_type', 'urn:ietf:params:oauth:token-type:jwt'],
      ['requested_token_type', 'urn:ietf:params:oauth:token-type:access_token'],
      ['scope', 'read'],
      ['audience', 'https://api.example.com'],
      ['resource', 'https://api.example.com/a'],
      ['resource', 'https://api.example.com/b']
    ])
  })

  it('JWT bearer from a public client with a client-id', async () => {
    const settings = read({
      'grant-type': 'jwt-bearer',
      'client-id': 'public-app',
      'subject-token-source': 'input',
      'subject-token': SUBJECT
    })
    expect(await form(settings)).toEqual([
      ['grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
      ['assertion', SUBJECT],
      ['client_id', 'public-app']
    ])
  })

  it.each([
    [
      { 'subject-token-source': 'input' },
      "Input 'subject-token' is required with subject-token-source: input"
    ],
    [
      { 'subject-token-source': 'file' },
      "Input 'subject-token-source' has an unsupported value 'file'"
    ],
    [{ 'subject-token-type': 'not a uri' }, "Input 'subject-token-type' is not a token type URI"],
    [
      { resource: 'https://api.example.com/#frag' },
      "Input 'resource' line 1 is not an absolute URI without a fragment"
    ],
    [{ 'extra-params': 'subject_token=x' }, "sets 'subject_token', which the action sets itself"]
  ])('%j is refused', (inputs, message) => {
    expect(failure({ 'grant-type': 'token-exchange', ...inputs })).toContain(message)
  })
})

describe('the response', () => {
  const json = (body: unknown) => ({ status: 200, headers: {}, body: JSON.stringify(body) })
  const exchanged = {
    access_token: 'issued.token.value',
    token_type: 'Bearer',
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    expires_in: 3600
  }

  it('a token exchange answer carries its issued_token_type', () => {
    expect(parseTokenResponse(json(exchanged), 'rfc8693')).toMatchObject({
      tokenType: 'Bearer',
      issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token'
    })
  })

  it('N_A is valid from a token exchange, and only there', () => {
    const na = json({
      ...exchanged,
      token_type: 'N_A',
      issued_token_type: 'urn:ietf:params:oauth:token-type:id_token'
    })
    expect(parseTokenResponse(na, 'rfc8693').tokenType).toBe('N_A')
    expect(() => parseTokenResponse(na, 'rfc6749')).toThrow(
      "has token_type 'N_A'; this action supports Bearer tokens only."
    )
  })

  it('a token exchange answer without issued_token_type fails, naming RFC 8693', () => {
    expect(() =>
      parseTokenResponse(json({ ...exchanged, issued_token_type: undefined }), 'rfc8693')
    ).toThrow(
      'has no issued_token_type, which a token exchange response must have (RFC 8693 §2.2.1)'
    )
  })

  it('an issued_token_type with commands in it is refused, not printed', () => {
    expect(() =>
      parseTokenResponse(
        json({ ...exchanged, issued_token_type: 'urn:x\n::set-output name=a::b' }),
        'rfc8693'
      )
    ).toThrow(/has an invalid issued_token_type: expected a token type URI/)
  })
})

describe('a refusal names the claims trust policies match on, never the token', () => {
  const idToken = [
    'eyJhbGciOiJSUzI1NiJ9',
    Buffer.from(
      JSON.stringify({
        sub: 'repo:acme/deploy:environment:production',
        repository: 'acme/deploy',
        ref: 'refs/heads/main',
        environment: 'production\n::set-output name=x::1',
        job_workflow_ref: 'acme/deploy/.github/workflows/deploy.yml@refs/heads/main'
      })
    ).toString('base64url'),
    'c2lnbmF0dXJl'
  ].join('.')

  it('policyClaims lists sub, repository, ref, environment and job_workflow_ref, neutralised', () => {
    expect(policyClaims(idToken)).toBe(
      "The job's GitHub ID token has sub 'repo:acme/deploy:environment:production', repository 'acme/deploy', ref 'refs/heads/main', environment 'production?::set-output name=x::1', job_workflow_ref 'acme/deploy/.github/workflows/deploy.yml@refs/heads/main'; the server's trust policy (subject, repository, branch or environment conditions) must match them."
    )
  })

  it('through run(): an invalid_grant after the job token was fetched', async () => {
    const { core, record } = fakeCore({
      'grant-type': 'token-exchange',
      'token-url': TOKEN_URL.href
    })
    const outcomes: Outcome[] = [
      { kind: 'response', status: 200, headers: {}, body: JSON.stringify({ value: idToken }) },
      {
        kind: 'response',
        status: 400,
        headers: {},
        body: JSON.stringify({ error: 'invalid_grant', error_description: 'policy mismatch' })
      }
    ]
    const deps: Deps = {
      core,
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner.example/idtoken?api-version=2.0',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token'
      },
      send: async () =>
        outcomes.shift() ?? { kind: 'network', reason: 'none left', retryable: false },
      sleep: async () => {},
      now: Date.now,
      random: () => 0.5
    }
    await run(deps)
    expect(record.failed).toMatch(
      /^The token endpoint refused the request: HTTP 400, error 'invalid_grant': policy mismatch\. Hint: .* The job's GitHub ID token has sub 'repo:acme\/deploy:environment:production', repository 'acme\/deploy'/
    )
    expect(record.failed).not.toContain(idToken)
    expect(record.secrets).toContain(idToken)
  })
})

describe("the runner's ID token request bearer goes only over TLS", () => {
  const bearer = { ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token' }
  it('is sent to an https:// token service, or http:// on loopback (test doubles)', () => {
    for (const url of ['https://runner.example/idtoken', 'http://127.0.0.1:8080/idtoken']) {
      const request = githubIdTokenRequest({ ...bearer, ACTIONS_ID_TOKEN_REQUEST_URL: url }, 'aud')
      expect(request.headers.authorization).toBe('Bearer runner-request-token')
    }
  })

  it('is never sent to a plain http:// host elsewhere', () => {
    for (const url of ['http://runner.example/idtoken', 'http://localhost.evil.example/idtoken']) {
      expect(() =>
        githubIdTokenRequest({ ...bearer, ACTIONS_ID_TOKEN_REQUEST_URL: url }, 'aud')
      ).toThrow("The runner's ACTIONS_ID_TOKEN_REQUEST_URL is not an https:// URL")
    }
  })
})
