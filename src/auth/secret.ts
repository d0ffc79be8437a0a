import { ActionError } from '../base/errors.js'
import { noControlCharacters, oneOf, required } from '../base/input-rules.js'
import { formEncode } from '../base/form.js'
import type { AuthFamily, Credentials } from './types.js'

/**
 * How the Basic credential is encoded: RFC 6749 §2.3.1 form-encodes the id and secret first (what
 * Duende IdentityServer, so Stent, and oidc-provider decode); many servers (Authlib before 1.3,
 * @node-oauth/oauth2-server, Glewlwyd, older Spring) take them raw.
 */
export const BASIC_ENCODINGS = ['form', 'raw'] as const
export type BasicEncoding = (typeof BASIC_ENCODINGS)[number]

/** client_secret_post (the secret in the form, what Stent documents) or client_secret_basic. */
export type SecretAuth =
  | { method: 'client_secret_post'; secret: string }
  | { method: 'client_secret_basic'; secret: string; encoding: BasicEncoding }

export function basicAuthorization(
  clientId: string,
  clientSecret: string,
  encoding: BasicEncoding = 'form'
): string {
  const encode = encoding === 'form' ? formEncode : (value: string) => value
  const credentials = `${encode(clientId)}:${encode(clientSecret)}`
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`
}

/** The client secret, read and checked as every method that holds one does. */
export function readSecret(getInput: (name: string) => string, method: string): string {
  const secret = required(getInput, 'client-secret', method)
  noControlCharacters('client-secret', secret)
  return secret
}

export const secretFamily: AuthFamily<SecretAuth> = {
  methods: ['client_secret_post', 'client_secret_basic'],
  formFields: ['client_id', 'client_secret'],

  read(method, getInput) {
    const secret = readSecret(getInput, method)
    if (method !== 'client_secret_basic') return { method, secret }
    const encoding = oneOf(getInput, 'basic-encoding', BASIC_ENCODINGS, 'form')
    // RFC 7617 §2: the user-id ends at the first colon, so the server would read another client.
    if (encoding === 'raw' && getInput('client-id').includes(':')) {
      throw new ActionError(
        "Input 'client-id' holds ':', which a raw Basic credential cannot carry (RFC 7617 §2: the server reads the client ID up to the first colon). Set basic-encoding: form, which encodes it, or auth-method: client_secret_post."
      )
    }
    return { method, secret, encoding }
  },

  secrets(auth, clientId) {
    if (auth.method === 'client_secret_post') return [auth.secret]
    const header = basicAuthorization(clientId, auth.secret, auth.encoding)
    return [auth.secret, header, header.slice('Basic '.length)]
  },

  async credentials(auth, { clientId }): Promise<Omit<Credentials, 'origin'>> {
    if (auth.method === 'client_secret_basic') {
      return {
        form: [],
        headers: { authorization: basicAuthorization(clientId, auth.secret, auth.encoding) },
        fresh: []
      }
    }
    return {
      form: [
        ['client_id', clientId],
        ['client_secret', auth.secret]
      ],
      headers: {},
      fresh: []
    }
  },

  refusalHint(auth, clientId) {
    const usual = `the server did not accept the client credentials. Check client-id and client-secret (rotated or expired?), and that auth-method (${auth.method}) matches how the client is registered.`
    if (auth.method !== 'client_secret_basic' || auth.encoding !== 'form') return usual
    if (formEncode(auth.secret) === auth.secret && formEncode(clientId) === clientId) {
      return usual
    }
    return 'the server did not accept the client credentials. The client id or secret holds characters that RFC 6749 §2.3.1 form-encoding changes inside the Basic credential, and many servers do not decode them: set basic-encoding: raw, or auth-method: client_secret_post. If that is not it, check client-id and client-secret.'
  }
}
