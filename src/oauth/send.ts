import { ActionError } from '../base/errors.js'
import { BACKOFF, DEFAULT_STEP_BUDGET_MS, MIN_ATTEMPT_MS, retryPlan } from '../http/retry.js'
import { send } from '../http/transport.js'
import type { HttpRequest, HttpResponse, Outcome, Send } from '../http/types.js'
import { describeFailure, type Endpoint } from './failure.js'
import { buildGetRequest } from './token-request.js'

/** What sending with retries needs besides the request: the network, a clock and dice, and a log. */
export interface SendDeps {
  core: { info(message: string): void; debug(message: string): void }
  send: Send
  sleep: (ms: number) => Promise<void>
  now: () => number
  random: () => number
}

/** The real network, timers, clock and dice, which the action runs with; tests pass their own. */
export const RUNTIME: Omit<SendDeps, 'core'> = {
  send,
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  now: Date.now,
  random: Math.random
}

/** A request that failed for good: what its last attempt got, and from which endpoint. */
export class RequestFailed extends ActionError {
  constructor(
    message: string,
    readonly outcome: Outcome,
    readonly endpoint: string
  ) {
    super(message)
  }
}

export interface RetriedRequest {
  endpoint: Endpoint
  /**
   * Builds the request for one attempt: a client assertion is made fresh for each. When it needs a
   * request of its own (the job's GitHub ID token) and that fails, the failure is this attempt's,
   * retried or not by the same policy: one budget for both.
   */
  request: () => Promise<HttpRequest>
  /**
   * Removed in every form from anything the server says back. Asked for at each failure, so that
   * secrets made for an attempt (an assertion, an ID token) count once they are made.
   */
  secrets: () => readonly string[]
  timeoutMs: number
  maxAttempts: number
  /** When the step's time budget runs out, on deps.now()'s clock: nothing starts or waits past it. */
  deadline: number
}

/** A successful request: its response, when it was sent, and how many attempts it took. */
export interface Sent {
  response: HttpResponse
  requestedAt: number
  attempts: number
}

/** How to give the step more time, for every message that says its budget ran out. */
export const BUDGET_HINT = `To give the step more time, set timeout-seconds or max-attempts above its default: the budget is then max-attempts × timeout-seconds plus the backoff between attempts (${DEFAULT_STEP_BUDGET_MS / 1000} s with the defaults).`

/**
 * Sends the request until it gets a 2xx, fails for good, runs out of attempts or out of the step's
 * time budget; retries follow http/retry.ts. Fails with a RequestFailed that says what the endpoint
 * answered last.
 */
export async function sendWithRetries(x: RetriedRequest, deps: SendDeps): Promise<Sent> {
  const { core } = deps
  // An attempt needs a second (or its whole timeout, if shorter) to be worth starting.
  const needed = Math.min(x.timeoutMs, MIN_ATTEMPT_MS)
  if (x.deadline - deps.now() < needed) {
    throw new ActionError(
      `The step's time budget ran out before ${x.endpoint.label.replace(/^The /, 'the ')} could be tried: the requests before it used it up. ${BUDGET_HINT}`
    )
  }
  for (let attempt = 1; ; attempt++) {
    const result = await attemptOnce(x, attempt, deps)
    if ('response' in result) return { ...result, attempts: attempt }
    const { outcome, endpoint, failure, what } = result
    const plan = retryPlan(attempt, x.maxAttempts, outcome, deps.now(), deps.random)
    if (plan === undefined) {
      throw new RequestFailed(
        attempt > 1 ? `Gave up after ${attempt} attempts. ${failure}` : failure,
        outcome,
        endpoint
      )
    }
    // A wait that would leave the next attempt too little time ends the retries now, not later.
    if (deps.now() + plan.delayMs + needed > x.deadline) {
      throw new RequestFailed(
        `Gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: the step's time budget ran out before another could be made (the next was due in ${(plan.delayMs / 1000).toFixed(1)} s). ${failure} ${BUDGET_HINT}`,
        outcome,
        endpoint
      )
    }
    core.info(
      `Attempt ${attempt}/${x.maxAttempts} failed (${what}); retrying in ${(plan.delayMs / 1000).toFixed(1)} s${plan.cappedFromMs === undefined ? '' : ` (the server asked for ${plan.cappedFromMs / 1000} s; capped at ${BACKOFF.retryAfterCapMs / 1000} s)`}.`
    )
    await deps.sleep(plan.delayMs)
  }
}

type Attempt =
  Omit<Sent, 'attempts'> | { outcome: Outcome; endpoint: string; failure: string; what: string }

/** One attempt: build the request (which may fail on a request of its own), send it, judge it. */
async function attemptOnce(x: RetriedRequest, attempt: number, deps: SendDeps): Promise<Attempt> {
  const { core } = deps
  let request: HttpRequest
  try {
    request = await x.request()
  } catch (error) {
    if (!(error instanceof RequestFailed)) throw error
    const { outcome, endpoint } = error
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
  // The step's budget shortens the last attempt it has room for; at least 1 ms, as a timer needs.
  const outcome = await deps.send(
    request,
    Math.max(1, Math.min(x.timeoutMs, x.deadline - requestedAt))
  )
  core.debug(
    `Attempt ${attempt}/${x.maxAttempts}: ${describe(outcome)} after ${deps.now() - requestedAt} ms.`
  )
  if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
    return { response: outcome, requestedAt }
  }
  return {
    outcome,
    endpoint: x.endpoint.label,
    failure: failureMessage(outcome, x, request.url),
    what: describe(outcome)
  }
}

/** What went wrong, naming what to check: the endpoint's input, or the proxy when it failed there. */
function failureMessage(outcome: Outcome, x: RetriedRequest, url: URL): string {
  if (outcome.kind === 'response') return describeFailure(outcome, x.secrets(), x.endpoint, url)
  const { proxy } = outcome
  if (proxy) {
    return `Could not reach the proxy ${proxy.address} (from ${proxy.variable}) on the way to ${url.host}: ${outcome.reason}. Hint: check ${proxy.variable} (a value without a scheme is read as http://, a user and password must be URL-encoded), and NO_PROXY for hosts to reach directly.`
  }
  return `Could not get a response from ${url.host}: ${outcome.reason}. Hint: check ${x.endpoint.input}, and the proxy settings (HTTPS_PROXY, NO_PROXY) if the runner needs one.`
}

function describe(outcome: Outcome): string {
  if (outcome.kind === 'response') return `HTTP ${outcome.status}`
  return outcome.proxy ? `the proxy ${outcome.proxy.address}: ${outcome.reason}` : outcome.reason
}

/** What a request may spend: each attempt's timeout, how many, and the step's deadline. */
export type Budget = Pick<RetriedRequest, 'timeoutMs' | 'maxAttempts' | 'deadline'>

/**
 * GETs a public JSON document (discovery, key set) with the token request's timeout, retries,
 * step budget and trust (ca-certificate).
 */
export async function getDocument(
  url: URL,
  endpoint: Endpoint,
  budget: Budget & { caCertificate: string },
  deps: SendDeps
): Promise<HttpResponse> {
  const { response } = await sendWithRetries(
    {
      endpoint,
      request: async () => buildGetRequest(url, budget.caCertificate),
      secrets: () => [],
      timeoutMs: budget.timeoutMs,
      maxAttempts: budget.maxAttempts,
      deadline: budget.deadline
    },
    deps
  )
  return response
}
