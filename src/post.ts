import { ActionError } from './errors.js'
import { exchange } from './exchange.js'
import { readSettings, type Settings } from './inputs.js'
import { authSecrets } from './auth/index.js'
import { attemptContext, credentials } from './attempt.js'
import { defaultDeps, type Deps } from './deps.js'
import { findEndpoints } from './discovery.js'
import { REVOKE_STATE } from './main.js'
import { maskAll } from './mask.js'
import { buildRevocationRequest } from './request.js'
import { checkToken } from './untrusted.js'

/**
 * The post step: with `revoke: true`, revokes the token the main step got (RFC 7009), with the
 * same client authentication. It acts on its own inputs, not on saved state: state holds only the
 * token, checked like any token, and the endpoints are derived again from the inputs (discovery
 * included), so nothing saved can send credentials elsewhere. A failure here is a warning.
 */
export async function runPost(deps: Deps = defaultDeps): Promise<void> {
  const { core } = deps
  let settings: Settings
  try {
    settings = readSettings(name => core.getInput(name), deps.now())
  } catch {
    // The main step failed on these inputs already, and said why.
    return
  }
  // Loaded only when used: a step without agent never loads its code.
  if (settings.agent) await (await import('./agent/stop.js')).stopAgent(settings, deps)
  const saved = core.getState(REVOKE_STATE)
  if (!settings.revoke || !saved) return
  try {
    const token = checkToken(saved, "The main step's saved state", 'token')
    const secrets = [token, ...authSecrets(settings.auth, settings.clientId)]
    maskAll(core, secrets)
    await revokeToken(token, settings, secrets, deps)
    core.info('Revoked the access token.')
  } catch (error) {
    const reason = error instanceof ActionError ? error.message : 'Unexpected error.'
    core.warning(
      `The access token was not revoked. ${reason} Note: many servers cannot revoke JWT access tokens; such a token stays valid until it expires.`
    )
  }
}

/**
 * Revokes one token (RFC 7009) at the revocation endpoint the inputs name, with the token
 * request's client authentication; the token agent revokes the tokens it fetched with it too.
 * Throws an ActionError that says why it could not.
 */
export async function revokeToken(
  token: string,
  settings: Settings,
  secrets: string[],
  deps: Deps
): Promise<void> {
  const { core } = deps
  const endpoints = await findEndpoints(settings, deps)
  const revocationUrl = endpoints.revocationUrl
  if (!revocationUrl) {
    throw new ActionError('The discovery document lists no revocation_endpoint.')
  }
  core.info(`Revoking the access token at ${revocationUrl.host}${revocationUrl.pathname}.`)
  await exchange(
    {
      endpoint: { label: 'The revocation endpoint', input: 'revocation-url' },
      request: async () =>
        buildRevocationRequest(
          revocationUrl,
          token,
          await credentials(settings, attemptContext(settings, endpoints.tokenUrl, deps), secrets)
        ),
      secrets,
      timeoutMs: settings.timeoutMs,
      maxAttempts: Math.min(settings.maxAttempts, 3)
    },
    deps
  )
}
