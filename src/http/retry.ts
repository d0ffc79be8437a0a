import type { Outcome } from './types.js'

/** Backoff constants, tuned against a throttled fleet with bench/fleet (see CONTRIBUTING). */
export const BACKOFF = {
  /** Full-jitter exponential backoff when the server gives no Retry-After: 1 s, 2 s, 4 s... */
  baseMs: 1000,
  capMs: 20_000,
  /** A server asking for a longer pause than this is treated as asking for this long. */
  retryAfterCapMs: 60_000,
  /** Jitter on top of Retry-After: up to 8 s after the first refusal, halving each attempt. */
  spreadMs: 8000
}

/** timeout-seconds' and max-attempts' defaults (action.yml's). */
export const NETWORK_DEFAULTS = { timeoutMs: 30_000, maxAttempts: 6 }

/** With the defaults, the whole step gives up within this, whatever the endpoints do: < 2 min. */
export const DEFAULT_STEP_BUDGET_MS = 110_000

/** An attempt (or a wait before one) needs this much of the budget left, or its timeout if less. */
export const MIN_ATTEMPT_MS = 1000

/** The most every retry wait of max-attempts attempts adds up to without Retry-After. */
function backoffCeilingMs(maxAttempts: number): number {
  let total = 0
  for (let attempt = 1; attempt < maxAttempts; attempt++) {
    total += Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** (attempt - 1))
  }
  return total
}

/**
 * The step's time budget, shared by every request it makes (discovery, keys, the GitHub ID token,
 * the token request). With the default timeout-seconds and max-attempts: 110 s. What was asked for
 * (every attempt in full, the longest backoff between them, and a second for the step's other
 * requests) wins when either is set above its default; at or below both, never more than 110 s.
 */
export function stepBudgetMs(timeoutMs: number, maxAttempts: number): number {
  const asked = maxAttempts * timeoutMs + backoffCeilingMs(maxAttempts) + MIN_ATTEMPT_MS
  const atMostDefaults =
    timeoutMs <= NETWORK_DEFAULTS.timeoutMs && maxAttempts <= NETWORK_DEFAULTS.maxAttempts
  return atMostDefaults ? Math.min(asked, DEFAULT_STEP_BUDGET_MS) : asked
}

/** Statuses worth another attempt: the request timed out, was throttled, or the server failed. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599)
}

/**
 * After attempt `attempt` (1-based) produced `outcome`: how many ms to wait before the next
 * attempt (and the Retry-After the server asked for, when it was more than the cap), or undefined
 * to stop.
 *
 * Without Retry-After: full-jitter exponential backoff. With it, the server is shedding load and
 * says when to come back; the jitter on top spreads out the crowd it turned away together, so they
 * do not return together. That crowd is largest at the first refusal and thins with each round,
 * so the spread halves with each attempt, which keeps the last job's wait short.
 */
export function retryPlan(
  attempt: number,
  maxAttempts: number,
  outcome: Outcome,
  nowMs: number,
  random: () => number
): { delayMs: number; cappedFromMs?: number } | undefined {
  if (attempt >= maxAttempts) return undefined
  const backoff = random() * Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** (attempt - 1))
  if (outcome.kind === 'network') return outcome.retryable ? { delayMs: backoff } : undefined
  if (!isRetryableStatus(outcome.status)) return undefined
  const retryAfter = parseRetryAfter(outcome.headers['retry-after'], nowMs)
  if (retryAfter === undefined) return { delayMs: backoff }
  const spread = random() * (BACKOFF.spreadMs / 2 ** (attempt - 1))
  const capped = retryAfter > BACKOFF.retryAfterCapMs
  return {
    delayMs: Math.min(retryAfter, BACKOFF.retryAfterCapMs) + spread,
    ...(capped ? { cappedFromMs: retryAfter } : {})
  }
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from now. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}
