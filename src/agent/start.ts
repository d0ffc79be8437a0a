// The main step's side of `agent: true`: makes the agent's private directory and command, starts
// the agent with a clean environment, hands it the settings over a pipe, and waits until it listens.
import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ActionError } from '../base/errors.js'
import { INPUT_NAMES } from '../config/input-names.js'
import type { Settings } from '../config/settings.js'
import { stepBudgetMs } from '../http/retry.js'
import type { FetchedToken } from '../steps/token.js'
import { CLIENT_SOURCE } from './client.js'
import type { AgentProcess } from './flag.js'
import {
  AGENT_DIR_PREFIX,
  agentPaths,
  HARD_CAP_MS,
  posixCommand,
  windowsCommand
} from './protocol.js'
import { ID_TOKEN_ENV, pick, PROXY_ENV, type StartMessage } from './start-message.js'

/** The agent is a node process loading this bundle: this is ample, and a clear failure beyond. */
export const READY_TIMEOUT_MS = 10_000

/** Unix socket paths are limited to 104 bytes on macOS (108 on Linux), the NUL included. */
const MAX_SOCKET_PATH = 103

/** What starting the agent uses of the step: its inputs, its log, and the job's environment. */
export interface StartDeps {
  core: {
    getInput(name: string): string
    info(message: string): void
    setSecret(value: string): void
  }
  env: Readonly<Record<string, string | undefined>>
}

/** An agent process started early, waiting on its stdin for what to serve. */
export interface LaunchedAgent {
  /** Makes the directory and command, sends the settings, and resolves once the agent listens. */
  start(first: FetchedToken, settings: Settings, deps: StartDeps): Promise<string>
  /** Ends the process: the step failed before the agent had anything to serve. */
  abandon(): void
}

/**
 * Takes the agent's node that agent/flag.ts spawned as the bundle started, and wires up how the
 * main step talks to it.
 */
export function launchAgent(child: AgentProcess, saveDir: (dir: string) => void): LaunchedAgent {
  child.stdin.on('error', () => {})
  // The first line the agent says (ready, or why not), or how it ended before saying one.
  const said = new Promise<string>(resolve => {
    let text = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk
      const end = text.indexOf('\n')
      if (end >= 0 || text.length >= 4096) resolve(text.slice(0, end < 0 ? 4096 : end))
    })
    child.on('error', error =>
      resolve(`error it could not be started (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
    )
    child.on('exit', code => resolve(`error it exited with code ${code} before it was listening`))
  })
  const abandon = (): void => {
    child.stdin.destroy()
    child.stdout.destroy()
    child.kill()
    child.unref()
  }
  return {
    abandon,
    start: async (first, settings, deps) => {
      try {
        return await startAgent(first, settings, deps, saveDir, async message => {
          child.stdin.end(`${JSON.stringify(message)}\n`)
          let timer: NodeJS.Timeout | undefined
          const line = await Promise.race([
            said,
            new Promise<string>(resolve => {
              timer = setTimeout(
                () =>
                  resolve(
                    `error it did not say it was listening within ${READY_TIMEOUT_MS / 1000} s`
                  ),
                READY_TIMEOUT_MS
              )
            })
          ])
          clearTimeout(timer)
          if (line !== 'ready' || child.pid === undefined) {
            // The agent's own words, bounded to one line of printable ASCII.
            const problem = line.replace(/[^\x20-\x7e]/g, '?').replace(/^error /, '')
            throw new ActionError(
              `The token agent did not start: ${problem}. Hint: set agent: false to get one token without it, and report this if it persists.`
            )
          }
          // The step may end now; the agent lives on.
          child.stdout.destroy()
          child.removeAllListeners('exit')
          child.unref()
          return child.pid
        })
      } catch (error) {
        abandon()
        throw error
      }
    }
  }
}

/** Starts the token agent and returns the token command's path, once the agent listens. */
async function startAgent(
  first: FetchedToken,
  settings: Settings,
  deps: StartDeps,
  saveDir: (dir: string) => void,
  send: (message: StartMessage) => Promise<number>
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
    const pid = await send(message)
    core.info(
      `Started the token agent (pid ${pid}); later steps of this job get a fresh token by running the token-command output.`
    )
    return paths.command
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}
