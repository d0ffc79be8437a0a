import { KEY_LINE } from './protocol.js'

/**
 * The token command's client, written next to the command when the agent starts. It loads only
 * node:net and node:fs (a fresh node per call, so start-up is its whole cost) and is CommonJS,
 * which starts faster than an ES module. Arguments: socket, deadline in ms, the command's path
 * (which holds the key). On success: `::add-mask::<token>` on stderr first, then the token on
 * stdout. On failure: one `::error::` line on stderr, nothing on stdout, exit 1.
 */
export const CLIENT_SOURCE = String.raw`'use strict'
// stent-token-action: asks the job's token agent for a fresh token. Holds no secret.
const { connect } = require('node:net')
const { readFileSync } = require('node:fs')
const [socketPath = '', deadline = '0', commandPath = ''] = process.argv.slice(2)
const escape = text => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
let done = false
function fail(message) {
  if (done) return
  done = true
  process.stderr.write('::error::' + escape(message) + '\n')
  process.exitCode = 1
}
let key
try {
  key = /${KEY_LINE.source}/m.exec(readFileSync(commandPath, 'utf8'))[1]
} catch {
  fail('The token command ' + commandPath + ' cannot be read, or holds no key: the token agent was stopped at the end of the job, or the file was changed.')
}
if (key) {
  const socket = connect(socketPath)
  const timer = setTimeout(() => {
    fail('The token agent did not answer within ' + Math.round(Number(deadline) / 1000) + ' s.')
    socket.destroy()
  }, Number(deadline))
  let reply = ''
  socket.setEncoding('utf8')
  socket.on('connect', () => socket.write(JSON.stringify({ key, op: 'token' }) + '\n'))
  socket.on('data', chunk => {
    reply += chunk
    if (reply.length > 65536) socket.destroy()
  })
  socket.on('error', error => {
    // No socket, no listener on it, or an agent that ended with this call in its queue.
    const gone = error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET'
    fail(
      gone
        ? 'The token agent is not running (' + error.code + ' on ' + socketPath + '): it was stopped by the post step or exited. Run the token command only in later steps of the job that started it.'
        : 'Could not reach the token agent at ' + socketPath + ' (' + (error.code || 'error') + ').'
    )
  })
  socket.on('close', () => {
    clearTimeout(timer)
    if (done) return
    let answer
    try {
      answer = JSON.parse(reply)
    } catch {
      return fail('The token agent closed the connection without an answer: it is stopping, or the request was refused.')
    }
    const token = answer && answer.token
    // One line of printable ASCII that cannot start a workflow command (an N_A token could).
    if (typeof token === 'string' && /^[\x21-\x7e]+$/.test(token) && !token.startsWith('::')) {
      done = true
      // The mask first, and the token only once it is written: the runner reads both streams.
      process.stderr.write('::add-mask::' + escape(token) + '\n', () => process.stdout.write(token + '\n'))
      return
    }
    fail(answer && typeof answer.error === 'string' ? answer.error : 'The token agent gave no token.')
  })
}
`
