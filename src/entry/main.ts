import { ActionError } from '../base/errors.js'
import { maskAll } from '../base/mask.js'
import { STATE } from '../base/state.js'
import { checkInputNames } from '../config/input-names.js'
import { readSettings } from '../config/inputs.js'
import { stepBudgetMs } from '../http/retry.js'
import { TLS_CHECKS_OFF_WARNING } from '../http/transport.js'
import type { Endpoints } from '../oauth/discovery.js'
import type { TokenResponse } from '../oauth/token-response.js'
import { stepSecrets } from '../steps/attempt.js'
import { findEndpoints } from '../steps/endpoints.js'
import { fetchToken } from '../steps/token.js'
import { publish, summaryMarkdown } from '../steps/publish.js'
import { defaultDeps, type Deps } from './deps.js'

export async function run(deps: Deps = defaultDeps): Promise<void> {
  const { core } = deps
  // The same bundle runs as the post step; this marks the main step as done (as actions/checkout).
  core.saveState(STATE.isPost, 'true')
  try {
    // Once, before any connection: the variable turns checks off for others, not for us.
    if (deps.env.NODE_TLS_REJECT_UNAUTHORIZED === '0') core.warning(TLS_CHECKS_OFF_WARNING)
    checkInputNames(deps.env)
    const settings = readSettings(name => core.getInput(name), deps.now())
    // Mask before anything can print: the secret, its Basic credential, the key, a subject token.
    const secrets = stepSecrets(settings)
    maskAll(core, secrets.values)
    // One time budget for the whole step: discovery, keys, the GitHub ID token, the token request.
    const deadline = deps.now() + stepBudgetMs(settings.timeoutMs, settings.maxAttempts)
    const endpoints = await findEndpoints(settings, deadline, deps)
    const first = await fetchToken(settings, endpoints, secrets, deadline, deps)
    const { token, requestedAt, verified, attempts } = first
    publish(core, token, settings, new Date(requestedAt))
    // Before the agent starts: a token already published is revoked even if the agent fails.
    if (settings.revoke) saveRevocation(token, endpoints, deps)
    if (settings.agent) {
      const { startAgent } = await import('../agent/start.js')
      const command = await startAgent(first, settings, deps, dir =>
        core.saveState(STATE.agentDir, dir)
      )
      core.setOutput('token-command', command)
    }
    if (settings.summary) {
      // The token is out; a summary that cannot be written is worth a warning, not a failed job.
      await core.summary
        .addRaw(
          summaryMarkdown(
            token,
            settings,
            endpoints.tokenUrl,
            new Date(requestedAt),
            verified,
            attempts
          )
        )
        .write()
        .catch((error: unknown) =>
          core.warning(
            `Job summary not written (${error instanceof Error ? error.message : String(error)}). Set summary: false to skip it.`
          )
        )
    }
  } catch (error) {
    fail(error, core)
  }
}

/** Fails the step with the error's message, or only its kind when we did not expect it. */
function fail(error: unknown, core: Deps['core']): void {
  if (error instanceof ActionError) {
    core.setFailed(error.message)
    return
  }
  // An unexpected error's message may quote what it was parsing: print its kind and frames only.
  const name = error instanceof Error ? error.name : typeof error
  if (error instanceof Error && core.isDebug()) {
    // Frames only: a message of several lines would fill the stack's first lines, not just one.
    const frames = (error.stack ?? '').split('\n').filter(line => /^\s+at /.test(line))
    core.debug(frames.join('\n'))
  }
  core.setFailed(
    `Unexpected ${name} in the action. Re-run with debug logging for the stack trace and report it.`
  )
}

/** Leaves what the post step needs to revoke the token, or says why it cannot. */
function saveRevocation(token: TokenResponse, endpoints: Endpoints, deps: Deps): void {
  if (!endpoints.revocationUrl) {
    deps.core.warning(
      'revoke is true, but the discovery document lists no revocation_endpoint: the token will not be revoked. Set revocation-url.'
    )
    return
  }
  deps.core.saveState(STATE.revokeToken, token.accessToken)
}
