// The post step's side of `agent: true`: stops the agent (which revokes what it fetched, with
// revoke: true), removes its socket and key, and says how many tokens it served and fetched.
import { lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import type { Settings } from '../config/settings.js'
import { NETWORK_DEFAULTS, stepBudgetMs } from '../http/retry.js'
import { ask } from './ask.js'
import {
  agentPaths,
  isAgentDir,
  readKey,
  stoppedCommand,
  type AgentPaths,
  type Reply
} from './protocol.js'

/** What stopping the agent uses of the post step: its log, and where RUNNER_TEMP is. */
export interface StopDeps {
  core: { info(message: string): void; warning(message: string): void }
  env: Readonly<Record<string, string | undefined>>
}

/**
 * Stops the agent whose directory the main step saved (`dir`, from saved state, so untrusted: only
 * a directory of the agent's own shape in RUNNER_TEMP is touched). `settings` is undefined when the
 * post step could not read its inputs again: the agent is stopped all the same.
 */
export async function stopAgent(
  dir: string,
  settings: Settings | undefined,
  deps: StopDeps
): Promise<void> {
  try {
    await stop(dir, settings, deps)
  } catch (error) {
    // The post step's own work (revoking the main step's token) still runs.
    deps.core.warning(
      `The token agent's files were not all removed (${(error as NodeJS.ErrnoException).code ?? 'error'}); the runner removes RUNNER_TEMP at the end of the job.`
    )
  }
}

async function stop(dir: string, settings: Settings | undefined, deps: StopDeps): Promise<void> {
  const { core } = deps
  if (!isAgentDir(dir, deps.env.RUNNER_TEMP)) {
    core.warning(
      'The saved state does not name a token agent directory in RUNNER_TEMP: nothing was stopped.'
    )
    return
  }
  // Gone already: the main step failed before the agent started, and removed it.
  if (!isDirectory(dir)) return
  const paths = agentPaths(dir, process.platform)
  let reply: Reply | undefined
  try {
    const key = readKey(readFileSync(paths.command, 'utf8'))
    // Revocations run in parallel, each within a step's budget; stopping alone is quick.
    const { timeoutMs, maxAttempts } = settings ?? NETWORK_DEFAULTS
    const budget = stepBudgetMs(timeoutMs, maxAttempts) + 10_000
    if (key) reply = await ask(paths.socket, { key, op: 'stop' }, budget)
  } catch {
    // Not running any more: its files still go, and the agent, if alive, exits without them.
  }
  retire(paths)
  if (!reply || !('stopped' in reply)) {
    const gone =
      'The token agent did not answer the stop request (it had stopped, or ran out of time); removed its socket and its key.'
    // With revoke: true, the tokens it fetched may not have been revoked: worth a warning.
    if (settings?.revoke) {
      core.warning(
        `${gone} Tokens it fetched were not all revoked; they stay valid until they expire.`
      )
    } else {
      core.info(gone)
    }
    return
  }
  const count = (n: unknown): number =>
    Number.isSafeInteger(n) && (n as number) >= 0 ? (n as number) : 0
  core.info(
    `Stopped the token agent: it served ${tokens(count(reply.served))} and fetched ${count(reply.fetched)}${settings?.revoke ? `, of which it revoked ${count(reply.revoked)}` : ''}.`
  )
  for (const warning of Array.isArray(reply.warnings) ? reply.warnings.slice(0, 20) : []) {
    // core.warning escapes line breaks; the rest is bounded to printable text.
    core.warning(
      String(warning)
        .replace(/[^\x20-\x7e]/g, '?')
        .slice(0, 2000)
    )
  }
}

/**
 * Puts in the command's place a stub without the key that fails saying the agent was stopped, then
 * removes the socket and the client: a caller runs the command or the stub, never a command whose
 * client is gone. Removing the socket (the client, on Windows) also ends an agent that did not
 * answer.
 */
function retire(paths: AgentPaths): void {
  const stub = `${paths.command}.stopped`
  writeFileSync(stub, stoppedCommand(process.platform), { mode: 0o700 })
  try {
    renameSync(stub, paths.command)
  } catch {
    // Windows refuses to replace a .cmd that a cmd.exe has open: overwrite it, key and all.
    writeFileSync(paths.command, stoppedCommand(process.platform))
    rmSync(stub, { force: true })
  }
  // A Windows named pipe is not a file: it went with the agent.
  if (process.platform !== 'win32') rmSync(paths.socket, { force: true })
  rmSync(paths.client, { force: true })
}

const tokens = (n: number): string => `${n} token${n === 1 ? '' : 's'}`

function isDirectory(path: string): boolean {
  try {
    return lstatSync(path).isDirectory()
  } catch {
    return false
  }
}
