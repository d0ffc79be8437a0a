// The two registries as the one place a client-auth family or a grant is added: what the action
// derives from them (methods, grant types, unions, stray inputs, reserved form fields) follows a
// new entry, and every form field a family or grant sends is one extra-params may not override.
import { describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import {
  AUTH_FAMILIES,
  AUTH_METHODS,
  authenticate,
  authRegistry,
  type AuthFamily,
  type AuthOf
} from '../src/auth/index.js'
import { ActionError } from '../src/base/errors.js'
import { RESERVED_PARAMS, readSettings, reservedFields } from '../src/config/inputs.js'
import {
  GRANT_FORM_FIELDS,
  grantFields,
  grantRegistry,
  GRANTS,
  type GrantDefinition,
  type GrantOf
} from '../src/grants/index.js'
import type { Outcome } from '../src/http/types.js'
import type { AttemptContext } from '../src/oauth/attempt-context.js'
import { AUTH_FORM_FIELDS } from '../src/auth/index.js'

/** A family that is not in the action: an HMAC of the client id, sent as its own field. */
type FakeAuth = { method: 'fake_hmac'; key: string }
const fakeFamily: AuthFamily<FakeAuth> = {
  methods: ['fake_hmac'],
  formFields: ['client_id', 'fake_signature'],
  impliedBy: { 'fake-key': 'fake_hmac' },
  read: (method, getInput) => ({ method, key: getInput('fake-key') }),
  secrets: auth => [auth.key],
  refusalHint: () => 'check client-id and fake-key.',
  credentials: async (auth, { clientId }) => ({
    form: [
      ['client_id', clientId],
      ['fake_signature', `${auth.key}:${clientId}`]
    ],
    headers: {},
    fresh: []
  })
}

/** A grant that is not in the action. */
type FakeGrant = { type: 'fake-grant'; ticket: string }
const fakeGrant: GrantDefinition<FakeGrant> = {
  type: 'fake-grant',
  uri: 'urn:example:params:oauth:grant-type:fake',
  formFields: ['grant_type', 'fake_ticket'],
  clientMustAuthenticate: true,
  sendsResponseType: false,
  response: 'rfc6749',
  read: getInput => ({ type: 'fake-grant', ticket: getInput('fake-ticket') }),
  secrets: grant => [grant.ticket],
  fields: async grant => ({
    form: [
      ['grant_type', 'urn:example:params:oauth:grant-type:fake'],
      ['fake_ticket', grant.ticket]
    ],
    fresh: []
  })
}

const inputs =
  (values: Record<string, string>) =>
  (name: string): string =>
    values[name] ?? ''

describe('a new client-auth family is one file and one registry line', () => {
  const registry = authRegistry([...AUTH_FAMILIES, fakeFamily])

  it('its methods join the list auth-method accepts, after the others', () => {
    expect(registry.methods).toEqual([...AUTH_METHODS, 'fake_hmac'])
    expect(
      registry.read(inputs({ 'auth-method': 'fake_hmac', 'fake-key': 'k1' }), 0, true)
    ).toEqual({ method: 'fake_hmac', key: 'k1' })
  })

  it('the union of methods includes it (checked by tsc)', () => {
    type Extended = AuthOf<[...typeof AUTH_FAMILIES, typeof fakeFamily][number]>
    const method: Extended['method'] = 'fake_hmac'
    expect(registry.methods).toContain(method)
  })

  it('its input, set without auth-method, is refused like the others', () => {
    expect(() => registry.read(inputs({ 'fake-key': 'k1' }), 0, true)).toThrow(
      new ActionError(
        "Input 'fake-key' is set, but auth-method is not, so it would not be used. Set auth-method to fake_hmac."
      )
    )
  })

  it('its form fields become reserved', () => {
    const reserved = reservedFields(GRANT_FORM_FIELDS, registry.formFields)
    expect(reserved.has('fake_signature')).toBe(true)
    expect(RESERVED_PARAMS.has('fake_signature')).toBe(false)
  })
})

describe('a new grant is one file and one registry line', () => {
  const registry = grantRegistry([...GRANTS, fakeGrant])

  it('grant-type accepts its name and its URN, and lists it when refusing another', () => {
    const read = (value: string) =>
      registry.read(inputs({ 'grant-type': value, 'fake-ticket': 't1' }))
    expect(read('fake-grant')).toEqual({ type: 'fake-grant', ticket: 't1' })
    expect(read('urn:example:params:oauth:grant-type:fake')).toEqual(read('fake-grant'))
    expect(() => read('nope')).toThrow(
      'Accepted values: client_credentials, token-exchange, jwt-bearer, fake-grant (or their URNs).'
    )
  })

  it('the Grant union includes it (checked by tsc)', () => {
    type Extended = GrantOf<[...typeof GRANTS, typeof fakeGrant][number]>
    const type: Extended['type'] = 'fake-grant'
    expect(registry.names).toContain(type)
  })

  it('its form fields become reserved', () => {
    expect(reservedFields(registry.formFields, AUTH_FORM_FIELDS).has('fake_ticket')).toBe(true)
  })
})

describe('the reserved form fields are derived from what is sent', () => {
  it('are the fields the action reserved by hand before the registries', () => {
    expect([...RESERVED_PARAMS].sort()).toEqual(
      [
        'grant_type',
        'client_id',
        'client_secret',
        'client_assertion',
        'client_assertion_type',
        'response_type',
        'scope',
        'audience',
        'assertion',
        'subject_token',
        'subject_token_type',
        'actor_token',
        'actor_token_type',
        'requested_token_type'
      ].sort()
    )
  })

  it('hold every field every method and grant actually sends', async () => {
    const idToken = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUifQ.c2lnbmF0dXJl'
    const ok: Outcome = {
      kind: 'response',
      status: 200,
      headers: {},
      body: JSON.stringify({ value: idToken })
    }
    const context: AttemptContext = {
      clientId: 'c1',
      tokenUrl: new URL('https://auth.example.com/token'),
      timeoutMs: 1000,
      deadline: Infinity,
      deps: {
        core: { info: () => {}, debug: () => {}, setSecret: () => {} },
        env: {
          ACTIONS_ID_TOKEN_REQUEST_URL: 'https://runner.example.com/idtoken',
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-bearer'
        },
        send: async () => ok,
        sleep: async () => {},
        now: Date.now,
        random: Math.random
      }
    }
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem'
    }) as string
    const base = { 'client-id': 'c1', 'client-secret': 'secret-1' }
    const cases: Array<Record<string, string>> = [
      ...AUTH_METHODS.filter(method => !method.includes('tls')).map(method => ({
        ...base,
        'auth-method': method,
        // none is for the grants whose subject token is the credential.
        ...(method === 'none' ? { 'grant-type': 'jwt-bearer' } : {}),
        ...(method === 'private_key_jwt' ? { 'client-assertion-key': key } : {})
      })),
      {
        ...base,
        'grant-type': 'token-exchange',
        'subject-token-source': 'input',
        'subject-token': 'subject-1',
        'actor-token': 'actor-1',
        'requested-token-type': 'urn:ietf:params:oauth:token-type:access_token'
      },
      { ...base, 'grant-type': 'jwt-bearer' }
    ]
    const sent = new Set<string>()
    for (const values of cases) {
      const settings = readSettings(inputs(values), Date.now())
      const made = await authenticate(settings.auth, context)
      const grant = await grantFields(settings.grant, context)
      for (const [name] of [...made.form, ...grant.form]) sent.add(name)
    }
    // mTLS sends client_id only; its certificate travels on the connection.
    expect(sent.size).toBe(11)
    for (const name of sent) expect([name, RESERVED_PARAMS.has(name)]).toEqual([name, true])
  })
})
