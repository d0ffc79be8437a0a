// `npm test` prints the test summary and failures: the fixtures themselves must not warn.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { DEMO_CLIENT, startAuthServer } from '../__fixtures__/auth-server.mjs'

describe('the auth-server fixture', () => {
  const spies: Array<ReturnType<typeof jest.spyOn>> = []
  beforeEach(() => {
    for (const method of ['warn', 'info', 'log', 'error'] as const) {
      spies.push(jest.spyOn(console, method).mockImplementation(() => {}))
    }
  })
  afterEach(() => spies.splice(0).forEach(spy => spy.mockRestore()))

  it('starts, issues and revokes a token, and stops without a console line', async () => {
    const server = await startAuthServer({ opaque: [DEMO_CLIENT.client_id] })
    try {
      const form = (fields: Record<string, string>) => ({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString()
      })
      const credentials = {
        client_id: DEMO_CLIENT.client_id,
        client_secret: DEMO_CLIENT.client_secret
      }
      const response = await fetch(
        server.tokenUrl,
        form({ grant_type: 'client_credentials', ...credentials })
      )
      expect(response.status).toBe(200)
      const { access_token: token } = (await response.json()) as { access_token: string }
      const revoked = await fetch(server.revocationUrl, form({ token, ...credentials }))
      expect(revoked.status).toBe(200)
      expect((await fetch(`${server.issuer}/.well-known/openid-configuration`)).status).toBe(200)
    } finally {
      await server.close()
    }
    for (const spy of spies) expect(spy.mock.calls).toEqual([])
  })
})
