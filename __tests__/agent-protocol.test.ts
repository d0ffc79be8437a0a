// The token agent's pure parts (paths, the command on both platforms, the key, freshness), its
// single-flight cache, and the token command's client against a stand-in agent on a real socket.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TokenCache } from '../src/agent/cache.js'
import { CLIENT_SOURCE } from '../src/agent/client.js'
import {
  agentPaths,
  freshUntil,
  isAgentDir,
  keyMatches,
  posixCommand,
  readKey,
  STOPPED_MESSAGE,
  stoppedCommand,
  windowsCommand
} from '../src/agent/protocol.js'
import type { FetchedToken } from '../src/steps/token.js'
import { fetchedToken } from '../__fixtures__/fetched-token.js'

const KEY = 'ab'.repeat(32)
const HEX = '0123456789abcdef'.repeat(2)

describe('Windows: a named pipe and a .cmd wrapper', () => {
  const dir = `C:\\Users\\runner\\work\\_temp\\stent-token-agent-${HEX}`
  const paths = agentPaths(dir, 'win32')

  it('names the pipe after the directory, and keeps the command and client in it', () => {
    expect(paths).toEqual({
      dir,
      socket: `\\\\.\\pipe\\stent-token-agent-${HEX}`,
      bound: `\\\\.\\pipe\\stent-token-agent-${HEX}`,
      command: `${dir}\\token.cmd`,
      client: `${dir}\\client.cjs`
    })
  })

  it('writes a .cmd that runs the client with the key only in its own rem line', () => {
    const node = 'C:\\Program Files\\node 100%\\node.exe'
    const text = windowsCommand({ node, paths, key: KEY, timeoutMs: 5000 })
    expect(text.split('\r\n')).toEqual([
      '@echo off',
      'rem Prints a fresh access token from the token agent of stent-token-action. Takes no arguments.',
      `rem key=${KEY}`,
      `"C:\\Program Files\\node 100%%\\node.exe" "${dir}\\client.cjs" "\\\\.\\pipe\\stent-token-agent-${HEX}" "5000" "${dir}\\token.cmd"`,
      'exit /b %ERRORLEVEL%',
      ''
    ])
    expect(readKey(text)).toBe(KEY)
  })
})

describe('POSIX: a socket and an sh script', () => {
  it('keeps the socket (bound under a name no longer), command and client in the directory', () => {
    expect(agentPaths('/t/d', 'linux')).toEqual({
      dir: '/t/d',
      socket: '/t/d/agent.sock',
      bound: '/t/d/bind.sock',
      command: '/t/d/token',
      client: '/t/d/client.cjs'
    })
  })

  it('quotes every word for sh, and holds the key only in a comment line', () => {
    const paths = agentPaths("/t/it's $HOME", 'linux')
    const text = posixCommand({ node: '/usr/bin/node', paths, key: KEY, timeoutMs: 7 })
    expect(text).toContain(`\n# key=${KEY}\n`)
    expect(text).toContain(
      `exec '/usr/bin/node' '/t/it'\\''s $HOME/client.cjs' '/t/it'\\''s $HOME/agent.sock' '7' '/t/it'\\''s $HOME/token'\n`
    )
    expect(readKey(text)).toBe(KEY)
  })
})

describe('the command the post step leaves in place of the token command', () => {
  it('is plain words, which neither sh nor cmd expands', () => {
    expect(STOPPED_MESSAGE).toMatch(/^[A-Za-z0-9 .,-]+$/)
  })

  it('on Windows: prints one ::error:: line on stderr and exits 1, with no key', () => {
    expect(stoppedCommand('win32').split('\r\n')).toEqual([
      '@echo off',
      `>&2 echo ::error::${STOPPED_MESSAGE}`,
      'exit /b 1',
      ''
    ])
  })

  it('on POSIX: sh prints one ::error:: line on stderr, nothing on stdout, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stopped-'))
    const command = join(dir, 'token')
    writeFileSync(command, stoppedCommand('linux'), { mode: 0o700 })
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      resolve => {
        const child = execFile(command, (_error, stdout, stderr) =>
          resolve({ code: child.exitCode, stdout, stderr })
        )
      }
    )
    rmSync(dir, { recursive: true, force: true })
    expect(result).toEqual({ code: 1, stdout: '', stderr: `::error::${STOPPED_MESSAGE}\n` })
    expect(readKey(stoppedCommand('linux'))).toBeUndefined()
  })
})

describe('the key', () => {
  it('matches only itself', () => {
    expect(keyMatches(KEY, KEY)).toBe(true)
    expect(keyMatches('cd'.repeat(32), KEY)).toBe(false)
    expect(keyMatches(KEY.slice(1), KEY)).toBe(false)
    expect(keyMatches(undefined, KEY)).toBe(false)
    expect(keyMatches(42, KEY)).toBe(false)
    // As many characters as the key but more bytes: refused, not a crash of the agent.
    expect(keyMatches(`é${KEY.slice(1)}`, KEY)).toBe(false)
  })

  it('is read only from a key line of 64 hex digits', () => {
    expect(readKey(`# key=${KEY.slice(2)}\n`)).toBeUndefined()
    expect(readKey(`echo key=${KEY}\n`)).toBeUndefined()
  })
})

describe('saved state naming the agent directory is untrusted', () => {
  const temp = '/home/runner/work/_temp'
  it.each([
    [`${temp}/stent-token-agent-${HEX}`, true],
    [`${temp}/stent-token-agent-${HEX}/`, false],
    [`${temp}/../_temp/stent-token-agent-${HEX}`, false],
    [`${temp}/x/stent-token-agent-${HEX}`, false],
    [`/etc/stent-token-agent-${HEX}`, false],
    [`${temp}/stent-token-agent-${HEX.toUpperCase()}`, false],
    [`${temp}/stent-token-agent-${HEX}x`, false],
    [`stent-token-agent-${HEX}`, false],
    ['', false]
  ])('%s: %s', (dir, ok) => {
    expect(isAgentDir(dir, temp)).toBe(ok)
  })

  it('is refused without RUNNER_TEMP', () => {
    expect(isAgentDir(`${temp}/stent-token-agent-${HEX}`, undefined)).toBe(false)
  })
})

describe('freshness', () => {
  const token = { requestedAt: 0, expiresAtMs: 3_600_000 }
  it('with min-validity: until that many seconds are left', () => {
    expect(freshUntil(token, 600)).toBe(3_000_000)
  })
  it('without: a margin of half the lifetime, at most 5 minutes', () => {
    expect(freshUntil(token, 0)).toBe(3_300_000)
    expect(freshUntil({ requestedAt: 0, expiresAtMs: 300_000 }, 0)).toBe(150_000)
  })
  it('without a known expiry: kept', () => {
    expect(freshUntil({ requestedAt: 0, expiresAtMs: undefined }, 600)).toBe(Infinity)
  })
})

const fetched = (name: string, expiresAtMs: number): FetchedToken => fetchedToken(name, expiresAtMs)

describe('the cache', () => {
  it('serves a fresh token from memory, and makes one request for many callers', async () => {
    let now = 0
    let calls = 0
    let release: (token: FetchedToken) => void = () => {}
    const cache = new TokenCache(
      fetched('first', 60_000),
      59,
      () => {
        calls++
        return new Promise(resolve => (release = resolve))
      },
      () => now
    )
    expect(await cache.get()).toBe('first')
    now = 1001
    const waiting = Array.from({ length: 5 }, () => cache.get())
    release(fetched('second', 120_000))
    expect(await Promise.all(waiting)).toEqual(Array(5).fill('second'))
    expect(calls).toBe(1)
    expect(cache.served).toBe(6)
    expect(cache.fetched.map(t => t.token.accessToken)).toEqual(['second'])
  })

  it('fails every caller of a failed refresh, and tries again on the next call', async () => {
    let calls = 0
    const cache = new TokenCache(
      fetched('first', 0),
      0,
      async () => {
        calls++
        if (calls === 1) throw new Error('refused')
        return fetched('second', 60_000)
      },
      () => 1
    )
    await expect(Promise.all([cache.get(), cache.get()])).rejects.toThrow('refused')
    expect(calls).toBe(1)
    expect(await cache.get()).toBe('second')
    expect(cache.served).toBe(1)
  })
})

describe('the token command against a stand-in agent', () => {
  const dir = mkdtempSync(join(tmpdir(), "agent client's dir "))
  const paths = agentPaths(dir, 'linux')
  let reply: (line: string) => string | undefined = () => undefined
  let server: Server
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true })
    writeFileSync(paths.client, CLIENT_SOURCE)
    writeFileSync(
      paths.command,
      posixCommand({ node: process.execPath, paths, key: KEY, timeoutMs: 1000 })
    )
    chmodSync(paths.command, 0o700)
    server = createServer(socket => {
      socket.setEncoding('utf8')
      socket.once('data', (line: string) => {
        const answer = reply(line)
        if (answer !== undefined) socket.end(answer)
      })
    })
    await new Promise<void>(resolve => server.listen(paths.socket, resolve))
  })
  afterAll(() => {
    server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const run = () =>
    new Promise<{ code: number; stdout: string; stderr: string }>(resolve =>
      execFile(paths.command, [], { env: {} }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr })
      )
    )

  it('sends the key from its file, masks the token on stderr, then prints it', async () => {
    let request = ''
    reply = line => {
      request = line
      return JSON.stringify({ token: 'tok%en-1234567' })
    }
    expect(await run()).toEqual({
      code: 0,
      stdout: 'tok%en-1234567\n',
      stderr: '::add-mask::tok%25en-1234567\n'
    })
    expect(JSON.parse(request)).toEqual({ key: KEY, op: 'token' })
  })

  it("passes on the agent's error as one escaped ::error:: line, and nothing on stdout", async () => {
    reply = () => JSON.stringify({ error: 'HTTP 400 invalid_client: 100%\n::add-mask::x' })
    expect(await run()).toEqual({
      code: 1,
      stdout: '',
      stderr: '::error::HTTP 400 invalid_client: 100%25%0A::add-mask::x\n'
    })
  })

  it('refuses a token that is not one line of printable ASCII', async () => {
    reply = () => JSON.stringify({ token: 'a\nb::set-output' })
    const result = await run()
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toBe('::error::The token agent gave no token.\n')
  })

  it('refuses a token that would start a workflow command on its stdout line', async () => {
    reply = () => JSON.stringify({ token: '::stop-commands::x' })
    const result = await run()
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toBe('::error::The token agent gave no token.\n')
  })

  it('gives up at its deadline', async () => {
    reply = () => undefined
    const result = await run()
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toBe('::error::The token agent did not answer within 1 s.\n')
  })

  it('says the agent is not running when it ends with the call unread (it could not start)', async () => {
    await new Promise(resolve => server.close(resolve))
    // Accepted, never read, then closed: the kernel resets the connection, as it does for a call
    // queued on the socket of an agent that exits before it serves.
    const ending = createServer({ pauseOnConnect: true }, socket =>
      setTimeout(() => socket.destroy(), 100)
    )
    await new Promise<void>(resolve => ending.listen(paths.socket, resolve))
    const result = await run()
    await new Promise(resolve => ending.close(resolve))
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toMatch(/^::error::The token agent is not running \(ECONNRESET on /)
  })

  it('says the agent is not running when its socket is gone', async () => {
    await new Promise(resolve => server.close(resolve))
    const result = await run()
    expect(result).toMatchObject({ code: 1, stdout: '' })
    expect(result.stderr).toMatch(/^::error::The token agent is not running \(ENOENT on /)
  })
})
