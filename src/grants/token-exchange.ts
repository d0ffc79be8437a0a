import { ActionError } from '../base/errors.js'
import { singleLine, type GetInput } from '../base/input-rules.js'
import { TOKEN_TYPE_URI } from '../base/untrusted.js'
import { readSubject, subjectSecrets, subjectToken, type Subject } from './subject.js'
import type { GrantDefinition } from './types.js'

const URI = 'urn:ietf:params:oauth:grant-type:token-exchange'

/** RFC 8693 §3: the type of a JWT subject token, such as GitHub's ID token. */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt'

/** RFC 8693: exchange a subject token (the job's GitHub ID token) for an access token. */
export interface TokenExchangeGrant {
  type: 'token-exchange'
  subject: Subject
  subjectTokenType: string
  actor: { token: string; type: string } | undefined
  requestedTokenType: string
}

/** A token type is a URI (RFC 8693 §3): one line of printable ASCII with a scheme. */
function uri(getInput: GetInput, name: string): string {
  const value = getInput(name)
  if (value && !TOKEN_TYPE_URI.test(value)) {
    throw new ActionError(`Input '${name}' is not a token type URI, e.g. ${JWT_TOKEN_TYPE}.`)
  }
  return value
}

export const tokenExchangeGrant: GrantDefinition<TokenExchangeGrant> = {
  type: 'token-exchange',
  uri: URI,
  formFields: [
    'grant_type',
    'subject_token',
    'subject_token_type',
    'actor_token',
    'actor_token_type',
    'requested_token_type'
  ],
  clientMustAuthenticate: false,
  sendsResponseType: false,
  response: 'rfc8693',

  read(getInput) {
    const subject = readSubject(getInput)
    const actorToken = singleLine(getInput, 'actor-token')
    return {
      type: 'token-exchange',
      subject,
      subjectTokenType: uri(getInput, 'subject-token-type') || JWT_TOKEN_TYPE,
      actor: actorToken
        ? { token: actorToken, type: uri(getInput, 'actor-token-type') || JWT_TOKEN_TYPE }
        : undefined,
      requestedTokenType: uri(getInput, 'requested-token-type')
    }
  },

  secrets(grant) {
    const subject = subjectSecrets(grant.subject)
    return grant.actor ? [...subject, grant.actor.token] : subject
  },

  async fields(grant, context) {
    const { token, fresh } = await subjectToken(grant.subject, context, grant.type)
    const form: Array<[string, string]> = [
      ['grant_type', URI],
      ['subject_token', token],
      ['subject_token_type', grant.subjectTokenType]
    ]
    if (grant.actor) {
      form.push(['actor_token', grant.actor.token], ['actor_token_type', grant.actor.type])
    }
    if (grant.requestedTokenType) form.push(['requested_token_type', grant.requestedTokenType])
    return { form, fresh }
  }
}
