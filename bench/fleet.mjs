// `npm run bench:fleet`: N copies of the built action start at once against a loopback token
// endpoint behind a token-bucket limit (20 req/s, burst 10; over it: 429 + Retry-After: 1), with
// default inputs. Target for N = 200: every job gets a token, <= 2.0 requests per token, makespan
// <= 1.6x the ideal (N - burst) / rate.
//
// The makespan runs from the first request the endpoint sees to the last job's exit. On a fleet
// each job has its own runner; here N processes share two cores and take seconds just to start
// node, which is no part of the backoff under test, so that time is reported but not counted.
// Usage: node bench/fleet.mjs [N] [rounds]
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ACTION_ENTRY, inputEnv, parseFileCommands } from '../__fixtures__/run-action.mjs'

const N = Number(process.argv[2] ?? 200)
const ROUNDS = Number(process.argv[3] ?? 3)
const RATE = 20
const BURST = 10
const TARGET = { requestsPerToken: 2.0, makespanRatio: 1.6 }
const node = process.env.ACTION_NODE ?? process.execPath

/** A token bucket refilled continuously at RATE per second, holding at most BURST. */
function bucket() {
  let tokens = BURST
  let last = performance.now()
  return () => {
    const now = performance.now()
    tokens = Math.min(BURST, tokens + ((now - last) / 1000) * RATE)
    last = now
    if (tokens < 1) return false
    tokens -= 1
    return true
  }
}

async function round() {
  const take = bucket()
  let requests = 0
  let throttled = 0
  let firstRequest = Infinity
  /** @type {Map<string, number>} first request of each job, by client id */
  const firstAttempts = new Map()
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', chunk => (body += chunk))
    req.on('end', () => {
      const now = performance.now()
      requests++
      firstRequest = Math.min(firstRequest, now)
      const job = new URLSearchParams(body).get('client_id') ?? ''
      if (!firstAttempts.has(job)) firstAttempts.set(job, now)
      if (!take()) {
        throttled++
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' })
        res.end('{"error":"slow_down"}')
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          token_type: 'Bearer',
          // At least 8 characters: shorter tokens are refused as too short to mask safely.
          access_token: `fleet-token-${requests}`,
          expires_in: 2592000
        })
      )
    })
  })
  await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
  const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port
  const dir = mkdtempSync(join(tmpdir(), 'fleet-'))
  const env = {
    PATH: process.env.PATH ?? '',
    ...inputEnv({
      'client-secret': 'fleet-secret',
      'token-url': `http://127.0.0.1:${port}/connect/token`
    })
  }

  const started = performance.now()
  const jobs = Array.from({ length: N }, (_, i) => {
    const output = join(dir, `output-${i}`)
    writeFileSync(output, '')
    const child = spawn(node, [ACTION_ENTRY], {
      env: { ...env, 'INPUT_CLIENT-ID': `fleet-${i}`, GITHUB_OUTPUT: output },
      stdio: 'ignore'
    })
    return new Promise(resolve =>
      child.on('close', code => {
        const token = parseFileCommands(readFileSync(output, 'utf8'))['access-token']
        resolve({ code, token, exitedAt: performance.now() })
      })
    )
  })
  const results = /** @type {{ code: number, token?: string, exitedAt: number }[]} */ (
    await Promise.all(jobs)
  )
  const lastExit = Math.max(...results.map(r => r.exitedAt))
  const makespan = (lastExit - firstRequest) / 1000
  const starts = [...firstAttempts.values()]
  const startSpread = (Math.max(...starts) - Math.min(...starts)) / 1000
  const startup = (firstRequest - started) / 1000
  server.close()
  rmSync(dir, { recursive: true, force: true })

  const tokens = results.filter(r => r.code === 0 && r.token).length
  const ideal = (N - BURST) / RATE
  const figures = {
    tokens,
    requests,
    throttled,
    requestsPerToken: requests / Math.max(tokens, 1),
    makespan,
    startup,
    startSpread,
    ideal,
    makespanRatio: makespan / ideal
  }
  const pass =
    tokens === N &&
    figures.requestsPerToken <= TARGET.requestsPerToken &&
    figures.makespanRatio <= TARGET.makespanRatio
  return { ...figures, pass }
}

console.log(
  `fleet: N=${N}, bucket ${RATE} req/s burst ${BURST}, Retry-After: 1, node ${node === process.execPath ? process.version : node}`
)
let allPass = true
for (let i = 1; i <= ROUNDS; i++) {
  const r = await round()
  allPass &&= r.pass
  console.log(
    `run ${i}: ${r.tokens}/${N} tokens, ${r.requests} requests (${r.throttled} throttled), ` +
      `${r.requestsPerToken.toFixed(2)} requests/token, makespan ${r.makespan.toFixed(1)} s ` +
      `= ${r.makespanRatio.toFixed(2)}x ideal ${r.ideal.toFixed(1)} s ${r.pass ? 'PASS' : 'FAIL'} ` +
      `(first request ${r.startup.toFixed(1)} s after spawning; first attempts spread over ${r.startSpread.toFixed(1)} s)`
  )
}
console.log(
  `target: all ${N} tokens, <= ${TARGET.requestsPerToken} requests/token, <= ${TARGET.makespanRatio}x ideal: ${allPass ? 'met' : 'NOT met'}`
)
process.exitCode = allPass ? 0 : 1
