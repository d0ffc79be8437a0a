import { ActionError } from './errors.js'
import { exchange } from './exchange.js'
import { readSettings } from './inputs.js'
import { clientAssertion, defaultDeps, secretsOf, type Deps, type RevokeState } from './main.js'
import { maskAll } from './mask.js'
import { buildRevocationRequest } from './request.js'

/**
 * The post step: when the main step saved a token to revoke (revoke: true), revokes it (RFC 7009)
 * with the same client authentication. A failure here is a warning: the job's work is done.
 */
export async function runPost(deps: Deps = defaultDeps): Promise<void> {
  const { core } = deps
  const saved = core.getState('revoke')
  if (!saved) return
  try {
    const state = JSON.parse(saved) as RevokeState
    maskAll(core, [state.token])
    const settings = readSettings(name => core.getInput(name))
    maskAll(core, secretsOf(settings))
    const revocationUrl = new URL(state.revocationUrl)
    const tokenUrl = new URL(state.tokenUrl)
    core.info(`Revoking the access token at ${revocationUrl.host}${revocationUrl.pathname}.`)
    await exchange(
      {
        endpoint: { label: 'The revocation endpoint', input: 'revocation-url' },
        request: async () =>
          buildRevocationRequest(
            settings,
            revocationUrl,
            state.token,
            await clientAssertion(settings, tokenUrl, deps)
          ),
        secrets: [...secretsOf(settings), state.token],
        timeoutMs: settings.timeoutMs,
        maxAttempts: Math.min(settings.maxAttempts, 3)
      },
      deps
    )
    core.info('Revoked the access token.')
  } catch (error) {
    const reason = error instanceof ActionError ? error.message : 'Unexpected error.'
    core.warning(
      `The access token was not revoked. ${reason} Note: many servers cannot revoke JWT access tokens; such a token stays valid until it expires.`
    )
  }
}
