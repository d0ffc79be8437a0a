// The step's time budget: with the defaults a step gives up within 2 minutes whatever its
// endpoints do, and the requests of a step (discovery, keys, ID token, token) share one budget.
// A fake clock: sending advances it by the time the endpoint takes, sleeping by the wait.
import { describe, expect, it } from '@jest/globals'
import { fakeCore } from '../__fixtures__/core.js'
import type { Deps } from '../src/entry/deps.js'
import { run } from '../src/entry/main.js'
import { DEFAULT_STEP_BUDGET_MS, stepBudgetMs } from '../src/http/retry.js'
import type { HttpRequest, Outcome } from '../src/http/types.js'

const inputs = { 'client-id': 'ci', 'client-secret': 'a-long-client-secret' }
const ISSUER = 'https://idp.example.com/realms/ci'
const discovery: Outcome = {
  kind: 'response',
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ issuer: ISSUER, token_endpoint: `${ISSUER}/token` })
}

/** How an endpoint behaves: what it answers, after how long (ms) of the attempt's timeout. */
type Behaviour = (request: HttpRequest, timeoutMs: number) => { outcome: Outcome; takesMs: number }

const silent: Behaviour = (_request, timeoutMs) => ({
  outcome: {
    kind: 'network',
    reason: `no complete response within ${timeoutMs / 1000} s (timeout-seconds)`,
    retryable: true
  },
  takesMs: timeoutMs
})
const refused: Behaviour = () => ({
  outcome: { kind: 'network', reason: 'connection refused (ECONNREFUSED)', retryable: true },
  takesMs: 5
})
const shedding: Behaviour = () => ({
  outcome: { kind: 'response', status: 503, headers: { 'retry-after': '60' }, body: '' },
  takesMs: 50
})

function harness(behave: Behaviour, extraInputs: Record<string, string> = {}) {
  const { core, record } = fakeCore({ ...inputs, ...extraInputs })
  const start = Date.parse('2026-11-27T10:00:00.000Z')
  let clock = start
  const timeouts: number[] = []
  const deps: Deps = {
    core,
    env: {},
    send: async (request, timeoutMs) => {
      timeouts.push(timeoutMs)
      const { outcome, takesMs } = behave(request, timeoutMs)
      clock += Math.min(takesMs, timeoutMs)
      return outcome
    },
    sleep: async ms => {
      clock += ms
    },
    now: () => clock,
    // The longest waits the backoff can draw.
    random: () => 0.999
  }
  return { record, timeouts, elapsed: () => clock - start, run: () => run(deps) }
}

describe('the step budget', () => {
  it('is 110 s with the defaults; asking for more attempts or longer timeouts gets them in full', () => {
    expect(stepBudgetMs(30_000, 6)).toBe(DEFAULT_STEP_BUDGET_MS)
    expect(DEFAULT_STEP_BUDGET_MS).toBeLessThan(120_000)
    // 10 attempts of 30 s, backoff of at most 1+2+4+8+16+20+20+20+20 s, and a second to spare.
    expect(stepBudgetMs(30_000, 10)).toBe(300_000 + 111_000 + 1000)
    // 3 attempts of 1 s, at most 1+2 s of backoff.
    expect(stepBudgetMs(1000, 3)).toBe(3000 + 3000 + 1000)
    // Fewer attempts than the default never make the worst case longer than the default's.
    expect(stepBudgetMs(30_000, 5)).toBe(DEFAULT_STEP_BUDGET_MS)
    expect(stepBudgetMs(20_000, 6)).toBe(DEFAULT_STEP_BUDGET_MS)
  })

  const byBudget = /^Gave up after \d attempts?: the step's time budget ran out/
  it.each([
    ['silent on every attempt', silent, byBudget],
    // Quick failures use up the attempts well within the budget.
    ['refusing connections', refused, /^Gave up after 6 attempts\. Could not get a response/],
    ['answering 503 with Retry-After: 60', shedding, byBudget]
  ])('with the defaults, an endpoint %s costs at most 110 s', async (_name, behave, message) => {
    const h = harness(behave)
    await h.run()
    expect(h.elapsed()).toBeLessThanOrEqual(DEFAULT_STEP_BUDGET_MS)
    expect(h.record.failed).toMatch(message)
  })

  it('shortens the last attempt to the time left, and starts none that cannot get a second', async () => {
    const h = harness(silent)
    await h.run()
    // 30 s, ~1 s, 30 s, ~2 s, 30 s, ~4 s: 97 s spent, 13 s left for the fourth attempt.
    expect(h.timeouts.slice(0, 3)).toEqual([30_000, 30_000, 30_000])
    expect(h.timeouts[3]).toBeLessThan(30_000)
    expect(h.timeouts).toHaveLength(4)
    expect(h.elapsed()).toBeLessThanOrEqual(DEFAULT_STEP_BUDGET_MS)
  })

  it('ends a Retry-After wait that would cross the deadline at once, not after it', async () => {
    const h = harness(shedding)
    await h.run()
    // Retry-After 60 s + spread: one wait fits (at ~68 s), the second would end past 110 s.
    expect(h.timeouts).toHaveLength(2)
    expect(h.record.failed).toMatch(
      /^Gave up after 2 attempts: the step's time budget ran out before another could be made \(the next was due in \d+\.\d s\)\. The token endpoint answered HTTP 503\./
    )
  })

  it('is shared by discovery and the token request: one slow, the other gets what is left', async () => {
    let discoveries = 0
    const h = harness(
      (request, timeoutMs) => {
        if (request.url.pathname.endsWith('/openid-configuration')) {
          // The discovery endpoint is silent four times, then answers.
          return ++discoveries <= 4
            ? silent(request, timeoutMs)
            : { outcome: discovery, takesMs: 10 }
        }
        return silent(request, timeoutMs)
      },
      { issuer: ISSUER }
    )
    await h.run()
    expect(discoveries).toBe(4)
    expect(h.elapsed()).toBeLessThanOrEqual(DEFAULT_STEP_BUDGET_MS)
    expect(h.record.failed).toMatch(byBudget)
    expect(h.record.failed).toContain('set timeout-seconds or max-attempts')
  })

  it('says so when a request cannot even start, the requests before it having used the budget', async () => {
    let discoveries = 0
    const h = harness(
      (request, timeoutMs) => {
        if (!request.url.pathname.endsWith('/openid-configuration'))
          return silent(request, timeoutMs)
        // Silent three times (97 s with the backoff), then an answer after 12.5 of the 13 s left.
        return ++discoveries <= 3
          ? silent(request, timeoutMs)
          : { outcome: discovery, takesMs: 12_500 }
      },
      { issuer: ISSUER }
    )
    await h.run()
    expect(h.timeouts).toHaveLength(4)
    expect(h.record.failed).toBe(
      "The step's time budget ran out before the token endpoint could be tried: the requests before it used it up. To give the step more time, set timeout-seconds or max-attempts above its default: the budget is then max-attempts × timeout-seconds plus the backoff between attempts (110 s with the defaults)."
    )
  })
})
