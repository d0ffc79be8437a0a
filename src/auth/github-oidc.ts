import { githubIdToken } from '../oauth/github-id-token.js'
import { JWT_BEARER } from '../oauth/token-request.js'
import type { AuthFamily, Credentials } from './types.js'

/** The job's GitHub OIDC ID token as the client assertion: federated credentials, no secret. */
export interface GitHubOidcAuth {
  method: 'github_oidc'
  /** Empty: the token endpoint's origin, known once the endpoint is. */
  audience: string
}

/** The issuer of the job's GitHub ID tokens: what a federated credential on the server names. */
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com'

export const githubOidcFamily: AuthFamily<GitHubOidcAuth> = {
  methods: ['github_oidc'],
  formFields: ['client_id', 'client_assertion_type', 'client_assertion'],

  read(method, getInput) {
    return { method, audience: getInput('oidc-audience') }
  },

  secrets() {
    return []
  },

  refusalHint() {
    return `the server did not accept the job's GitHub ID token. Check client-id and the federated credential the server holds for it: issuer ${GITHUB_ISSUER}, a subject that matches this job, and the audience in oidc-audience (by default the token endpoint's origin); that the job has permissions: id-token: write; and that auth-method matches how the client is registered.`
  },

  async credentials(auth, context): Promise<Omit<Credentials, 'origin'>> {
    const idToken = await githubIdToken(
      auth.audience || context.tokenUrl.origin,
      context,
      'auth-method github_oidc'
    )
    return {
      form: [
        ['client_id', context.clientId],
        ['client_assertion_type', JWT_BEARER],
        ['client_assertion', idToken]
      ],
      headers: {},
      fresh: [idToken]
    }
  }
}
