import { ActionError } from './errors.js'
import { buildGetRequest, type HttpRequest } from './request.js'
import { describeFailure, type Endpoint, type HttpResponse } from './response.js'
import { BACKOFF, retryPlan } from './retry.js'
import type { Outcome, Send } from './transport.js'

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
  /**
   * Builds the request for one attempt: a client assertion is made fresh for each. When it needs a
   * request of its own (the job's GitHub ID token) and that fails, the failure is this attempt's,
   * retried or not by the same policy: one budget for both.
   */
  request: () => Promise<HttpRequest>
  /**
   * Removed in every form from anything the server says back. Read at each failure, so that
   * secrets made for an attempt (an assertion, an ID token) may be added as they are made.
   */
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
    const result = await attemptOnce(x, attempt, deps)
    if ('response' in result) return result
    const { outcome, endpoint, failure, what } = result
    const plan = retryPlan(attempt, x.maxAttempts, outcome, deps.now(), deps.random)
    if (plan === undefined) {
      throw new ActionError(
        attempt > 1 ? `Gave up after ${attempt} attempts. ${failure}` : failure,
        {
          outcome,
          endpoint
        }
      )
    }
    core.info(
      `Attempt ${attempt}/${x.maxAttempts} failed (${what}); retrying in ${(plan.delayMs / 1000).toFixed(1)} s${plan.cappedFromMs === undefined ? '' : ` (the server asked for ${plan.cappedFromMs / 1000} s; capped at ${BACKOFF.retryAfterCapMs / 1000} s)`}.`
    )
    await deps.sleep(plan.delayMs)
  }
}

type Attempt =
  | { response: HttpResponse; requestedAt: number }
  | { outcome: Outcome; endpoint: string; failure: string; what: string }

/** One attempt: build the request (which may fail on a request of its own), send it, judge it. */
async function attemptOnce(x: Exchange, attempt: number, deps: ExchangeDeps): Promise<Attempt> {
  const { core } = deps
  let request: HttpRequest
  try {
    request = await x.request()
  } catch (error) {
    if (!(error instanceof ActionError) || !error.exchange) throw error
    const { outcome, endpoint } = error.exchange
    return { outcome, endpoint, failure: error.message, what: `${endpoint}: ${describe(outcome)}` }
  }
  // Credentials go only to the origin they were made for: anywhere else they could be replayed.
  if (request.credentialsFor && request.credentialsFor !== request.url.origin) {
    throw new ActionError(
      `${x.endpoint.label} is on ${request.url.origin}, another origin than the token endpoint's (${request.credentialsFor}), for which the client's credentials and the access token were made: nothing was sent there, as another origin could replay them. Set ${x.endpoint.input} to an endpoint on ${request.credentialsFor}.`
    )
  }
  core.debug(
    `Attempt ${attempt}/${x.maxAttempts}: ${request.method} ${request.url.host}${request.url.pathname}`
  )
  const requestedAt = deps.now()
  const outcome = await deps.send(request, x.timeoutMs)
  core.debug(
    `Attempt ${attempt}/${x.maxAttempts}: ${describe(outcome)} after ${deps.now() - requestedAt} ms.`
  )
  if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
    return { response: outcome, requestedAt }
  }
  const failure =
    outcome.kind === 'response'
      ? describeFailure(outcome, x.secrets, x.endpoint, request.url)
      : `Could not get a response from ${request.url.host}: ${outcome.reason}. Hint: check ${x.endpoint.input}, and the proxy settings (HTTPS_PROXY, NO_PROXY) if the runner needs one.`
  return { outcome, endpoint: x.endpoint.label, failure, what: describe(outcome) }
}

function describe(outcome: Outcome): string {
  return outcome.kind === 'response' ? `HTTP ${outcome.status}` : outcome.reason
}

/** GETs a public JSON document (discovery, key set) with the token request's deadline and retries. */
export async function getDocument(
  url: URL,
  endpoint: Endpoint,
  budget: { timeoutMs: number; maxAttempts: number },
  deps: ExchangeDeps
): Promise<HttpResponse> {
  const { response } = await exchange(
    {
      endpoint,
      request: async () => buildGetRequest(url),
      secrets: [],
      timeoutMs: budget.timeoutMs,
      maxAttempts: budget.maxAttempts
    },
    deps
  )
  return response
}
