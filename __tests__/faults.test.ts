// The fault suite: the built dist/ against a scriptable server that fails in every way we know of.
// Each case checks the exit code, the attempts the server saw, the time taken, the message, and
// that no form of the secret or token is visible in the log a viewer of the run sees.
import { describe, expect, it } from '@jest/globals'
import type { ServerResponse } from 'node:http'
import {
  sendJson,
  startFaultServer,
  STENT_TOKEN_RESPONSE,
  type Script,
  type SeenRequest
} from '../__fixtures__/fault-server.js'
import { leakForms, runAction, type ActionRun } from '../__fixtures__/run-action.mjs'
import { basicAuthorization } from '../src/auth/secret.js'

const ID = 'fault-client'
const SECRET = 'fault secret+/=:%&é'
const TOKEN = STENT_TOKEN_RESPONSE.access_token

interface Case {
  name: string
  /** Omitted: nothing listens on the port (connection refused). */
  script?: Script
  inputs?: Record<string, string>
  code: number
  attempts: number
  /** Upper bound on the run's wall time, from the timeouts and backoff it is allowed. */
  maxMs: number
  message: RegExp
  /** Further checks on what the server saw. */
  check?: (requests: SeenRequest[], run: ActionRun) => void
  stopWhen?: RegExp
}

const token = (res: ServerResponse) => sendJson(res, 200, STENT_TOKEN_RESPONSE)
const html = (res: ServerResponse, status: number, page: string) => {
  res.writeHead(status, { 'content-type': 'text/html' })
  res.end(page)
}
const gap = (requests: SeenRequest[], i: number) =>
  (requests[i]?.at ?? 0) - (requests[i - 1]?.at ?? 0)
// Process start-up on a loaded machine, on top of every bound below.
const SLACK = 3000

const cases: Case[] = [
  {
    name: 'server down: connection refused, retried, then a clear failure',
    inputs: { 'max-attempts': '2' },
    code: 1,
    attempts: 0,
    maxMs: 1000 + SLACK,
    message:
      /^::error::Gave up after 2 attempts\. Could not get a response from 127\.0\.0\.1:\d+: network error ECONNREFUSED\./m
  },
  {
    name: 'connection reset once, then a token',
    script: (req, res, i) => (i === 0 ? req.socket.destroy() : token(res)),
    code: 0,
    attempts: 2,
    maxMs: 1000 + SLACK,
    message: /Attempt 1\/6 failed \(network error ECONNRESET\); retrying in \d\.\d s\./
  },
  {
    name: '503, 502, then 200: three attempts',
    script: (_req, res, i) => (i < 2 ? sendJson(res, 503 - i, {}) : token(res)),
    code: 0,
    attempts: 3,
    maxMs: 1000 + 2000 + SLACK,
    message: /Attempt 2\/6 failed \(HTTP 502\)/
  },
  {
    name: '500 every time: gives up after max-attempts',
    script: (_req, res) => sendJson(res, 500, { error: 'server_error' }),
    inputs: { 'max-attempts': '3' },
    code: 1,
    attempts: 3,
    maxMs: 1000 + 2000 + SLACK,
    message:
      /^::error::Gave up after 3 attempts\. The token endpoint refused the request: HTTP 500, error 'server_error'\. Hint: the server failed\./m
  },
  {
    name: '429 with Retry-After: 2 waits at least 2 s',
    script: (_req, res, i) =>
      i === 0 ? sendJson(res, 429, { error: 'slow_down' }, { 'retry-after': '2' }) : token(res),
    code: 0,
    attempts: 2,
    // Retry-After, plus up to 8 s of spread (see retry.ts).
    maxMs: 2000 + 8000 + SLACK,
    message: /Attempt 1\/6 failed \(HTTP 429\); retrying in \d+\.\d s\./,
    check: requests => expect(gap(requests, 1)).toBeGreaterThanOrEqual(2000)
  },
  {
    name: '429 with an HTTP-date Retry-After waits until that date',
    script: (_req, res, i) =>
      i === 0
        ? sendJson(res, 429, {}, { 'retry-after': new Date(Date.now() + 4000).toUTCString() })
        : token(res),
    code: 0,
    attempts: 2,
    maxMs: 4000 + 8000 + SLACK,
    message: /Attempt 1\/6 failed \(HTTP 429\); retrying in \d+\.\d s\./,
    // An HTTP date has whole seconds: 4 s ahead is more than 3 s ahead when it is read.
    check: requests => expect(gap(requests, 1)).toBeGreaterThanOrEqual(2900)
  },
  {
    name: 'a huge Retry-After is capped at 60 s (the run is ended once it announces the wait)',
    script: (_req, res) => sendJson(res, 429, {}, { 'retry-after': '86400' }),
    stopWhen: /retrying in/,
    code: -1,
    attempts: 1,
    maxMs: SLACK,
    message:
      /Attempt 1\/6 failed \(HTTP 429\); retrying in \d+\.\d s \(the server asked for 86400 s; capped at 60 s\)\./,
    check: (_requests, run) => {
      expect(run.stopped).toBe(true)
      // The 60 s cap, plus at most the first attempt's 8 s of spread.
      const seconds = Number(/retrying in (\d+\.\d) s/.exec(run.log)?.[1])
      expect(seconds).toBeGreaterThanOrEqual(60)
      expect(seconds).toBeLessThanOrEqual(68)
    }
  },
  {
    name: 'a server that never answers: each attempt ends at timeout-seconds',
    script: () => {},
    inputs: { 'timeout-seconds': '1', 'max-attempts': '2' },
    code: 1,
    attempts: 2,
    maxMs: 2 * 1000 + 1000 + SLACK,
    message:
      /^::error::Gave up after 2 attempts\. Could not get a response from 127\.0\.0\.1:\d+: no complete response within 1 s \(timeout-seconds\), stalled waiting for the response\./m
  },
  {
    name: 'a server that sends headers then trickles the body: a whole-exchange deadline',
    script: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const timer = setInterval(() => res.write(' '), 100)
      res.on('close', () => clearInterval(timer))
    },
    inputs: { 'timeout-seconds': '1', 'max-attempts': '2' },
    code: 1,
    attempts: 2,
    maxMs: 2 * 1000 + 1000 + SLACK,
    message: /no complete response within 1 s \(timeout-seconds\)/
  },
  ...[307, 302].map(status => ({
    name: `a ${status} redirect to another host is not followed`,
    script: ((_req, res) => {
      res.writeHead(status, { location: 'http://localhost:9/steal' })
      res.end()
    }) as Script,
    code: 1,
    attempts: 1,
    maxMs: SLACK,
    message: new RegExp(
      `^::error::The token endpoint answered HTTP ${status}\\. Hint: redirects are not followed because the request may carry credentials\\. Set token-url to the final URL`,
      'm'
    )
  })),
  {
    name: 'an HTML 502 page: retried, then named as HTML',
    script: (_req, res) => html(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>'),
    inputs: { 'max-attempts': '2' },
    code: 1,
    attempts: 2,
    maxMs: 1000 + SLACK,
    message:
      /^::error::Gave up after 2 attempts\. The token endpoint answered HTTP 502 with an HTML page\. Hint: the server is unavailable/m
  },
  {
    name: 'a 200 HTML sign-in page: wrong token-url, at once',
    script: (_req, res) => html(res, 200, '<!doctype html><form action="/login">Sign in</form>'),
    code: 1,
    attempts: 1,
    maxMs: SLACK,
    message:
      /^::error::The token endpoint answered HTTP 200 with an HTML page instead of a JSON token response\. Hint: an HTML page means token-url is not the token endpoint/m
  },
  ...(
    [
      ['malformed JSON', '{"access_token": "tok', /with a body that is not a JSON object/],
      [
        'a JSON array',
        JSON.stringify([STENT_TOKEN_RESPONSE]),
        /with a body that is not a JSON object/
      ],
      [
        'a missing access_token',
        JSON.stringify({ ...STENT_TOKEN_RESPONSE, access_token: undefined }),
        /has an invalid access_token: nothing instead of a string/
      ],
      [
        'an empty access_token',
        JSON.stringify({ ...STENT_TOKEN_RESPONSE, access_token: '' }),
        /has an invalid access_token: an empty or blank string/
      ],
      [
        'a non-string access_token',
        JSON.stringify({ ...STENT_TOKEN_RESPONSE, access_token: { v: 1 } }),
        /has an invalid access_token: an object instead of a string/
      ],
      [
        'a non-positive expires_in',
        JSON.stringify({ ...STENT_TOKEN_RESPONSE, expires_in: 0 }),
        /has an invalid expires_in/
      ]
    ] as const
  ).map(([what, body, message]) => ({
    name: `a 200 with ${what}: fails at once`,
    script: ((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(body)
    }) as Script,
    code: 1,
    attempts: 1,
    maxMs: SLACK,
    message: new RegExp(`^::error::.*${message.source}`, 'm'),
    check: (_requests: SeenRequest[], run: ActionRun) => {
      expect(run.outputs).toEqual({})
      expect(run.log).not.toContain(body)
    }
  })),
  {
    name: 'a 64 MiB body is refused without buffering it',
    script: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(1024 * 1024, 0x20)
      let sent = 0
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++
        if (sent >= 64) res.end()
      }
      res.on('drain', pump)
      pump()
    },
    code: 1,
    attempts: 1,
    maxMs: SLACK,
    message:
      /^::error::The server at 127\.0\.0\.1:\d+ sent a response larger than 1024 KiB \(HTTP 200\)/m
  },
  {
    name: 'an error_description echoing the secret and the request body',
    script: (_req, res, _i, seen) =>
      sendJson(res, 400, {
        error: 'invalid_client',
        error_description: `secret ${SECRET} body ${seen.body}`
      }),
    code: 1,
    attempts: 1,
    maxMs: SLACK,
    message:
      /^::error::The token endpoint refused the request: HTTP 400, error 'invalid_client': secret \*\*\* body /m
  }
]

const variants: Array<[string, Record<string, string>]> = [
  ['client_secret_post', {}],
  ['client_secret_post, debug', { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }],
  ['client_secret_basic, debug', { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' }]
]

describe.each(variants)('%s', (variant, env) => {
  const method = variant.split(',')[0] ?? ''
  it.concurrent.each(cases)('$name', async c => {
    const server = await startFaultServer((req, res, i, seen) => c.script?.(req, res, i, seen))
    if (!c.script) await server.close()
    try {
      const run = await runAction(
        {
          'client-id': ID,
          'client-secret': SECRET,
          'token-url': server.tokenUrl,
          'auth-method': method,
          ...c.inputs
        },
        { env, stopWhen: c.stopWhen }
      )
      expect(run.log).toMatch(c.message)
      expect(run.code).toBe(c.stopWhen ? null : c.code)
      expect(server.requests).toHaveLength(c.attempts)
      expect(run.elapsedMs).toBeLessThan(c.maxMs)
      if (c.code === 0) {
        expect(run.outputs['access-token']).toBe(TOKEN)
      } else {
        expect(run.outputs).toEqual({})
        expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m)
      }
      if (env.RUNNER_DEBUG) expect(run.log).toMatch(/^::debug::Attempt 1\//m)
      c.check?.(server.requests, run)
      const basic = basicAuthorization(ID, SECRET)
      for (const value of [SECRET, TOKEN, basic, basic.slice('Basic '.length)]) {
        for (const form of leakForms(value)) expect(run.log).not.toContain(form)
      }
    } finally {
      if (c.script) await server.close()
    }
  })
})
