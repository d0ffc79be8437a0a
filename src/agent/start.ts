// The main step's side of `agent: true`, once it has its token: makes the agent's private
// directory, command and socket, starts the agent's node with a clean environment, and hands it
// its settings (and the socket) over its IPC channel.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join, resolve } from 'node:path'
import { ActionError } from '../base/errors.js'
import { INPUT_NAMES } from '../config/input-names.js'
import type { Settings } from '../config/settings.js'
import { stepBudgetMs } from '../http/retry.js'
import type { FetchedToken } from '../steps/token.js'
import { CLIENT_SOURCE } from './client.js'
import { AGENT_FLAG } from './flag.js'
import { listenPrivately } from './listen.js'
import {
  AGENT_DIR_PREFIX,
  agentPaths,
  HARD_CAP_MS,
  posixCommand,
  type AgentPaths,
  windowsCommand
} from './protocol.js'
import { ID_TOKEN_ENV, pick, PROXY_ENV, type StartMessage } from './start-message.js'

/** The agent is a node process loading a small chunk: this is ample, and a clear failure beyond. */
export const READY_TIMEOUT_MS = 10_000

/** Unix socket paths are limited to 104 bytes on macOS (108 on Linux), the NUL included. */
const MAX_SOCKET_PATH = 103

/**
 * The agent's environment: none of the job's, so /proc/<pid>/environ holds no secret. Only what
 * node reads at start-up (extra CAs), what Windows needs to run it, and the runner's tracking ID,
 * by which the runner ends the job's leftover processes. Process.env is case-insensitive on
 * Windows: one spelling finds SystemRoot.
 */
const AGENT_ENV = ['NODE_EXTRA_CA_CERTS', 'NODE_USE_ENV_PROXY', 'RUNNER_TRACKING_ID', 'SystemRoot']

/** What starting the agent uses of the step: its inputs, its log, and the job's environment. */
export interface StartDeps {
  core: {
    getInput(name: string): string
    info(message: string): void
    setSecret(value: string): void
  }
  env: Readonly<Record<string, string | undefined>>
}

/**
 * Starts the token agent and returns the token command's path, once the agent's socket listens:
 * the next step never races the agent.
 *
 * On Linux and macOS the step makes the socket and hands it over with the start message, and does
 * not wait for the agent's node to start: a connection that comes before it serves waits in the
 * socket's queue. Windows cannot hand a named pipe over, so there the agent listens itself and the
 * step waits until it says so.
 */
export async function startAgent(
  first: FetchedToken,
  settings: Settings,
  deps: StartDeps,
  saveDir: (dir: string) => void
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
  try {
    mkdirSync(dir, { mode: 0o700 })
  } catch (error) {
    throw new ActionError(
      `agent is true, but the token agent's directory cannot be made in RUNNER_TEMP (${(error as NodeJS.ErrnoException).code ?? 'error'}). Check that RUNNER_TEMP is a writable directory.`
    )
  }
  // Before the agent exists: whatever happens next, the post step finds what to clean up.
  saveDir(dir)
  let child: ChildProcess | undefined
  try {
    const key = randomBytes(32).toString('hex')
    // Not a token, but it lets whoever holds it ask for one: `cat $TOKEN_COMMAND` shows it masked.
    core.setSecret(key)
    // A refresh's whole retry budget, and some: the command must not give up before the agent.
    const timeoutMs = stepBudgetMs(settings.timeoutMs, settings.maxAttempts) + 10_000
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
      hardCapMs: HARD_CAP_MS,
      minValidity: settings.minValidity,
      first
    }
    const socket = process.platform === 'win32' ? undefined : await listenForAgent(paths)
    child = spawnAgent(env, runnerTemp)
    const pid = await handOver(child, message, socket)
    core.info(
      `Started the token agent (pid ${pid}); later steps of this job get a fresh token by running the token-command output.`
    )
    return paths.command
  } catch (error) {
    child?.kill()
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}

/**
 * The agent's socket, made by the main step. It is bound under another name and renamed into
 * place: Node removes a socket's path when the handle that bound it closes, which this process's
 * exit would do while the agent serves on it.
 */
export async function listenForAgent(paths: AgentPaths): Promise<Server> {
  const server = createServer()
  await listenPrivately(server, paths.bound)
  renameSync(paths.bound, paths.socket)
  return server
}

/** This bundle again, as the agent: detached, with a clean environment and an IPC channel. */
function spawnAgent(env: StartDeps['env'], runnerTemp: string): ChildProcess {
  return spawn(process.execPath, [process.argv[1] ?? '', AGENT_FLAG], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: pick(env, AGENT_ENV),
    // Not the workspace: on Windows a process's working directory cannot be removed under it.
    cwd: runnerTemp,
    windowsHide: true
  })
}

/**
 * Sends the start message, with the socket where there is one, and resolves with the agent's pid
 * once the socket is the agent's, or (without one) once the agent says it listens.
 */
export async function handOver(
  child: ChildProcess,
  message: StartMessage,
  socket: Server | undefined
): Promise<number> {
  // What the agent says where it listens itself (ready, or why not), or how it ended before.
  const said = new Promise<string>(resolve => {
    child.on('message', (line: unknown) =>
      resolve(typeof line === 'string' ? line : 'error it said something unexpected')
    )
    child.on('error', error =>
      resolve(`error it could not be started (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
    )
    child.on('exit', code => resolve(`error it exited with code ${code} before it was listening`))
  })
  if (child.pid === undefined) throw didNotStart(await said)
  const sent = await new Promise<Error | null>(resolve => child.send(message, socket, resolve))
  if (sent) throw didNotStart(`its channel closed (${sent.message})`)
  if (socket) {
    // The agent holds the socket now; the renamed path stays when this handle closes.
    socket.close()
  } else {
    let timer: NodeJS.Timeout | undefined
    const line = await Promise.race([
      said,
      new Promise<string>(resolve => {
        timer = setTimeout(
          () =>
            resolve(`error it did not say it was listening within ${READY_TIMEOUT_MS / 1000} s`),
          READY_TIMEOUT_MS
        )
      })
    ])
    clearTimeout(timer)
    if (line !== 'ready') throw didNotStart(line)
  }
  // The step may end now; the agent lives on.
  child.removeAllListeners('exit')
  child.channel?.unref()
  child.unref()
  return child.pid
}

function didNotStart(problem: string): ActionError {
  // The agent's own words, bounded to one line of printable ASCII, its full stop ours.
  const words = problem
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/^error /, '')
    .replace(/\.$/, '')
  return new ActionError(
    `The token agent did not start: ${words}. Hint: set agent: false to get one token without it, and report this if it persists.`
  )
}
