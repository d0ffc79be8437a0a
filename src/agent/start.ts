// The main step's side of `agent: true`: makes the agent's private directory and command, starts
// the agent with a clean environment, hands it the settings over a pipe, and waits until it listens.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Deps } from '../deps.js'
import { ActionError } from '../errors.js'
import { INPUT_NAMES } from '../input-names.js'
import type { Settings } from '../inputs.js'
import { BACKOFF } from '../retry.js'
import type { FetchedToken } from '../token.js'
import { CLIENT_SOURCE } from './client.js'
import {
  AGENT_DIR_PREFIX,
  AGENT_FLAG,
  AGENT_STATE,
  agentPaths,
  posixCommand,
  windowsCommand
} from './protocol.js'
import { ID_TOKEN_ENV, pick, PROXY_ENV, type StartMessage } from './start-message.js'

/** The agent is a node process loading this bundle: this is ample, and a clear failure beyond. */
export const READY_TIMEOUT_MS = 10_000

/** Unix socket paths are limited to 104 bytes on macOS (108 on Linux), the NUL included. */
const MAX_SOCKET_PATH = 103

/** Starts the token agent and returns the token command's path, once the agent listens. */
export async function startAgent(
  first: FetchedToken,
  settings: Settings,
  deps: Deps
): Promise<string> {
  const { core, env } = deps
  const runnerTemp = env.RUNNER_TEMP
  if (!runnerTemp) {
    throw new ActionError(
      'agent is true, but RUNNER_TEMP is not set: the token agent lives in the runner temp directory. Run the action on a GitHub Actions runner.'
    )
  }
  const dir = join(resolve(runnerTemp), `${AGENT_DIR_PREFIX}${randomBytes(16).toString('hex')}`)
  const paths = agentPaths(dir, process.platform)
  if (process.platform !== 'win32' && Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) {
    throw new ActionError(
      `agent is true, but the socket path in RUNNER_TEMP would be ${Buffer.byteLength(paths.socket)} bytes, over the limit of ${MAX_SOCKET_PATH}. Point RUNNER_TEMP at a shorter directory.`
    )
  }
  mkdirSync(dir, { mode: 0o700 })
  // Before the agent exists: whatever happens next, the post step finds what to clean up.
  core.saveState(AGENT_STATE, dir)
  try {
    const key = randomBytes(32).toString('hex')
    // A refresh's whole retry budget, and some: the command must not give up before the agent.
    const timeoutMs =
      settings.maxAttempts * (settings.timeoutMs + BACKOFF.retryAfterCapMs + BACKOFF.spreadMs) +
      10_000
    const spec = { node: process.execPath, paths, key, timeoutMs }
    writeFileSync(paths.client, CLIENT_SOURCE, { mode: 0o600 })
    writeFileSync(
      paths.command,
      process.platform === 'win32' ? windowsCommand(spec) : posixCommand(spec),
      { mode: 0o700 }
    )
    chmodSync(paths.command, 0o700)
    const message: StartMessage = {
      inputs: Object.fromEntries(INPUT_NAMES.map(name => [name, core.getInput(name)])),
      idTokenEnv: pick(env, ID_TOKEN_ENV),
      proxyEnv: pick(env, PROXY_ENV),
      socket: paths.socket,
      command: paths.command,
      key,
      first
    }
    const pid = await spawnAgent(message, env)
    core.info(
      `Started the token agent (pid ${pid}); later steps of this job get a fresh token by running the token-command output.`
    )
    return paths.command
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/**
 * The agent's environment: none of the job's, so /proc/<pid>/environ holds no secret. Only what
 * node reads at start-up (extra CAs), what Windows needs to run it, and the runner's tracking ID,
 * by which the runner ends the job's leftover processes.
 */
function agentEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return pick(env, [
    'NODE_EXTRA_CA_CERTS',
    'NODE_USE_ENV_PROXY',
    'RUNNER_TRACKING_ID',
    'SystemRoot',
    'SYSTEMROOT'
  ])
}

/** Spawns the agent detached, sends the message, and resolves with its pid once it listens. */
async function spawnAgent(
  message: StartMessage,
  env: Readonly<Record<string, string | undefined>>
): Promise<number> {
  const entry = process.argv[1] ?? ''
  const child = spawn(process.execPath, [entry, AGENT_FLAG], {
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
    env: agentEnv(env),
    windowsHide: true
  })
  child.stdin.on('error', () => {})
  child.stdin.end(`${JSON.stringify(message)}\n`)
  const problem = await new Promise<string | undefined>(resolve => {
    const timer = setTimeout(
      () => resolve(`it did not say it was listening within ${READY_TIMEOUT_MS / 1000} s`),
      READY_TIMEOUT_MS
    )
    let said = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      said += chunk
      const end = said.indexOf('\n')
      if (end < 0 && said.length < 4096) return
      clearTimeout(timer)
      const line = said.slice(0, end < 0 ? 4096 : end)
      // The agent's own words, bounded to one line of printable ASCII.
      resolve(
        line === 'ready' ? undefined : line.replace(/[^\x20-\x7e]/g, '?').replace(/^error /, '')
      )
    })
    child.on('error', error => {
      clearTimeout(timer)
      resolve(`it could not be started (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
    })
    child.on('exit', code => {
      clearTimeout(timer)
      resolve(`it exited with code ${code} before it was listening`)
    })
  })
  if (problem !== undefined || child.pid === undefined) {
    child.kill()
    throw new ActionError(
      `The token agent did not start: ${problem ?? 'no process id'}. Hint: set agent: false to get one token without it, and report this if it persists.`
    )
  }
  // The step may end now; the agent lives on.
  child.stdout.destroy()
  child.removeAllListeners('exit')
  child.unref()
  return child.pid
}
