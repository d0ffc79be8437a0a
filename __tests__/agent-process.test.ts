// The token agent's process on its own, started as the main step starts it (dist/index.js with
// the agent flag, an empty environment, the start message on its stdin): what it needs before it
// is ready, what it refuses, and how long it may live.
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ACTION_ENTRY } from '../__fixtures__/run-action.mjs'

const KEY = 'a'.repeat(64)
const HOUR = 3600_000
const temp = mkdtempSync(join(tmpdir(), 'agent-process-'))
const started: ChildProcess[] = []
afterAll(() => {
  for (const child of started) child.kill()
  rmSync(temp, { recursive: true, force: true })
})

let count = 0
/** A start message as the main step writes it, for a first token that expires at `expiresAtMs`. */
function message(expiresAtMs: number, extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(temp, `agent-${++count}-`))
  const now = Date.now()
  return {
    // Inputs that do not read: no client-id. The main step would have failed on them; here they
    // show which work waits for the first refresh.
    inputs: { 'client-id': '', 'client-secret': 's', 'token-url': 'https://127.0.0.1:9/token' },
    idTokenEnv: {},
    proxyEnv: {},
    socket: join(dir, 'agent.sock'),
    command: join(dir, 'token'),
    key: KEY,
    hardCapMs: 5 * 24 * HOUR,
    minValidity: 0,
    first: {
      token: {
        accessToken: `first-token-${count}`,
        tokenType: 'Bearer',
        issuedTokenType: undefined,
        expiresIn: 3600,
        scope: undefined
      },
      requestedAt: now,
      verified: {
        keySetHost: undefined,
        certificateBinding: false,
        minValidity: undefined,
        expiresAtMs
      },
      attempts: 1
    },
    ...extra
  }
}

interface Started {
  child: ChildProcess
  /** The first line the agent says: `ready`, or `error <why>`. */
  said: string
  exited: Promise<number | null>
}

/** Spawns the agent, sends it `start` and resolves with its first line. */
function startAgent(start: unknown): Promise<Started> {
  const child = spawn(process.execPath, [ACTION_ENTRY, '--stent-token-agent'], {
    env: {},
    stdio: ['pipe', 'pipe', 'ignore']
  })
  started.push(child)
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  child.stdin.end(`${JSON.stringify(start)}\n`)
  return new Promise((resolve, reject) => {
    let text = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk: string) => {
      text += chunk
      const end = text.indexOf('\n')
      if (end >= 0) resolve({ child, said: text.slice(0, end), exited })
    })
    child.on('error', reject)
    void exited.then(code => reject(new Error(`the agent exited (${code}) saying ${text}`)))
  })
}

/** Asks the agent for a token as the token command does. */
function ask(socket: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const client = connect(socket)
    let reply = ''
    client.setEncoding('utf8')
    client.on('connect', () => client.write(`${JSON.stringify({ key: KEY, op: 'token' })}\n`))
    client.on('data', chunk => (reply += chunk))
    client.on('error', reject)
    client.on('close', () => resolve(JSON.parse(reply)))
  })
}

describe('the agent before its first refresh', () => {
  it("is ready on the start message alone, and serves the first token without the step's core", async () => {
    const start = message(Date.now() + HOUR)
    const { said } = await startAgent(start)
    expect(said).toBe('ready')
    expect(await ask(start.socket)).toEqual({ token: start.first.token.accessToken })
  })

  it('reads the inputs at its first refresh, and answers with what is wrong with them', async () => {
    const start = message(Date.now() - 1000)
    const { said } = await startAgent(start)
    expect(said).toBe('ready')
    expect(await ask(start.socket)).toEqual({
      error: expect.stringMatching(/^Input 'client-id' is required with auth-method /)
    })
  })
})

describe('the start message', () => {
  it.each([
    ['a negative min-validity', { minValidity: -1 }],
    ['no min-validity', { minValidity: undefined }],
    ['no hard cap', { hardCapMs: 0 }],
    ['a hard cap past the longest job', { hardCapMs: 5 * 24 * HOUR + 1 }],
    ['no socket', { socket: 42 }]
  ])('is refused with %s, and the agent exits', async (_, extra) => {
    const { said, exited } = await startAgent(message(Date.now() + HOUR, extra))
    expect(said).toBe('error The token agent got a start message of the wrong shape.')
    expect(await exited).toBe(1)
  })
})

describe('the hard cap', () => {
  it('ends the agent by itself, and its socket with it', async () => {
    const start = message(Date.now() + HOUR, { hardCapMs: 1500 })
    const startedAt = Date.now()
    const { said, exited } = await startAgent(start)
    expect(said).toBe('ready')
    expect(await ask(start.socket)).toEqual({ token: start.first.token.accessToken })
    expect(await exited).toBe(0)
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500)
    expect(existsSync(start.socket)).toBe(false)
  })
})
