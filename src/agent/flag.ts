// The only agent code in the entry chunk: the flag that makes dist/index.js run as the token agent,
// and, with agent: true, the agent's node spawned as early as a module can run. index.ts imports
// this first, so the spawn happens before the rest of the bundle is evaluated and the agent's
// start-up overlaps the step's own; everything else about the agent is in chunks loaded on demand.
import type { ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { STATE } from '../base/state.js'

export const AGENT_FLAG = '--stent-token-agent'

export type AgentProcess = ChildProcessByStdio<Writable, Readable, null>

/**
 * The agent's environment: none of the job's, so /proc/<pid>/environ holds no secret. Only what
 * node reads at start-up (extra CAs), what Windows needs to run it, and the runner's tracking ID,
 * by which the runner ends the job's leftover processes. Process.env is case-insensitive on
 * Windows: one spelling finds SystemRoot.
 */
const AGENT_ENV = ['NODE_EXTRA_CA_CERTS', 'NODE_USE_ENV_PROXY', 'RUNNER_TRACKING_ID', 'SystemRoot']

/** The named variables that are set in env. */
export function pick(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[]
): Record<string, string> {
  return Object.fromEntries(
    names.flatMap(name => {
      const value = env[name]
      return value === undefined ? [] : [[name, value]]
    })
  )
}

/**
 * The agent's node, started detached when this is the main step (not the post step, not the agent
 * itself) and its agent input is true (YAML 1.2's core true, trimmed, as readSettings reads it). It waits on
 * its stdin for what to serve, and exits if that closes without a start message.
 */
export const earlyAgent: AgentProcess | undefined =
  /^\s*(true|True|TRUE)\s*$/.test(process.env['INPUT_AGENT'] ?? '') &&
  !process.env[`STATE_${STATE.isPost}`] &&
  process.argv[2] !== AGENT_FLAG
    ? // Fetched only to spawn: importing node:child_process would cost the agent itself ~7 ms of
      // the start-up that the main step waits for.
      process
        .getBuiltinModule('node:child_process')
        .spawn(process.execPath, [process.argv[1] ?? '', AGENT_FLAG], {
          detached: true,
          stdio: ['pipe', 'pipe', 'ignore'],
          env: pick(process.env, AGENT_ENV),
          // Not the workspace: on Windows a process's working directory cannot be removed under it.
          ...(process.env['RUNNER_TEMP'] ? { cwd: process.env['RUNNER_TEMP'] } : {}),
          windowsHide: true
        })
    : undefined
