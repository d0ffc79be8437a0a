// A real OAuth 2.0 authorization server (oidc-provider) on loopback, issuing JWT access tokens by
// the client-credentials grant at /connect/token as Stent does. Used by the tests, `npm start` and
// the self-test workflow.
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { Readable } from 'node:stream'
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
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
 * @typedef {object} Federation Accepts an ID token from another issuer (GitHub Actions) as the
 *   client assertion of one client, as Entra ID's and Duende's federated credentials do.
 * @property {string} clientId the client it authenticates
 * @property {string} issuer the assertion's iss
 * @property {import('jose').JSONWebKeySet} jwks that issuer's public keys
 * @property {string} subject the sub the assertion must have
 * @property {string} audience the aud the assertion must have
 */

/**
 * oidc-provider's stored state (tokens, grants) in a Map per model, for one server's lifetime: its
 * own memory adapter is the same, but warns on every start that it is not for production.
 */
class MapAdapter {
  /** @param {string} model @param {Map<string, Map<string, any>>} stores one server's */
  constructor(model, stores) {
    /** @type {Map<string, any>} */
    this.store = stores.get(model) ?? new Map()
    stores.set(model, this.store)
  }
  /** @param {string} id @param {any} payload */
  async upsert(id, payload) {
    this.store.set(id, payload)
  }
  /** @param {string} id */
  async find(id) {
    return this.store.get(id)
  }
  /** @param {string} uid */
  async findByUid(uid) {
    return [...this.store.values()].find(payload => payload.uid === uid)
  }
  /** @param {string} userCode */
  async findByUserCode(userCode) {
    return [...this.store.values()].find(payload => payload.userCode === userCode)
  }
  /** @param {string} id */
  async consume(id) {
    const payload = this.store.get(id)
    if (payload) payload.consumed = Math.floor(Date.now() / 1000)
  }
  /** @param {string} id */
  async destroy(id) {
    this.store.delete(id)
  }
  /** @param {string} grantId */
  async revokeByGrantId(grantId) {
    for (const [id, payload] of this.store) if (payload.grantId === grantId) this.store.delete(id)
  }
}

/** Generated per federated client: the provider authenticates it by secret once federation has. */
const FEDERATED_SECRET = randomUUID()

/**
 * Starts the server. Every token request it sees is recorded in `calls`, successful or not, with
 * the form body as the server parsed it (unknown parameters included). Clients listed in
 * `opaque` get opaque (reference) access tokens, which can be revoked and introspected; the
 * others get JWTs.
 * @param {{ clients?: ClientSpec[], port?: number, host?: string, opaque?: string[], federation?: Federation }} [options]
 */
export async function startAuthServer({
  clients = [DEMO_CLIENT],
  port = 0,
  host = '127.0.0.1',
  opaque = [],
  federation = undefined
} = {}) {
  const server = createServer()
  await new Promise(resolve => server.listen(port, host, () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const issuer = `http://${host}:${address.port}`
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'jwk'
  })

  /** @type {ClientSpec[]} */
  const metadata = [
    ...clients,
    ...(federation ? [{ client_id: federation.clientId, client_secret: FEDERATED_SECRET }] : [])
  ].map(client => ({
    token_endpoint_auth_method: 'client_secret_post',
    ...client,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: DEMO_SCOPES
  }))
  // Clients with keys are served from the adapter: oidc-provider structuredClones static clients,
  // and under jest's VM modules it then refuses the cloned objects as JWKs (another realm's Object).
  /** @type {Map<string, Map<string, any>>} */
  const stores = new Map([
    ['Client', new Map(metadata.filter(c => c.jwks).map(c => [c.client_id, c]))]
  ])
  const provider = new Provider(issuer, {
    adapter: (/** @type {string} */ model) => new MapAdapter(model, stores),
    clients: metadata.filter(client => !client.jwks),
    jwks: { keys: [{ ...signingKey, kid: 'demo-signing-key', use: 'sig', alg: 'RS256' }] },
    routes: { token: TOKEN_PATH },
    ttl: { ClientCredentials: 30 * 24 * 3600 },
    scopes: DEMO_SCOPES.split(' '),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Any authenticated client may introspect and revoke: it is a test server.
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => DEMO_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, _resource, client) => ({
          scope: DEMO_SCOPES,
          audience: DEMO_RESOURCE,
          accessTokenFormat: opaque.includes(client.clientId) ? 'opaque' : 'jwt',
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
  if (federation) provider.use(federate(federation))
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
    revocationUrl: `${issuer}/token/revocation`,
    /** The private signing key, for tests that mint tokens the server would (expired ones). */
    signingKey,
    calls,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections()
        server.close(() => resolve(undefined))
      })
  }
}

/**
 * Koa middleware in front of the provider: a client assertion from the federated issuer is
 * verified against that issuer's keys, subject and audience, then replaced by the client's own
 * credentials for the provider to check as usual.
 * @param {Federation} federation
 * @returns {(ctx: import('oidc-provider').KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>}
 */
function federate(federation) {
  const keys = createLocalJWKSet(federation.jwks)
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return next()
    const chunks = []
    for await (const chunk of ctx.req) chunks.push(chunk)
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
    const assertion = form.client_assertion ?? ''
    if (assertion && decodeJwt(assertion).iss === federation.issuer) {
      try {
        await jwtVerify(assertion, keys, {
          issuer: federation.issuer,
          audience: federation.audience,
          subject: federation.subject
        })
      } catch (error) {
        ctx.status = 401
        ctx.body = {
          error: 'invalid_client',
          error_description: `federated assertion rejected: ${error instanceof Error ? error.message : error}`
        }
        return
      }
      delete form.client_assertion
      delete form.client_assertion_type
      form.client_id = federation.clientId
      form.client_secret = FEDERATED_SECRET
    }
    // The provider reads the body itself: hand it a fresh stream of the (rewritten) form.
    const body = Buffer.from(new URLSearchParams(form).toString())
    const { headers, method, url, socket, httpVersion } = ctx.req
    const replay = Object.assign(Readable.from([body]), {
      headers: { ...headers, 'content-length': String(body.length) },
      method,
      url,
      socket,
      httpVersion
    })
    ctx.req = ctx.request.req = /** @type {any} */ (replay)
    return next()
  }
}
