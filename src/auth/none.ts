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

  async credentials(_auth, { clientId }): Promise<Credentials> {
    return { form: clientId ? [['client_id', clientId]] : [], headers: {}, fresh: [] }
  }
}
