// Properties over generated inputs (fast-check): what must hold for every response and every
// credential, not just the ones we thought of.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { ActionError } from '../src/errors.js'
import { readSettings } from '../src/inputs.js'
import { buildTokenRequest } from '../src/request.js'
import { describeFailure, parseTokenResponse, type HttpResponse } from '../src/response.js'

// Every string the server sends carries this marker, so an echo of any of it is visible.
const MARK = 'Zq'
const marked = fc.string({ unit: 'binary' }).map(s => `${MARK}${s}${MARK}`)
const anyValue = fc.oneof(
  marked,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(marked, { maxLength: 3 }),
  fc.dictionary(marked, marked, { maxKeys: 3 })
)
const tokenFields = fc.record(
  {
    access_token: anyValue,
    token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'BEARER'), anyValue),
    expires_in: fc.oneof(fc.integer(), fc.nat().map(String), anyValue),
    scope: anyValue,
    [`${MARK}extra`]: anyValue
  },
  { requiredKeys: [] }
)
const body = fc.oneof(
  tokenFields.map(value => JSON.stringify(value)),
  fc.json().map(json => json.replaceAll('"', `"${MARK}`)),
  marked,
  fc.array(tokenFields).map(value => JSON.stringify(value))
)
const response = fc.record({
  status: fc.integer({ min: 100, max: 599 }),
  headers: fc.record({
    'content-type': fc.constantFrom('application/json', 'text/html', 'text/plain')
  }),
  body
}) as fc.Arbitrary<HttpResponse>

describe('the response parser', () => {
  it('throws only ActionError, and its messages never echo what the server sent', () => {
    fc.assert(
      fc.property(response, res => {
        try {
          const token = parseTokenResponse(res)
          expect(typeof token.accessToken).toBe('string')
          expect(token.accessToken.length).toBeGreaterThan(0)
        } catch (error) {
          expect(error).toBeInstanceOf(ActionError)
          expect((error as Error).message).not.toContain(MARK)
        }
      }),
      { numRuns: 2000 }
    )
  })

  it('describes any failure without the secret in any form, quoting only error and error_description', () => {
    const secret = fc.string({ unit: 'grapheme', minLength: 4 })
    fc.assert(
      fc.property(response, secret, fc.boolean(), (res, s, echo) => {
        const echoed = echo
          ? {
              ...res,
              body: JSON.stringify({
                error: `e ${s}`,
                error_description: `${s} ${encodeURIComponent(s)} ${new URLSearchParams({ s })}`
              })
            }
          : res
        const message = describeFailure(echoed, [s])
        expect(typeof message).toBe('string')
        if (!echo) expect(message).not.toContain(MARK)
        if (echo) expect(message).not.toContain(s)
      }),
      { numRuns: 1000 }
    )
  })
})

describe('request building', () => {
  // Any Unicode a secret store can hold on one line; the inputs refuse control characters.
  const credential = fc
    .string({ unit: 'grapheme', minLength: 1 })
    // eslint-disable-next-line no-control-regex
    .filter(s => s.trim() === s && !/[\u0000-\u001f\u007f]/.test(s))

  const request = (id: string, secret: string, method: string) =>
    buildTokenRequest(
      readSettings(
        name => ({ 'client-id': id, 'client-secret': secret, 'auth-method': method })[name] ?? ''
      ),
      new URL('https://auth.example.com/token')
    )

  it('client_secret_post: a form decoder reads back any id and secret', () => {
    fc.assert(
      fc.property(credential, credential, (id, secret) => {
        const form = new URLSearchParams(request(id, secret, 'client_secret_post').body)
        expect(form.get('client_id')).toBe(id)
        expect(form.get('client_secret')).toBe(secret)
      }),
      { numRuns: 1000 }
    )
  })

  it('client_secret_basic: base64, split at the one colon, form-decode: any id and secret', () => {
    fc.assert(
      fc.property(credential, credential, (id, secret) => {
        const header = request(id, secret, 'client_secret_basic').headers.authorization ?? ''
        const pair = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8')
        const parts = pair.split(':')
        expect(parts).toHaveLength(2)
        const decoded = parts.map(part => new URLSearchParams(`v=${part}`).get('v'))
        expect(decoded).toEqual([id, secret])
        // Plain percent-decoding (as some servers do) agrees.
        expect(parts.map(decodeURIComponent)).toEqual([id, secret])
      }),
      { numRuns: 1000 }
    )
  })
})
