import { githubIdToken } from '../oauth/github-id-token.js'
import { JWT_BEARER } from '../oauth/token-request.js'
import type { AuthFamily, Credentials } from './types.js'

/** The job's GitHub OIDC ID token as the client assertion: federated credentials, no secret. */
export interface GitHubOidcAuth {
  method: 'github_oidc'
  /** Empty: the token endpoint's origin, known once the endpoint is. */
  audience: string
}

export const githubOidcFamily: AuthFamily<GitHubOidcAuth> = {
  methods: ['github_oidc'],
  formFields: ['client_id', 'client_assertion_type', 'client_assertion'],

  read(method, getInput) {
    return { method, audience: getInput('oidc-audience') }
  },

  secrets() {
    return []
  },

  async credentials(auth, context): Promise<Credentials> {
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
