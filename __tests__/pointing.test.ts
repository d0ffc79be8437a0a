// Messages that point at the right thing (issue 19): each through the built action, as a user sees
// it in the log. The URLs printed are ours (built from the inputs) or a server's endpoint that
// passed the rules a discovered endpoint must; the server's own issuer is never printed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { sendJson, startFaultServer } from '../__fixtures__/fault-server.js'
import { runAction } from '../__fixtures__/run-action.mjs'

const ID = 'pointing-client'
const SECRET = 'a-long-client-secret'
const SHAPES =
  'Keycloak https://<host>/realms/<realm>, Okta https://<org>.okta.com/oauth2/default, Entra ID https://login.microsoftonline.com/<tenant>/v2.0'

type Server = Awaited<ReturnType<typeof startFaultServer>>
const servers: Server[] = []
afterAll(() => Promise.all(servers.map(server => server.close())))
async function serve(script: Parameters<typeof startFaultServer>[0]): Promise<Server> {
  const server = await startFaultServer(script)
  servers.push(server)
  return server
}
const error = (log: string) => /^::error::(.*)$/m.exec(log)?.[1] ?? ''

describe('an issuer without a discovery document', () => {
  let server: Server
  beforeAll(async () => {
    server = await serve((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' })
      res.end('<html>Not found</html>')
    })
  })

  it('names the URL that was tried and the usual issuer shapes', async () => {
    const run = await runAction({
      'client-id': ID,
      'client-secret': SECRET,
      issuer: `${server.origin}/auth`
    })
    expect(run.code).toBe(1)
    expect(error(run.log)).toBe(
      `The discovery endpoint answered HTTP 404 with an HTML page. Hint: there is no discovery document at 127.0.0.1:${server.port}/auth/.well-known/openid-configuration (issuer + /.well-known/openid-configuration). Set issuer to the server's issuer, e.g. ${SHAPES}.`
    )
  })

  it('an issuer that is the discovery document URL is refused before any request', async () => {
    const before = server.requests.length
    const issuer = `${server.origin}/realms/ci/.well-known/openid-configuration`
    const run = await runAction({ 'client-id': ID, 'client-secret': SECRET, issuer })
    expect(run.code).toBe(1)
    expect(server.requests.length).toBe(before)
    expect(error(run.log)).toBe(
      `Input 'issuer' is the discovery document's URL; set issuer to the part before /.well-known/openid-configuration: ${server.origin}/realms/ci`
    )
  })
})

describe('token-url pointing at a discovery document that answers 200', () => {
  it('points at issuer and at the token_endpoint it lists', async () => {
    const server = await serve((_req, res) =>
      sendJson(res, 200, {
        issuer: 'https://idp.example.com',
        token_endpoint: 'http://127.0.0.1:1/realms/ci/protocol/openid-connect/token'
      })
    )
    const tokenUrl = `${server.origin}/realms/ci/.well-known/openid-configuration`
    const run = await runAction({ 'client-id': ID, 'client-secret': SECRET, 'token-url': tokenUrl })
    expect(run.code).toBe(1)
    expect(error(run.log)).toBe(
      `The token endpoint answered HTTP 200 with a discovery document, not a token response: token-url is the discovery document's URL. Set issuer: ${server.origin}/realms/ci instead (the action then finds the token endpoint), or token-url to the token_endpoint it lists (127.0.0.1:1/realms/ci/protocol/openid-connect/token).`
    )
  })

  it.each([
    ['plain http to another host', 'http://evil.example/steal'],
    ['not a URL, with commands in it', 'x\n::add-mask::y\r::warning::z'],
    ['with credentials', 'https://user:pass@evil.example/token']
  ])('does not print a token_endpoint %s', async (_name, endpoint) => {
    const server = await serve((_req, res) => sendJson(res, 200, { token_endpoint: endpoint }))
    const run = await runAction({
      'client-id': ID,
      'client-secret': SECRET,
      'token-url': server.tokenUrl
    })
    expect(run.code).toBe(1)
    expect(error(run.log)).toBe(
      "The token endpoint answered HTTP 200 with a discovery document, not a token response: token-url is the discovery document's URL. Set issuer to the URL before /.well-known/openid-configuration instead (the action then finds the token endpoint), or token-url to the token_endpoint it lists."
    )
    expect(run.log).not.toMatch(/evil|steal|add-mask::y|::warning::/)
  })
})

describe('a discovery document whose issuer does not match', () => {
  it('with none, says so in a sentence', async () => {
    const server = await serve((_req, res) => sendJson(res, 200, { token_endpoint: 'x' }))
    const run = await runAction({ 'client-id': ID, 'client-secret': SECRET, issuer: server.origin })
    expect(error(run.log)).toBe(
      `The discovery document at 127.0.0.1:${server.port}/.well-known/openid-configuration names no issuer, so it cannot be matched to the issuer input ('${server.origin}') as OpenID Connect Discovery §4.3 requires. Hint: there is no discovery document at 127.0.0.1:${server.port}/.well-known/openid-configuration (issuer + /.well-known/openid-configuration). Set issuer to the server's issuer, e.g. ${SHAPES}.`
    )
  })

  it('with another, says how they differ only when it is a trailing slash, never quoting it', async () => {
    let issuer = ''
    const server = await serve((_req, res) => sendJson(res, 200, { issuer, token_endpoint: 'x' }))
    issuer = `${server.origin}/`
    const slash = await runAction({
      'client-id': ID,
      'client-secret': SECRET,
      issuer: server.origin
    })
    expect(error(slash.log)).toBe(
      `The discovery document names another issuer than the issuer input ('${server.origin}'); the two must be equal, character for character (OpenID Connect Discovery §4.3). Hint: they differ only by a trailing slash: set issuer: ${server.origin}/`
    )
    issuer = 'https://server-text.example/'
    const other = await runAction({
      'client-id': ID,
      'client-secret': SECRET,
      issuer: server.origin
    })
    expect(error(other.log)).toBe(
      `The discovery document names another issuer than the issuer input ('${server.origin}'); the two must be equal, character for character (OpenID Connect Discovery §4.3). Hint: set issuer to the issuer the server's discovery document names, trailing slash included.`
    )
    expect(other.log).not.toContain('server-text')
  })
})

describe('a silent endpoint with small timeout-seconds and max-attempts', () => {
  it('ends the whole step within its budget: a Retry-After that would cross it ends the retries', async () => {
    // Discovery answers; the token endpoint is silent, then asks for 60 s. Budget: 3 attempts of
    // 1 s, 1 + 2 s of backoff, 1 s to spare: 7 s, where the old retries waited over a minute.
    const server = await serve((req, res, index) => {
      if (req.url?.endsWith('/openid-configuration')) {
        sendJson(res, 200, { issuer: server.origin, token_endpoint: server.tokenUrl })
      } else if (index === 1) {
        // silent: the attempt times out
      } else {
        sendJson(res, 503, {}, { 'retry-after': '60' })
      }
    })
    const run = await runAction(
      {
        'client-id': ID,
        'client-secret': SECRET,
        issuer: server.origin,
        'timeout-seconds': '1',
        'max-attempts': '3'
      },
      { timeoutMs: 30_000 }
    )
    expect(run.code).toBe(1)
    expect(error(run.log)).toMatch(
      /^Gave up after 2 attempts: the step's time budget ran out before another could be made \(the next was due in 6\d\.\d s\)\. The token endpoint answered HTTP 503/
    )
    expect(error(run.log)).toContain('set timeout-seconds or max-attempts')
    expect(run.elapsedMs).toBeLessThan(7000 + 3000)
  })
})
