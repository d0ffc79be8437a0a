import { authSecrets } from './auth/index.js'
import { defaultDeps, type Deps } from './deps.js'
import { findEndpoints, type Endpoints } from './discovery.js'
import { ActionError } from './errors.js'
import { grantSecrets } from './grant.js'
import { checkInputNames } from './input-names.js'
import { readSettings } from './inputs.js'
import { maskAll } from './mask.js'
import { publish, summaryMarkdown } from './publish.js'
import type { TokenResponse } from './response.js'
import { fetchToken } from './token.js'

/**
 * The state the post step revokes: the token alone. Everything else (endpoints, credentials) it
 * derives again from its inputs, so that saved state cannot point it anywhere.
 */
export const REVOKE_STATE = 'revoke-token'

export async function run(deps: Deps = defaultDeps): Promise<void> {
  const { core } = deps
  // The same bundle runs as the post step; this marks the main step as done (as actions/checkout).
  core.saveState('isPost', 'true')
  // agent: true starts the agent's node first, so that its start-up overlaps the token request.
  const agent = /^(true|True|TRUE)$/.test(core.getInput('agent'))
    ? (await import('./agent/start.js')).launchAgent(deps.env)
    : undefined
  try {
    checkInputNames(deps.env)
    const settings = readSettings(name => core.getInput(name), deps.now())
    // Mask before anything can print: the secret, its Basic credential, the key, a subject token.
    const secrets = [
      ...authSecrets(settings.auth, settings.clientId),
      ...grantSecrets(settings.grant)
    ]
    maskAll(core, secrets)
    const endpoints = await findEndpoints(settings, deps)
    const first = await fetchToken(settings, endpoints, secrets, deps)
    const { token, requestedAt } = first
    publish(core, token, settings, new Date(requestedAt))
    if (agent) core.setOutput('token-command', await agent.start(first, settings, deps))
    if (settings.revoke) saveRevocation(token, endpoints, deps)
    if (settings.summary) {
      // The token is out; a summary that cannot be written is worth a warning, not a failed job.
      await core.summary
        .addRaw(summaryMarkdown(token, settings, endpoints.tokenUrl, new Date(requestedAt)))
        .write()
        .catch((error: unknown) =>
          core.warning(
            `Job summary not written (${error instanceof Error ? error.message : String(error)}). Set summary: false to skip it.`
          )
        )
    }
  } catch (error) {
    agent?.abandon()
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
  deps.core.saveState(REVOKE_STATE, token.accessToken)
}
