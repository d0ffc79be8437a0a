// verifyAccessToken against a key set, with an injected clock; discovery documents.
import { describe, expect, it } from '@jest/globals'
import { SignJWT, exportJWK } from 'jose'
import { generateKeyPairSync } from 'node:crypto'
import { discoveryUrl, parseDiscovery } from '../src/oauth/discovery.js'
import { resolveEndpoints } from '../src/steps/endpoints.js'
import { readSettings } from '../src/config/inputs.js'
import { ActionError } from '../src/base/errors.js'
import { isJwt, verifyAccessToken } from '../src/oauth/jwt.js'

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const NOW = Date.parse('2026-11-27T12:00:00Z')
const jwks = async () => ({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'ES256' }] })
const token = (claims: { exp: number; nbf?: number }) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k' })
    .setIssuer('https://id.example.com')
    .setAudience('api')
    .setExpirationTime(claims.exp)
    .setNotBefore(claims.nbf ?? NOW / 1000 - 60)
    .sign(privateKey)
const expected = { issuer: 'https://id.example.com', audience: 'api' }

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return (error as Error).message
  }
  throw new Error('expected a failure')
}

describe('verifyAccessToken', () => {
  it('a good token returns its exp', async () => {
    const exp = NOW / 1000 + 3600
    expect(await verifyAccessToken(await token({ exp }), await jwks(), expected, NOW)).toEqual({
      exp,
      cnf: undefined
    })
  })

  it('an expired token fails, judged by the injected clock', async () => {
    const expiring = await token({ exp: NOW / 1000 + 60 })
    expect(await verifyAccessToken(expiring, await jwks(), expected, NOW)).toMatchObject({
      exp: NOW / 1000 + 60
    })
    expect(await failure(verifyAccessToken(expiring, await jwks(), expected, NOW + 120_000))).toBe(
      'The access token has already expired (its exp claim is in the past).'
    )
  })

  it('a signed token with no exp fails: RFC 9068 §2.2 requires one', async () => {
    const endless = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k' })
      .setIssuer('https://id.example.com')
      .setAudience('api')
      .sign(privateKey)
    expect(await failure(verifyAccessToken(endless, await jwks(), expected, NOW))).toBe(
      "The access token's exp claim failed verification: it has none, and RFC 9068 §2.2 requires one (a token that never expires cannot be verified as current)."
    )
  })

  it('a token not valid yet names nbf', async () => {
    const early = await token({ exp: NOW / 1000 + 3600, nbf: NOW / 1000 + 600 })
    expect(await failure(verifyAccessToken(early, await jwks(), expected, NOW))).toContain(
      "The access token's nbf claim failed"
    )
  })

  it('a tampered token fails on its signature', async () => {
    const [h, , s] = (await token({ exp: NOW / 1000 + 3600 })).split('.')
    const forged = `${h}.${Buffer.from('{"iss":"https://id.example.com","aud":"api","exp":9999999999}').toString('base64url')}.${s}`
    expect(await failure(verifyAccessToken(forged, await jwks(), expected, NOW))).toContain(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
    )
  })

  it('the wrong issuer, an opaque token, a key set that is not one', async () => {
    const good = await token({ exp: NOW / 1000 + 3600 })
    expect(
      await failure(
        verifyAccessToken(good, await jwks(), { ...expected, issuer: 'https://other' }, NOW)
      )
    ).toContain("The access token's iss claim failed verification")
    expect(await failure(verifyAccessToken('opaque-abc', await jwks(), expected, NOW))).toContain(
      'the access token is opaque (not a JWT)'
    )
    expect(await failure(verifyAccessToken(good, { nope: 1 }, expected, NOW))).toContain(
      'is not a JWKS document'
    )
    expect(isJwt(good)).toBe(true)
    expect(isJwt('a.b.c')).toBe(false)
  })
})

describe('parseDiscovery', () => {
  const doc = (body: unknown) => ({ status: 200, headers: {}, body: JSON.stringify(body) })
  const issuer = 'https://id.example.com'

  it('reads the endpoints, under the same URL rules as inputs', () => {
    const endpoints = parseDiscovery(
      doc({
        issuer,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        revocation_endpoint: `${issuer}/revoke`
      }),
      issuer
    )
    expect(Object.values(endpoints).map(url => url?.href)).toEqual([
      `${issuer}/token`,
      `${issuer}/jwks`,
      `${issuer}/revoke`
    ])
    expect(discoveryUrl(`${issuer}/`).href).toBe(`${issuer}/.well-known/openid-configuration`)
  })

  it('a client that presents a certificate uses mtls_endpoint_aliases (RFC 8705 §5); others do not', () => {
    const document = doc({
      issuer,
      token_endpoint: `${issuer}/token`,
      revocation_endpoint: `${issuer}/revoke`,
      jwks_uri: `${issuer}/jwks`,
      mtls_endpoint_aliases: {
        token_endpoint: 'https://mtls.id.example.com/token',
        revocation_endpoint: 'https://mtls.id.example.com/revoke'
      }
    })
    const hrefs = (endpoints: Record<string, URL | undefined>) =>
      Object.values(endpoints).map(url => url?.href)
    expect(hrefs(parseDiscovery(document, issuer, { mtls: true }))).toEqual([
      'https://mtls.id.example.com/token',
      `${issuer}/jwks`,
      'https://mtls.id.example.com/revoke'
    ])
    expect(hrefs(parseDiscovery(document, issuer))).toEqual([
      `${issuer}/token`,
      `${issuer}/jwks`,
      `${issuer}/revoke`
    ])
  })

  it('an mTLS alias obeys the same URL rules, naming the field', () => {
    expect(() =>
      parseDiscovery(
        doc({
          issuer,
          token_endpoint: `${issuer}/token`,
          mtls_endpoint_aliases: { token_endpoint: 'http://mtls.id.example.com/token' }
        }),
        issuer,
        { mtls: true }
      )
    ).toThrow("The discovery document's mtls_endpoint_aliases.token_endpoint must use https://")
  })

  describe('an https issuer cannot downgrade an endpoint to plain http, loopback or not', () => {
    const local = 'http://127.0.0.1:8080'
    it.each([
      [{ token_endpoint: `${local}/token` }, 'token_endpoint'],
      [{ jwks_uri: `${local}/jwks` }, 'jwks_uri'],
      [{ revocation_endpoint: `http://localhost:8080/revoke` }, 'revocation_endpoint'],
      [
        { mtls_endpoint_aliases: { token_endpoint: 'http://[::1]:8080/token' } },
        'mtls_endpoint_aliases.token_endpoint'
      ],
      [
        { mtls_endpoint_aliases: { revocation_endpoint: `${local}/revoke` } },
        'mtls_endpoint_aliases.revocation_endpoint'
      ]
    ])('%j is refused, naming the field', (fields, field) => {
      const document = doc({ issuer, token_endpoint: `${issuer}/token`, ...fields })
      expect(() => parseDiscovery(document, issuer, { mtls: true })).toThrow(
        `The discovery document's ${field} must use https://, as the issuer does (got http://`
      )
    })

    it('an http:// loopback issuer (a local test server) may list http:// loopback endpoints', () => {
      const endpoints = parseDiscovery(
        doc({ issuer: local, token_endpoint: `${local}/token`, jwks_uri: 'http://localhost/k' }),
        local
      )
      expect(endpoints.tokenUrl?.href).toBe(`${local}/token`)
      expect(endpoints.jwksUrl?.href).toBe('http://localhost/k')
    })

    it.each(['http://localhost.evil.example/token', 'http://127.0.0.1.nip.io/token'])(
      'even then, %s is not loopback',
      endpoint => {
        expect(() =>
          parseDiscovery(doc({ issuer: local, token_endpoint: endpoint }), local)
        ).toThrow("The discovery document's token_endpoint must use https:// (got http://")
      }
    )
  })

  it.each([
    [
      { issuer: `${issuer}/`, token_endpoint: `${issuer}/token` },
      'names another issuer than the issuer input'
    ],
    [
      { token_endpoint: `${issuer}/token` },
      'names no issuer, so it cannot be matched to the issuer input'
    ],
    [
      { issuer, token_endpoint: 'http://evil.example.com/token' },
      "The discovery document's token_endpoint must use https://"
    ],
    [{ issuer, token_endpoint: 42 }, "The discovery document's token_endpoint is not a string URL"],
    [['not', 'an', 'object'], 'is not a JSON object']
  ])('%j is refused', (body, message) => {
    expect(() => parseDiscovery(doc(body), issuer)).toThrow(message)
  })
})

describe('resolveEndpoints', () => {
  const discovered = {
    tokenUrl: new URL('https://id.example.com/token'),
    jwksUrl: new URL('https://id.example.com/jwks'),
    revocationUrl: new URL('https://id.example.com/revoke')
  }
  const settings = (inputs: Record<string, string>) =>
    readSettings(
      name =>
        ({ 'client-id': 'c', 'client-secret': 's', issuer: 'https://id.example.com', ...inputs })[
          name
        ] ?? ''
    )

  it('uses what discovery found when the inputs name nothing else', () => {
    expect(
      resolveEndpoints(settings({ 'token-url': 'https://auth.stent.io/connect/token' }), discovered)
    ).toEqual(discovered)
  })

  it('an explicit token-url, jwks-url or revocation-url wins', () => {
    const explicit = {
      'token-url': 'https://gw.example.com/token',
      'jwks-url': 'https://gw.example.com/jwks',
      'revocation-url': 'https://gw.example.com/revoke'
    }
    const endpoints = resolveEndpoints(settings(explicit), discovered)
    expect(Object.values(endpoints).map(url => url?.href)).toEqual(Object.values(explicit))
  })

  it('no token endpoint from either is a clear error', () => {
    expect(() => resolveEndpoints(settings({}), {})).toThrow(
      'The discovery document lists no token_endpoint'
    )
  })
})
