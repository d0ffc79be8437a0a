// The troubleshooting table (docs/troubleshooting.md, and the six rows the README keeps) quotes how
// each message starts. Every message here is made by the real code (the built action for the proxy
// case), and each row must be the start of one of them: a reworded message fails this test until
// the docs follow.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startConnectProxy } from '../__fixtures__/connect-proxy.js'
import { fakeCore } from '../__fixtures__/core.js'
import { sendJson, startFaultServer, STENT_TOKEN_RESPONSE } from '../__fixtures__/fault-server.js'
import { ACTION_ENTRY, runAction } from '../__fixtures__/run-action.mjs'
import { makeCertificates } from '../__fixtures__/tls.js'
import { CLIENT_SOURCE } from '../src/agent/client.js'
import { agentPaths, posixCommand, STOPPED_MESSAGE } from '../src/agent/protocol.js'
import { handOver, spawnAgent } from '../src/agent/start.js'
import type { StartMessage } from '../src/agent/start-message.js'
import { run } from '../src/entry/main.js'
import { runPost } from '../src/entry/post.js'
import { send } from '../src/http/transport.js'

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')

/** The first cells of a troubleshooting table's body rows. */
const firstCells = (markdown: string) =>
  markdown
    .split('\n')
    .filter(line => line.startsWith('| ') && !/^\| (Message starts with|-+ )/.test(line))
    .map(line => line.split(/(?<!\\)\|/)[1]?.trim() ?? '')

/** Every row, in docs/troubleshooting.md. */
const rows = firstCells(read('docs/troubleshooting.md'))
/** The rows the README keeps, under its `## Troubleshooting`. */
const readmeRows = firstCells(
  (read('README.md').split(/^## Troubleshooting\n/m)[1] ?? '').split(/^## /m)[0]!
)

/** A row's message as a pattern: `<...>` is any value, a leading `... ` any text before. */
function pattern(cell: string): RegExp | undefined {
  const quoted = /^`([^`]+)`/.exec(cell)?.[1]
  if (!quoted) return undefined
  const anywhere = quoted.startsWith('... ')
  const body = (anywhere ? quoted.slice(4) : quoted)
    .split(/<[^>]+>/)
    .map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+?')
  return new RegExp(anywhere ? body : `^${body}`)
}

type Script = Parameters<typeof startFaultServer>[0]
const servers: Array<{ close(): Promise<void> }> = []
afterAll(() => Promise.all(servers.map(server => server.close())))

async function serve(script: Script, tls?: { key: string; cert: string }) {
  const server = await startFaultServer(script, tls)
  servers.push(server)
  return server
}

/** What run() prints as its failure (or its first warning) with these inputs and real transport. */
async function message(
  inputs: Record<string, string>,
  { env = {}, summaryFails = false } = {} as {
    env?: Record<string, string>
    summaryFails?: boolean
  }
): Promise<string> {
  const { core, record } = fakeCore({
    'client-id': 'ci',
    'client-secret': 'a-long-client-secret',
    'max-attempts': '1',
    ...inputs
  })
  if (summaryFails) {
    core.summary = { addRaw: () => ({ write: () => Promise.reject(new Error('no file')) }) }
  }
  await run({ core, env, send, sleep: async () => {}, now: Date.now, random: () => 0.5 })
  return (
    record.failed ??
    record.lines.find(line => line.startsWith('warning: '))?.slice('warning: '.length) ??
    ''
  )
}

/** What the post step warns when it cannot revoke the saved token. */
async function postWarning(inputs: Record<string, string>): Promise<string> {
  const { core, record } = fakeCore(
    { 'client-id': 'ci', 'client-secret': 'a-long-client-secret', revoke: 'true', ...inputs },
    { state: { 'revoke-token': STENT_TOKEN_RESPONSE.access_token } }
  )
  await runPost({ core, env: {}, send, sleep: async () => {}, now: Date.now, random: () => 0.5 })
  return record.lines.find(line => line.startsWith('warning: '))?.slice('warning: '.length) ?? ''
}

const json =
  (status: number, body: unknown, headers = {}): Script =>
  (_req, res) =>
    sendJson(res, status, body, headers)
const text =
  (status: number, body: string, type = 'text/plain'): Script =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': type })
    res.end(body)
  }

const messages: string[] = []
beforeAll(async () => {
  const at = async (script: Script, path = '/connect/token') =>
    `${(await serve(script)).origin}${path}`
  const tokenUrl = async (script: Script, path?: string) => ({
    'token-url': await at(script, path)
  })
  const refusing = await serve(json(400, { error: 'unsupported_token_type' }))
  const closed = await startFaultServer(text(200, ''))
  await closed.close()
  const certificates = makeCertificates(['auth.proxy.test'])
  const tlsServer = await serve(json(200, STENT_TOKEN_RESPONSE), certificates)
  const proxy = await startConnectProxy({
    hosts: { 'auth.proxy.test': '127.0.0.1' },
    credentials: { username: 'u', password: 'right' }
  })
  servers.push(proxy)
  // agent: true spawns the agent as the bundle loads: only the built action shows its messages.
  const agentless = await runAction(
    {
      'client-id': 'ci',
      'client-secret': 'a-long-client-secret',
      agent: 'true',
      ...(await tokenUrl(json(200, STENT_TOKEN_RESPONSE)))
    },
    { env: { RUNNER_TEMP: '' } }
  )
  // The token command's client, run after its agent ended (here: never started).
  const dir = mkdtempSync(join(tmpdir(), 'troubleshooting-agent-'))
  const paths = agentPaths(dir, 'linux')
  writeFileSync(paths.client, CLIENT_SOURCE)
  writeFileSync(
    paths.command,
    posixCommand({ node: process.execPath, paths, key: 'ab'.repeat(32), timeoutMs: 1000 }),
    { mode: 0o700 }
  )
  const stopped = await new Promise<string>(resolve =>
    execFile(paths.command, [], { env: {} }, (_error, _stdout, stderr) => resolve(stderr))
  )
  rmSync(dir, { recursive: true, force: true })
  // Where the agent listens itself (Windows), the step fails with what it says: here, a message
  // it cannot read.
  const notStarted = await handOver(spawnAgent({}, tmpdir(), undefined, ACTION_ENTRY), {
    inherited: false
  } as StartMessage).then(
    () => '',
    (error: unknown) => (error instanceof Error ? error.message : '')
  )
  const proxied = await runAction(
    {
      'client-id': 'ci',
      'client-secret': 'a-long-client-secret',
      'token-url': `https://auth.proxy.test:${tlsServer.port}/connect/token`
    },
    {
      env: {
        HTTPS_PROXY: `http://u:wrong@127.0.0.1:${proxy.port}`,
        NODE_EXTRA_CA_CERTS: certificates.caFile
      }
    }
  )
  messages.push(
    ...[
      await message({}, { env: { INPUT_CLIENT_SECRET: 'x' } }),
      await message({ 'client-secret': '' }),
      await message({ 'auth-method': 'private_key_jwt', 'client-assertion-key': 'not a key' }),
      await message({ 'max-attempts': 'many' }),
      await message({ 'auth-method': 'private-key-jwt' }),
      await message({ 'auth-method': 'github_oidc' }),
      await message(await tokenUrl(json(401, { error: 'invalid_client' }))),
      // Glewlwyd refuses a client with an empty 403.
      await message(await tokenUrl(text(403, ''))),
      await message(await tokenUrl(json(400, { error: 'unauthorized_client' }))),
      await message(await tokenUrl(json(400, { error: 'invalid_scope' }))),
      await message(await tokenUrl(json(400, { error: 'unsupported_response_type' }))),
      await message(await tokenUrl(json(400, { error: 'invalid_request' }))),
      await message(await tokenUrl(text(200, '<html>Sign in</html>', 'text/html'))),
      await message(await tokenUrl(text(404, ''))),
      await message(await tokenUrl(text(404, ''), '/')),
      await message(await tokenUrl(json(405, { issuer: 'x', token_endpoint: 'y' }))),
      await message(await tokenUrl(text(502, 'Bad gateway'))),
      await message(await tokenUrl(text(302, ''))),
      await message(await tokenUrl(json(200, { token_type: 'Bearer' }))),
      await message(await tokenUrl(text(200, 'x'.repeat(1024 * 1024 + 1)))),
      await message({ ...(await tokenUrl(text(503, ''))), 'max-attempts': '2' }),
      await message({ ...(await tokenUrl(() => {})), 'timeout-seconds': '1' }),
      await message({ 'token-url': closed.tokenUrl }),
      await message({
        ...(await tokenUrl(json(503, {}, { 'retry-after': '60' }))),
        'max-attempts': '3',
        'timeout-seconds': '1'
      }),
      await message({
        issuer: (await serve(text(404, '<html>Not found</html>', 'text/html'))).origin
      }),
      await message({
        issuer: 'https://idp.example.com/realms/ci/.well-known/openid-configuration'
      }),
      await message(await tokenUrl(json(200, { issuer: 'x', token_endpoint: 'y' }))),
      await message({ issuer: (await serve(json(200, { token_endpoint: 'x' }))).origin }),
      await message({
        issuer: (await serve(json(200, { issuer: 'https://other.example', token_endpoint: 'x' })))
          .origin
      }),
      proxied.log.match(/^::error::(.*)$/m)?.[1] ?? '',
      agentless.log.match(/^::error::(.*)$/m)?.[1] ?? '',
      /^::error::(.*)$/m.exec(stopped)?.[1] ?? '',
      notStarted,
      // What the post step leaves in the token command's place prints this (agent.test.ts runs it).
      STOPPED_MESSAGE,
      await message({ 'token-url': tlsServer.tokenUrl.replace('127.0.0.1', 'localhost') }),
      await message(await tokenUrl(json(200, STENT_TOKEN_RESPONSE)), { summaryFails: true }),
      await postWarning({
        'token-url': refusing.tokenUrl,
        'revocation-url': `${refusing.origin}/revoke`
      }),
      // On another origin than the token endpoint (the default token-url here): nothing is sent.
      await postWarning({ 'revocation-url': `${refusing.origin}/revoke` }),
      // Inputs that no longer read, with a token saved by the main step.
      await postWarning({ 'client-secret': '' })
    ]
  )
}, 30_000)

describe('the troubleshooting table in docs/troubleshooting.md', () => {
  it('has a row for every message here', () => {
    for (const text of messages) {
      expect(rows.filter(row => pattern(row)?.test(text))).not.toEqual([])
    }
  })

  it.each(rows.filter(row => pattern(row)))('%s starts a message the action prints', row => {
    expect(messages.filter(text => pattern(row)?.test(text))).not.toEqual([])
  })

  it('keeps a row for a symptom without a message: the empty variable in a later step', () => {
    expect(rows.some(row => row.startsWith('(no message) a later step sees an empty'))).toBe(true)
  })
})

describe("the README's troubleshooting rows", () => {
  it('are six rows of the full table, so the messages hold them too', () => {
    expect(readmeRows).toHaveLength(6)
    for (const row of readmeRows) expect(rows).toContain(row)
  })
})
