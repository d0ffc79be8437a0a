import { describe, expect, it } from '@jest/globals'
import { BACKOFF, parseRetryAfter, retryPlan } from '../src/http/retry.js'

/** The delay alone, as most cases read it. */
const retryDelay = (
  attempt: number,
  maxAttempts: number,
  outcome: Outcome,
  nowMs: number,
  random: () => number
) => retryPlan(attempt, maxAttempts, outcome, nowMs, random)?.delayMs
import type { Outcome } from '../src/http/types.js'

const NOW = Date.parse('2026-11-27T12:00:00Z')
const status = (code: number, headers: Record<string, string> = {}): Outcome => ({
  kind: 'response',
  status: code,
  headers,
  body: ''
})
const network = (retryable = true): Outcome => ({ kind: 'network', reason: 'x', retryable })
const max = () => 1 - Number.EPSILON
const min = () => 0

describe('what is retried', () => {
  it.each([408, 429, 500, 502, 503, 504])('HTTP %i', code => {
    expect(retryDelay(1, 6, status(code), NOW, max)).toBeGreaterThan(0)
  })

  it.each([400, 401, 403, 404, 405, 302, 307])('never HTTP %i', code => {
    expect(retryDelay(1, 6, status(code), NOW, max)).toBeUndefined()
  })

  it('network errors, but not TLS failures', () => {
    expect(retryDelay(1, 6, network(), NOW, max)).toBeGreaterThan(0)
    expect(retryDelay(1, 6, network(false), NOW, max)).toBeUndefined()
  })

  it('nothing once max-attempts is reached', () => {
    expect(retryDelay(5, 6, status(503), NOW, max)).toBeGreaterThan(0)
    expect(retryDelay(6, 6, status(503), NOW, max)).toBeUndefined()
    expect(retryDelay(1, 1, status(503), NOW, max)).toBeUndefined()
  })
})

describe('full-jitter exponential backoff', () => {
  it('draws from [0, base * 2^(attempt-1)), capped', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7].map(attempt =>
      Math.round(retryDelay(attempt, 99, status(503), NOW, max) ?? -1)
    )
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16000, 20000, 20000])
    expect(BACKOFF.capMs).toBe(20000)
    expect(retryDelay(3, 99, status(503), NOW, min)).toBe(0)
    expect(retryDelay(3, 99, status(503), NOW, () => 0.5)).toBe(2000)
  })
})

describe('Retry-After', () => {
  it('in seconds is waited, with jitter on top', () => {
    const headers = { 'retry-after': '2' }
    expect(retryDelay(1, 6, status(429, headers), NOW, min)).toBe(2000)
    expect(retryDelay(1, 6, status(429, headers), NOW, () => 0.5)).toBe(2000 + 4000)
  })

  it('spreads a refused crowd over 8 s at first, halving with each attempt', () => {
    const headers = { 'retry-after': '1' }
    const spreads = [1, 2, 3, 4, 5].map(attempt =>
      Math.round((retryDelay(attempt, 99, status(429, headers), NOW, max) ?? -1) - 1000)
    )
    expect(spreads).toEqual([8000, 4000, 2000, 1000, 500])
    expect(BACKOFF.spreadMs).toBe(8000)
  })

  it('as an HTTP date is waited until that date', () => {
    const headers = { 'retry-after': new Date(NOW + 5000).toUTCString() }
    expect(retryDelay(1, 6, status(503, headers), NOW, min)).toBe(5000)
  })

  it('is capped, so a server cannot park the job for an hour', () => {
    const headers = { 'retry-after': '3600' }
    expect(retryDelay(1, 6, status(429, headers), NOW, min)).toBe(BACKOFF.retryAfterCapMs)
  })

  it('in the past, or unreadable, falls back to backoff alone', () => {
    expect(parseRetryAfter(new Date(NOW - 5000).toUTCString(), NOW)).toBe(0)
    expect(parseRetryAfter('soon', NOW)).toBeUndefined()
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined()
    expect(retryDelay(1, 6, status(429, { 'retry-after': 'soon' }), NOW, () => 0.5)).toBe(500)
  })

  it('is ignored on a status that is not retried', () => {
    expect(retryDelay(1, 6, status(400, { 'retry-after': '1' }), NOW, min)).toBeUndefined()
  })
})

describe('retryPlan says when a Retry-After was capped', () => {
  const over = {
    kind: 'response',
    status: 429,
    headers: { 'retry-after': '120' },
    body: ''
  } as const
  it('a Retry-After above the cap: waits the cap and reports what was asked', () => {
    expect(retryPlan(1, 6, over, 0, () => 0)).toEqual({
      delayMs: BACKOFF.retryAfterCapMs,
      cappedFromMs: 120_000
    })
  })
  it('a Retry-After within the cap is not reported as capped', () => {
    const within = { ...over, headers: { 'retry-after': '60' } }
    expect(retryPlan(1, 6, within, 0, () => 0)).toEqual({ delayMs: 60_000 })
  })
})
