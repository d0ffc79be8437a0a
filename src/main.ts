import * as actionsCore from '@actions/core'
import { ActionError } from './errors.js'
import { readSettings, type Settings } from './inputs.js'
import { maskAll, publish, summaryMarkdown, type Publisher } from './publish.js'
import { buildTokenRequest, type TokenRequest } from './request.js'
import { describeFailure, parseTokenResponse, type TokenResponse } from './response.js'
import { retryDelay } from './retry.js'
import { post as httpPost, type Post } from './transport.js'

/** The action's collaborators; tests pass fakes or real servers, the action passes these. */
export interface Deps {
  core: Publisher & {
    getInput(name: string): string
    setFailed(message: string): void
    debug(message: string): void
    warning(message: string): void
    isDebug(): boolean
    summary: { addRaw(text: string): { write(): Promise<unknown> } }
  }
  post: Post
  sleep: (ms: number) => Promise<void>
  now: () => number
  random: () => number
}

export const defaultDeps: Deps = {
  core: actionsCore,
  post: httpPost,
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  now: Date.now,
  random: Math.random
}

export async function run(deps: Deps = defaultDeps): Promise<void> {
  const { core } = deps
  try {
    const settings = readSettings(name => core.getInput(name))
    // Mask before anything can print: the secret in every form, including the Basic header.
    const request = buildTokenRequest(settings)
    maskAll(core, [settings.clientSecret])
    if (request.headers.authorization) {
      const header = request.headers.authorization
      maskAll(core, [header, header.slice('Basic '.length)])
    }
    const { token, requestedAt } = await requestToken(settings, request, deps)
    publish(core, token, settings, new Date(requestedAt))
    if (settings.summary) {
      // The token is out; a summary that cannot be written is worth a warning, not a failed job.
      await core.summary
        .addRaw(summaryMarkdown(token, settings, new Date(requestedAt)))
        .write()
        .catch((error: unknown) =>
          core.warning(
            `Job summary not written (${error instanceof Error ? error.message : String(error)}). Set summary: false to skip it.`
          )
        )
    }
  } catch (error) {
    if (error instanceof ActionError) {
      core.setFailed(error.message)
    } else {
      // An unexpected error's message may quote what it was parsing: print its kind and frames only.
      const name = error instanceof Error ? error.name : typeof error
      if (error instanceof Error && core.isDebug()) {
        core.debug((error.stack ?? '').split('\n').slice(1).join('\n'))
      }
      core.setFailed(
        `Unexpected ${name} in the action. Re-run with debug logging for the stack trace and report it.`
      )
    }
  }
}

/** Attempts the request until it yields a token, fails for good, or runs out of attempts. */
async function requestToken(
  settings: Settings,
  request: TokenRequest,
  deps: Deps
): Promise<{ token: TokenResponse; requestedAt: number }> {
  const { core } = deps
  const where = `${settings.tokenUrl.host}${settings.tokenUrl.pathname}`
  core.info(
    `Requesting a token from ${where} for client '${settings.clientId}' (${settings.authMethod}).`
  )
  for (let attempt = 1; ; attempt++) {
    core.debug(`Attempt ${attempt}/${settings.maxAttempts}: POST ${where}`)
    const requestedAt = deps.now()
    const outcome = await deps.post(request, settings.timeoutMs)
    core.debug(
      `Attempt ${attempt}/${settings.maxAttempts}: ${outcome.kind === 'response' ? `HTTP ${outcome.status}` : outcome.reason} after ${deps.now() - requestedAt} ms.`
    )
    if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
      return { token: parseTokenResponse(outcome), requestedAt }
    }
    const failure =
      outcome.kind === 'response'
        ? describeFailure(outcome, [settings.clientSecret])
        : `Could not get a response from ${settings.tokenUrl.host}: ${outcome.reason}. Hint: check token-url, and the proxy settings (HTTPS_PROXY, NO_PROXY) if the runner needs one.`
    const delay = retryDelay(attempt, settings.maxAttempts, outcome, deps.now(), deps.random)
    if (delay === undefined) {
      throw new ActionError(attempt > 1 ? `Gave up after ${attempt} attempts. ${failure}` : failure)
    }
    core.info(
      `Attempt ${attempt}/${settings.maxAttempts} failed (${outcome.kind === 'response' ? `HTTP ${outcome.status}` : outcome.reason}); retrying in ${(delay / 1000).toFixed(1)} s.`
    )
    await deps.sleep(delay)
  }
}
