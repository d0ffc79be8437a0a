// The hostile-server suite: the built dist/ against servers that try to turn the action against
// its user. Every string a server sends (token response, OAuth error, discovery, key set, the
// GitHub ID token service, a proxy) and every value in saved state is an attack here. The runner
// is emulated as it reads stdout (lines split on CR LF, CR and LF; `::` lines run as commands),
// and each run is held to the same rules: no command but the action's own, nothing sent anywhere
// but the configured endpoints, no secret or token visible, a clear message, bounded time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { createServer } from 'node:http'
import {
  sendJson,
  startFaultServer,
  STENT_TOKEN_RESPONSE,
  type Script
} from '../__fixtures__/fault-server.js'
import { startGitHubOidc } from '../__fixtures__/github-oidc.js'
import { leakForms, postStepEnv, runAction, type ActionRun } from '../__fixtures__/run-action.mjs'
import { basicAuthorization } from '../src/auth/secret.js'

const ID = 'hostile-client'
const SECRET = 'hostile secret+/=:%&é'
const TOKEN = STENT_TOKEN_RESPONSE.access_token
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString()
/** Marks what an attacker wrote: no workflow command may start with it. */
const MARK = 'PWNED'
const DEBUG = { RUNNER_DEBUG: '1', ACTIONS_STEP_DEBUG: 'true' }
// Process start-up on a loaded machine, on top of every bound below.
const SLACK = 3000

/** Where an attacker wants the credentials sent. It must never see a request. */
let canary: Awaited<ReturnType<typeof startFaultServer>>
let github: Awaited<ReturnType<typeof startGitHubOidc>>
const silent: Array<{ port: number; close(): Promise<void> }> = []
beforeAll(async () => {
  canary = await startFaultServer((_req, res) => sendJson(res, 200, { stolen: true }))
  github = await startGitHubOidc()
})
afterAll(async () => {
  await Promise.all([canary.close(), github.close(), ...silent.map(s => s.close())])
})

/** Workflow commands behind every kind of line break, as a hostile server would embed them. */
function injection(): string {
  return [
    `\n::save-state name=revoke-token::${MARK}-saved-token-0123456789`,
    `\n::save-state name=revoke::{"token":"x","tokenUrl":"${canary.origin}/","revocationUrl":"${canary.origin}/steal"}`,
    '\r::set-output name=expires-in::999999',
    `\r\n::warning::${MARK}`,
    '\n   ::add-mask::a',
    `\n::stop-commands::${MARK}`
  ].join('')
}

/** The auth methods, each with the inputs and environment it needs. */
const methods: Array<[string, Record<string, string>, () => Record<string, string>]> = [
  ['client_secret_post', { 'client-secret': SECRET }, () => ({})],
  [
    'client_secret_basic',
    { 'client-secret': SECRET, 'auth-method': 'client_secret_basic' },
    () => ({})
  ],
  [
    'private_key_jwt',
    { 'auth-method': 'private_key_jwt', 'client-assertion-key': KEY },
    () => ({})
  ],
  ['github_oidc', { 'auth-method': 'github_oidc' }, () => github.env]
]

/** The rules every run is held to, whatever the attack. */
function expectSafe(run: ActionRun, { token = TOKEN }: { token?: string } = {}) {
  const names = run.commands.map(command => command.name)
  expect(names.filter(name => !['add-mask', 'debug', 'error', 'warning'].includes(name))).toEqual(
    []
  )
  for (const command of run.commands) {
    expect(command.data.startsWith(MARK)).toBe(false)
    if (command.name === 'add-mask') expect(command.data.length).toBeGreaterThanOrEqual(4)
  }
  expect(Object.keys(run.state).filter(name => !['isPost', 'revoke-token'].includes(name))).toEqual(
    []
  )
  expect(Object.values(run.outputs).join('\n')).not.toContain('999999')
  expect(canary.requests).toHaveLength(0)
  expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m)
  expect(run.stderr).not.toMatch(/DeprecationWarning|DEP0005/)
  const basic = basicAuthorization(ID, SECRET)
  for (const value of [SECRET, token, basic, basic.slice('Basic '.length)]) {
    for (const form of leakForms(value)) expect(run.log).not.toContain(form)
  }
}

const withToken = (fields: Record<string, unknown>): Script => {
  return (_req, res) => sendJson(res, 200, { ...STENT_TOKEN_RESPONSE, ...fields })
}

interface Attack {
  name: string
  script: () => Script
  code: number
  message: RegExp
  check?: (run: ActionRun) => void
}

const noOutputs = (run: ActionRun) => {
  expect(run.outputs).toEqual({})
  expect(run.exported).toEqual({})
}

const attacks: Attack[] = [
  {
    name: 'workflow commands in scope',
    script: () => withToken({ scope: `api:read${injection()}` }),
    code: 1,
    message:
      /^::error::The token response \(HTTP 200\) has an invalid scope: expected RFC 6749 §3\.3 scope tokens/m,
    check: noOutputs
  },
  {
    name: 'workflow commands in token_type',
    script: () => withToken({ token_type: `Bearer${injection()}` }),
    code: 1,
    message: /^::error::The token response \(HTTP 200\) has an invalid token_type/m,
    check: noOutputs
  },
  {
    name: 'workflow commands in access_token',
    script: () => withToken({ access_token: `${TOKEN}${injection()}` }),
    code: 1,
    message:
      /^::error::The token response \(HTTP 200\) has an invalid access_token: a string with a line break/m,
    check: noOutputs
  },
  {
    name: 'workflow commands in expires_in',
    script: () => withToken({ expires_in: `3600${injection()}` }),
    code: 1,
    message: /^::error::The token response \(HTTP 200\) has an invalid expires_in/m,
    check: noOutputs
  },
  {
    name: 'workflow commands in issued_token_type',
    script: () =>
      withToken({ issued_token_type: `urn:ietf:params:oauth:token-type:jwt${injection()}` }),
    code: 1,
    message: /^::error::The token response \(HTTP 200\) has an invalid issued_token_type/m,
    check: noOutputs
  },
  {
    name: 'workflow commands in an unknown field: ignored',
    script: () => withToken({ note: injection(), scope: 'api:read' }),
    code: 0,
    message: /Got a Bearer token, valid 30 days \(until [-\dT:.Z]+\), scope 'api:read'\./,
    check: run => expect(run.outputs['access-token']).toBe(TOKEN)
  },
  {
    name: 'workflow commands in error and error_description',
    script: () => (_req, res) =>
      sendJson(res, 400, {
        error: `invalid_client${injection()}`,
        error_description: injection()
      }),
    code: 1,
    message:
      /^::error::The token endpoint refused the request: HTTP 400, error 'invalid_client\?::save-state/m,
    check: noOutputs
  },
  {
    name: "an error code that names an Object property ('constructor')",
    script: () => (_req, res) => sendJson(res, 400, { error: 'constructor' }),
    code: 1,
    // The status's hint (or the Basic encoding's), never Object's constructor.
    message:
      /^::error::The token endpoint refused the request: HTTP 400, error 'constructor'\. Hint: (check token-url|the server did not accept)/m,
    check: run => expect(run.log).not.toMatch(/function|native code/)
  },
  {
    name: 'a token of one space',
    script: () => withToken({ access_token: ' ' }),
    code: 1,
    message: /has an invalid access_token: an empty or blank string/,
    check: noOutputs
  },
  {
    name: 'a token too short to mask',
    script: () => withToken({ access_token: 'abc' }),
    code: 1,
    message: /has an invalid access_token: a string of 3 characters, too short to mask safely/,
    check: noOutputs
  },
  ...([1e20, '99999999999999999999'] as const).map((expiresIn): Attack => ({
    name: `expires_in ${JSON.stringify(expiresIn)}: no output half-written`,
    script: () => withToken({ expires_in: expiresIn }),
    code: 1,
    message: /has an invalid expires_in: expected a positive number of seconds up to 2147483647/,
    check: noOutputs
  })),
  {
    name: 'expires_in 0.5 is rounded up to 1 s, never 0',
    script: () => withToken({ expires_in: 0.5 }),
    code: 0,
    message: /Got a Bearer token, valid 1 second/,
    check: run => expect(run.outputs['expires-in']).toBe('1')
  },
  {
    name: 'a redirect to the attacker',
    script: () => (_req, res) => {
      res.writeHead(307, { location: `${canary.origin}/steal` })
      res.end()
    },
    code: 1,
    message: /^::error::The token endpoint answered HTTP 307\. Hint: redirects are not followed/m,
    check: noOutputs
  }
]

describe.each(methods)('%s', (method, authInputs, authEnv) => {
  // Every attack in debug mode, and the reported one (scope) in normal mode too.
  const runs = [
    ...attacks.map(attack => [attack, DEBUG] as const),
    [attacks[0] as Attack, {}] as const
  ].map(([attack, env]) => ({
    ...attack,
    env,
    title: `${attack.name}${env === DEBUG ? ', debug' : ''}`
  }))
  it.concurrent.each(runs)('$title', async attack => {
    const server = await startFaultServer(attack.script())
    try {
      const run = await runAction(
        { 'client-id': ID, 'token-url': server.tokenUrl, ...authInputs, 'max-attempts': '2' },
        { env: { ...authEnv(), ...attack.env } }
      )
      expect(run.log).toMatch(attack.message)
      expect(run.code).toBe(attack.code)
      expect(server.requests).toHaveLength(1)
      expect(run.elapsedMs).toBeLessThan(SLACK)
      attack.check?.(run)
      expectSafe(run)
    } finally {
      await server.close()
    }
  })
})

describe('discovery and key set documents are untrusted too', () => {
  it.each([
    ['normal', {}],
    ['debug', DEBUG]
  ])('hostile fields in discovery and the key set (%s)', async (_mode, env) => {
    const server = await startFaultServer((req, res) => {
      const origin = `http://${req.headers.host}`
      if (req.url === '/.well-known/openid-configuration') {
        return sendJson(res, 200, {
          issuer: origin,
          token_endpoint: `${origin}/connect/token`,
          jwks_uri: `${origin}/jwks${injection()}`,
          service_documentation: injection()
        })
      }
      if (req.url?.startsWith('/jwks')) {
        return sendJson(res, 200, {
          keys: [{ kty: 'oct', kid: injection(), k: injection(), alg: `HS256${injection()}` }]
        })
      }
      return sendJson(res, 200, STENT_TOKEN_RESPONSE)
    })
    try {
      const run = await runAction(
        {
          'client-id': ID,
          'client-secret': SECRET,
          issuer: server.origin,
          'verify-token': 'true'
        },
        { env }
      )
      expect(run.code).toBe(1)
      expect(run.log).toMatch(/^::error::.*(key set|verif)/m)
      expect(run.outputs).toEqual({})
      expect(run.elapsedMs).toBeLessThan(SLACK)
      expectSafe(run)
    } finally {
      await server.close()
    }
  })

  it('a discovery document naming another issuer, with commands in it', async () => {
    const server = await startFaultServer((_req, res) =>
      sendJson(res, 200, { issuer: injection(), token_endpoint: `${canary.origin}/steal` })
    )
    try {
      const run = await runAction(
        { 'client-id': ID, 'client-secret': SECRET, issuer: server.origin },
        { env: DEBUG }
      )
      expect(run.code).toBe(1)
      expect(run.log).toMatch(
        /^::error::The discovery document names another issuer than the issuer input/m
      )
      expectSafe(run)
    } finally {
      await server.close()
    }
  })
})

describe('the post step cannot be steered by saved state', () => {
  const forged = () => ({
    'revoke-token': `${TOKEN}`,
    revoke: JSON.stringify({
      token: TOKEN,
      tokenUrl: `${canary.origin}/`,
      revocationUrl: `${canary.origin}/steal`
    }),
    isPost: 'true'
  })

  it.each(methods)(
    '%s: without the revoke input, forged state does nothing',
    async (_method, authInputs, authEnv) => {
      const run = await runAction(
        { 'client-id': ID, 'token-url': `${canary.origin}/connect/token`, ...authInputs },
        { env: { ...authEnv(), ...postStepEnv(forged()), ...DEBUG } }
      )
      expect(run.code).toBe(0)
      expect(run.stdout).toBe('')
      expectSafe(run)
    }
  )

  it.each(methods)(
    '%s: with revoke, only the configured revocation endpoint is asked, whatever the state says',
    async (_method, authInputs, authEnv) => {
      const revocation = await startFaultServer((_req, res) => {
        res.writeHead(200)
        res.end()
      })
      try {
        const run = await runAction(
          {
            'client-id': ID,
            'token-url': revocation.tokenUrl,
            revoke: 'true',
            'revocation-url': `${revocation.origin}/revoke`,
            ...authInputs
          },
          { env: { ...authEnv(), ...postStepEnv(forged()), ...DEBUG } }
        )
        expect(run.code).toBe(0)
        expect(run.log).toContain('Revoked the access token.')
        expect(revocation.requests.map(r => [r.method, r.url])).toEqual([['POST', '/revoke']])
        expect(new URLSearchParams(revocation.requests[0]?.body).get('token')).toBe(TOKEN)
        expectSafe(run)
      } finally {
        await revocation.close()
      }
    }
  )

  it('a saved token with commands in it is refused, and nothing is sent', async () => {
    const revocation = await startFaultServer((_req, res) => sendJson(res, 200, {}))
    try {
      const run = await runAction(
        {
          'client-id': ID,
          'client-secret': SECRET,
          'token-url': revocation.tokenUrl,
          revoke: 'true',
          'revocation-url': `${revocation.origin}/revoke`
        },
        { env: postStepEnv({ 'revoke-token': `${TOKEN}${injection()}`, isPost: 'true' }) }
      )
      expect(run.code).toBe(0)
      expect(run.log).toMatch(
        /^::warning::The access token was not revoked\. The main step's saved state has an invalid token: a string with a line break/m
      )
      expect(revocation.requests).toHaveLength(0)
      expectSafe(run)
    } finally {
      await revocation.close()
    }
  })

  it('a main step refused for an injected scope saves nothing for the post step', async () => {
    const server = await startFaultServer(withToken({ scope: `api:read${injection()}` }))
    try {
      const inputs = {
        'client-id': ID,
        'client-secret': SECRET,
        'token-url': server.tokenUrl,
        revoke: 'true',
        'revocation-url': `${server.origin}/revoke`
      }
      const main = await runAction(inputs)
      expect(main.code).toBe(1)
      expect(main.state).toEqual({ isPost: 'true' })
      const post = await runAction(inputs, { env: postStepEnv(main.state) })
      expect(post.stdout).toBe('')
      expect(server.requests).toHaveLength(1)
      expectSafe(main)
      expectSafe(post)
    } finally {
      await server.close()
    }
  })
})

/** A TCP server that accepts connections and never says anything unless `onData` does. */
async function silentServer(onData: (socket: Socket) => void = () => {}) {
  const sockets = new Set<Socket>()
  const server = createTcpServer(socket => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.once('data', () => onData(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const entry = {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>(resolve => {
        sockets.forEach(socket => socket.destroy())
        server.close(() => resolve())
      })
  }
  silent.push(entry)
  return entry
}

describe('every wait is under the deadline (timeout-seconds: 2, max-attempts: 1)', () => {
  const budget = { 'timeout-seconds': '2', 'max-attempts': '1' }
  const bounded = (run: ActionRun, phase: RegExp) => {
    expect(run.code).toBe(1)
    expect(run.elapsedMs).toBeLessThan(2000 + SLACK)
    expect(run.log).toMatch(phase)
    expect(run.outputs).toEqual({})
    expectSafe(run)
  }

  it.each([
    ['never answers CONNECT', () => {}, 'waiting for the proxy to answer CONNECT'],
    [
      'opens the tunnel to a server that never completes the TLS handshake',
      (socket: Socket) => socket.write('HTTP/1.1 200 Connection Established\r\n\r\n'),
      'in the TLS handshake'
    ]
  ])('a proxy that %s', async (_what, onConnect, phase) => {
    const proxy = await silentServer(onConnect)
    const run = await runAction(
      {
        'client-id': ID,
        'client-secret': SECRET,
        'token-url': 'https://auth.proxy.test/token',
        ...budget
      },
      { env: { HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` } }
    )
    bounded(run, new RegExp(`within 2 s \\(timeout-seconds\\), stalled ${phase}`))
  })

  it('a token endpoint that never completes the TLS handshake', async () => {
    const server = await silentServer()
    const run = await runAction({
      'client-id': ID,
      'client-secret': SECRET,
      'token-url': `https://127.0.0.1:${server.port}/token`,
      ...budget
    })
    bounded(run, /within 2 s \(timeout-seconds\), stalled in the TLS handshake/)
  })

  it('a GitHub ID token service that never answers', async () => {
    const server = await silentServer()
    const run = await runAction(
      { 'client-id': ID, 'auth-method': 'github_oidc', 'token-url': canary.tokenUrl, ...budget },
      {
        env: {
          ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${server.port}/token?api-version=2.0`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token'
        }
      }
    )
    bounded(
      run,
      /^::error::Could not get a response from 127\.0\.0\.1:\d+: no complete response within 2 s/m
    )
  })

  it('a GitHub ID token service that answers 503: asked max-attempts times, no more', async () => {
    const server = await startFaultServer((_req, res) => sendJson(res, 503, {}))
    try {
      const run = await runAction(
        {
          'client-id': ID,
          'auth-method': 'github_oidc',
          'token-url': canary.tokenUrl,
          'max-attempts': '2'
        },
        {
          env: {
            ACTIONS_ID_TOKEN_REQUEST_URL: `${server.origin}/token?api-version=2.0`,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token'
          }
        }
      )
      expect(run.code).toBe(1)
      expect(server.requests).toHaveLength(2)
      expect(run.log).toMatch(
        /^::error::Gave up after 2 attempts\. GitHub's OIDC token service answered HTTP 503/m
      )
      expectSafe(run)
      for (const form of leakForms('runner-request-token')) expect(run.log).not.toContain(form)
    } finally {
      await server.close()
    }
  })

  it.each([
    ['discovery', (origin: string) => ({ issuer: origin })],
    ['the key set', (origin: string) => ({ 'jwks-url': `${origin}/jwks`, 'verify-token': 'true' })]
  ])('%s that never answers', async (_what, inputs) => {
    // The token endpoint answers; the document server accepts and stays silent.
    const documents = await silentServer()
    const token = await startFaultServer((_req, res) => sendJson(res, 200, STENT_TOKEN_RESPONSE))
    try {
      const run = await runAction({
        'client-id': ID,
        'client-secret': SECRET,
        'token-url': token.tokenUrl,
        ...inputs(`http://127.0.0.1:${documents.port}`),
        ...budget
      })
      bounded(
        run,
        /no complete response within 2 s \(timeout-seconds\), stalled waiting for the response/
      )
    } finally {
      await token.close()
    }
  })

  it('a revocation endpoint that never answers: a warning in bounded time', async () => {
    const server = await silentServer()
    const run = await runAction(
      {
        'client-id': ID,
        'client-secret': SECRET,
        // The same origin as the token endpoint: the credentials go nowhere else.
        'token-url': `http://127.0.0.1:${server.port}/token`,
        revoke: 'true',
        'revocation-url': `http://127.0.0.1:${server.port}/revoke`,
        ...budget
      },
      { env: postStepEnv({ 'revoke-token': TOKEN, isPost: 'true' }) }
    )
    expect(run.code).toBe(0)
    expect(run.elapsedMs).toBeLessThan(2000 + SLACK)
    expect(run.log).toMatch(
      /^::warning::The access token was not revoked\. Could not get a response/m
    )
    expectSafe(run)
  })
})

describe('smaller', () => {
  it('http://[::1]:PORT, documented as accepted, gets a token', async () => {
    const server = createServer((_req, res: ServerResponse) =>
      sendJson(res, 200, STENT_TOKEN_RESPONSE)
    )
    await new Promise<void>(resolve => server.listen(0, '::1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const run = await runAction({
        'client-id': ID,
        'client-secret': SECRET,
        'token-url': `http://[::1]:${port}/connect/token`
      })
      expect(run.log).not.toMatch(/::error::/)
      expect(run.code).toBe(0)
      expect(run.outputs['access-token']).toBe(TOKEN)
    } finally {
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  })

  it.each(['BASH_ENV', 'LD_PRELOAD', 'NODE_EXTRA_CA_CERTS', 'GITHUB_TOKEN'])(
    'export-variable %s is refused before any request',
    async name => {
      const run = await runAction({
        'client-id': ID,
        'client-secret': SECRET,
        'token-url': `${canary.origin}/connect/token`,
        'export-variable': name
      })
      expect(run.code).toBe(1)
      expect(run.log).toMatch(new RegExp(`^::error::Input 'export-variable' names '${name}'`, 'm'))
      expect(run.exported).toEqual({})
      expectSafe(run)
    }
  )
})
