// A real OAuth 2.0 authorization server (oidc-provider) on loopback, issuing JWT access tokens by
// the client-credentials grant at /connect/token as Stent does. Used by the tests, `npm start` and
// the self-test workflow. With `tls`, it serves HTTPS, asks for client certificates and does
// mutual TLS client authentication (RFC 8705) with certificate-bound access tokens.
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { TLSSocket } from 'node:tls'
import { replayBody } from './replay-body.mjs'
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose'
import Provider from 'oidc-provider'
import { ANONYMOUS_CLIENT, JWT_BEARER, TOKEN_EXCHANGE, registerGrants } from './grants.mjs'

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
 * @typedef {object} TlsOptions Serve HTTPS and enable features.mTLS (tls_client_auth,
 *   self_signed_tls_client_auth, certificate-bound access tokens).
 * @property {string} key PEM private key of the server certificate
 * @property {string} cert PEM server certificate (must cover the issuer's host)
 * @property {string} ca PEM of the CA that signs client certificates for tls_client_auth
 * @property {string} [hostname] the issuer's host name if not `host` (e.g. a name only a proxy
 *   resolves); the server certificate must cover it
 * @typedef {import('./grants.mjs').TrustPolicy} Grants Enables RFC 8693 token exchange and the
 *   RFC 7523 JWT-bearer grant for every client, with this trust policy for subject tokens.
 */

/** HMAC algorithms for client_secret_jwt: oidc-provider's default list has HS256 only. */
const CLIENT_AUTH_SIGNING_ALGS = /** @type {const} */ ([
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'PS256',
  'ES256',
  'Ed25519',
  'EdDSA'
])
const MTLS_METHODS = /** @type {const} */ (['tls_client_auth', 'self_signed_tls_client_auth'])

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
 * others get JWTs. With `tls`, clients may use tls_client_auth (with tls_client_auth_subject_dn or
 * a tls_client_auth_san_* value) and self_signed_tls_client_auth (jwks with the certificate in
 * x5c); theirs are certificate-bound tokens (`cnf.x5t#S256`) unless they register
 * `tls_client_certificate_bound_access_tokens: false`. client_secret_jwt accepts HS256/384/512.
 * With `grants`, every client may also use token exchange and JWT bearer (see grants.mjs), and a
 * request for those grants with no client authentication at all is served as ANONYMOUS_CLIENT.
 * @param {{ clients?: ClientSpec[], port?: number, host?: string, opaque?: string[], federation?: Federation, tls?: TlsOptions, grants?: Grants }} [options]
 */
export async function startAuthServer({
  clients = [DEMO_CLIENT],
  port = 0,
  host = '127.0.0.1',
  opaque = [],
  federation = undefined,
  tls = undefined,
  grants = undefined
} = {}) {
  const server = tls
    ? // The provider decides: no cert, or one from another CA, still reaches it (invalid_client).
      createHttpsServer({
        key: tls.key,
        cert: tls.cert,
        ca: tls.ca,
        requestCert: true,
        rejectUnauthorized: false
      })
    : createServer()
  await new Promise(resolve => server.listen(port, host, () => resolve(undefined)))
  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const issuer = tls
    ? `https://${tls.hostname ?? host}:${address.port}`
    : `http://${host}:${address.port}`
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    format: 'jwk'
  })

  /** @type {ClientSpec[]} */
  const metadata = [
    ...clients,
    ...(federation ? [{ client_id: federation.clientId, client_secret: FEDERATED_SECRET }] : []),
    ...(grants ? [ANONYMOUS_CLIENT] : [])
  ].map(client => ({
    token_endpoint_auth_method: 'client_secret_post',
    ...(MTLS_METHODS.some(method => method === client.token_endpoint_auth_method)
      ? { tls_client_certificate_bound_access_tokens: true }
      : {}),
    ...client,
    grant_types: grants
      ? ['client_credentials', TOKEN_EXCHANGE, JWT_BEARER]
      : ['client_credentials'],
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
  /** @type {import('./grants.mjs').GrantServer['resourceServer']} */
  const resourceServer = (_ctx, _resource, client) => ({
    scope: DEMO_SCOPES,
    audience: DEMO_RESOURCE,
    accessTokenFormat: opaque.includes(client.clientId) ? 'opaque' : 'jwt',
    accessTokenTTL: 30 * 24 * 3600,
    jwt: { sign: { alg: 'RS256' } }
  })
  const provider = new Provider(issuer, {
    adapter: (/** @type {string} */ model) => new MapAdapter(model, stores),
    clients: metadata.filter(client => !client.jwks),
    jwks: { keys: [{ ...signingKey, kid: 'demo-signing-key', use: 'sig', alg: 'RS256' }] },
    routes: { token: TOKEN_PATH },
    ttl: {
      ClientCredentials: 30 * 24 * 3600,
      // The grants issue AccessTokens: the resource server's TTL, as oidc-provider's default does,
      // without its console notice.
      ...(grants
        ? {
            AccessToken: (/** @type {any} */ _ctx, /** @type {any} */ token) =>
              token.resourceServer?.accessTokenTTL ?? 3600
          }
        : {})
    },
    scopes: DEMO_SCOPES.split(' '),
    // Only when a client needs it, so that the default discovery document stays as it was.
    ...(metadata.some(client => client.token_endpoint_auth_method === 'client_secret_jwt')
      ? { enabledJWA: { clientAuthSigningAlgValues: CLIENT_AUTH_SIGNING_ALGS } }
      : {}),
    // features.mTLS only makes the methods possible: the server must offer them too.
    ...(tls
      ? {
          clientAuthMethods: [
            'client_secret_basic',
            'client_secret_jwt',
            'client_secret_post',
            'private_key_jwt',
            'none',
            ...MTLS_METHODS
          ]
        }
      : {}),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      ...(tls ? { mTLS: mutualTls() } : {}),
      // Any authenticated client may introspect and revoke: it is a test server.
      introspection: { enabled: true, allowedPolicy: async () => true },
      revocation: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => DEMO_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: resourceServer
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
      // The form as sent: grants.mjs adds a client_id to requests without client authentication.
      body: { ...(ctx.state?.tokenRequestBody ?? ctx.oidc?.body ?? {}) },
      authorization: ctx.get('authorization') || undefined,
      ...(error ? { error: error.error ?? String(error) } : {})
    })
  }
  if (federation) provider.use(federate(federation))
  if (grants) {
    registerGrants(provider, grants, {
      tokenPath: TOKEN_PATH,
      defaultResource: DEMO_RESOURCE,
      resourceServer,
      signingKey: { ...signingKey, kid: 'demo-signing-key' }
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
    replayBody(ctx, Buffer.from(new URLSearchParams(form).toString()))
    return next()
  }
}

/**
 * features.mTLS for an HTTPS server made with `ca`, `requestCert: true, rejectUnauthorized: false`:
 * TLS checks the chain (`socket.authorized`), the provider the client's registered subject.
 * @returns {import('oidc-provider').MTLSEnabledClientAuthenticationConfiguration}
 */
function mutualTls() {
  /** @param {import('oidc-provider').KoaContextWithOIDC} ctx */
  const peer = ctx => {
    const socket = ctx.req.socket
    return socket instanceof TLSSocket ? socket.getPeerX509Certificate() : undefined
  }
  return {
    enabled: true,
    certificateBoundAccessTokens: true,
    tlsClientAuth: true,
    selfSignedTlsClientAuth: true,
    getCertificate: ctx => peer(ctx)?.toString(),
    certificateAuthorized: ctx =>
      ctx.req.socket instanceof TLSSocket && ctx.req.socket.authorized === true,
    certificateSubjectMatches: (ctx, property, expected) => {
      const cert = peer(ctx)
      if (!cert) return false
      if (property === 'tls_client_auth_subject_dn') return sameDn(cert, expected)
      const kind = /** @type {Record<string, string>} */ ({
        tls_client_auth_san_dns: 'DNS',
        tls_client_auth_san_ip: 'IP Address',
        tls_client_auth_san_email: 'email',
        tls_client_auth_san_uri: 'URI'
      })[property]
      return (cert.subjectAltName ?? '').split(', ').some(entry => entry === `${kind}:${expected}`)
    }
  }
}

/**
 * RFC 8705's tls_client_auth_subject_dn is an RFC 4514 string, most specific RDN first
 * (`CN=bot,O=Stent`); Node lists the subject's RDNs one a line in certificate order.
 * @param {import('node:crypto').X509Certificate} cert
 * @param {string} expected
 */
function sameDn(cert, expected) {
  /** @param {string} rdn */
  const normal = rdn => {
    const at = rdn.indexOf('=')
    return `${rdn.slice(0, at).trim().toUpperCase()}=${rdn.slice(at + 1).trim()}`
  }
  const actual = cert.subject.split('\n').reverse().map(normal)
  const wanted = expected.split(/(?<!\\),/).map(normal)
  return actual.length === wanted.length && actual.every((rdn, i) => rdn === wanted[i])
}
