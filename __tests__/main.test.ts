import { describe, expect, it } from '@jest/globals'
import { decodeJwt } from 'jose'
import { createHash, generateKeyPairSync } from 'node:crypto'
import { fakeCore } from '../__fixtures__/core.js'
import type { Deps } from '../src/entry/deps.js'
import { run } from '../src/entry/main.js'
import type { Outcome, Send } from '../src/http/types.js'

const SECRET = 'sec ret+/é'
const inputs = { 'client-id': 'ci', 'client-secret': SECRET, 'response-type': 'token' }
const ok: Outcome = {
  kind: 'response',
  status: 200,
  headers: {},
  body: JSON.stringify({ access_token: 'tok-12345678', token_type: 'Bearer', expires_in: 2592000 })
}
const status = (code: number, headers = {}, body = ''): Outcome => ({
  kind: 'response',
  status: code,
  headers,
  body
})

/** A scripted server and a fake clock: sleeping advances time instead of waiting. */
function harness(script: Outcome[], extraInputs: Record<string, string> = {}) {
  const { core, record } = fakeCore({ ...inputs, ...extraInputs })
  let clock = Date.parse('2026-11-27T10:00:00.000Z')
  const sleeps: number[] = []
  const requests: Parameters<Send>[] = []
  const deps: Deps = {
    core,
    env: {},
    send: async (request, timeoutMs) => {
      requests.push([request, timeoutMs])
      const outcome = script.shift()
      if (!outcome) throw new Error('the script ran out')
      return outcome
    },
    sleep: async ms => {
      sleeps.push(ms)
      clock += ms
    },
    now: () => clock,
    random: () => 0.5
  }
  return { deps, record, sleeps, requests, run: () => run(deps) }
}

describe('success', () => {
  it('masks the secret before the request and the token before any output', async () => {
    const h = harness([ok], { 'export-variable': 'STENT_TOKEN' })
    await h.run()
    expect(h.record.failed).toBeUndefined()
    expect(h.record.outputs).toEqual({
      'access-token': 'tok-12345678',
      'token-type': 'Bearer',
      'expires-in': '2592000',
      'expires-at': '2026-12-27T10:00:00.000Z'
    })
    expect(h.record.exported).toEqual({ STENT_TOKEN: 'tok-12345678' })
    expect(h.record.secrets).toEqual(expect.arrayContaining([SECRET, 'tok-12345678']))
    expect(h.requests).toHaveLength(1)
    expect(h.requests[0]?.[1]).toBe(30_000)
  })

  it('says where it asked and what it got, without the token', async () => {
    const h = harness([ok])
    await h.run()
    expect(h.record.lines.filter(line => line.startsWith('info:'))).toEqual([
      "info: Requesting a token from auth.stent.io/connect/token for client 'ci' (client_secret_post).",
      'info: Got a Bearer token, valid 30 days (until 2026-12-27T10:00:00.000Z).'
    ])
  })

  it('masks the Basic credential with client_secret_basic', async () => {
    const h = harness([ok], { 'auth-method': 'client_secret_basic' })
    await h.run()
    const header = h.requests[0]?.[0].headers.authorization ?? ''
    expect(h.record.secrets).toEqual(expect.arrayContaining([header, header.slice(6)]))
  })
})

describe('retries', () => {
  it('503, 502, then 200: three attempts with jittered backoff', async () => {
    const h = harness([status(503), status(502), ok])
    await h.run()
    expect(h.record.failed).toBeUndefined()
    expect(h.requests).toHaveLength(3)
    expect(h.sleeps).toEqual([500, 1000])
    expect(h.record.outputs['access-token']).toBe('tok-12345678')
  })

  it('429 with Retry-After waits at least that long', async () => {
    const h = harness([status(429, { 'retry-after': '2' }), ok])
    await h.run()
    // Retry-After, plus half of the 8 s spread (random() is 0.5 here).
    expect(h.sleeps).toEqual([6000])
  })

  it('a Retry-After above the 60 s cap: the log says it was capped', async () => {
    const h = harness([status(429, { 'retry-after': '120' }), ok])
    await h.run()
    expect(h.sleeps).toEqual([64_000])
    expect(h.record.lines).toContain(
      'info: Attempt 1/6 failed (HTTP 429); retrying in 64.0 s (the server asked for 120 s; capped at 60 s).'
    )
  })

  it('gives up after max-attempts with the last failure', async () => {
    const h = harness(Array(3).fill(status(500)), { 'max-attempts': '3' })
    await h.run()
    expect(h.requests).toHaveLength(3)
    expect(h.record.failed).toMatch(
      /^Gave up after 3 attempts\. The token endpoint answered HTTP 500/
    )
    expect(h.record.outputs).toEqual({})
  })

  it('a network failure every time is reported as such', async () => {
    const down: Outcome = { kind: 'network', reason: 'network error ECONNREFUSED', retryable: true }
    const h = harness([down, down], { 'max-attempts': '2' })
    await h.run()
    expect(h.record.failed).toBe(
      'Gave up after 2 attempts. Could not get a response from auth.stent.io: network error ECONNREFUSED. Hint: check token-url, and the proxy settings (HTTPS_PROXY, NO_PROXY) if the runner needs one.'
    )
  })
})

describe('failures', () => {
  it('invalid_client fails at once after exactly one request', async () => {
    const h = harness([
      status(400, {}, JSON.stringify({ error: 'invalid_client', error_description: 'bad secret' }))
    ])
    await h.run()
    expect(h.requests).toHaveLength(1)
    expect(h.sleeps).toEqual([])
    expect(h.record.failed).toMatch(
      /^The token endpoint refused the request: HTTP 400, error 'invalid_client'/
    )
    expect(h.record.outputs).toEqual({})
  })

  it('a 404 from a token-url that is the issuer root names issuer', async () => {
    const h = harness([status(404)], { 'token-url': 'https://login.example.com' })
    await h.run()
    expect(h.record.failed).toBe(
      'The token endpoint answered HTTP 404. Hint: token-url looks like the issuer root: set issuer: https://login.example.com or token-url to the token_endpoint it lists.'
    )
  })

  it('a bad input fails before any request, naming the input', async () => {
    const h = harness([], { 'max-attempts': 'many' })
    await h.run()
    expect(h.requests).toHaveLength(0)
    expect(h.record.failed).toMatch(/^Input 'max-attempts' must be a whole number/)
  })

  it('an invalid 200 sets no output at all', async () => {
    const h = harness([
      status(
        200,
        {},
        JSON.stringify({ access_token: 'tok-12345678', token_type: 'Bearer', expires_in: -1 })
      )
    ])
    await h.run()
    expect(h.record.failed).toContain('invalid expires_in')
    expect(h.record.outputs).toEqual({})
  })

  it('in debug mode, an unexpected error prints its frames, not a line of a multi-line message', async () => {
    const { core, record } = fakeCore(inputs, { debug: true })
    const h = harness([])
    h.deps.core = core
    h.deps.send = async () => {
      throw new SyntaxError(`Unexpected token\n${SECRET}\nin JSON`)
    }
    await h.run()
    const printed = record.lines.join('\n')
    expect(printed).toMatch(/^debug: +at /m)
    expect(printed).not.toContain(SECRET)
    expect(printed).not.toContain('in JSON')
  })

  it('an unexpected error prints its kind, not its message', async () => {
    const h = harness([])
    h.deps.send = async () => {
      throw new SyntaxError(`Unexpected token in ${SECRET}`)
    }
    await h.run()
    expect(h.record.failed).toBe(
      'Unexpected SyntaxError in the action. Re-run with debug logging for the stack trace and report it.'
    )
    expect(h.record.lines.join('\n')).not.toContain('Unexpected token')
  })
})

describe('job summary', () => {
  it('a table of endpoint, client, method, scope, expiry and fingerprint, never the token', async () => {
    const h = harness([
      {
        ...ok,
        body: JSON.stringify({
          ...JSON.parse(ok.kind === 'response' ? ok.body : ''),
          scope: 'a|b <c>'
        })
      }
    ])
    await h.run()
    expect(h.record.summary).toBe(
      [
        '### Access token for ci',
        '',
        '| Detail | Value |',
        '| --- | --- |',
        '| Endpoint | auth.stent.io/connect/token |',
        '| Client ID | ci |',
        '| Auth method | client_secret_post |',
        '| Token type | Bearer |',
        '| Scope | a&#124;b &#60;c&#62; |',
        '| Expires | 2026-12-27T10:00:00.000Z (in 30 days) |',
        '| Verified | not verified (verify-token: false) |',
        '| Attempts | 1 |',
        `| Token fingerprint | sha256:${createHash('sha256').update('tok-12345678').digest('hex').slice(0, 12)} |`,
        '| Fingerprint of $TOKEN | printf %s "$TOKEN" &#124; sha256sum &#124; cut -c1-12 |',
        ''
      ].join('\n')
    )
    expect(h.record.summary).not.toContain('tok-12345678')
  })

  it('names the exported variable, and takes its heading from summary-title', async () => {
    const h = harness([ok], {
      'export-variable': 'STENT_TOKEN',
      'summary-title': 'Token for <staging>',
      'token-url': 'https://login.example.com/realms/ci/token'
    })
    await h.run()
    const lines = h.record.summary.split('\n')
    expect(lines[0]).toBe('### Token for &#60;staging&#62;')
    expect(lines).toContain('| Endpoint | login.example.com/realms/ci/token |')
    expect(lines).toContain('| Exported as | STENT_TOKEN |')
  })

  it('counts the attempts the token took', async () => {
    const h = harness([status(503), status(502), ok])
    await h.run()
    expect(h.record.failed).toBeUndefined()
    expect(h.record.summary.split('\n')).toContain('| Attempts | 3 |')
  })

  it('a summary-title with a line break is refused, naming the input', async () => {
    const h = harness([], { 'summary-title': 'a\nb' })
    await h.run()
    expect(h.record.failed).toMatch(/^Input 'summary-title' contains a line break/)
  })

  it('a server-chosen scope that is a URL is not made a link', async () => {
    const h = harness([
      status(
        200,
        {},
        JSON.stringify({
          access_token: 'tok-12345678',
          token_type: 'Bearer',
          scope: 'https://evil.example/login www.evil.example'
        })
      )
    ])
    await h.run()
    expect(h.record.summary).toContain(
      '| Scope | https&#58;//evil.example/login www&#46;evil.example |'
    )
  })

  it('summary: false writes none', async () => {
    const h = harness([ok], { summary: 'false' })
    await h.run()
    expect(h.record.summary).toBe('')
    expect(h.record.failed).toBeUndefined()
  })

  it('a summary that cannot be written is a warning; the outputs stand', async () => {
    const h = harness([ok])
    h.deps.core.summary = {
      addRaw: () => ({ write: () => Promise.reject(new Error('no GITHUB_STEP_SUMMARY')) })
    }
    await h.run()
    expect(h.record.failed).toBeUndefined()
    expect(h.record.outputs['access-token']).toBe('tok-12345678')
    expect(h.record.lines).toContain(
      'warning: Job summary not written (no GITHUB_STEP_SUMMARY). Set summary: false to skip it.'
    )
  })

  it('a failed request writes none', async () => {
    const h = harness([status(400, {}, JSON.stringify({ error: 'invalid_client' }))])
    await h.run()
    expect(h.record.summary).toBe('')
  })
})

describe('client assertions are made fresh for every attempt', () => {
  it('private_key_jwt: a new jti per retry, each assertion masked', async () => {
    const keyPem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString()
    const h = harness([status(503), ok], {
      'client-secret': '',
      'auth-method': 'private_key_jwt',
      'client-assertion-key': keyPem
    })
    await h.run()
    expect(h.record.failed).toBeUndefined()
    const assertions = h.requests.map(
      ([request]) => new URLSearchParams(request.body).get('client_assertion') ?? ''
    )
    const jtis = assertions.map(assertion => decodeJwt(assertion).jti)
    expect(new Set(jtis).size).toBe(2)
    expect(h.record.secrets).toEqual(
      expect.arrayContaining([keyPem.trim(), ...keyPem.split('\n').slice(1, 3), ...assertions])
    )
  })

  it('github_oidc: an ID token per attempt, for the token endpoint origin by default', async () => {
    const idToken = (n: number): Outcome =>
      status(200, {}, JSON.stringify({ count: 1, value: `header.payload.signature${n}` }))
    const h = harness([idToken(1), status(502), idToken(2), ok], {
      'client-secret': '',
      'auth-method': 'github_oidc'
    })
    h.deps.env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner.example/idtoken?api-version=2.0',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token'
    }
    await h.run()
    expect(h.record.failed).toBeUndefined()
    const [ask1, token1, ask2, token2] = h.requests.map(([request]) => request)
    for (const ask of [ask1, ask2]) {
      expect(ask?.url.href).toBe(
        'https://runner.example/idtoken?api-version=2.0&audience=https%3A%2F%2Fauth.stent.io'
      )
      expect(ask?.headers.authorization).toBe('Bearer runner-request-token')
    }
    expect(new URLSearchParams(token1?.body).get('client_assertion')).toBe(
      'header.payload.signature1'
    )
    expect(new URLSearchParams(token2?.body).get('client_assertion')).toBe(
      'header.payload.signature2'
    )
    expect(h.record.secrets).toEqual(
      expect.arrayContaining([
        'runner-request-token',
        'header.payload.signature1',
        'header.payload.signature2'
      ])
    )
  })

  it('github_oidc: the ID token request shares the deadline and the attempt budget', async () => {
    const h = harness([status(503), status(503)], {
      'client-secret': '',
      'auth-method': 'github_oidc',
      'max-attempts': '2',
      'timeout-seconds': '5'
    })
    h.deps.env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner.example/idtoken?api-version=2.0',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token'
    }
    await h.run()
    expect(h.requests.map(([request, timeoutMs]) => [request.url.host, timeoutMs])).toEqual([
      ['runner.example', 5000],
      ['runner.example', 5000]
    ])
    expect(h.record.failed).toBe(
      "Gave up after 2 attempts. GitHub's OIDC token service answered HTTP 503. Hint: the server is unavailable or throttling requests. Try again later, or raise max-attempts."
    )
  })

  it('github_oidc: an ID token failure is an attempt of the one budget, not a budget of its own', async () => {
    const idToken = status(200, {}, JSON.stringify({ value: 'header.payload.signature' }))
    const h = harness([status(503), status(503), idToken, status(503)], {
      'client-secret': '',
      'auth-method': 'github_oidc',
      'max-attempts': '3'
    })
    h.deps.env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner.example/idtoken?api-version=2.0',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token'
    }
    await h.run()
    expect(h.requests.map(([request]) => request.url.host)).toEqual([
      'runner.example',
      'runner.example',
      'runner.example',
      'auth.stent.io'
    ])
    expect(h.record.lines).toContain(
      "info: Attempt 1/3 failed (GitHub's OIDC token service: HTTP 503); retrying in 0.5 s."
    )
    expect(h.record.failed).toMatch(
      /^Gave up after 3 attempts\. The token endpoint answered HTTP 503/
    )
  })

  it('github_oidc without id-token: write: the exact fix, no request', async () => {
    const h = harness([], { 'client-secret': '', 'auth-method': 'github_oidc' })
    await h.run()
    expect(h.requests).toHaveLength(0)
    expect(h.record.failed).toMatch(/add `permissions: id-token: write` to the job/)
  })
})

describe('min-validity', () => {
  const lasting = (seconds: number | undefined): Outcome =>
    status(
      200,
      {},
      JSON.stringify({ access_token: 'tok-12345678', token_type: 'Bearer', expires_in: seconds })
    )

  it('fails before any output when the token expires sooner', async () => {
    const h = harness([lasting(300)], { 'min-validity': '600' })
    await h.run()
    expect(h.record.failed).toMatch(
      /^The token is valid for 300 s more, less than min-validity \(600 s\)/
    )
    expect(h.record.outputs).toEqual({})
  })

  it('passes a token that lasts long enough', async () => {
    const h = harness([lasting(3600)], { 'min-validity': '600' })
    await h.run()
    expect(h.record.failed).toBeUndefined()
    expect(h.record.summary).toContain(
      '| Verified | valid for at least 600 s, signature not verified (verify-token: false) |'
    )
  })

  it('warns when the server gives no expiry to check', async () => {
    const h = harness([lasting(undefined)], { 'min-validity': '600' })
    await h.run()
    expect(h.record.failed).toBeUndefined()
    expect(h.record.lines).toContain(
      'warning: min-validity is set, but the server did not say when the token expires (no expires_in), so it was not checked.'
    )
  })
})
