// The token agent: a detached process the main step starts with `agent: true`. It reads its
// settings on its stdin, gets its listening socket from the main step (or, on Windows, listens
// itself), and serves fresh tokens to the token command until the post step stops it. Nothing it
// knows is in its argv, its environment or a file.
import { rmSync, statSync } from 'node:fs'
import { Server, type Socket } from 'node:net'
import { win32 } from 'node:path'
import { ActionError } from '../base/errors.js'
import type { Refresher } from '../steps/refresh.js'
import { TokenCache } from './cache.js'
import { listenPrivately } from './listen.js'
import {
  agentPaths,
  keyMatches,
  MAX_REQUEST_BYTES,
  REQUEST_TIMEOUT_MS,
  WATCH_INTERVAL_MS,
  type Reply
} from './protocol.js'
import { parseStartMessage, SOCKET_FD, type StartMessage } from './start-message.js'

/**
 * Loads steps/refresh.ts. index.ts reaches it through the step's chunk, so that the core is
 * bundled once and a step loads it as one chunk; the agent loads it at its first refresh (or a
 * revocation at stop), so that it starts on a small chunk and is serving sooner.
 */
export type LoadRefresher = () => Promise<typeof import('../steps/refresh.js').refresher>

/** Reads the start message on stdin, then serves until stopped. */
export async function runAgent(loadRefresher: LoadRefresher): Promise<void> {
  // No stack trace and no unhandled rejection may print: there is nobody to read it.
  process.on('uncaughtException', () => process.exit(1))
  process.on('unhandledRejection', () => process.exit(1))
  let message: StartMessage
  try {
    message = parseStartMessage(JSON.parse(await readAll(process.stdin, 8 * 1024 * 1024)))
  } catch (error) {
    return say(`error ${error instanceof ActionError ? error.message : 'bad start message'}`, 1)
  }
  try {
    const server = new Server()
    serve(server, message, loadRefresher)
    if (message.inherited) {
      // Listening since the main step made it: connections that came first wait in its queue.
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ fd: SOCKET_FD }, () => resolve())
      })
    } else {
      await listenPrivately(server, message.socket)
      say('ready')
    }
    watch(message, server)
  } catch (error) {
    say(`error could not listen (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 1)
  }
}

/** One line to the main step, which reads it where the agent listens itself; then exits, if asked. */
function say(line: string, exitCode?: number): void {
  process.stdout.write(`${line.replace(/[\r\n]/g, ' ')}\n`, () => {
    if (exitCode !== undefined) process.exit(exitCode)
  })
}

function readAll(stream: NodeJS.ReadableStream, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      text += chunk
      if (text.length > max) reject(new ActionError('start message too large'))
    })
    stream.on('end', () => resolve(text))
    stream.on('error', reject)
  })
}

/** Answers the token command, and the post step's stop, on `server`. */
function serve(server: Server, message: StartMessage, loadRefresher: LoadRefresher): void {
  // The proxy rules are read from process.env; these values never were in this process's environ.
  for (const [name, value] of Object.entries(message.proxyEnv)) process.env[name] = value
  // Kept once it has loaded and read the inputs; a failure (inputs that no longer read, a chunk
  // that could not load) fails this refresh, and the next tries again.
  let loading: Promise<Refresher> | undefined
  const network = (): Promise<Refresher> =>
    (loading ??= loadRefresher()
      .then(refresher => refresher(name => message.inputs[name] ?? '', message.idTokenEnv))
      .catch((error: unknown) => {
        loading = undefined
        throw error
      }))
  const cache = new TokenCache(
    message.first,
    message.minValidity,
    async () => (await network()).fetch(),
    Date.now
  )
  let stopping = false
  server.on('connection', (socket: Socket) => {
    if (stopping) return socket.destroy()
    handle(socket, message.key, async op => {
      if (op === 'token') {
        try {
          return { token: await cache.get() }
        } catch (error) {
          return {
            error:
              error instanceof ActionError
                ? error.message
                : 'Unexpected error in the token agent while refreshing the token.'
          }
        }
      }
      stopping = true
      server.close()
      // Only the tokens it fetched itself: the post step revokes the main step's.
      // It fetched some only if the core loaded; revoke() settles every revocation, never throws.
      const { revoked, warnings } = cache.fetched.length
        ? await (await network()).revoke(cache.fetched)
        : { revoked: 0, warnings: [] }
      return {
        stopped: true,
        served: cache.served,
        fetched: cache.fetched.length,
        revoked,
        warnings
      }
    })
  })
  server.maxConnections = 64
}

/**
 * One connection: a request line within REQUEST_TIMEOUT_MS and MAX_REQUEST_BYTES, then one JSON
 * answer. Without the key, the answer is a refusal and nothing else happens.
 */
function handle(socket: Socket, key: string, act: (op: 'token' | 'stop') => Promise<Reply>): void {
  socket.on('error', () => {})
  const timer = setTimeout(() => socket.destroy(), REQUEST_TIMEOUT_MS)
  let line = ''
  const answer = (reply: Reply): void => {
    // After the answer to stop, the agent is done.
    socket.end(`${JSON.stringify(reply)}\n`, () => {
      if ('stopped' in reply) process.exit(0)
    })
  }
  const onData = (chunk: string): void => {
    line += chunk
    const end = line.indexOf('\n')
    if (end < 0) {
      if (line.length > MAX_REQUEST_BYTES) socket.destroy()
      return
    }
    socket.off('data', onData)
    clearTimeout(timer)
    let request: unknown
    try {
      request = JSON.parse(line.slice(0, end))
    } catch {
      // Refused below, like a wrong key.
    }
    const { key: given, op } =
      typeof request === 'object' && request !== null
        ? (request as { key?: unknown; op?: unknown })
        : {}
    if (!keyMatches(given, key) || (op !== 'token' && op !== 'stop')) {
      answer({ error: 'The token agent refused the request: it does not carry the agent key.' })
      return
    }
    void act(op).then(answer)
  }
  socket.setEncoding('utf8')
  socket.on('data', onData)
}

/** Exits when the post step removed the socket (on Windows, the client: a pipe is no file), or at the cap. */
function watch(message: StartMessage, server: Server): void {
  const watched =
    process.platform === 'win32'
      ? agentPaths(win32.dirname(message.command), 'win32').client
      : message.socket
  const exit = (): void => {
    server.close()
    // An inherited socket's path stays when it closes: removed, later calls say the agent is gone.
    if (process.platform !== 'win32') rmSync(message.socket, { force: true })
    process.exit(0)
  }
  setInterval(() => {
    try {
      statSync(watched)
    } catch {
      exit()
    }
  }, WATCH_INTERVAL_MS).unref()
  setTimeout(exit, message.hardCapMs).unref()
}
