// The token agent's process on its own, started as the main step starts it (dist/index.js with
// the agent flag, an empty environment, the start message on its stdin), with the main step's own
// functions: what it needs before it serves, what it refuses, and how long it may live. Both ways
// it gets its socket are run: made by the main step and inherited (Linux, macOS), or made by the
// agent, which then says ready (Windows, where a named pipe cannot be passed on).
import { afterAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fetchedToken } from '../__fixtures__/fetched-token.js'
import { ACTION_ENTRY } from '../__fixtures__/run-action.mjs'
import { agentPaths } from '../src/agent/protocol.js'
import {
  descriptorOf,
  handOver,
  listenForAgent,
  spawnAgent,
  type Agent
} from '../src/agent/start.js'

const KEY = 'a'.repeat(64)
const HOUR = 3600_000
const temp = mkdtempSync(join(tmpdir(), 'agent-process-'))
const agents: Agent[] = []
afterAll(() => {
  for (const agent of agents) agent.kill()
  rmSync(temp, { recursive: true, force: true })
})

let count = 0
/** A start message as the main step writes it, for a first token that expires at `expiresAtMs`. */
function message(expiresAtMs: number, extra: Record<string, unknown> = {}) {
  const paths = agentPaths(mkdtempSync(join(temp, `agent-${++count}-`)), 'linux')
  return {
    // Inputs that do not read: no client-id. The main step would have failed on them; here they
    // show which work waits for the first refresh.
    inputs: { 'client-id': '', 'client-secret': 's', 'token-url': 'https://127.0.0.1:9/token' },
    idTokenEnv: {},
    proxyEnv: {},
    socket: paths.socket,
    inherited: true,
    command: paths.command,
    key: KEY,
    hardCapMs: 5 * 24 * HOUR,
    minValidity: 0,
    first: fetchedToken(`first-token-${count}`, expiresAtMs, Date.now()),
    ...extra
  }
}

/** The agent's node as the main step spawns it, with the socket the step made (if inherited). */
async function spawnFor(start: ReturnType<typeof message>) {
  const socket = start.inherited
    ? await listenForAgent(agentPaths(dirOf(start), 'linux'))
    : undefined
  const agent = spawnAgent({}, temp, socket && descriptorOf(socket), ACTION_ENTRY)
  agents.push(agent)
  socket?.close()
  const exited = new Promise<number | null>(resolve => agent.on('exit', code => resolve(code)))
  return { agent, exited }
}

const dirOf = (start: { command: string }) => start.command.replace(/\/token$/, '')

/** Asks the agent for a token as the token command does; `sent` once the request is written. */
function ask(socket: string, sent: () => void = () => {}): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const client = connect(socket)
    let reply = ''
    client.setEncoding('utf8')
    client.on('connect', () =>
      client.write(`${JSON.stringify({ key: KEY, op: 'token' })}\n`, () => sent())
    )
    client.on('data', chunk => (reply += chunk))
    client.on('error', reject)
    client.on('close', () => resolve(reply ? JSON.parse(reply) : undefined))
  })
}

describe('a socket the main step made, which the agent inherits (Linux, macOS)', () => {
  it('serves a caller that came before the agent had even read its start message', async () => {
    const start = message(Date.now() + HOUR)
    const { agent } = await spawnFor(start)
    // The call is queued on the socket first; only then does the agent get what to serve.
    let queued: () => void = () => {}
    const answer = ask(start.socket, () => queued())
    await new Promise<void>(resolve => (queued = resolve))
    expect(await handOver(agent, start)).toBe(agent.pid)
    expect(await answer).toEqual({ token: start.first.token.accessToken })
  })

  it('reads the inputs only at its first refresh, and answers with what is wrong with them', async () => {
    const start = message(Date.now() - 1000)
    const { agent } = await spawnFor(start)
    await handOver(agent, start)
    expect(await ask(start.socket)).toEqual({
      error: expect.stringMatching(/^Input 'client-id' is required with auth-method /)
    })
  })

  it('that cannot start resets a call already queued, which the command reports as not running', async () => {
    const start = message(Date.now() + HOUR, { minValidity: -1 })
    const { agent, exited } = await spawnFor(start)
    let queued: () => void = () => {}
    const answer = ask(start.socket, () => queued())
    await new Promise<void>(resolve => (queued = resolve))
    const reset = expect(answer).rejects.toMatchObject({ code: 'ECONNRESET' })
    await handOver(agent, start)
    expect(await exited).toBe(1)
    await reset
  })
})

describe("the step's socket", () => {
  it('is closed when it cannot be put in place: a handle left listening would keep the step alive', async () => {
    const dir = mkdtempSync(join(temp, 'unplaced-'))
    const paths = { ...agentPaths(dir, 'linux'), socket: join(dir, 'missing', 'agent.sock') }
    await expect(listenForAgent(paths)).rejects.toMatchObject({ code: 'ENOENT' })
    // Node removes a bound path when its handle closes: gone, so closed.
    expect(existsSync(paths.bound)).toBe(false)
  })
})

describe('a socket the agent makes itself (Windows)', () => {
  it('says ready once it listens, 0600; the step waits for that, then goes on', async () => {
    const start = message(Date.now() + HOUR, { inherited: false })
    const { agent } = await spawnFor(start)
    expect(await handOver(agent, start)).toBe(agent.pid)
    expect(statSync(start.socket).mode & 0o777).toBe(0o600)
    expect(await ask(start.socket)).toEqual({ token: start.first.token.accessToken })
  })

  it.each([
    ['a negative min-validity', { minValidity: -1 }],
    ['no min-validity', { minValidity: undefined }],
    ['no hard cap', { hardCapMs: 0 }],
    ['a hard cap past the longest job', { hardCapMs: 5 * 24 * HOUR + 1 }],
    ['no socket', { socket: 42 }]
  ])('fails the step with what the agent said of a start message with %s', async (_, extra) => {
    const start = message(Date.now() + HOUR, { inherited: false, ...extra })
    const { agent, exited } = await spawnFor(start)
    await expect(handOver(agent, start as never)).rejects.toThrow(
      /^The token agent did not start: The token agent got a start message of the wrong shape\. Hint: set agent: false/
    )
    expect(await exited).toBe(1)
  })
})

describe('the hard cap', () => {
  it('ends the agent by itself, and removes its socket', async () => {
    const start = message(Date.now() + HOUR, { hardCapMs: 1500 })
    const startedAt = Date.now()
    const { agent, exited } = await spawnFor(start)
    await handOver(agent, start)
    expect(await ask(start.socket)).toEqual({ token: start.first.token.accessToken })
    expect(await exited).toBe(0)
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1500)
    expect(existsSync(start.socket)).toBe(false)
  })
})
