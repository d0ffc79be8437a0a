import { describe, expect, it } from '@jest/globals'
import { ActionError } from '../src/base/errors.js'
import { readSettings } from '../src/config/inputs.js'
import { generateKeyPairSync } from 'node:crypto'
import { makeCertificates } from '../__fixtures__/tls.js'

const base = { 'client-id': 'my-client', 'client-secret': 's3cret' }
const read = (inputs: Record<string, string>) => readSettings(name => inputs[name] ?? '')

function failure(inputs: Record<string, string>): ActionError {
  try {
    read(inputs)
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return error as ActionError
  }
  throw new Error('expected readSettings to throw')
}

describe('defaults', () => {
  // The runner passes action.yml's defaults (response-type: token among them); empty inputs that
  // cannot mean "omit" fall back to the same values here.
  it('empty optional inputs mean Stent, client_secret_post, 30 s, 6 attempts', () => {
    const settings = read(base)
    expect(settings).toEqual({
      clientId: 'my-client',
      auth: { method: 'client_secret_post', secret: 's3cret' },
      grant: { type: 'client_credentials' },
      configuredTokenUrl: new URL('https://auth.stent.io/connect/token'),
      issuer: '',
      jwksUrl: undefined,
      revocationUrl: undefined,
      responseType: '',
      scope: '',
      audience: '',
      resources: [],
      extraParams: [],
      exportVariable: '',
      timeoutMs: 30_000,
      maxAttempts: 6,
      caCertificate: '',
      summary: true,
      summaryTitle: '',
      verifyToken: false,
      minValidity: 0,
      revoke: false,
      agent: false
    })
  })
})

describe('required credentials', () => {
  it.each(['client-id', 'client-secret'])('an empty %s names the input and the fix', name => {
    const error = failure({ ...base, [name]: '' })
    expect(error.message).toMatch(new RegExp(`^Input '${name}' is required`))
    expect(error.message).toContain('secrets.')
  })

  it('a secret with a line break is refused without echoing it', () => {
    const error = failure({ ...base, 'client-secret': 'abc\ndef' })
    expect(error.message).toContain("Input 'client-secret' contains a line break")
    expect(error.message).not.toContain('abc')
  })
})

describe('token-url', () => {
  it.each([
    'https://auth.example.com/oauth/token',
    'http://127.0.0.1:8080/connect/token',
    'http://localhost/connect/token',
    'http://[::1]:9000/token'
  ])('accepts %s', url => {
    expect(read({ ...base, 'token-url': url }).configuredTokenUrl?.href).toBe(new URL(url).href)
  })

  it.each([
    ['http://auth.example.com/token', 'must use https://'],
    // A loopback name must be the whole host, not its start.
    ['http://localhost.evil.example/token', 'must use https://'],
    ['http://127.0.0.1.nip.io/token', 'must use https://'],
    ['http://evil.example/localhost', 'must use https://'],
    ['ftp://auth.example.com/token', 'must use https://'],
    ['auth.stent.io/connect/token', 'is not a valid URL'],
    ['https://user:pw@auth.example.com/token', 'must not contain credentials']
  ])('refuses %s', (url, reason) => {
    const error = failure({ ...base, 'token-url': url })
    expect(error.message).toContain(`Input 'token-url' ${reason}`)
    expect(error.message).not.toContain('pw@')
  })
})

describe('auth-method', () => {
  it('accepts client_secret_basic', () => {
    expect(read({ ...base, 'auth-method': 'client_secret_basic' }).auth).toEqual({
      method: 'client_secret_basic',
      secret: 's3cret',
      encoding: 'form'
    })
  })

  it('basic-encoding: form (RFC 6749 §2.3.1) by default, raw for servers that do not decode', () => {
    const basic = { ...base, 'auth-method': 'client_secret_basic' }
    expect(read({ ...basic, 'basic-encoding': 'raw' }).auth).toMatchObject({ encoding: 'raw' })
    expect(failure({ ...basic, 'basic-encoding': 'base64' }).message).toBe(
      "Input 'basic-encoding' has an unsupported value 'base64'. Accepted values: form, raw."
    )
  })

  it('basic-encoding: raw refuses a client ID with a colon, which RFC 7617 §2 cannot carry', () => {
    const raw = { ...base, 'auth-method': 'client_secret_basic', 'basic-encoding': 'raw' }
    expect(failure({ ...raw, 'client-id': 'urn:x:client' }).message).toBe(
      "Input 'client-id' holds ':', which a raw Basic credential cannot carry (RFC 7617 §2: the server reads the client ID up to the first colon). Set basic-encoding: form, which encodes it, or auth-method: client_secret_post."
    )
    // Form encoding writes the colon as %3A; the post method sends the ID as a form field.
    for (const inputs of [
      { ...raw, 'basic-encoding': 'form' },
      { ...base, 'auth-method': 'client_secret_post' }
    ]) {
      expect(read({ ...inputs, 'client-id': 'urn:x:client' }).clientId).toBe('urn:x:client')
    }
  })

  it('lists the accepted values for anything else', () => {
    expect(failure({ ...base, 'auth-method': 'basic' }).message).toBe(
      "Input 'auth-method' has an unsupported value 'basic'. Accepted values: client_secret_post, client_secret_basic, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth, github_oidc, none."
    )
  })
})

describe('a typo in an enumerated value', () => {
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString()
  it.each([
    [{ 'auth-method': 'private-key-jwt' }, "Input 'auth-method'", 'private_key_jwt'],
    [{ 'auth-method': 'client_secret_bsaic' }, "Input 'auth-method'", 'client_secret_basic'],
    [{ 'grant-type': 'token_exchange' }, "Input 'grant-type'", 'token-exchange'],
    [{ 'grant-type': 'client-credentials' }, "Input 'grant-type'", 'client_credentials'],
    [
      { 'grant-type': 'urn:ietf:params:oauth:grant-type:token_exchange' },
      "Input 'grant-type'",
      'urn:ietf:params:oauth:grant-type:token-exchange'
    ],
    [
      { 'auth-method': 'client_secret_basic', 'basic-encoding': 'Raw ' },
      "Input 'basic-encoding'",
      'raw'
    ],
    [
      { 'grant-type': 'token-exchange', 'subject-token-source': 'inptu' },
      "Input 'subject-token-source'",
      'input'
    ],
    [
      { 'auth-method': 'client_secret_jwt', 'client-assertion-alg': 'HS265' },
      "Input 'client-assertion-alg'",
      'HS256'
    ],
    [
      {
        'auth-method': 'private_key_jwt',
        'client-assertion-key': key,
        'client-assertion-alg': 'rs256'
      },
      "Input 'client-assertion-alg'",
      'RS256'
    ],
    [{ 'verify-token': 'ture' }, "Input 'verify-token'", 'true'],
    [{ revoke: 'flase' }, "Input 'revoke'", 'false']
  ])('%j: did you mean the value it is closest to, not the whole list', (inputs, input, meant) => {
    const message = failure({ ...base, ...inputs }).message
    expect(message).toMatch(new RegExp(`^${input}`))
    expect(message.endsWith(` Did you mean '${meant}'?`)).toBe(true)
    expect(message).not.toContain('Accepted')
  })
})

describe('numbers', () => {
  it.each([
    ['timeout-seconds', '10', 'timeoutMs', 10_000],
    ['max-attempts', '1', 'maxAttempts', 1]
  ] as const)('%s=%s is read', (name, value, key, expected) => {
    expect(read({ ...base, [name]: value })[key]).toBe(expected)
  })

  it.each([
    ['timeout-seconds', '0'],
    ['timeout-seconds', '2.5'],
    ['timeout-seconds', '30s'],
    ['timeout-seconds', '601'],
    ['max-attempts', '0'],
    ['max-attempts', '-1'],
    ['max-attempts', 'three'],
    ['max-attempts', '1e1']
  ])('%s=%s is refused with the accepted range', (name, value) => {
    expect(failure({ ...base, [name]: value }).message).toMatch(
      new RegExp(`^Input '${name}' must be a whole number from 1 to \\d+ \\(got '${value}'\\)\\.$`)
    )
  })
})

describe('extra-params', () => {
  it('reads one name=value per line, values may contain =', () => {
    const settings = read({
      ...base,
      'extra-params': 'resource=https://api.example.com/?a=b\n\n  tenant = acme \n'
    })
    expect(settings.extraParams).toEqual([
      ['resource', 'https://api.example.com/?a=b'],
      ['tenant', 'acme']
    ])
  })

  it.each([
    ['novalue', 'line 1 is not of the form name=value'],
    ['a=1\n=2', 'line 2 is not of the form name=value'],
    ['client_secret=x', "sets 'client_secret', which the action sets itself"],
    ['grant_type=password', "sets 'grant_type'"]
  ])('refuses %j', (value, message) => {
    expect(failure({ ...base, 'extra-params': value }).message).toContain(message)
  })
})

describe('export-variable', () => {
  it('accepts a shell-safe name', () => {
    expect(read({ ...base, 'export-variable': 'STENT_TOKEN' }).exportVariable).toBe('STENT_TOKEN')
  })

  it.each(['1TOKEN', 'STENT-TOKEN', 'A B', 'TOKEN=x'])('refuses the invalid name %j', name => {
    expect(failure({ ...base, 'export-variable': name }).message).toContain(
      "Input 'export-variable' is not a valid environment variable name"
    )
  })

  it.each([
    'STENT_TOKEN',
    'API_TOKEN',
    'NODEJS_TOKEN',
    'PROXY_TOKEN',
    'ACCESS_TOKEN',
    'NODE_AUTH_TOKEN',
    'stent_token',
    'TOKEN',
    'VAULTTOKEN',
    'ID_JWT',
    'jwt'
  ])('accepts %s, a name ending in TOKEN or JWT', name => {
    expect(read({ ...base, 'export-variable': name }).exportVariable).toBe(name)
  })

  it.each([
    'CC',
    'MAKEFLAGS',
    'CMAKE_C_COMPILER_LAUNCHER',
    'PIP_INDEX_URL',
    'DOCKER_HOST',
    'LESSOPEN',
    'PATH',
    'NODE_OPTIONS',
    'BASH_ENV',
    'ENV',
    'ld_preload',
    'LD_LIBRARY_PATH',
    'DYLD_INSERT_LIBRARIES',
    'NODE_EXTRA_CA_CERTS',
    'PYTHONSTARTUP',
    'JAVA_TOOL_OPTIONS',
    'PERL5OPT',
    'RUBYOPT',
    'PS4',
    'GIT_SSH_COMMAND',
    'HTTPS_PROXY',
    'BASH_FUNC_deploy',
    'MY_ENVIRONMENT',
    'TOKEN_FILE',
    'TOKENS'
  ])('refuses %s by name, with the rule', name => {
    expect(failure({ ...base, 'export-variable': name }).message).toBe(
      `Input 'export-variable' names '${name}', which is not a token variable: the name must end in TOKEN or JWT (e.g. STENT_TOKEN, NODE_AUTH_TOKEN), since later steps may read other names (CC, MAKEFLAGS, BASH_ENV...) as commands or configuration.`
    )
  })

  it.each([
    'GITHUB_TOKEN',
    'github_token',
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    'RUNNER_TOKEN',
    'RUNNER_TEMP',
    'GITHUB_ENV'
  ])('refuses %s, which the runner owns, even ending in TOKEN', name => {
    expect(failure({ ...base, 'export-variable': name }).message).toBe(
      `Input 'export-variable' names '${name}', which the runner owns (GITHUB_*, RUNNER_*, ACTIONS_*). Choose another name, e.g. STENT_TOKEN.`
    )
  })
})

describe('ca-certificate', () => {
  const { caCert, cert, key } = makeCertificates(['auth.example.test'])

  it('one or more certificates, as pasted (escaped line ends too), kept in order', () => {
    const bundle = `${caCert}\n${cert}`
    expect(read({ ...base, 'ca-certificate': caCert }).caCertificate).toBe(caCert)
    expect(read({ ...base, 'ca-certificate': bundle }).caCertificate).toBe(`${caCert}${cert}`)
    expect(read({ ...base, 'ca-certificate': bundle.replaceAll('\n', '\\n') }).caCertificate).toBe(
      `${caCert}${cert}`
    )
  })

  it.each([
    ['text', 'corp-root-ca.pem', "Input 'ca-certificate' is not a PEM certificate. Pass the whole"],
    [
      'a second certificate cut short',
      `${caCert}${cert.replace(/\n[A-Za-z0-9+/=]{20,}\n/, '\nAAAA\n')}`,
      "Input 'ca-certificate' is not a PEM certificate. Its certificate block 2 does not parse"
    ],
    ['a private key', key, "Input 'ca-certificate' holds a private key"],
    [
      'a certificate and a private key',
      `${caCert}${key}`,
      "Input 'ca-certificate' holds a private key"
    ]
  ])('%s: refused, naming the input, quoting none of it', (_what, value, message) => {
    const error = failure({ ...base, 'ca-certificate': value })
    expect(error.message.startsWith(message)).toBe(true)
    expect(error.message).not.toContain('corp-root-ca.pem')
  })
})

describe('summary', () => {
  it.each([
    ['false', false],
    ['FALSE', false],
    ['True', true]
  ])('%s is read as YAML reads it', (value, expected) => {
    expect(read({ ...base, summary: value }).summary).toBe(expected)
  })

  it('anything else is refused', () => {
    expect(failure({ ...base, summary: 'no' }).message).toBe(
      "Input 'summary' must be true or false (got 'no')."
    )
  })
})

describe('agent', () => {
  it.each([
    ['', false],
    ['false', false],
    ['true', true],
    ['TRUE', true]
  ])('%s is read as YAML reads it', (value, expected) => {
    expect(read({ ...base, agent: value }).agent).toBe(expected)
  })

  it('anything else is refused', () => {
    expect(failure({ ...base, agent: 'yes' }).message).toBe(
      "Input 'agent' must be true or false (got 'yes')."
    )
  })
})

describe('client authentication beyond secrets', () => {
  const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString()
  const ecPem = (namedCurve: string) =>
    generateKeyPairSync('ec', { namedCurve })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString()
  const jwtInputs = { 'client-id': 'c', 'auth-method': 'private_key_jwt' }

  it('private_key_jwt needs no secret, and picks the algorithm from the key', () => {
    expect(read({ ...jwtInputs, 'client-assertion-key': rsaPem }).auth).toMatchObject({
      method: 'private_key_jwt',
      alg: 'RS256',
      kid: '',
      certificate: undefined
    })
    expect(read({ ...jwtInputs, 'client-assertion-key': ecPem('P-256') }).auth).toMatchObject({
      alg: 'ES256'
    })
    expect(read({ ...jwtInputs, 'client-assertion-key': ecPem('P-384') }).auth).toMatchObject({
      alg: 'ES384'
    })
    expect(
      read({
        ...jwtInputs,
        'client-assertion-key': rsaPem,
        'client-assertion-alg': 'PS256',
        'client-assertion-kid': 'k1'
      }).auth
    ).toMatchObject({ alg: 'PS256', kid: 'k1' })
  })

  it.each([
    [{}, "Input 'client-assertion-key' is required with auth-method private_key_jwt"],
    [
      { 'client-assertion-key': 'not a key' },
      "Input 'client-assertion-key' is not a PEM private key"
    ],
    [
      { 'client-assertion-key': rsaPem, 'client-assertion-alg': 'ES256' },
      "Input 'client-assertion-alg' is 'ES256', which this RSA key cannot sign with. Accepted: RS256, RS384, RS512, PS256, PS384, PS512."
    ]
  ])('%j is refused, naming the input, never echoing the key', (inputs, message) => {
    const error = failure({ ...jwtInputs, ...inputs })
    expect(error.message).toContain(message)
    expect(error.message).not.toContain(rsaPem.split('\n')[1])
    expect(error.message).not.toContain('not a key')
  })

  it('github_oidc needs no secret; its audience defaults later to the token endpoint origin', () => {
    expect(read({ 'client-id': 'c', 'auth-method': 'github_oidc' }).auth).toEqual({
      method: 'github_oidc',
      audience: ''
    })
    expect(
      read({ 'client-id': 'c', 'auth-method': 'github_oidc', 'oidc-audience': 'api://x' }).auth
    ).toEqual({
      method: 'github_oidc',
      audience: 'api://x'
    })
  })

  it('the secret methods still require client-secret', () => {
    expect(failure({ 'client-id': 'c', 'auth-method': 'client_secret_basic' }).message).toMatch(
      /^Input 'client-secret' is required with auth-method client_secret_basic and was empty/
    )
  })
})

describe('discovery, verification and revocation inputs', () => {
  it('issuer leaves the token endpoint to discovery unless token-url is not the default', () => {
    expect(
      read({
        ...base,
        issuer: 'https://id.example.com',
        'token-url': 'https://auth.stent.io/connect/token'
      }).configuredTokenUrl
    ).toBeUndefined()
    expect(
      read({ ...base, issuer: 'https://id.example.com', 'token-url': 'https://id.example.com/t' })
        .configuredTokenUrl?.href
    ).toBe('https://id.example.com/t')
  })

  it.each([
    [
      { 'verify-token': 'true' },
      "Input 'verify-token' needs the server's keys: set jwks-url, or issuer"
    ],
    [
      { revoke: 'true' },
      "Input 'revoke' needs a revocation endpoint: set revocation-url, or issuer"
    ],
    [{ issuer: 'http://id.example.com' }, "Input 'issuer' must use https://"],
    [{ 'jwks-url': 'nope' }, "Input 'jwks-url' is not a valid URL"],
    [{ 'min-validity': '-1' }, "Input 'min-validity' must be a whole number from 0"]
  ])('%j is refused up front', (inputs, message) => {
    expect(failure({ ...base, ...inputs }).message).toContain(message)
  })

  it('reads verify-token, min-validity and revoke', () => {
    const settings = read({
      ...base,
      'verify-token': 'true',
      'jwks-url': 'https://id.example.com/jwks',
      'min-validity': '600',
      revoke: 'true',
      'revocation-url': 'https://id.example.com/revoke'
    })
    expect(settings).toMatchObject({ verifyToken: true, minValidity: 600, revoke: true })
    expect(settings.jwksUrl?.href).toBe('https://id.example.com/jwks')
    expect(settings.revocationUrl?.href).toBe('https://id.example.com/revoke')
  })
})
