// `npm start` is a newcomer's first run: its output must be the action's log and nothing a reader
// would take for a problem (a third-party warning, a deprecation notice).
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')

describe('npm start', () => {
  it('gets a token from the embedded server and prints no warnings', () => {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('STENT_'))
    )
    // What `npm start` runs after its build; the committed dist/ is the build (check-dist).
    const run = spawnSync(process.execPath, [join(root, 'scripts', 'start.mjs')], {
      cwd: root,
      env,
      encoding: 'utf8'
    })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('Got a Bearer token')
    expect(run.stdout + run.stderr).not.toMatch(/warn|deprecat/i)
    expect(run.stderr).toBe('')
  })
})
