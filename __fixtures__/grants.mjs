// Two grants that take a token from another issuer (the job's GitHub ID token) as the grant itself,
// registered on an oidc-provider Provider with registerGrantType: RFC 8693 token exchange and the
// RFC 7523 §2.1 JWT-bearer grant, as Google's STS, Auth0's custom token exchange and Okta do. The
// subject token (or assertion) is checked against a trust policy: signature by the issuer's keys,
// iss, aud, exp, and the `repository` claim.
import { replayBody } from './replay-body.mjs'
import { randomUUID } from 'node:crypto'
import { SignJWT, createLocalJWKSet, errors as joseErrors, importJWK, jwtVerify } from 'jose'
import { errors } from 'oidc-provider'

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export const TOKEN_TYPES = Object.freeze({
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  accessToken: 'urn:ietf:params:oauth:token-type:access_token'
})
/**
 * The client a request without any client authentication (no client_id, no secret, no assertion,
 * no Authorization header) is mapped to: oidc-provider itself answers such a request with
 * 400 invalid_request "no client authentication mechanism provided", while servers such as
 * Google's STS take the subject token as the only credential.
 */
export const ANONYMOUS_CLIENT = Object.freeze({
  client_id: 'token-exchange-anonymous',
  token_endpoint_auth_method: /** @type {const} */ ('none')
})
/** The description of a subject token whose claims do not satisfy the trust policy. */
export const POLICY_MISMATCH = 'subject token does not match the trust policy'

/**
 * @typedef {object} TrustPolicy Which foreign tokens the grants accept.
 * @property {import('jose').JSONWebKeySet} jwks the issuer's public keys
 * @property {string} issuer the subject token's iss
 * @property {string} audience the aud the subject token must have
 * @property {string} repository the `repository` claim the subject token must have
 * @property {string[]} [resources] resource or audience values the server knows besides the
 *   default resource (all of them name the one resource server)
 * @property {boolean} [idTokens] answer requested_token_type id_token with an ID token and
 *   token_type N_A (RFC 8693 §2.2.1); without it that request is invalid_request
 * @property {'invalid_grant' | 'invalid_request'} [subjectTokenError] the code for a subject token
 *   that fails verification or policy in token exchange: invalid_grant (default, what Google's STS
 *   answers) or invalid_request (RFC 8693 §2.2.2's letter). JWT bearer always says invalid_grant.
 * @typedef {object} GrantServer What the grants need from the server they run in.
 * @property {string} tokenPath the token endpoint's path
 * @property {string} defaultResource the resource when none is requested
 * @property {(ctx: import('oidc-provider').KoaContextWithOIDC, resource: string, client: import('oidc-provider').Client) => import('oidc-provider').ResourceServer} resourceServer
 *   the server's resource server info (its features.resourceIndicators.getResourceServerInfo)
 * @property {import('node:crypto').JsonWebKey} signingKey a private JWK (with kid) for ID tokens
 */

/**
 * Registers both grants on `provider`, and a middleware that maps requests without any client
 * authentication to ANONYMOUS_CLIENT (which the server must register, with both grant types).
 * Errors are RFC 6749 §5.2 JSON bodies; __tests__/grants-fixture.test.ts shows each one.
 * @param {import('oidc-provider').default} provider
 * @param {TrustPolicy} policy
 * @param {GrantServer} server
 */
export function registerGrants(provider, policy, server) {
  const keys = createLocalJWKSet(policy.jwks)
  const known = new Set([server.defaultResource, ...(policy.resources ?? [])])
  const subjectError = policy.subjectTokenError ?? 'invalid_grant'

  /**
   * Verifies a foreign token against the policy; throws the OAuth error to answer.
   * @param {unknown} token
   * @param {string} name the parameter, for error descriptions
   * @param {'invalid_grant' | 'invalid_request'} code
   * @param {boolean} [checkRepository]
   */
  const verify = async (token, name, code, checkRepository = true) => {
    /** @param {string} description */
    const fail = description => new errors.CustomOIDCProviderError(code, description)
    if (typeof token !== 'string' || !token) {
      throw new errors.InvalidRequest(`missing required parameter(s) (${name})`)
    }
    let payload
    try {
      ;({ payload } = await jwtVerify(token, keys, {
        issuer: policy.issuer,
        audience: policy.audience
      }))
    } catch (error) {
      throw fail(`${name} ${reason(error)}`)
    }
    if (checkRepository && payload.repository !== policy.repository) throw fail(POLICY_MISMATCH)
    if (typeof payload.sub !== 'string' || !payload.sub) throw fail(`${name} has no sub`)
    return payload
  }

  /**
   * The requested targets (RFC 8693 §2.1 resource and audience, RFC 8707), all known, or
   * invalid_target; the default resource when none is asked for.
   * @param {unknown} resource
   * @param {unknown} audience
   */
  const targets = (resource, audience) => {
    /** @param {unknown} value */
    const list = value => (value === undefined ? [] : Array.isArray(value) ? value : [value])
    const resources = list(resource).map(String)
    const audiences = list(audience).map(String)
    for (const value of resources) {
      if (!known.has(value)) {
        throw new errors.InvalidTarget(`resource ${value} is not known to this server`)
      }
    }
    for (const value of audiences) {
      if (!known.has(value)) {
        throw new errors.InvalidTarget(`audience ${value} is not known to this server`)
      }
    }
    const all = [...new Set([...resources, ...audiences])]
    return all.length ? all : [server.defaultResource]
  }

  /**
   * Issues a JWT access token the way the client_credentials grant does (the resource server's
   * format, signing and TTL), with the subject token's sub as sub.
   * @param {import('oidc-provider').KoaContextWithOIDC} ctx
   * @param {string} sub
   * @param {string[]} targetList
   * @param {string} gty
   */
  const accessToken = async (ctx, sub, targetList, gty) => {
    const client = /** @type {import('oidc-provider').Client} */ (ctx.oidc.client)
    const first = /** @type {string} */ (targetList[0])
    const info = server.resourceServer(ctx, first, client)
    const requested = String(ctx.oidc.params?.scope ?? '')
      .split(' ')
      .filter(Boolean)
    const offered = new Set((info.scope ?? '').split(' '))
    for (const scope of requested) {
      if (!offered.has(scope))
        throw new errors.InvalidScope('requested scope is not allowed', scope)
    }
    const token = new provider.AccessToken({
      client,
      accountId: sub,
      grantId: randomUUID(),
      gty,
      scope: requested.join(' ') || undefined
    })
    token.resourceServer = new provider.ResourceServer(first, info)
    ctx.oidc.entity('AccessToken', token)
    const value = await token.save()
    return { value, expiresIn: token.expiration, scope: token.scope, tokenType: token.tokenType }
  }

  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async ctx => {
      const params = /** @type {Record<string, unknown>} */ (ctx.oidc.params)
      const type = params.subject_token_type
      if (!params.subject_token) {
        throw new errors.InvalidRequest('missing required parameter(s) (subject_token)')
      }
      if (!type) {
        throw new errors.InvalidRequest('missing required parameter(s) (subject_token_type)')
      }
      if (type !== TOKEN_TYPES.jwt && type !== TOKEN_TYPES.idToken) {
        throw new errors.InvalidRequest(`subject_token_type ${type} is not supported`)
      }
      if (params.actor_token && !params.actor_token_type) {
        throw new errors.InvalidRequest('actor_token_type is required with actor_token')
      }
      if (params.actor_token_type && !params.actor_token) {
        throw new errors.InvalidRequest('actor_token_type was sent without actor_token')
      }
      const requestedType = params.requested_token_type ?? TOKEN_TYPES.accessToken
      const wantsIdToken = policy.idTokens && requestedType === TOKEN_TYPES.idToken
      if (requestedType !== TOKEN_TYPES.accessToken && !wantsIdToken) {
        throw new errors.InvalidRequest(`requested_token_type ${requestedType} is not supported`)
      }
      const subject = await verify(params.subject_token, 'subject_token', subjectError)
      if (params.actor_token) {
        if (params.actor_token_type !== TOKEN_TYPES.jwt) {
          throw new errors.InvalidRequest(
            `actor_token_type ${params.actor_token_type} is not supported`
          )
        }
        await verify(params.actor_token, 'actor_token', subjectError, false)
      }
      const targetList = targets(params.resource, params.audience)
      const sub = /** @type {string} */ (subject.sub)
      if (wantsIdToken) {
        const lifetime = 300
        const client = /** @type {import('oidc-provider').Client} */ (ctx.oidc.client)
        const key = /** @type {import('jose').JWK} */ (server.signingKey)
        const idToken = await new SignJWT({ repository: subject.repository })
          .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
          .setIssuer(provider.issuer)
          .setSubject(sub)
          .setAudience(client.clientId)
          .setIssuedAt()
          .setExpirationTime(`${lifetime}s`)
          .sign(await importJWK(key, 'RS256'))
        ctx.body = {
          access_token: idToken,
          issued_token_type: TOKEN_TYPES.idToken,
          token_type: 'N_A',
          expires_in: lifetime
        }
        return
      }
      const token = await accessToken(ctx, sub, targetList, 'token_exchange')
      ctx.body = {
        access_token: token.value,
        issued_token_type: TOKEN_TYPES.accessToken,
        token_type: token.tokenType,
        expires_in: token.expiresIn,
        ...(token.scope ? { scope: token.scope } : {})
      }
    },
    [
      'subject_token',
      'subject_token_type',
      'actor_token',
      'actor_token_type',
      'requested_token_type',
      'resource',
      'audience',
      'scope'
    ],
    ['resource', 'audience']
  )

  provider.registerGrantType(
    JWT_BEARER,
    async ctx => {
      const params = /** @type {Record<string, unknown>} */ (ctx.oidc.params)
      // RFC 7523 §3.1: an assertion that is not valid is invalid_grant.
      const subject = await verify(params.assertion, 'assertion', 'invalid_grant')
      const targetList = targets(params.resource, undefined)
      const token = await accessToken(
        ctx,
        /** @type {string} */ (subject.sub),
        targetList,
        'jwt_bearer'
      )
      ctx.body = {
        access_token: token.value,
        token_type: token.tokenType,
        expires_in: token.expiresIn,
        ...(token.scope ? { scope: token.scope } : {})
      }
    },
    ['assertion', 'scope', 'resource'],
    ['resource']
  )

  provider.use(anonymousClient(server.tokenPath))
}

/**
 * Why jose refused a token, in words a test can match.
 * @param {unknown} error
 */
function reason(error) {
  if (error instanceof joseErrors.JWTExpired) return 'is expired'
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return 'audience is not accepted'
    if (error.claim === 'iss') return 'issuer is not trusted'
    return `claim ${error.claim} is not valid`
  }
  if (
    error instanceof joseErrors.JWSSignatureVerificationFailed ||
    error instanceof joseErrors.JWKSNoMatchingKey ||
    error instanceof joseErrors.JWKSMultipleMatchingKeys
  ) {
    return 'signature is not valid'
  }
  return 'is not a valid JWT'
}

/**
 * Koa middleware in front of the provider: a token-exchange or JWT-bearer request that carries
 * no client authentication at all gets `client_id` = ANONYMOUS_CLIENT's, a public client, so that
 * the provider (which refuses such requests with invalid_request "no client authentication
 * mechanism provided") treats the subject token as the only credential. The form as the client
 * sent it is kept in `ctx.state.tokenRequestBody` for the server's call log.
 * @param {string} tokenPath
 * @returns {(ctx: import('oidc-provider').KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>}
 */
function anonymousClient(tokenPath) {
  return async (ctx, next) => {
    if (
      ctx.method !== 'POST' ||
      ctx.path !== tokenPath ||
      !ctx.is('application/x-www-form-urlencoded')
    ) {
      return next()
    }
    const chunks = []
    for await (const chunk of ctx.req) chunks.push(chunk)
    const raw = Buffer.concat(chunks)
    const form = new URLSearchParams(raw.toString('utf8'))
    const grantType = form.get('grant_type')
    const anonymous =
      (grantType === TOKEN_EXCHANGE || grantType === JWT_BEARER) &&
      !form.has('client_id') &&
      !form.has('client_assertion') &&
      !ctx.get('authorization')
    let body = raw
    if (anonymous) {
      /** @type {Record<string, string | string[]>} */
      const sent = {}
      for (const [name, value] of form) {
        const previous = sent[name]
        sent[name] =
          previous === undefined
            ? value
            : [...(Array.isArray(previous) ? previous : [previous]), value]
      }
      ctx.state.tokenRequestBody = sent
      form.set('client_id', ANONYMOUS_CLIENT.client_id)
      body = Buffer.from(form.toString())
    }
    replayBody(ctx, body)
    return next()
  }
}
