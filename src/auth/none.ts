import type { AuthFamily, Credentials } from './types.js'

/**
 * A public client (RFC 6749 §2.1): no secret, no assertion, no Authorization header; the client
 * ID is sent when there is one. For grants whose subject token is the credential (token exchange,
 * JWT bearer with the job's GitHub ID token).
 */
export interface NoAuth {
  method: 'none'
}

export const noneFamily: AuthFamily<NoAuth> = {
  methods: ['none'],
  formFields: ['client_id'],

  read(method) {
    return { method }
  },

  secrets() {
    return []
  },

  refusalHint() {
    return "the server refused the client: with auth-method none the grant's subject token is the only credential. Check that the server trusts it (subject-token, or the job's GitHub ID token: its issuer, subject and audience, oidc-audience), that client-id, if set, is a public client there, and that auth-method matches how the client is registered."
  },

  async credentials(_auth, { clientId }): Promise<Omit<Credentials, 'origin'>> {
    return { form: clientId ? [['client_id', clientId]] : [], headers: {}, fresh: [] }
  }
}
