// Tokens for a process with no log to write to: the token agent's refreshes and revocations. The
// same settings, endpoints, requests, retries and checks as the main step; each refresh is a
// step's work with a step's time budget.
import { ActionError } from '../base/errors.js'
import { readSettings } from '../config/inputs.js'
import { stepBudgetMs } from '../http/retry.js'
import type { Endpoints } from '../oauth/discovery.js'
import { RUNTIME } from '../oauth/send.js'
import { stepSecrets } from './attempt.js'
import { findEndpoints } from './endpoints.js'
import { revokeToken } from './revoke.js'
import { fetchToken, type FetchedToken, type TokenDeps } from './token.js'

export interface Refresher {
  /** A new token, as the main step got its first. */
  fetch(): Promise<FetchedToken>
  /** With revoke: true, revokes the tokens not yet expired; says how many, and why not the rest. */
  revoke(tokens: FetchedToken[]): Promise<{ revoked: number; warnings: string[] }>
}

/** Nothing is written anywhere: after the main step there is no log to write to. */
const silent: TokenDeps['core'] = {
  setSecret: () => {},
  info: () => {},
  debug: () => {},
  warning: () => {}
}

/**
 * Reads the main step's inputs again, as the step did (and throws the errors it would). `env`
 * holds where the runner serves the job's GitHub ID token, for the methods that use one.
 */
export function refresher(
  getInput: (name: string) => string,
  env: Readonly<Record<string, string>>
): Refresher {
  const deps: TokenDeps = {
    core: silent,
    env,
    ...RUNTIME
  }
  const settings = readSettings(getInput, deps.now())
  /** Found at the first refresh: later refreshes and revocations need not discover them again. */
  let endpoints: Endpoints | undefined
  return {
    async fetch() {
      const deadline = deps.now() + stepBudgetMs(settings.timeoutMs, settings.maxAttempts)
      endpoints ??= await findEndpoints(settings, deadline, deps)
      return fetchToken(settings, endpoints, stepSecrets(settings), deadline, deps)
    },
    async revoke(tokens) {
      if (!settings.revoke) return { revoked: 0, warnings: [] }
      const results = await Promise.allSettled(
        liveTokens(tokens, deps.now()).map(({ token: { accessToken } }) =>
          revokeToken(accessToken, settings, stepSecrets(settings, accessToken), deps, endpoints)
        )
      )
      const warnings = results.flatMap(result =>
        result.status === 'fulfilled'
          ? []
          : [
              `A token the agent fetched was not revoked. ${result.reason instanceof ActionError ? result.reason.message : 'Unexpected error.'}`
            ]
      )
      return { revoked: results.length - warnings.length, warnings }
    }
  }
}

/** Tokens not yet expired: revoking the others is a request for nothing. */
function liveTokens(tokens: FetchedToken[], now: number): FetchedToken[] {
  return tokens.filter(
    ({ verified: { expiresAtMs } }) => expiresAtMs === undefined || expiresAtMs > now
  )
}
