import { ActionError } from './errors.js'
import type { HttpRequest } from './request.js'
import { describeFailure, type Endpoint, type HttpResponse } from './response.js'
import { BACKOFF, retryPlan } from './retry.js'
import type { Send } from './transport.js'

/** What an exchange needs besides the request: the network, a clock and dice, and a log. */
export interface ExchangeDeps {
  core: { info(message: string): void; debug(message: string): void }
  send: Send
  sleep: (ms: number) => Promise<void>
  now: () => number
  random: () => number
}

export interface Exchange {
  endpoint: Endpoint
  /** Builds the request for one attempt: a client assertion is made fresh for each. */
  request: (attempt: number) => Promise<HttpRequest>
  /** Removed in every form from anything the server says back. */
  secrets: readonly string[]
  timeoutMs: number
  maxAttempts: number
}

/**
 * Sends the request until it gets a 2xx, fails for good, or runs out of attempts; retries follow
 * retry.ts. Fails with an ActionError that says what the endpoint answered last.
 */
export async function exchange(
  x: Exchange,
  deps: ExchangeDeps
): Promise<{ response: HttpResponse; requestedAt: number }> {
  const { core } = deps
  for (let attempt = 1; ; attempt++) {
    const request = await x.request(attempt)
    const where = `${request.url.host}${request.url.pathname}`
    core.debug(`Attempt ${attempt}/${x.maxAttempts}: ${request.method} ${where}`)
    const requestedAt = deps.now()
    const outcome = await deps.send(request, x.timeoutMs)
    const what = outcome.kind === 'response' ? `HTTP ${outcome.status}` : outcome.reason
    core.debug(`Attempt ${attempt}/${x.maxAttempts}: ${what} after ${deps.now() - requestedAt} ms.`)
    if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
      return { response: outcome, requestedAt }
    }
    const failure =
      outcome.kind === 'response'
        ? describeFailure(outcome, x.secrets, x.endpoint, request.url)
        : `Could not get a response from ${request.url.host}: ${outcome.reason}. Hint: check ${x.endpoint.input}, and the proxy settings (HTTPS_PROXY, NO_PROXY) if the runner needs one.`
    const plan = retryPlan(attempt, x.maxAttempts, outcome, deps.now(), deps.random)
    if (plan === undefined) {
      throw new ActionError(
        attempt > 1 ? `Gave up after ${attempt} attempts. ${failure}` : failure,
        outcome.kind === 'response' ? { status: outcome.status } : {}
      )
    }
    core.info(
      `Attempt ${attempt}/${x.maxAttempts} failed (${what}); retrying in ${(plan.delayMs / 1000).toFixed(1)} s${plan.cappedFromMs === undefined ? '' : ` (the server asked for ${plan.cappedFromMs / 1000} s; capped at ${BACKOFF.retryAfterCapMs / 1000} s)`}.`
    )
    await deps.sleep(plan.delayMs)
  }
}
