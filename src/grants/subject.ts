import { ActionError } from '../base/errors.js'
import { oneOf, singleLine, type GetInput } from '../base/input-rules.js'
import type { AttemptContext } from '../oauth/attempt-context.js'
import { githubIdToken } from '../oauth/github-id-token.js'

/** The token a grant is made of: the job's GitHub ID token, or one passed as an input. */
export type Subject =
  { source: 'github_oidc'; audience: string } | { source: 'input'; token: string }

export function readSubject(getInput: GetInput): Subject {
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

export function subjectSecrets(subject: Subject): string[] {
  return subject.source === 'input' ? [subject.token] : []
}

/** The subject token for one attempt; the job's ID token is fresh. */
export async function subjectToken(
  subject: Subject,
  context: AttemptContext,
  grantType: string
): Promise<{ token: string; fresh: string[] }> {
  if (subject.source === 'input') return { token: subject.token, fresh: [] }
  const token = await githubIdToken(
    subject.audience || context.tokenUrl.origin,
    context,
    `grant-type ${grantType} (subject-token-source github_oidc)`
  )
  return { token, fresh: [token] }
}
