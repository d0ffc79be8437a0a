import { refusalHint } from '../auth/index.js'
import { ActionError } from '../base/errors.js'
import type { Settings } from '../config/settings.js'
import { stepBudgetMs } from '../http/retry.js'
import type { AttemptDeps } from '../oauth/attempt-context.js'
import type { Endpoints } from '../oauth/discovery.js'
import { sendWithRetries } from '../oauth/send.js'
import { buildRevocationRequest } from '../oauth/token-request.js'
import { attemptContext, credentials, type Secrets } from './attempt.js'
import { findEndpoints } from './endpoints.js'

/**
 * Revokes one token (RFC 7009) at the revocation endpoint the inputs name (discovery included),
 * with the token request's client authentication, and only on the token endpoint's origin (see
 * sendWithRetries). The post step revokes the main step's token with it, the token agent the
 * tokens it fetched. Throws an ActionError that says why it could not.
 */
export async function revokeToken(
  token: string,
  settings: Settings,
  secrets: Secrets,
  deps: AttemptDeps,
  /** The endpoints, when the caller has found them already (the agent, once per job). */
  known?: Endpoints
): Promise<void> {
  // A revocation is a step's work of its own, with a time budget of its own.
  const deadline = deps.now() + stepBudgetMs(settings.timeoutMs, settings.maxAttempts)
  const endpoints = known ?? (await findEndpoints(settings, deadline, deps))
  const revocationUrl = endpoints.revocationUrl
  if (!revocationUrl) {
    throw new ActionError('The discovery document lists no revocation_endpoint.')
  }
  deps.core.info(`Revoking the access token at ${revocationUrl.host}${revocationUrl.pathname}.`)
  await sendWithRetries(
    {
      endpoint: {
        label: settings.revocationUrl
          ? 'The revocation endpoint'
          : "The discovery document's revocation_endpoint",
        input: 'revocation-url',
        hint: refusalHint(settings.auth, settings.clientId)
      },
      request: async () =>
        buildRevocationRequest(
          revocationUrl,
          token,
          await credentials(
            settings,
            attemptContext(settings, endpoints.tokenUrl, deadline, deps),
            secrets
          ),
          settings.caCertificate
        ),
      secrets: () => secrets.values,
      timeoutMs: settings.timeoutMs,
      maxAttempts: Math.min(settings.maxAttempts, 3),
      deadline
    },
    deps
  )
}
