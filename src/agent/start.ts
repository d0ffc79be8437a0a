// The main step's side of `agent: true`, once it has its token: makes the agent's private
// directory, command and socket, starts the agent's node with a clean environment and the socket
// as its descriptor 3, and writes it its settings on its stdin.
import { spawn, type ChildProcessByStdio } from 'node:child_process'
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
import type { Readable, Writable } from 'node:stream'

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
 * On Linux and macOS the step makes the socket and the agent inherits it, so the step does not
 * wait for the agent's node to start: a call that comes first waits in the socket's queue, and the
 * start message waits in the stdin pipe, both there after the step ends. Windows cannot pass a
 * named pipe on, so there the agent listens itself and the step waits until it says so.
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
  let socket: Server | undefined
  let child: Agent | undefined
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
    socket = process.platform === 'win32' ? undefined : await listenForAgent(paths)
    const message: StartMessage = {
      inputs: Object.fromEntries(INPUT_NAMES.map(name => [name, core.getInput(name)])),
      idTokenEnv: pick(env, ID_TOKEN_ENV),
      proxyEnv: pick(env, PROXY_ENV),
      socket: paths.socket,
      inherited: socket !== undefined,
      command: paths.command,
      key,
      hardCapMs: HARD_CAP_MS,
      minValidity: settings.minValidity,
      first
    }
    child = spawnAgent(env, runnerTemp, socket && descriptorOf(socket))
    // The agent has its own descriptor of it now: the step's handle accepts nothing more.
    socket?.close()
    const pid = await handOver(child, message)
    core.info(
      `Started the token agent (pid ${pid}); later steps of this job get a fresh token by running the token-command output.`
    )
    return paths.command
  } catch (error) {
    child?.kill()
    rmSync(dir, { recursive: true, force: true })
    throw error
  } finally {
    // Closed again on success (no harm); on a failure, a handle left open would keep the step alive.
    socket?.close()
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
  try {
    renameSync(paths.bound, paths.socket)
  } catch (error) {
    server.close()
    throw error
  }
  return server
}

/** The agent's node: its stdin for the start message, its stdout for `ready` where it says so. */
export type Agent = ChildProcessByStdio<Writable, Readable | null, null>

/**
 * This bundle again, as the agent: detached, with a clean environment, and with the listening
 * socket where there is one as its descriptor 3 (SOCKET_FD, the fourth entry of stdio). `bundle` is
 * this dist/index.js, which the runner ran.
 */
export function spawnAgent(
  env: StartDeps['env'],
  runnerTemp: string,
  socketFd: number | undefined,
  bundle = process.argv[1] ?? ''
): Agent {
  return spawn(process.execPath, [bundle, AGENT_FLAG], {
    detached: true,
    stdio:
      socketFd === undefined ? ['pipe', 'pipe', 'ignore'] : ['pipe', 'ignore', 'ignore', socketFd],
    env: pick(env, AGENT_ENV),
    // Not the workspace: on Windows a process's working directory cannot be removed under it.
    cwd: runnerTemp,
    windowsHide: true
  }) as Agent
}

/** The descriptor of a listening socket, for the agent to inherit (Node has no public getter). */
export function descriptorOf(server: Server): number {
  const fd = (server as unknown as { _handle?: { fd?: unknown } })._handle?.fd
  if (typeof fd !== 'number' || fd < 0) throw didNotStart('its socket has no descriptor to pass on')
  return fd
}

/**
 * Writes the start message on the agent's stdin and resolves with its pid once the message is in
 * the pipe (an inherited socket already listens), or once the agent says it listens.
 */
export async function handOver(child: Agent, message: StartMessage): Promise<number> {
  // What the agent says where it listens itself (ready, or why not), or how it ended before.
  let exited = (_code: number | null): void => {}
  const said = new Promise<string>(resolve => {
    let text = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk
      const end = text.indexOf('\n')
      if (end >= 0 || text.length >= 4096) resolve(text.slice(0, end < 0 ? 4096 : end))
    })
    child.on('error', error =>
      resolve(`error it could not be started (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
    )
    exited = code => resolve(`error it exited with code ${code} before it was listening`)
    child.on('exit', exited)
  })
  child.stdin.on('error', () => {})
  if (child.pid === undefined) throw didNotStart(await said)
  // Into the pipe, where it waits for the agent however long its node takes to start; on Windows,
  // then the agent's word that it listens. Bounded: a message larger than the pipe waits for a read.
  const written = new Promise<string | undefined>(resolve => {
    child.stdin.once('error', error => resolve(`error its stdin closed (${error.message})`))
    child.stdin.end(`${JSON.stringify(message)}\n`, () => resolve(undefined))
  })
  let timer: NodeJS.Timeout | undefined
  const outcome = await Promise.race([
    written.then(problem => problem ?? (message.inherited ? 'ready' : said)),
    new Promise<string>(resolve => {
      timer = setTimeout(
        () => resolve(`error it did not start listening within ${READY_TIMEOUT_MS / 1000} s`),
        READY_TIMEOUT_MS
      )
    })
  ])
  clearTimeout(timer)
  if (outcome !== 'ready') throw didNotStart(outcome)
  // The step may end now; the agent lives on.
  child.stdout?.destroy()
  child.off('exit', exited)
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
