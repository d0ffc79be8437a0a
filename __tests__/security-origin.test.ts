// Issue 16: a credential goes only where it was minted for. The post step revokes the token with
// credentials made for the token endpoint: a secret, an assertion whose aud is the token endpoint,
// the job's GitHub ID token whose audience is its origin; and the token itself is a credential. A
// revocation endpoint on another origin (another port on 127.0.0.1 is one) could replay any of
// them at the token endpoint, so it gets none of them, and the post step says why. The built
// dist/ runs as the runner runs it, with the saved state the main step leaves.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { decodeJwt } from 'jose'
import { generateKeyPairSync } from 'node:crypto'
import {
  sendJson,
  startFaultServer,
  STENT_TOKEN_RESPONSE,
  type SeenRequest
} from '../__fixtures__/fault-server.js'
import { startGitHubOidc } from '../__fixtures__/github-oidc.js'
import { leakForms, postStepEnv, runAction, type ActionRun } from '../__fixtures__/run-action.mjs'
import { makeSelfSigned } from '../__fixtures__/tls.js'
import { basicAuthorization } from '../src/auth/secret.js'

const ID = 'origin-client'
const SECRET = 'origin secret+/=:%&é'
const TOKEN = STENT_TOKEN_RESPONSE.access_token
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString()
/** The state the main step leaves when it got a token and revoke is true. */
const SAVED = { 'revoke-token': TOKEN, isPost: 'true' }

let github: Awaited<ReturnType<typeof startGitHubOidc>>
beforeAll(async () => {
  github = await startGitHubOidc()
})
afterAll(async () => {
  await github.close()
})

const form = (request: SeenRequest | undefined) => new URLSearchParams(request?.body)

/**
 * The methods whose credentials are made for the token endpoint: their inputs and environment,
 * and what a same-origin revocation request must carry (`token` is the token endpoint's URL).
 */
const methods: Array<
  [
    string,
    Record<string, string>,
    () => Record<string, string>,
    (r: SeenRequest, token: URL) => void
  ]
> = [
  [
    'client_secret_post',
    { 'client-secret': SECRET },
    () => ({}),
    request => expect(form(request).get('client_secret')).toBe(SECRET)
  ],
  [
    'client_secret_basic',
    { 'client-secret': SECRET, 'auth-method': 'client_secret_basic' },
    () => ({}),
    request => expect(request.headers.authorization).toBe(basicAuthorization(ID, SECRET))
  ],
  [
    'private_key_jwt',
    { 'auth-method': 'private_key_jwt', 'client-assertion-key': KEY },
    () => ({}),
    // OpenID Connect Core §9: the aud of an assertion is the token endpoint, wherever it is sent.
    (request, token) =>
      expect(decodeJwt(form(request).get('client_assertion') ?? '').aud).toBe(token.href)
  ],
  [
    'github_oidc',
    { 'auth-method': 'github_oidc' },
    () => github.env,
    (request, token) =>
      expect(decodeJwt(form(request).get('client_assertion') ?? '').aud).toBe(token.origin)
  ]
]

/**
 * An authorization server on loopback: its discovery document names its own token endpoint and
 * the revocation endpoint `revocation(origin)`; every POST gets a 200.
 */
async function authServer(revocation: (origin: string) => string) {
  return startFaultServer((req, res) => {
    const origin = `http://${req.headers.host}`
    if (req.url === '/.well-known/openid-configuration') {
      sendJson(res, 200, {
        issuer: origin,
        token_endpoint: `${origin}/connect/token`,
        revocation_endpoint: revocation(origin)
      })
      return
    }
    res.writeHead(200)
    res.end()
  })
}

/** Where the revocation endpoint comes from: the input, or the issuer's discovery document. */
const sources: Array<
  [string, string, (server: { origin: string; tokenUrl: string }, revocation: string) => object]
> = [
  [
    'revocation-url',
    'The revocation endpoint',
    (server, revocation) => ({ 'token-url': server.tokenUrl, 'revocation-url': revocation })
  ],
  [
    "the discovery document's revocation_endpoint",
    "The discovery document's revocation_endpoint",
    server => ({ issuer: server.origin })
  ]
]

const cases = sources.flatMap(([source, label, inputs]) =>
  methods.map(
    ([method, auth, env, carries]) => [method, source, label, inputs, auth, env, carries] as const
  )
)

/** Nothing secret in the log, no stack trace, and no command but the action's own. */
function expectSafe(run: ActionRun) {
  const names = run.commands.map(command => command.name)
  expect(names.filter(name => !['add-mask', 'debug', 'warning'].includes(name))).toEqual([])
  expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m)
  const basic = basicAuthorization(ID, SECRET)
  for (const value of [SECRET, TOKEN, basic, ...github.issued.map(issued => issued.token)]) {
    for (const leaked of leakForms(value)) expect(run.log).not.toContain(leaked)
  }
}

const warning = (run: ActionRun) => /^::warning::(.*)$/m.exec(run.log)?.[1] ?? ''

describe('a revocation endpoint on another origin than the token endpoint gets nothing', () => {
  it.each(cases)(
    '%s, from %s: no request at all, and a warning that says why',
    async (_method, _source, label, inputs, auth, env, _carries) => {
      // Where a hostile revocation endpoint waits for credentials. It must never see a request.
      const canary = await startFaultServer((_req, res) => sendJson(res, 200, {}))
      const server = await authServer(() => `${canary.origin}/revoke`)
      try {
        const run = await runAction(
          {
            'client-id': ID,
            revoke: 'true',
            ...inputs(server, `${canary.origin}/revoke`),
            ...auth
          },
          { env: { ...env(), ...postStepEnv(SAVED) } }
        )
        expect(run.code).toBe(0)
        expect(canary.requests).toEqual([])
        expect(server.requests.filter(r => r.method !== 'GET')).toEqual([])
        expect(warning(run)).toBe(
          `The access token was not revoked. ${label} is on ${canary.origin}, another origin than the token endpoint's (${server.origin}), for which the client's credentials and the access token were made: nothing was sent there, as another origin could replay them. Set revocation-url to an endpoint on ${server.origin}. Note: many servers cannot revoke JWT access tokens; such a token stays valid until it expires.`
        )
        expectSafe(run)
      } finally {
        await Promise.all([server.close(), canary.close()])
      }
    }
  )
})

describe('a revocation endpoint on the token endpoint origin gets the credentials', () => {
  it.each(cases)(
    '%s, from %s: revoked with the token endpoint credentials',
    async (_method, _source, _label, inputs, auth, env, carries) => {
      const server = await authServer(origin => `${origin}/revoke`)
      try {
        const run = await runAction(
          {
            'client-id': ID,
            revoke: 'true',
            ...inputs(server, `${server.origin}/revoke`),
            ...auth
          },
          { env: { ...env(), ...postStepEnv(SAVED) } }
        )
        expect(run.code).toBe(0)
        expect(run.log).toContain('Revoked the access token.')
        const posts = server.requests.filter(r => r.method === 'POST')
        expect(posts.map(r => r.url)).toEqual(['/revoke'])
        expect(form(posts[0]).get('token')).toBe(TOKEN)
        carries(posts[0] as SeenRequest, new URL(`${server.origin}/connect/token`))
        expectSafe(run)
      } finally {
        await server.close()
      }
    }
  )
})

describe('a post step that cannot read its inputs any more', () => {
  // The main step got a token with this certificate; it expired before the post step ran.
  const expired = makeSelfSigned('/CN=expired-bot', {
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2020-01-02T00:00:00Z')
  })

  it('with a saved token: warns that the token was not revoked, and why', async () => {
    const server = await authServer(origin => `${origin}/revoke`)
    try {
      const inputs = {
        'client-id': ID,
        'auth-method': 'tls_client_auth',
        'client-certificate': expired.cert,
        'client-key': expired.key,
        'token-url': server.tokenUrl,
        revoke: 'true',
        'revocation-url': `${server.origin}/revoke`
      }
      const run = await runAction(inputs, { env: postStepEnv(SAVED) })
      expect(run.code).toBe(0)
      expect(warning(run)).toMatch(
        /^The access token was not revoked\. The post step could not read its inputs: Input 'client-certificate' holds a certificate that expired on 2020-01-02T00:00:00Z\. /
      )
      expect(server.requests).toEqual([])
      for (const leaked of leakForms(expired.key)) expect(run.log).not.toContain(leaked)
      expectSafe(run)

      // Without a saved token, the main step failed on these inputs and said so: nothing to add.
      const quiet = await runAction(inputs, { env: postStepEnv({ isPost: 'true' }) })
      expect(quiet.code).toBe(0)
      expect(quiet.stdout).toBe('')
    } finally {
      await server.close()
    }
  })
})
