// The token agent's process on its own, started as the main step starts it (dist/index.js with
// the agent flag, an empty environment, an IPC channel for the start message and the socket): what
// it needs before it serves, what it refuses, and how long it may live. Both ways it gets its
// socket are run here: handed over by the main step (Linux, macOS), or made itself (Windows).
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fetchedToken } from '../__fixtures__/fetched-token.js'
import { ACTION_ENTRY } from '../__fixtures__/run-action.mjs'
import { agentPaths } from '../src/agent/protocol.js'
import { handOver as stepHandOver, listenForAgent } from '../src/agent/start.js'

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
  const paths = agentPaths(mkdtempSync(join(temp, `agent-${++count}-`)), 'linux')
  const now = Date.now()
  return {
    // Inputs that do not read: no client-id. The main step would have failed on them; here they
    // show which work waits for the first refresh.
    inputs: { 'client-id': '', 'client-secret': 's', 'token-url': 'https://127.0.0.1:9/token' },
    idTokenEnv: {},
    proxyEnv: {},
    socket: paths.socket,
    command: paths.command,
    key: KEY,
    hardCapMs: 5 * 24 * HOUR,
    minValidity: 0,
    first: fetchedToken(`first-token-${count}`, expiresAtMs, now),
    paths,
    ...extra
  }
}

type Start = ReturnType<typeof message>

interface Started {
  child: ChildProcess
  exited: Promise<number | null>
  /** What the agent says on its channel, where it listens itself: `ready`, or `error <why>`. */
  said: Promise<unknown>
}

/** Spawns the agent as agent/flag.ts does. */
function spawnAgent(): Started {
  const child = spawn(process.execPath, [ACTION_ENTRY, '--stent-token-agent'], {
    env: {},
    stdio: ['ignore', 'ignore', 'ignore', 'ipc']
  })
  started.push(child)
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  const said = new Promise(resolve => child.once('message', resolve))
  return { child, exited, said }
}

/** As the main step on Linux: makes the socket, hands it over with the message, and goes on. */
async function handOver(start: Start): Promise<Started> {
  const agent = spawnAgent()
  const socket = await listenForAgent(start.paths)
  await new Promise<void>((resolve, reject) =>
    agent.child.send(start, socket, error => (error ? reject(error) : resolve()))
  )
  socket.close()
  return agent
}

/** As the main step on Windows: sends the message, and the agent makes its own socket. */
function sendOnly(start: Start): Started {
  const agent = spawnAgent()
  agent.child.send(start)
  return agent
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

describe('a socket handed over by the main step (Linux, macOS)', () => {
  it('serves a caller that connects while the agent is still starting: the socket already listens', async () => {
    const start = message(Date.now() + HOUR)
    await handOver(start)
    // No wait for the agent: the connection waits in the socket's queue until it serves.
    expect(await ask(start.socket)).toEqual({ token: start.first.token.accessToken })
  })

  it('reads the inputs only at its first refresh, and answers with what is wrong with them', async () => {
    const start = message(Date.now() - 1000)
    await handOver(start)
    expect(await ask(start.socket)).toEqual({
      error: expect.stringMatching(/^Input 'client-id' is required with auth-method /)
    })
  })
})

describe('a socket the agent makes itself (Windows, where a pipe cannot be handed over)', () => {
  it('says ready once it listens, 0600, and serves', async () => {
    const start = message(Date.now() + HOUR)
    const { said } = sendOnly(start)
    expect(await said).toBe('ready')
    expect(statSync(start.socket).mode & 0o777).toBe(0o600)
    expect(await ask(start.socket)).toEqual({ token: start.first.token.accessToken })
  })
})

describe("the main step's side of it, on Windows", () => {
  it('waits until the agent says it listens, then goes on', async () => {
    const start = message(Date.now() + HOUR)
    const { child } = spawnAgent()
    expect(await stepHandOver(child, start, undefined)).toBe(child.pid)
    expect(await ask(start.socket)).toEqual({ token: start.first.token.accessToken })
  })

  it('fails the step with what the agent said when it does not start', async () => {
    const { child } = spawnAgent()
    await expect(
      stepHandOver(child, message(Date.now() + HOUR, { minValidity: -1 }), undefined)
    ).rejects.toThrow(
      /^The token agent did not start: The token agent got a start message of the wrong shape\. Hint: set agent: false/
    )
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
    const { said, exited } = sendOnly(message(Date.now() + HOUR, extra))
    expect(await said).toBe('error The token agent got a start message of the wrong shape.')
    expect(await exited).toBe(1)
  })

  it('never comes when the main step ends first: the agent exits', async () => {
    const { child, exited } = spawnAgent()
    child.disconnect()
    expect(await exited).toBe(1)
  })
})

describe('the hard cap', () => {
  it('ends the agent by itself, and removes its socket', async () => {
    const start = message(Date.now() + HOUR, { hardCapMs: 1500 })
    const startedAt = Date.now()
    const { exited } = await handOver(start)
    expect(await ask(start.socket)).toEqual({ token: start.first.token.accessToken })
    expect(await exited).toBe(0)
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500)
    expect(existsSync(start.socket)).toBe(false)
  })
})
