import { connect } from 'node:net'
import type { Reply } from './protocol.js'

/** Sends one request line to the agent and reads its one JSON answer; rejects on any failure. */
export function ask(
  socketPath: string,
  request: { key: string; op: 'token' | 'stop' },
  timeoutMs: number
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath)
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`))
    }, timeoutMs)
    let reply = ''
    socket.setEncoding('utf8')
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`))
    socket.on('data', chunk => (reply += chunk))
    socket.on('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    socket.on('close', () => {
      clearTimeout(timer)
      try {
        resolve(JSON.parse(reply) as Reply)
      } catch {
        reject(new Error('no answer'))
      }
    })
  })
}
