// A real OAuth 2.0 authorization server (oidc-provider) on loopback, issuing JWT access tokens by
// the client-credentials grant at /connect/token as Stent does. Used by the tests, `npm start` and
// the self-test workflow.
import { generateKeyPairSync } from 'node:crypto'
import { createServer } from 'node:http'
import { createLocalJWKSet, jwtVerify } from 'jose'
import Provider from 'oidc-provider'

export const TOKEN_PATH = '/connect/token'
/** A protected resource: answers 200 with the token's client_id and scope for a valid token. */
export const WHOAMI_PATH = '/api/whoami'
export const DEMO_RESOURCE = 'https://api.stent.example/graphql'
export const DEMO_SCOPES = 'api:read api:write'

/** The client `npm start` and the self-test use; a secret with characters that need encoding
 * (oidc-provider holds secrets to RFC 6749's printable ASCII, so no é here). */
export const DEMO_CLIENT = Object.freeze({
  client_id: 'demo-client',
  client_secret: 'demo secret+/=:%&~!',
  token_endpoint_auth_method: 'client_secret_post'
})

/**
 * @typedef {import('oidc-provider').ClientMetadata} ClientSpec
 * @typedef {{ body: Record<string, unknown>, authorization: string | undefined, error?: string }} TokenCall
 */

/**
 * Starts the server. Every token request it sees is recorded in `calls`, successful or not, with
 * the form body as the server parsed it (unknown parameters included).
 * @param {{ clients?: ClientSpec[], port?: number, host?: string }} [options]
 */
export async function startAuthServer({
  clients = [DEMO_CLIENT],
  port = 0,
  host = '127.0.0.1'
} = {}) {
  const server = createServer()
  await new Promise(resolve => server.listen(port, host, () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const issuer = `http://${host}:${address.port}`
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'jwk'
  })

  const provider = new Provider(issuer, {
    clients: clients.map(client => ({
      token_endpoint_auth_method: 'client_secret_post',
      ...client,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: DEMO_SCOPES
    })),
    jwks: { keys: [{ ...signingKey, kid: 'demo-signing-key', use: 'sig', alg: 'RS256' }] },
    routes: { token: TOKEN_PATH },
    ttl: { ClientCredentials: 30 * 24 * 3600 },
    scopes: DEMO_SCOPES.split(' '),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => DEMO_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: DEMO_SCOPES,
          audience: DEMO_RESOURCE,
          accessTokenFormat: 'jwt',
          accessTokenTTL: 30 * 24 * 3600,
          jwt: { sign: { alg: 'RS256' } }
        })
      }
    }
  })

  /** @type {TokenCall[]} */
  const calls = []
  /**
   * @param {import('oidc-provider').KoaContextWithOIDC} ctx
   * @param {any} [error]
   */
  const record = (ctx, error) => {
    if (ctx.path !== TOKEN_PATH) return
    calls.push({
      body: { ...(ctx.oidc?.body ?? {}) },
      authorization: ctx.get('authorization') || undefined,
      ...(error ? { error: error.error ?? String(error) } : {})
    })
  }
  provider.on('grant.success', ctx => record(ctx))
  provider.on('grant.error', (ctx, /** @type {any} */ error) => record(ctx, error))
  provider.on('server_error', (ctx, /** @type {any} */ error) => record(ctx, error))
  const callback = provider.callback()
  const publicKey = {
    kty: signingKey.kty,
    n: signingKey.n,
    e: signingKey.e,
    kid: 'demo-signing-key'
  }
  const keys = createLocalJWKSet({ keys: [publicKey] })
  server.on('request', (req, res) => {
    if (req.url !== WHOAMI_PATH) return callback(req, res)
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? ''
    jwtVerify(token, keys, { issuer, audience: DEMO_RESOURCE }).then(
      ({ payload }) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ client_id: payload.client_id, scope: payload.scope }))
      },
      () => {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' })
        res.end('{"error":"invalid_token"}')
      }
    )
  })

  return {
    issuer,
    tokenUrl: `${issuer}${TOKEN_PATH}`,
    jwksUrl: `${issuer}/jwks`,
    introspectionUrl: `${issuer}/token/introspection`,
    whoamiUrl: `${issuer}${WHOAMI_PATH}`,
    calls,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections()
        server.close(() => resolve(undefined))
      })
  }
}
