import type { GetInput } from '../base/input-rules.js'
import type { AttemptContext } from '../oauth/attempt-context.js'
import type { ResponseRules } from '../oauth/token-response.js'

/** What one attempt's grant adds to the form, and the secrets it made for it. */
export interface GrantFields {
  form: Array<[string, string]>
  fresh: string[]
}

/**
 * One grant: how it reads its inputs, what it must mask, what it sends, and how the client and
 * the answer are judged. A new grant is a file exporting one of these, and a line in grants/index.ts.
 */
export interface GrantDefinition<G extends { type: string }> {
  /** The grant-type input's short name. */
  type: G['type']
  /** The grant_type value it sends; the grant-type input accepts it too. */
  uri: string
  read(getInput: GetInput): G
  /** The grant's secrets from the inputs, to mask first: a subject or actor token. */
  secrets(grant: G): string[]
  fields(grant: G, context: AttemptContext): Promise<GrantFields>
  /** Every form field it may send: extra-params may not set them. */
  formFields: readonly string[]
  /**
   * The client must authenticate (auth-method none is refused, client_secret_post is the
   * default); otherwise the subject token is the credential and a public client may send none.
   */
  clientMustAuthenticate: boolean
  /** Sends Stent's response_type, which belongs to its client-credentials request only. */
  sendsResponseType: boolean
  /** How its answer is judged. */
  response: ResponseRules
}
