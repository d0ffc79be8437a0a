import { ActionError } from '../base/errors.js'
import { maskAll } from '../base/mask.js'
import { STATE } from '../base/state.js'
import { checkToken } from '../base/untrusted.js'
import { readSettings } from '../config/inputs.js'
import type { Settings } from '../config/settings.js'
import { stepSecrets } from '../steps/attempt.js'
import { revokeToken } from '../steps/revoke.js'
import { defaultDeps, type Deps } from './deps.js'

/**
 * The post step: stops the token agent if the main step started one (agent: true), then, with
 * `revoke: true`, revokes the token the main step got (RFC 7009) with the same client
 * authentication. It acts on its own inputs, not on saved state: state holds only the token,
 * checked like any token, and the agent's directory, checked against its own shape in
 * RUNNER_TEMP; the endpoints are derived again from the inputs (discovery included), so nothing
 * saved can send credentials elsewhere. A failure here is a warning.
 */
export async function runPost(deps: Deps = defaultDeps): Promise<void> {
  const { core } = deps
  const saved = core.getState(STATE.revokeToken)
  const agentDir = core.getState(STATE.agentDir)
  let settings: Settings | undefined
  let unreadable: unknown
  try {
    settings = readSettings(name => core.getInput(name), deps.now())
  } catch (error) {
    unreadable = error
  }
  // Whether or not the inputs still read, the agent stops; loaded only when there is one.
  if (agentDir) await (await import('../agent/stop.js')).stopAgent(agentDir, settings, deps)
  if (!settings) {
    // Without a saved token the main step failed on these inputs already, and said why; with one,
    // they stopped reading since (a certificate that expired during the job).
    if (saved)
      warnNotRevoked(core, `The post step could not read its inputs: ${reason(unreadable)}`)
    return
  }
  if (!settings.revoke || !saved) return
  try {
    const token = checkToken(saved, "The main step's saved state", 'token')
    const secrets = stepSecrets(settings, token)
    maskAll(core, secrets.values)
    await revokeToken(token, settings, secrets, deps)
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
