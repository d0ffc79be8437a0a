// What the main step, the token agent, the token command and the post step agree on: where the
// agent lives, how its command is written, and how a request proves it comes from that command.
// Pure functions (paths and text), so that both platforms' forms are unit-tested on any machine.
import { basename, dirname, resolve, win32 } from 'node:path'

/** `<RUNNER_TEMP>/stent-token-agent-<32 hex>`; the Windows pipe reuses the random part. */
export const AGENT_DIR_PREFIX = 'stent-token-agent-'
const AGENT_DIR = /^stent-token-agent-[0-9a-f]{32}$/

/** A request line is a key and an operation: anything longer is not ours. */
export const MAX_REQUEST_BYTES = 512
/** A client has this long to send its request line once connected. */
export const REQUEST_TIMEOUT_MS = 5000

/** The longest a job can run (self-hosted runners: 5 days); the agent never outlives it. */
export const HARD_CAP_MS = 5 * 24 * 3600 * 1000
/** How often the agent checks that its socket (its command file, on Windows) is still there. */
export const WATCH_INTERVAL_MS = 2000

export interface AgentPaths {
  dir: string
  /** A Unix domain socket in the directory, or a named pipe on Windows. */
  socket: string
  /**
   * Where the main step binds the socket, then renames it to `socket` (no longer than it: the
   * length check on `socket` holds for both). The agent binds a named pipe itself.
   */
  bound: string
  /** The token command: `token` (sh) or `token.cmd`. */
  command: string
  /** The small node client the command runs. */
  client: string
}

export function agentPaths(dir: string, platform: NodeJS.Platform): AgentPaths {
  if (platform === 'win32') {
    const pipe = `\\\\.\\pipe\\${win32.basename(dir)}`
    return {
      dir,
      socket: pipe,
      bound: pipe,
      command: win32.join(dir, 'token.cmd'),
      client: win32.join(dir, 'client.cjs')
    }
  }
  return {
    dir,
    socket: `${dir}/agent.sock`,
    bound: `${dir}/bind.sock`,
    command: `${dir}/token`,
    client: `${dir}/client.cjs`
  }
}

/**
 * A directory the post step may stop and remove: exactly `<RUNNER_TEMP>/stent-token-agent-<hex>`.
 * Saved state is untrusted: a path anywhere else, or a name of another shape, is refused.
 */
export function isAgentDir(dir: string, runnerTemp: string | undefined): boolean {
  if (!runnerTemp || !dir || resolve(dir) !== dir) return false
  return dirname(dir) === resolve(runnerTemp) && AGENT_DIR.test(basename(dir))
}

/** The key line in a token command: `# key=<64 hex>` in sh, `rem key=<64 hex>` in cmd. */
export const KEY_LINE = /^(?:#|rem) key=([0-9a-f]{64})\r?$/m

export function readKey(commandText: string): string | undefined {
  return KEY_LINE.exec(commandText)?.[1]
}

/**
 * The key a request carries, compared in constant time with ours. node:crypto is fetched here, at
 * the first request, not imported: loading it takes ~10 ms of the agent's start-up, which on
 * Windows the main step waits for, and elsewhere a first caller.
 */
export function keyMatches(given: unknown, key: string): boolean {
  if (typeof given !== 'string') return false
  const { timingSafeEqual } = process.getBuiltinModule('node:crypto')
  const [a, b] = [Buffer.from(given, 'utf8'), Buffer.from(key, 'utf8')]
  // Bytes, not characters: timingSafeEqual throws on buffers of different lengths.
  return a.length === b.length && timingSafeEqual(a, b)
}

export interface CommandSpec {
  /** The node that runs the client: the runner's own, which runs this action. */
  node: string
  paths: AgentPaths
  key: string
  /** The client's deadline for one answer: a refresh's whole retry budget, and some. */
  timeoutMs: number
}

/** A word for sh, quoted: nothing in it is expanded. */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`
}

/**
 * The command on Linux and macOS. The key is a comment line the client reads from this file
 * (mode 0700): not an argument (visible in ps), not a heredoc (bash may spill one to TMPDIR).
 */
export function posixCommand({ node, paths, key, timeoutMs }: CommandSpec): string {
  return [
    '#!/bin/sh',
    '# Prints a fresh access token from the token agent of stent-token-action. Takes no arguments.',
    `# key=${key}`,
    `exec ${[node, paths.client, paths.socket, String(timeoutMs), paths.command].map(shQuote).join(' ')}`,
    ''
  ].join('\n')
}

/** A word for cmd, in double quotes; % doubled so that nothing is expanded. */
export function cmdQuote(word: string): string {
  if (word.includes('"')) throw new Error('A Windows path cannot hold a double quote.')
  return `"${word.replaceAll('%', '%%')}"`
}

/**
 * The command on Windows: a .cmd, since cmd has no heredoc (and a pipe from echo would put the
 * key on a child cmd.exe's command line); the client reads the key from this file as on POSIX.
 */
export function windowsCommand({ node, paths, key, timeoutMs }: CommandSpec): string {
  return [
    '@echo off',
    'rem Prints a fresh access token from the token agent of stent-token-action. Takes no arguments.',
    `rem key=${key}`,
    `${[node, paths.client, paths.socket, String(timeoutMs), paths.command].map(cmdQuote).join(' ')}`,
    'exit /b %ERRORLEVEL%',
    ''
  ].join('\r\n')
}

/**
 * What the token command says once the post step has stopped its agent. Plain words only (no
 * quote, no %, nothing that sh or cmd would expand): both stubs print it as it is.
 */
export const STOPPED_MESSAGE =
  'The token agent was stopped by the post step of stent-token-action at the end of the job. Run the token command only in the steps between the main step that started the agent and that post step.'

/**
 * What the post step leaves in the token command's place: a stub without the key that fails with
 * STOPPED_MESSAGE, so that a process still calling the command learns why. RUNNER_TEMP, where it
 * lives, is emptied at the end of the job. In cmd, `>&2` first: Wine's cmd reads a leading `1>&2`
 * as a command named 1, and `echo text 1>&2` would print a trailing space.
 */
export function stoppedCommand(platform: NodeJS.Platform): string {
  return platform === 'win32'
    ? ['@echo off', `>&2 echo ::error::${STOPPED_MESSAGE}`, 'exit /b 1', ''].join('\r\n')
    : ['#!/bin/sh', `echo '::error::${STOPPED_MESSAGE}' >&2`, 'exit 1', ''].join('\n')
}

/** What the agent answers: a token, an error message, or the counts when it stops. */
export type Reply =
  | { token: string }
  | { error: string }
  | { stopped: true; served: number; fetched: number; revoked: number; warnings: string[] }

/**
 * When a token is fresh enough to hand out: with min-validity, while that many seconds are left;
 * without, the agent keeps a margin of half the token's lifetime, at most 5 minutes. A token
 * whose expiry nobody said (no expires_in, not verified) is kept: there is nothing to judge by.
 */
export function freshUntil(
  token: { requestedAt: number; expiresAtMs: number | undefined },
  minValiditySeconds: number
): number {
  if (token.expiresAtMs === undefined) return Infinity
  if (minValiditySeconds > 0) return token.expiresAtMs - minValiditySeconds * 1000
  const lifetime = Math.max(0, token.expiresAtMs - token.requestedAt)
  return token.expiresAtMs - Math.min(lifetime / 2, MAX_MARGIN_MS)
}

export const MAX_MARGIN_MS = 5 * 60 * 1000
