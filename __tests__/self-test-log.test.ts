// The self-test workflow's log check (scripts/check-log.mjs), on logs of real runs of dist/.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { DEMO_CLIENT, startAuthServer } from '../__fixtures__/auth-server.mjs'
import { runAction, type ActionRun } from '../__fixtures__/run-action.mjs'
import { checkLog } from '../scripts/check-log.mjs'

let server: Awaited<ReturnType<typeof startAuthServer>>
let good: ActionRun
let wrong: ActionRun
beforeAll(async () => {
  server = await startAuthServer()
  const inputs = { 'client-id': DEMO_CLIENT.client_id, 'token-url': server.tokenUrl }
  good = await runAction({ ...inputs, 'client-secret': DEMO_CLIENT.client_secret })
  wrong = await runAction({ ...inputs, 'client-secret': 'not-the-secret', 'max-attempts': '2' })
})
afterAll(() => server.close())

describe('the self-test log check', () => {
  it('passes a job log as the runner keeps it: token masked, wrong secret refused', () => {
    expect(good.code).toBe(0)
    expect(wrong.code).toBe(1)
    expect(checkLog(`${good.log}\n${wrong.log}`)).toEqual([])
  })

  it('fails a log where the token is visible', () => {
    expect(checkLog(`${good.stdout}\n${wrong.log}`)).toEqual([
      expect.stringMatching(/^line \d+ holds a JWT: the token reached the log unmasked$/)
    ])
  })

  it('fails a log without the wrong-secret failure', () => {
    expect(checkLog(good.log)).toEqual([
      expect.stringContaining('the wrong-secret step did not fail with')
    ])
  })
})
