// Properties over generated inputs (fast-check): what must hold for every response and every
// credential, not just the ones we thought of.
import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { fakeCore } from '../__fixtures__/core.js'
import { ActionError } from '../src/base/errors.js'
import { readSettings } from '../src/config/inputs.js'
import { leakForms } from '../__fixtures__/run-action.mjs'
import { authSecrets, authenticate } from '../src/auth/index.js'
import { basicAuthorization } from '../src/auth/secret.js'
import { grantFields } from '../src/grants/index.js'
import type { Deps } from '../src/entry/deps.js'
import { run } from '../src/entry/main.js'
import { buildTokenRequest } from '../src/oauth/token-request.js'
import { tokenParameters } from '../src/steps/attempt.js'
import { describeFailure } from '../src/oauth/failure.js'
import { parseTokenResponse } from '../src/oauth/token-response.js'
import type { HttpResponse } from '../src/http/types.js'

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
      fc.property(response, secret, fc.option(fc.nat()), (res, s, pick) => {
        // Every form the action claims to hide, computed here rather than by src/base/mask.ts: the
        // secret's, and the Basic credential's (client_secret_basic holds both).
        const basic = basicAuthorization('prop-client', s)
        const forms = [...leakForms(s), basic, ...leakForms(basic.slice('Basic '.length))]
        // One form echoed per run, so that the description's length bound never hides one.
        const form = pick === null ? undefined : forms[pick % forms.length]
        const echoed =
          form === undefined
            ? res
            : { ...res, body: JSON.stringify({ error: `e ${form}`, error_description: form }) }
        const auth = { method: 'client_secret_basic', secret: s, encoding: 'form' } as const
        const message = describeFailure(echoed, authSecrets(auth, 'prop-client'))
        expect(typeof message).toBe('string')
        if (form === undefined) expect(message).not.toContain(MARK)
        for (const hidden of form === undefined ? [] : forms) expect(message).not.toContain(hidden)
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

  const request = async (id: string, secret: string, method: string, encoding = 'form') => {
    const settings = readSettings(
      name =>
        ({
          'client-id': id,
          'client-secret': secret,
          'auth-method': method,
          'basic-encoding': encoding
        })[name] ?? ''
    )
    const tokenUrl = new URL('https://auth.example.com/token')
    const deps = { now: Date.now } as Deps
    const context = {
      clientId: id,
      tokenUrl,
      timeoutMs: 1000,
      deadline: Infinity,
      deps
    }
    return buildTokenRequest(
      tokenUrl,
      await authenticate(settings.auth, context),
      (await grantFields(settings.grant, context)).form,
      tokenParameters(settings)
    )
  }

  it('client_secret_post: a form decoder reads back any id and secret', async () => {
    await fc.assert(
      fc.asyncProperty(credential, credential, async (id, secret) => {
        const form = new URLSearchParams((await request(id, secret, 'client_secret_post')).body)
        expect(form.get('client_id')).toBe(id)
        expect(form.get('client_secret')).toBe(secret)
      }),
      { numRuns: 1000 }
    )
  })

  it('client_secret_basic: base64, split at the one colon, form-decode: any id and secret', async () => {
    await fc.assert(
      fc.asyncProperty(credential, credential, async (id, secret) => {
        const header =
          (await request(id, secret, 'client_secret_basic')).headers.authorization ?? ''
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

  it('client_secret_basic with basic-encoding raw: base64, split at the first colon: any id without a colon, any secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        credential.filter(id => !id.includes(':')),
        credential,
        async (id, secret) => {
          const header =
            (await request(id, secret, 'client_secret_basic', 'raw')).headers.authorization ?? ''
          const pair = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString('utf8')
          const colon = pair.indexOf(':')
          expect([pair.slice(0, colon), pair.slice(colon + 1)]).toEqual([id, secret])
        }
      ),
      { numRuns: 1000 }
    )
  })
})

describe('no server string becomes a workflow command', () => {
  // Fragments a hostile server would use, mixed with arbitrary text.
  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc
      .array(
        fc.constantFrom(
          '\n',
          '\r',
          '\r\n',
          '\u2028',
          '::',
          ' ',
          'set-output name=expires-in::1',
          'save-state name=revoke-token::x',
          '%0A',
          '|',
          '<b>',
          'Bearer',
          'api:read',
          'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln'
        ),
        { maxLength: 12 }
      )
      .map(parts => parts.join(''))
  )
  const value = fc.oneof(text, fc.integer(), fc.double(), fc.constant(null), fc.array(text))
  // A workflow command behind a line break, somewhere in arbitrary text.
  const injection = fc
    .tuple(
      text,
      fc.constantFrom('\n', '\r', '\r\n'),
      fc.constantFrom('', '  '),
      fc.constantFrom('::set-output name=expires-in::1', '::save-state name=revoke-token::x'),
      text
    )
    .map(parts => parts.join(''))
  const hostile = fc.oneof(injection, value)
  const FIELDS = [
    'access_token',
    'token_type',
    'expires_in',
    'scope',
    'error',
    'error_description',
    'issuer',
    'token_endpoint',
    'jwks_uri',
    'keys'
  ]
  // A valid token response (and discovery document) with one to three fields made hostile.
  const fields = fc
    .dictionary(fc.constantFrom(...FIELDS), hostile, { minKeys: 1, maxKeys: 3 })
    .map(changed => ({
      access_token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln',
      token_type: 'Bearer',
      expires_in: 3600,
      issuer: 'https://auth.example.com',
      token_endpoint: 'https://auth.example.com/token',
      jwks_uri: 'https://auth.example.com/jwks',
      ...changed
    }))
  const exchange = fc.record({
    status: fc.oneof(
      { arbitrary: fc.constant(200), weight: 3 },
      { arbitrary: fc.constantFrom(400, 401, 404, 429, 503), weight: 1 }
    ),
    fields,
    discover: fc.boolean()
  })

  it('every stdout line that starts with :: is a command the action itself wrote, escaped', async () => {
    await fc.assert(
      fc.asyncProperty(exchange, async ({ status, fields, discover }) => {
        const { core, record } = fakeCore({
          'client-id': 'prop-client',
          'client-secret': 'prop secret',
          'token-url': 'https://auth.example.com/token',
          'max-attempts': '1',
          'export-variable': 'STENT_TOKEN',
          ...(discover ? { issuer: 'https://auth.example.com', 'verify-token': 'true' } : {})
        })
        const deps: Deps = {
          core,
          env: {},
          send: async () => ({
            kind: 'response',
            status,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(fields)
          }),
          sleep: async () => {},
          now: () => Date.parse('2026-11-27T10:00:00.000Z'),
          random: () => 0.5
        }
        await run(deps)
        for (const line of record.stdout.split(/\r\n|\r|\n/)) {
          const trimmed = line.trimStart()
          if (trimmed.startsWith('::')) expect(record.commandLines).toContain(trimmed)
        }
        for (const output of Object.values(record.outputs)) expect(output).toMatch(/^[\x20-\x7e]+$/)
        for (const line of record.summary.split('\n')) expect(line).toMatch(/^(|#.*|\|.*\|)$/)
      }),
      { numRuns: 600 }
    )
  })
})
