import { githubIdToken } from '../auth/github-oidc.js'
import type { AttemptContext } from '../auth/types.js'
import { ActionError } from '../base/errors.js'
import { oneOf, singleLine, type GetInput } from '../base/input-rules.js'
import { neutralise, TOKEN_TYPE_URI } from '../base/untrusted.js'

/** The grants, by the short name the input takes; the URNs are accepted too. */
export const GRANT_TYPES = {
  client_credentials: 'client_credentials',
  /** RFC 8693: exchange a subject token (the job's GitHub ID token) for an access token. */
  'token-exchange': 'urn:ietf:params:oauth:grant-type:token-exchange',
  /** RFC 7523 §2.1: a JWT (the job's GitHub ID token) as the authorization grant. */
  'jwt-bearer': 'urn:ietf:params:oauth:grant-type:jwt-bearer'
} as const
export type GrantType = keyof typeof GRANT_TYPES

/** RFC 8693 §3: the type of a JWT subject token, such as GitHub's ID token. */
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt'

/** The token a grant is made of: the job's GitHub ID token, or one passed as an input. */
export type Subject =
  { source: 'github_oidc'; audience: string } | { source: 'input'; token: string }

export type Grant =
  | { type: 'client_credentials' }
  | {
      type: 'token-exchange'
      subject: Subject
      subjectTokenType: string
      actor: { token: string; type: string } | undefined
      requestedTokenType: string
    }
  | { type: 'jwt-bearer'; subject: Subject }

export function readGrant(getInput: GetInput): Grant {
  const value = getInput('grant-type') || 'client_credentials'
  const type = (Object.keys(GRANT_TYPES) as GrantType[]).find(
    name => name === value || GRANT_TYPES[name] === value
  )
  if (!type) {
    throw new ActionError(
      `Input 'grant-type' has an unsupported value '${value}'. Accepted values: ${Object.keys(GRANT_TYPES).join(', ')} (or their URNs).`
    )
  }
  if (type === 'client_credentials') return { type }
  const subject = readSubject(getInput)
  if (type === 'jwt-bearer') return { type, subject }
  const actorToken = singleLine(getInput, 'actor-token')
  return {
    type,
    subject,
    subjectTokenType: uri(getInput, 'subject-token-type') || JWT_TOKEN_TYPE,
    actor: actorToken
      ? { token: actorToken, type: uri(getInput, 'actor-token-type') || JWT_TOKEN_TYPE }
      : undefined,
    requestedTokenType: uri(getInput, 'requested-token-type')
  }
}

function readSubject(getInput: GetInput): Subject {
  const source = oneOf(getInput, 'subject-token-source', ['github_oidc', 'input'], 'github_oidc')
  if (source === 'github_oidc') return { source, audience: getInput('oidc-audience') }
  const subject = singleLine(getInput, 'subject-token')
  if (!subject) {
    throw new ActionError(
      "Input 'subject-token' is required with subject-token-source: input. Pass the token to exchange from a secret or an earlier step's output."
    )
  }
  return { source, token: subject }
}

/** A token type is a URI (RFC 8693 §3): one line of printable ASCII with a scheme. */
function uri(getInput: GetInput, name: string): string {
  const value = getInput(name)
  if (value && !TOKEN_TYPE_URI.test(value)) {
    throw new ActionError(`Input '${name}' is not a token type URI, e.g. ${JWT_TOKEN_TYPE}.`)
  }
  return value
}

/** The grant's secrets from the inputs, to mask first: a subject or actor token. */
export function grantSecrets(grant: Grant): string[] {
  if (grant.type === 'client_credentials') return []
  const subject = grant.subject.source === 'input' ? [grant.subject.token] : []
  return grant.type === 'token-exchange' && grant.actor ? [...subject, grant.actor.token] : subject
}

/** What one attempt's grant adds to the form, and the secrets it made for it. */
export async function grantFields(
  grant: Grant,
  context: AttemptContext
): Promise<{ form: Array<[string, string]>; fresh: string[] }> {
  if (grant.type === 'client_credentials') {
    return { form: [['grant_type', GRANT_TYPES.client_credentials]], fresh: [] }
  }
  const subject =
    grant.subject.source === 'input'
      ? grant.subject.token
      : await githubIdToken(
          grant.subject.audience || context.tokenUrl.origin,
          context,
          `grant-type ${grant.type} (subject-token-source github_oidc)`
        )
  const fresh = grant.subject.source === 'input' ? [] : [subject]
  if (grant.type === 'jwt-bearer') {
    return {
      form: [
        ['grant_type', GRANT_TYPES['jwt-bearer']],
        ['assertion', subject]
      ],
      fresh
    }
  }
  const form: Array<[string, string]> = [
    ['grant_type', GRANT_TYPES['token-exchange']],
    ['subject_token', subject],
    ['subject_token_type', grant.subjectTokenType]
  ]
  if (grant.actor) {
    form.push(['actor_token', grant.actor.token], ['actor_token_type', grant.actor.type])
  }
  if (grant.requestedTokenType) form.push(['requested_token_type', grant.requestedTokenType])
  return { form, fresh }
}

/** The ID token claims that servers' trust policies match on (GitHub's documented subject parts). */
const POLICY_CLAIMS = ['sub', 'repository', 'ref', 'environment', 'job_workflow_ref'] as const

/**
 * The policy claims of the job's GitHub ID token, for a message when the server refused it: the
 * claims only, never the token, each neutralised (GitHub wrote them, but nothing is printed raw).
 */
export function policyClaims(idToken: string): string {
  let payload: Record<string, unknown> = {}
  try {
    const decoded: unknown = JSON.parse(
      Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8')
    )
    if (typeof decoded === 'object' && decoded !== null)
      payload = decoded as Record<string, unknown>
  } catch {
    return ''
  }
  const claims = POLICY_CLAIMS.map(name => {
    const value = payload[name]
    return `${name} '${typeof value === 'string' ? neutralise(value, 200) : '(none)'}'`
  })
  return `The job's GitHub ID token has ${claims.join(', ')}; the server's trust policy (subject, repository, branch or environment conditions) must match them.`
}
