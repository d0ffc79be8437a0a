import { describe, expect, it } from '@jest/globals'
import { authenticate } from '../src/auth/index.js'
import { grantFields } from '../src/grants/index.js'
import { basicAuthorization } from '../src/auth/secret.js'
import { readSettings } from '../src/config/inputs.js'
import type { Settings } from '../src/config/settings.js'
import type { Deps } from '../src/entry/deps.js'
import { formEncode } from '../src/base/form.js'
import { buildTokenRequest } from '../src/oauth/token-request.js'
import { tokenParameters } from '../src/steps/attempt.js'

const SPECIAL = 'a+b/c=d:e%f&g h é'

const TOKEN_URL = new URL('https://auth.stent.io/connect/token')

function settings(inputs: Record<string, string>) {
  return readSettings(
    name => ({ 'client-id': 'id:1', 'client-secret': SPECIAL, ...inputs })[name] ?? ''
  )
}

/** The token request as one attempt builds it: the settings' credentials, then the form. */
async function tokenRequest(s: Settings, url = TOKEN_URL) {
  const deps = { now: Date.now } as Deps
  const context = {
    clientId: s.clientId,
    tokenUrl: url,
    timeoutMs: 1000,
    deadline: Infinity,
    deps
  }
  return buildTokenRequest(
    url,
    await authenticate(s.auth, context),
    (await grantFields(s.grant, context)).form,
    tokenParameters(s)
  )
}

describe('client_secret_post (what Stent documents)', () => {
  it('sends id and secret in the form body, with grant_type, response_type and JSON accepted', async () => {
    const request = await tokenRequest(settings({ 'response-type': 'token' }))
    expect(request.url.href).toBe('https://auth.stent.io/connect/token')
    expect(request.headers).toEqual({
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json'
    })
    const form = new URLSearchParams(request.body)
    expect([...form]).toEqual([
      ['grant_type', 'client_credentials'],
      ['client_id', 'id:1'],
      ['client_secret', SPECIAL],
      ['response_type', 'token']
    ])
  })
})

describe('client_secret_basic (RFC 6749 §2.3.1)', () => {
  it('form-encodes id and secret before base64, and keeps them out of the body', async () => {
    const request = await tokenRequest(settings({ 'auth-method': 'client_secret_basic' }))
    const header = request.headers.authorization ?? ''
    expect(header).toMatch(/^Basic [A-Za-z0-9+/]+=*$/)
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
    expect(decoded).toBe('id%3A1:a%2Bb%2Fc%3Dd%3Ae%25f%26g%20h%20%C3%A9')
    const [id, secret] = decoded.split(':').map(part => decodeURIComponent(part))
    expect([id, secret]).toEqual(['id:1', SPECIAL])
    expect(request.body).toBe('grant_type=client_credentials')
  })

  it('writes a space as %20, which form decoders and plain percent-decoders both read back', () => {
    expect(formEncode('a b')).toBe('a%20b')
    expect(new URLSearchParams(`x=${formEncode(SPECIAL)}`).get('x')).toBe(SPECIAL)
    expect(basicAuthorization('a', 'b')).toBe(`Basic ${Buffer.from('a:b').toString('base64')}`)
  })
})

describe('optional parameters', () => {
  it('sends scope, audience and extra-params only when given, and omits an empty response-type', async () => {
    const bare = new URLSearchParams((await tokenRequest(settings({ 'response-type': '' }))).body)
    expect([...bare.keys()]).toEqual(['grant_type', 'client_id', 'client_secret'])

    const full = new URLSearchParams(
      (
        await tokenRequest(
          settings({
            scope: 'api:read api:write',
            audience: 'https://api.example.com',
            'extra-params': 'resource=https://r1\nresource=https://r2'
          })
        )
      ).body
    )
    expect(full.get('scope')).toBe('api:read api:write')
    expect(full.get('audience')).toBe('https://api.example.com')
    expect(full.getAll('resource')).toEqual(['https://r1', 'https://r2'])
  })
})

describe('masking covers the encodings a request uses', () => {
  it('the secret as form-encoded in the body and as form-encoded inside the Basic credential', async () => {
    const { secretForms } = await import('../src/base/mask.js')
    const forms = secretForms(SPECIAL)
    expect(forms).toEqual(
      expect.arrayContaining([
        SPECIAL,
        new URLSearchParams([['', SPECIAL]]).toString().slice(1),
        formEncode(SPECIAL),
        encodeURIComponent(SPECIAL)
      ])
    )
  })
})
