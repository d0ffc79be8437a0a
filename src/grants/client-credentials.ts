import type { GrantDefinition } from './types.js'

/** RFC 6749 §4.4: the client's own credentials are the grant. */
export interface ClientCredentialsGrant {
  type: 'client_credentials'
}

export const clientCredentialsGrant: GrantDefinition<ClientCredentialsGrant> = {
  type: 'client_credentials',
  uri: 'client_credentials',
  formFields: ['grant_type'],
  clientMustAuthenticate: true,
  sendsResponseType: true,
  response: 'rfc6749',

  read() {
    return { type: 'client_credentials' }
  },

  secrets() {
    return []
  },

  async fields() {
    return { form: [['grant_type', 'client_credentials']], fresh: [] }
  }
}
