// The runner's OIDC token service, as a job with `permissions: id-token: write` sees it:
// ACTIONS_ID_TOKEN_REQUEST_URL (with a query, to which the action appends &audience=...) and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN. It issues ID tokens shaped like GitHub's, signed by its own key.
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT, exportJWK } from 'jose'

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'
export const GITHUB_SUBJECT = 'repo:acme/deploy:ref:refs/heads/main'

export async function startGitHubOidc() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const requestToken = randomUUID()
  const issued: Array<{ audience: string; token: string }> = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (req.headers.authorization !== `Bearer ${requestToken}`) {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.end('{"message":"bad request token"}')
      return
    }
    const audience = url.searchParams.get('audience') ?? ''
    const now = Math.floor(Date.now() / 1000)
    void new SignJWT({ repository: 'acme/deploy', ref: 'refs/heads/main' })
      .setProtectedHeader({ alg: 'RS256', kid: 'github-test', typ: 'JWT' })
      .setIssuer(GITHUB_ISSUER)
      .setSubject(GITHUB_SUBJECT)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 300)
      .sign(privateKey)
      .then(token => {
        issued.push({ audience, token })
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ count: 1, value: token }))
      })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    issued,
    jwks: {
      keys: [{ ...(await exportJWK(publicKey)), kid: 'github-test', alg: 'RS256', use: 'sig' }]
    },
    /** The job environment that lets the action reach this service. */
    env: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken
    },
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
