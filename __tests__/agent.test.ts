// The token agent (agent: true) through dist/, as the runner runs a job: the main step, later
// `run:` steps that run the token command (stdout and stderr through the runner's command parsing
// and masking), then the post step. Tokens from the test server live 60 s; min-validity 59 makes
// the next call after one second refresh, so no test waits for a token to expire.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync
} from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ServerResponse } from 'node:http'
import { sendJson, startFaultServer, type SeenRequest } from '../__fixtures__/fault-server.js'
import { startGitHubOidc } from '../__fixtures__/github-oidc.js'
import {
  leakForms,
  postStepEnv,
  runAction,
  runStep,
  type ActionRun
} from '../__fixtures__/run-action.mjs'

const SECRET = 'agent secret+/=:%&~'
const ID = 'agent-client'

type Answer = (res: ServerResponse, index: number, seen: SeenRequest) => void
/** Token n is `agent-token-<n>-...`, valid `ttl` s; tests swap the answer to script failures. */
let ttl = 60
const tokens: Answer = (res, index) =>
  sendJson(res, 200, {
    token_type: 'Bearer',
    access_token: `agent-token-${index + 1}-${'x'.repeat(24)}`,
    expires_in: ttl
  })
let answer: Answer = tokens
let server: Awaited<ReturnType<typeof startFaultServer>>
beforeAll(async () => {
  server = await startFaultServer((_req, res, index, seen) => {
    if (seen.url === '/revoke') return sendJson(res, 200, {})
    answer(res, index, seen)
  })
})
afterAll(() => server.close())

const tokenRequests = (): SeenRequest[] => server.requests.filter(r => r.url === '/connect/token')

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'client-id': ID,
    'client-secret': SECRET,
    'token-url': server.tokenUrl,
    agent: 'true',
    'min-validity': '59',
    'max-attempts': '1',
    summary: 'false',
    ...extra
  }
}

/** The agent's pid, from the main step's log line. */
function agentPid(run: ActionRun): number {
  const match = /Started the token agent \(pid (\d+)\)/.exec(run.log)
  if (!match) throw new Error(`no agent started:\n${run.log}`)
  return Number(match[1])
}

/** Gone, or a zombie nobody reaped (a container's pid 1 may not reap): not running either way. */
function running(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return false
  }
}

/** The agent exits just after it answers the post step's stop: give it a moment. */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && running(pid); i++) {
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return !running(pid)
}

/** Until the main step's token (valid 60 s) has less than min-validity 59 s left. */
async function untilStale(run: ActionRun): Promise<void> {
  const staleAt = Date.parse(run.outputs['expires-at'] ?? '') - 59_000
  await new Promise(resolve => setTimeout(resolve, Math.max(0, staleAt - Date.now() + 50)))
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile())
    .map(entry => join(entry.parentPath, entry.name))
}

/** Sends one raw request line to the socket and returns everything it answers. */
function rawRequest(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = connect(socket)
    let reply = ''
    client.setEncoding('utf8')
    client.on('connect', () => client.write(line))
    client.on('data', chunk => (reply += chunk))
    client.on('error', reject)
    client.on('close', () => resolve(reply))
  })
}

/**
 * What a post step leaves of each agent in RUNNER_TEMP (which the runner empties at the end of the
 * job): its directory with one file, a command without the key that fails saying why.
 */
async function expectOnlyStoppedCommands(temp: string, agents = 1): Promise<void> {
  const dirs = readdirSync(temp)
  expect(dirs).toHaveLength(agents)
  for (const dir of dirs) {
    expect(dir).toMatch(/^stent-token-agent-[0-9a-f]{32}$/)
    expect(readdirSync(join(temp, dir))).toEqual(['token'])
    const command = join(temp, dir, 'token')
    expect(readFileSync(command, 'utf8')).not.toMatch(/key=|[0-9a-f]{64}/)
    const step = await runStep(command)
    expect(step.code).toBe(1)
    expect(step.stdout).toBe('')
    expect(step.stderr).toMatch(
      /^::error::The token agent was stopped by the post step of stent-token-action at the end of the job\. Run the token command only in the steps between [^\n]*\n$/
    )
  }
}

describe('a job with agent: true', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agent-runner-temp-'))
  let main: ActionRun
  let pid: number
  let command: string
  const env = { RUNNER_TEMP: temp }
  const seen: string[] = []
  beforeAll(async () => {
    answer = tokens
    ttl = 60
    main = await runAction(inputs(), { env })
    pid = agentPid(main)
    command = main.outputs['token-command'] ?? ''
  })
  afterAll(() => {
    if (running(pid)) process.kill(pid)
    rmSync(temp, { recursive: true, force: true })
  })

  it('publishes the token and a token command, once the agent listens', () => {
    expect(main.code).toBe(0)
    // The key is no token, but it lets whoever holds it ask for one: masked like a secret.
    expect(main.masks).toContain(/key=([0-9a-f]{64})/.exec(readFileSync(command, 'utf8'))?.[1])
    expect(main.outputs['access-token']).toMatch(/^agent-token-\d+-/)
    expect(command).toMatch(new RegExp(`^${temp}/stent-token-agent-[0-9a-f]{32}/token$`))
    expect(running(pid)).toBe(true)
    seen.push(main.outputs['access-token'] ?? '')
  })

  it('keeps its socket 0600, its directory and command 0700', () => {
    const dir = command.replace(/\/token$/, '')
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(command).mode & 0o777).toBe(0o700)
    expect(statSync(join(dir, 'agent.sock')).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'agent.sock')).isSocket()).toBe(true)
  })

  it('has no secret or token in its command line or environment', () => {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8')
    const key = /key=([0-9a-f]{64})/.exec(readFileSync(command, 'utf8'))?.[1] ?? ''
    for (const value of [SECRET, main.outputs['access-token'] ?? '', key]) {
      expect(cmdline).not.toContain(value)
      expect(environ).not.toContain(value)
    }
    expect(environ.split('\0').filter(Boolean)).toEqual([])
  })

  it('prints a fresh token as a later step would get it: masked on stderr first, then on stdout', async () => {
    await untilStale(main)
    const before = tokenRequests().length
    const step = await runStep(command)
    expect(step.code).toBe(0)
    const token = step.stdout.trim()
    expect(step.stdout).toBe(`${token}\n`)
    expect(step.stderr).toBe(`::add-mask::${token}\n`)
    expect(step.masks).toEqual([token])
    expect(step.log).not.toContain(token)
    // The main step's token had less than min-validity left: this is a new one, with 60 s left.
    expect(token).not.toBe(main.outputs['access-token'])
    expect(tokenRequests().length).toBe(before + 1)
    // The very request the main step sends: the same client authentication and form.
    expect(tokenRequests().at(-1)?.body).toBe(tokenRequests()[0]?.body)
    seen.push(token)
  })

  it("fails with the server's OAuth error code, prints nothing on stdout, and recovers", async () => {
    await new Promise(resolve => setTimeout(resolve, 1100))
    answer = res =>
      sendJson(res, 400, { error: 'invalid_client', error_description: 'client disabled' })
    const step = await runStep(command)
    answer = tokens
    expect(step.code).toBe(1)
    expect(step.stdout).toBe('')
    const lines = step.stderr.split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^::error::.*HTTP 400.*invalid_client/)
    const again = await runStep(command)
    expect(again.code).toBe(0)
    seen.push(again.stdout.trim())
  })

  it('makes one token request for any number of callers at once when a refresh is due', async () => {
    await new Promise(resolve => setTimeout(resolve, 1100))
    // This refresh's token lasts an hour: callers that start late still find it fresh.
    ttl = 3600
    const before = tokenRequests().length
    const steps = await Promise.all(Array.from({ length: 8 }, () => runStep(command)))
    expect(steps.map(step => step.code)).toEqual(Array(8).fill(0))
    const printed = new Set(steps.map(step => step.stdout.trim()))
    expect(printed.size).toBe(1)
    expect(tokenRequests().length).toBe(before + 1)
    seen.push(...printed)
  })

  it('serves a token still fresh enough from memory, with no request', async () => {
    const before = tokenRequests().length
    const step = await runStep(command)
    expect(step.code).toBe(0)
    expect(step.stdout.trim()).toBe(seen.at(-1))
    expect(tokenRequests().length).toBe(before)
  })

  it('answers a connection without the key with a refusal, and fetches nothing', async () => {
    const socket = command.replace(/token$/, 'agent.sock')
    const before = server.requests.length
    const wrongKey = await rawRequest(
      socket,
      `${JSON.stringify({ key: '0'.repeat(64), op: 'token' })}\n`
    )
    expect(JSON.parse(wrongKey)).toEqual({ error: expect.stringContaining('refused') })
    const noKey = await rawRequest(socket, `${JSON.stringify({ op: 'stop' })}\n`)
    expect(JSON.parse(noKey)).toEqual({ error: expect.stringContaining('refused') })
    for (const json of ['null', '42', '"x"', '[]', '{"key":null}']) {
      const reply = await rawRequest(socket, `${json}\n`)
      expect(JSON.parse(reply)).toEqual({ error: expect.stringContaining('refused') })
    }
    const garbage = await rawRequest(socket, `${'x'.repeat(4096)}`)
    expect(garbage).toBe('')
    expect(server.requests.length).toBe(before)
    expect(running(pid)).toBe(true)
    for (const token of seen) expect(wrongKey + noKey).not.toContain(token)
  })

  it('wrote no secret and no token to any file', () => {
    const files = filesUnder(temp)
    expect(files.length).toBeGreaterThan(0)
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      for (const value of [SECRET, ...seen]) {
        for (const form of leakForms(value)) expect(text).not.toContain(form)
      }
    }
  })

  it('is stopped by the post step, which says what it served; the command then fails saying so', async () => {
    const post = await runAction(inputs(), { env: { ...env, ...postStepEnv(main.state) } })
    expect(post.code).toBe(0)
    expect(post.log).toMatch(/Stopped the token agent: it served 11 tokens and fetched 3\./)
    expect(await gone(pid)).toBe(true)
    expect(readdirSync(command.replace(/\/token$/, ''))).toEqual(['token'])
    await expectOnlyStoppedCommands(temp)
  })
})

describe('github_oidc: each refresh authenticates with a new GitHub ID token', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agent-runner-temp-'))
  let github: Awaited<ReturnType<typeof startGitHubOidc>>
  afterAll(async () => {
    await github.close()
    rmSync(temp, { recursive: true, force: true })
  })

  it('fetches a new ID token for the refresh, and keeps the request token out of its environment', async () => {
    github = await startGitHubOidc()
    answer = tokens
    ttl = 60
    const oidcInputs = {
      'client-id': ID,
      'token-url': server.tokenUrl,
      'auth-method': 'github_oidc',
      agent: 'true',
      'min-validity': '59',
      summary: 'false'
    }
    const main = await runAction(oidcInputs, { env: { RUNNER_TEMP: temp, ...github.env } })
    expect(main.code).toBe(0)
    const pid = agentPid(main)
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8')
    expect(environ).not.toContain(github.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN)
    expect(github.issued).toHaveLength(1)
    await untilStale(main)
    const step = await runStep(main.outputs['token-command'] ?? '')
    expect(step.code).toBe(0)
    expect(github.issued).toHaveLength(2)
    const assertion = new URLSearchParams(tokenRequests().at(-1)?.body).get('client_assertion')
    expect(assertion).toBe(github.issued[1]?.token)
    const post = await runAction(oidcInputs, {
      env: { RUNNER_TEMP: temp, ...github.env, ...postStepEnv(main.state) }
    })
    expect(post.log).toContain('Stopped the token agent: it served 1 token and fetched 1.')
    await expectOnlyStoppedCommands(temp)
  })
})

describe('two agents in one job', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agent-runner-temp-'))
  let other: Awaited<ReturnType<typeof startFaultServer>>
  afterAll(async () => {
    await other.close()
    rmSync(temp, { recursive: true, force: true })
  })

  it('stay apart: each command asks its own agent, and each post step stops only its own', async () => {
    other = await startFaultServer((_req, res, index) =>
      sendJson(res, 200, {
        token_type: 'Bearer',
        access_token: `other-token-${index + 1}-${'y'.repeat(24)}`,
        expires_in: 3600
      })
    )
    answer = tokens
    ttl = 3600
    const env = { RUNNER_TEMP: temp }
    const first = await runAction(inputs(), { env })
    const second = await runAction(inputs({ 'token-url': other.tokenUrl }), { env })
    expect([first.code, second.code]).toEqual([0, 0])
    expect(first.outputs['token-command']).not.toBe(second.outputs['token-command'])
    const one = await runStep(first.outputs['token-command'] ?? '')
    const two = await runStep(second.outputs['token-command'] ?? '')
    expect(one.stdout.trim()).toBe(first.outputs['access-token'])
    expect(two.stdout.trim()).toBe(second.outputs['access-token'])
    await runAction(inputs(), { env: { ...env, ...postStepEnv(first.state) } })
    expect(await gone(agentPid(first))).toBe(true)
    const stillTwo = await runStep(second.outputs['token-command'] ?? '')
    expect(stillTwo.stdout.trim()).toBe(second.outputs['access-token'])
    await runAction(inputs({ 'token-url': other.tokenUrl }), {
      env: { ...env, ...postStepEnv(second.state) }
    })
    expect(await gone(agentPid(second))).toBe(true)
    await expectOnlyStoppedCommands(temp, 2)
  })
})

describe('a post step whose inputs no longer read', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agent-runner-temp-'))
  afterAll(() => rmSync(temp, { recursive: true, force: true }))

  it('still stops the agent and removes its files (a certificate that expired during the job)', async () => {
    answer = tokens
    ttl = 60
    const env = { RUNNER_TEMP: temp }
    const main = await runAction(inputs(), { env })
    const pid = agentPid(main)
    // Any input that fails to read stands for one: here a value readSettings refuses.
    const post = await runAction(inputs({ 'max-attempts': '0' }), {
      env: { ...env, ...postStepEnv(main.state) }
    })
    expect(post.code).toBe(0)
    expect(post.log).toContain('Stopped the token agent: it served 0 tokens and fetched 0.')
    expect(await gone(pid)).toBe(true)
    await expectOnlyStoppedCommands(temp)
  })
})

describe('the agent ends without the post step', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agent-runner-temp-'))
  afterAll(() => rmSync(temp, { recursive: true, force: true }))

  it('exits by itself when its socket is removed, and the command then says it is not running', async () => {
    answer = tokens
    ttl = 3600
    const main = await runAction(inputs(), { env: { RUNNER_TEMP: temp } })
    const pid = agentPid(main)
    const command = main.outputs['token-command'] ?? ''
    unlinkSync(command.replace(/token$/, 'agent.sock'))
    expect(await gone(pid)).toBe(true)
    const step = await runStep(command)
    expect(step.code).toBe(1)
    expect(step.stdout).toBe('')
    expect(step.stderr).toMatch(/^::error::The token agent is not running \(ENOENT on .*\n$/)
    // The post step still cleans up after an agent that is gone.
    const post = await runAction(inputs(), {
      env: { RUNNER_TEMP: temp, ...postStepEnv(main.state) }
    })
    expect(post.code).toBe(0)
    expect(post.log).toContain('The token agent did not answer the stop request (it had stopped')
    await expectOnlyStoppedCommands(temp)
  })
})

describe('revoke: true', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agent-runner-temp-'))
  afterAll(() => rmSync(temp, { recursive: true, force: true }))

  it("revokes the main step's token and every live token the agent fetched", async () => {
    answer = tokens
    ttl = 60
    const revokeInputs = inputs({ revoke: 'true', 'revocation-url': `${server.origin}/revoke` })
    const main = await runAction(revokeInputs, { env: { RUNNER_TEMP: temp } })
    await untilStale(main)
    const refreshed = (await runStep(main.outputs['token-command'] ?? '')).stdout.trim()
    const before = server.requests.length
    const post = await runAction(revokeInputs, {
      env: { RUNNER_TEMP: temp, ...postStepEnv(main.state) }
    })
    expect(post.code).toBe(0)
    expect(post.log).toContain(
      'Stopped the token agent: it served 1 token and fetched 1, of which it revoked 1.'
    )
    const revoked = server.requests
      .slice(before)
      .filter(r => r.url === '/revoke')
      .map(r => new URLSearchParams(r.body).get('token'))
    expect(revoked.sort()).toEqual([main.outputs['access-token'], refreshed].sort())
    await expectOnlyStoppedCommands(temp)
  })
})

/** Pids of running token agents on this machine. */
function agentPids(): number[] {
  return readdirSync('/proc')
    .filter(name => /^\d+$/.test(name))
    .filter(name => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('--stent-token-agent')
      } catch {
        return false
      }
    })
    .map(Number)
    .filter(running)
}

describe('a main step that fails', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agent-runner-temp-'))
  afterAll(() => rmSync(temp, { recursive: true, force: true }))

  it('leaves no agent behind when the token request fails', async () => {
    const before = agentPids()
    answer = res => sendJson(res, 400, { error: 'invalid_client' })
    const main = await runAction(inputs(), { env: { RUNNER_TEMP: temp } })
    answer = tokens
    expect(main.code).toBe(1)
    expect(main.outputs['token-command']).toBeUndefined()
    const started = () => agentPids().filter(pid => !before.includes(pid))
    for (let i = 0; i < 20 && started().length > 0; i++) {
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    expect(started()).toEqual([])
    expect(readdirSync(temp)).toEqual([])
  })

  it('says why when RUNNER_TEMP is too long for a socket path, or not a directory', async () => {
    const deep = join(temp, 'd'.repeat(100))
    const long = await runAction(inputs(), { env: { RUNNER_TEMP: deep } })
    expect(long.code).toBe(1)
    expect(long.log).toMatch(
      /::error::agent is true, but the socket path in RUNNER_TEMP would be \d+ bytes, over the limit of 103\./
    )
    const missing = await runAction(inputs(), { env: { RUNNER_TEMP: join(temp, 'missing') } })
    expect(missing.code).toBe(1)
    expect(missing.log).toContain(
      "::error::agent is true, but the token agent's directory cannot be made in RUNNER_TEMP (ENOENT)."
    )
    expect(readdirSync(temp)).toEqual([])
  })

  it('with revoke: true, leaves the published token for the post step to revoke when the agent cannot start', async () => {
    const main = await runAction(
      inputs({ revoke: 'true', 'revocation-url': `${server.origin}/revoke` }),
      { env: { RUNNER_TEMP: '' } }
    )
    expect(main.code).toBe(1)
    expect(main.outputs['access-token']).toBeDefined()
    expect(main.state['revoke-token']).toBe(main.outputs['access-token'])
  })

  it('says why without RUNNER_TEMP, and starts nothing', async () => {
    const main = await runAction(inputs(), { env: { RUNNER_TEMP: '' } })
    expect(main.code).toBe(1)
    expect(main.log).toContain(
      '::error::agent is true, but RUNNER_TEMP is not set: the token agent lives in the runner temp directory.'
    )
  })
})

describe('the post step reads saved state as untrusted', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agent-runner-temp-'))
  const elsewhere = mkdtempSync(join(tmpdir(), 'agent-elsewhere-'))
  afterAll(() => {
    rmSync(temp, { recursive: true, force: true })
    rmSync(elsewhere, { recursive: true, force: true })
  })

  it.each([
    ['outside RUNNER_TEMP', () => join(elsewhere, `stent-token-agent-${'a'.repeat(32)}`)],
    [
      'climbing out of it',
      () => `${temp}/../${elsewhere.split('/').pop()}/stent-token-agent-${'a'.repeat(32)}`
    ],
    ['of another name', () => join(temp, 'victim')]
  ])('removes nothing named by a directory %s', async (_, target) => {
    const dir = target()
    // What the path names once resolved: it must still be there after the post step.
    const victim = resolve(dir)
    mkdirSync(victim, { recursive: true })
    writeFileSync(join(victim, 'keep'), 'x')
    const post = await runAction(inputs(), {
      env: { RUNNER_TEMP: temp, ...postStepEnv({ isPost: 'true', 'agent-dir': dir }) }
    })
    expect(post.code).toBe(0)
    expect(post.log).toContain(
      '::warning::The saved state does not name a token agent directory in RUNNER_TEMP: nothing was stopped.'
    )
    expect(readFileSync(join(victim, 'keep'), 'utf8')).toBe('x')
  })
})
