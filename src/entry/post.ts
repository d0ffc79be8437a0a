import { authSecrets, refusalHint } from '../auth/index.js'
import { ActionError } from '../base/errors.js'
import { maskAll } from '../base/mask.js'
import { checkToken } from '../base/untrusted.js'
import { readSettings } from '../config/inputs.js'
import type { Settings } from '../config/settings.js'
import { stepBudgetMs } from '../http/retry.js'
import { sendWithRetries } from '../oauth/send.js'
import { buildRevocationRequest } from '../oauth/token-request.js'
import { attemptContext, credentials, Secrets } from '../steps/attempt.js'
import { findEndpoints } from '../steps/endpoints.js'
import { defaultDeps, type Deps } from './deps.js'
import { STATE } from './state.js'

/**
 * The post step: with `revoke: true`, revokes the token the main step got (RFC 7009), with the
 * same client authentication. It acts on its own inputs, not on saved state: state holds only the
 * token, checked like any token, and the endpoints are derived again from the inputs (discovery
 * included), so nothing saved can send credentials elsewhere. A failure here is a warning.
 */
export async function runPost(deps: Deps = defaultDeps): Promise<void> {
  const { core } = deps
  const saved = core.getState(STATE.revokeToken)
  let settings: Settings
  try {
    settings = readSettings(name => core.getInput(name), deps.now())
  } catch (error) {
    // Without a saved token the main step failed on these inputs already, and said why; with one,
    // they stopped reading since (a certificate that expired during the job).
    if (saved) warnNotRevoked(core, `The post step could not read its inputs: ${reason(error)}`)
    return
  }
  if (!settings.revoke || !saved) return
  try {
    const token = checkToken(saved, "The main step's saved state", 'token')
    const secrets = new Secrets([token, ...authSecrets(settings.auth, settings.clientId)])
    maskAll(core, secrets.values)
    // The post step is a step of its own, with a budget of its own.
    const deadline = deps.now() + stepBudgetMs(settings.timeoutMs, settings.maxAttempts)
    const endpoints = await findEndpoints(settings, deadline, deps)
    const revocationUrl = endpoints.revocationUrl
    if (!revocationUrl) {
      throw new ActionError('The discovery document lists no revocation_endpoint.')
    }
    core.info(`Revoking the access token at ${revocationUrl.host}${revocationUrl.pathname}.`)
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
    core.info('Revoked the access token.')
  } catch (error) {
    warnNotRevoked(core, reason(error))
  }
}

function reason(error: unknown): string {
  return error instanceof ActionError ? error.message : 'Unexpected error.'
}

function warnNotRevoked(core: Deps['core'], why: string): void {
  core.warning(
    `The access token was not revoked. ${why} Note: many servers cannot revoke JWT access tokens; such a token stays valid until it expires.`
  )
}
