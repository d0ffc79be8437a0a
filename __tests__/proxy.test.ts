// Behind a corporate proxy: the built action with only HTTPS_PROXY / NO_PROXY set, through a real
// CONNECT proxy, to an HTTPS token endpoint whose CA comes from NODE_EXTRA_CA_CERTS.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startConnectProxy } from '../__fixtures__/connect-proxy.js'
import { sendJson, startFaultServer, STENT_TOKEN_RESPONSE } from '../__fixtures__/fault-server.js'
import { leakForms, runAction } from '../__fixtures__/run-action.mjs'
import { makeCertificates } from '../__fixtures__/tls.js'

// Not a loopback name: the toolkit always bypasses the proxy for loopback. Only the proxy knows it.
const HOST = 'auth.proxy.test'
const PROXY_USER = 'corp user'
const PROXY_PASSWORD = 'pr0xy p@ss:/%'

let certificates: ReturnType<typeof makeCertificates>
let endpoint: Awaited<ReturnType<typeof startFaultServer>>
let proxy: Awaited<ReturnType<typeof startConnectProxy>>
let proxyUrl: string

beforeAll(async () => {
  certificates = makeCertificates([HOST])
  endpoint = await startFaultServer(
    (_req, res) => sendJson(res, 200, STENT_TOKEN_RESPONSE),
    certificates
  )
  proxy = await startConnectProxy({
    hosts: { [HOST]: '127.0.0.1' },
    credentials: { username: PROXY_USER, password: PROXY_PASSWORD }
  })
  proxyUrl = `http://${encodeURIComponent(PROXY_USER)}:${encodeURIComponent(PROXY_PASSWORD)}@127.0.0.1:${proxy.port}`
})
afterAll(async () => {
  await Promise.all([endpoint.close(), proxy.close()])
})

async function run(env: Record<string, string>, inputs: Record<string, string> = {}) {
  const before = { connects: proxy.connects.length, requests: endpoint.requests.length }
  const result = await runAction(
    {
      'client-id': 'proxied',
      'client-secret': 'proxied secret',
      'token-url': `https://${HOST}:${endpoint.port}/connect/token`,
      ...inputs
    },
    { env: { RUNNER_DEBUG: '1', ...env } }
  )
  return {
    ...result,
    connects: proxy.connects.slice(before.connects),
    requests: endpoint.requests.slice(before.requests)
  }
}

describe('through an authenticating CONNECT proxy', () => {
  it.each(['HTTPS_PROXY', 'https_proxy'])(
    '%s with credentials in the URL, custom CA from NODE_EXTRA_CA_CERTS',
    async variable => {
      const result = await run({ [variable]: proxyUrl, NODE_EXTRA_CA_CERTS: certificates.caFile })
      expect(result.code).toBe(0)
      expect(result.outputs['access-token']).toBe(STENT_TOKEN_RESPONSE.access_token)
      expect(result.connects).toEqual([
        {
          target: `${HOST}:${endpoint.port}`,
          authorization: `Basic ${Buffer.from(`${PROXY_USER}:${PROXY_PASSWORD}`).toString('base64')}`
        }
      ])
      expect(result.requests).toHaveLength(1)
      for (const value of [PROXY_PASSWORD, proxyUrl]) {
        for (const form of leakForms(value)) expect(result.log).not.toContain(form)
      }
    }
  )

  it('wrong proxy credentials: a clear failure naming the proxy and HTTPS_PROXY, not retried', async () => {
    const wrong = proxyUrl.replace(encodeURIComponent(PROXY_PASSWORD), 'nope')
    const result = await run({ HTTPS_PROXY: wrong, NODE_EXTRA_CA_CERTS: certificates.caFile })
    expect(result.code).toBe(1)
    expect(result.connects).toHaveLength(1)
    expect(result.requests).toHaveLength(0)
    expect(result.log).toMatch(
      /^::error::Could not reach the proxy 127\.0\.0\.1:\d+ \(from HTTPS_PROXY\) on the way to auth\.proxy\.test:\d+: the proxy refused the credentials in HTTPS_PROXY \(HTTP 407\)\./m
    )
    expect(result.log).not.toContain('nope')
  })

  it('without the CA: a TLS error with the ca-certificate hint, not retried', async () => {
    const result = await run({ HTTPS_PROXY: proxyUrl })
    expect(result.code).toBe(1)
    expect(result.connects).toHaveLength(1)
    expect(result.log).toMatch(
      /^::error::Could not get a response from auth\.proxy\.test:\d+: TLS error \w+; if the server uses a private CA, pass its certificate as ca-certificate, or point NODE_EXTRA_CA_CERTS at it\./m
    )
  })

  it('NO_PROXY naming the host: the proxy is bypassed (the name then only resolves by DNS)', async () => {
    const result = await run(
      {
        HTTPS_PROXY: proxyUrl,
        NO_PROXY: `example.com,.proxy.test`,
        NODE_EXTRA_CA_CERTS: certificates.caFile
      },
      { 'max-attempts': '1' }
    )
    expect(result.connects).toHaveLength(0)
    expect(result.code).toBe(1)
    expect(result.log).toMatch(/network error (ENOTFOUND|EAI_AGAIN)/)
  })
})
