import type { Outcome } from './transport.js'

/** Backoff constants; tuned against a throttled fleet in bench/fleet. */
export const BACKOFF = {
  baseMs: 1000,
  capMs: 20_000,
  /** A server asking for a longer pause than this is treated as asking for this long. */
  retryAfterCapMs: 60_000
}

/** Statuses worth another attempt: the request timed out, was throttled, or the server failed. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599)
}

/**
 * After attempt `attempt` (1-based) produced `outcome`: how many ms to wait before the next
 * attempt, or undefined to stop. Full-jitter exponential backoff, added on top of Retry-After
 * when the server sends one so that a throttled fleet does not come back all at once.
 */
export function retryDelay(
  attempt: number,
  maxAttempts: number,
  outcome: Outcome,
  nowMs: number,
  random: () => number
): number | undefined {
  if (attempt >= maxAttempts) return undefined
  const backoff = random() * Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** (attempt - 1))
  if (outcome.kind === 'network') return outcome.retryable ? backoff : undefined
  if (!isRetryableStatus(outcome.status)) return undefined
  const retryAfter = parseRetryAfter(outcome.headers['retry-after'], nowMs)
  return retryAfter === undefined
    ? backoff
    : Math.min(retryAfter, BACKOFF.retryAfterCapMs) + backoff
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from now. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs)
}
