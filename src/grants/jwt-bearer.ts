import { readSubject, subjectSecrets, subjectToken, type Subject } from './subject.js'
import type { GrantDefinition } from './types.js'

const URI = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

/** RFC 7523 §2.1: a JWT (the job's GitHub ID token) as the authorization grant. */
export interface JwtBearerGrant {
  type: 'jwt-bearer'
  subject: Subject
}

export const jwtBearerGrant: GrantDefinition<JwtBearerGrant> = {
  type: 'jwt-bearer',
  uri: URI,
  formFields: ['grant_type', 'assertion'],
  clientMustAuthenticate: false,
  sendsResponseType: false,
  response: 'rfc6749',

  read(getInput) {
    return { type: 'jwt-bearer', subject: readSubject(getInput) }
  },

  secrets(grant) {
    return subjectSecrets(grant.subject)
  },

  async fields(grant, context) {
    const { token, fresh } = await subjectToken(grant.subject, context, grant.type)
    return {
      form: [
        ['grant_type', URI],
        ['assertion', token]
      ],
      fresh
    }
  }
}
