// `npm run release` against a throwaway copy of the project in its own git repository, and the
// CHANGELOG section the release workflow publishes as the release notes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import * as prettier from 'prettier'
import { parse } from 'yaml'
import { changelogSection } from '../scripts/changelog-section.mjs'

const root = join(import.meta.dirname, '..')
const DATE = '2026-03-14'
const STALE = '// stale: not what npm run build makes\n'
/** git's own variables (a hook's GIT_DIR, say) would point the commands at the wrong repository. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_'))
)

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim()
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8')

const repos: string[] = []
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true })
})

/** A copy of the project's files (as git would commit them) on main, released as v1.0.0. */
function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'release-test-'))
  repos.push(dir)
  const files = git(root, 'ls-files', '--cached', '--others', '--exclude-standard', '-z')
    .split('\0')
    .filter(file => file && existsSync(join(root, file)))
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    cpSync(join(root, file), join(dir, file))
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  git(dir, 'init', '--quiet', '-b', 'main')
  // .gitignore's `node_modules/` matches a directory, not this symlink.
  appendFileSync(join(dir, '.git', 'info', 'exclude'), 'node_modules\n')
  git(dir, 'config', 'user.name', 'Release Test')
  git(dir, 'config', 'user.email', 'release-test@example.invalid')
  git(dir, 'config', 'commit.gpgsign', 'false')
  git(dir, 'config', 'tag.gpgsign', 'false')
  git(dir, 'add', '--all')
  git(dir, 'commit', '--quiet', '-m', 'The project as it is')
  git(dir, 'tag', '--annotate', 'v1.0.0', '-m', 'v1.0.0')
  return dir
}

/** Runs the project's release script on the repository `dir`, as `npm run release -- ...` does. */
function release(dir: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [join(root, 'scripts', 'release.mjs'), ...args], {
    cwd: root,
    env: { ...env, RELEASE_DIR: dir, RELEASE_DATE: DATE },
    encoding: 'utf8'
  })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** Everything a release could change. */
function snapshot(dir: string) {
  return {
    head: git(dir, 'rev-parse', 'HEAD'),
    branch: git(dir, 'branch', '--show-current'),
    status: git(dir, 'status', '--porcelain'),
    tags: git(dir, 'tag', '--list'),
    files: ['CHANGELOG.md', 'package.json', 'package-lock.json', 'dist/index.js'].map(name =>
      read(dir, name)
    )
  }
}

/**
 * A refusal: exit code 1, one line on stderr (after what a failed build printed), nothing on
 * stdout (unless the release got as far as the build), no stack trace, the repository unchanged.
 */
function expectRefusal(dir: string, args: string[], message: RegExp, stdout: unknown = '') {
  const before = snapshot(dir)
  const run = release(dir, ...args)
  expect(run).toEqual({ code: 1, stdout, stderr: expect.stringMatching(message) })
  expect(run.stderr).toMatch(/(^|\n)release: [^\n]+\n$/)
  expect(run.stderr).not.toMatch(/^\s+at /m)
  expect(snapshot(dir)).toEqual(before)
}

describe('npm run release refuses, with one line naming the fault and the fix, changing nothing', () => {
  let dir: string
  beforeAll(() => {
    dir = makeRepo()
  })

  it.each(['1.1', 'v1.1.0', '1.1.0+build.5', '01.1.0', '1.1.0-', 'latest'])(
    'a version that is not X.Y.Z[-prerelease]: %s',
    version => {
      expectRefusal(dir, [version], /is not a version\. Give X\.Y\.Z or X\.Y\.Z-prerelease/)
    }
  )

  it('no version, two versions, or an unknown option', () => {
    expectRefusal(dir, [], /No version given\. Usage: npm run release -- <X\.Y\.Z> \[--dry-run\]/)
    expectRefusal(dir, ['1.1.0', '1.2.0'], /One version, not 2\. Usage:/)
    expectRefusal(dir, ['1.1.0', '--force'], /Unknown option '--force'\. Usage:/)
  })

  it.each([
    ['1.0.0', '1.0.0'],
    ['0.9.9', '1.0.0'],
    ['1.0.0-rc.1', '1.0.0']
  ])('a version not greater than the last tag: %s after v%s', (version, last) => {
    expectRefusal(
      dir,
      [version],
      new RegExp(
        `^release: ${version} is not greater than the last release ${last} \\(tag v${last}\\)\\. Choose a higher version\\.`
      )
    )
  })

  it('the last release is the highest vX.Y.Z tag, by semver precedence, not the major tag', () => {
    for (const tag of ['v1', 'v1.10.0', 'v1.9.0', 'v1.10.0-rc.1']) git(dir, 'tag', tag)
    try {
      expectRefusal(
        dir,
        ['1.9.5'],
        /1\.9\.5 is not greater than the last release 1\.10\.0 \(tag v1\.10\.0\)/
      )
      expect(release(dir, '1.10.1', '--dry-run').code).toBe(0)
    } finally {
      git(dir, 'tag', '--delete', 'v1', 'v1.10.0', 'v1.9.0', 'v1.10.0-rc.1')
    }
  })

  it("with no v* tag, the last release is package.json's version", () => {
    git(dir, 'tag', '--delete', 'v1.0.0')
    try {
      expectRefusal(
        dir,
        ['1.0.0'],
        /not greater than the last release 1\.0\.0 \(package\.json's version; no v\* tag yet\)/
      )
      expect(release(dir, '1.0.1', '--dry-run').code).toBe(0)
    } finally {
      git(dir, 'tag', '--annotate', 'v1.0.0', '-m', 'v1.0.0')
    }
  })

  it('a dirty working tree: a changed file or an untracked one', () => {
    const readme = read(dir, 'README.md')
    writeFileSync(join(dir, 'README.md'), `${readme}\nA local edit.\n`)
    try {
      expectRefusal(
        dir,
        ['1.1.0'],
        /^release: The working tree has uncommitted changes \(README\.md\)\. Commit or stash them, then release again\.$/m
      )
    } finally {
      writeFileSync(join(dir, 'README.md'), readme)
    }
    writeFileSync(join(dir, 'notes.txt'), 'scratch\n')
    try {
      expectRefusal(dir, ['1.1.0'], /uncommitted changes \(notes\.txt\)/)
    } finally {
      rmSync(join(dir, 'notes.txt'))
    }
  })

  it('a branch other than main, or a detached HEAD', () => {
    git(dir, 'switch', '--quiet', '-c', 'feature')
    try {
      expectRefusal(
        dir,
        ['1.1.0'],
        /^release: Releases are cut from main, but the branch is 'feature'\. Run `git switch main` \(and pull\), then release again\.$/m
      )
      git(dir, 'switch', '--quiet', '--detach')
      expectRefusal(dir, ['1.1.0'], /Releases are cut from main, but HEAD is detached\./)
    } finally {
      git(dir, 'switch', '--quiet', 'main')
      git(dir, 'branch', '--quiet', '-D', 'feature')
    }
  })

  it('no entries under Unreleased (subheadings alone are not entries)', () => {
    const changelog = read(dir, 'CHANGELOG.md')
    const empty = changelog.replace(
      /## \[Unreleased\]\n[\s\S]*?(?=## \[1\.0\.0\])/,
      '## [Unreleased]\n\n### Added\n\n'
    )
    expect(empty).not.toBe(changelog)
    writeFileSync(join(dir, 'CHANGELOG.md'), empty)
    git(dir, 'commit', '--quiet', '-am', 'An empty Unreleased section')
    try {
      expectRefusal(
        dir,
        ['1.1.0'],
        /^release: CHANGELOG\.md has no entries under '## \[Unreleased\]'\. List the changes since 1\.0\.0 there, commit, then release again\.$/m
      )
    } finally {
      git(dir, 'reset', '--quiet', '--hard', 'HEAD~1')
    }
  })

  it('a build that fails: everything written before it is put back', () => {
    const pkg = JSON.parse(read(dir, 'package.json'))
    const failing = { ...pkg, scripts: { ...pkg.scripts, build: 'echo build broke >&2; exit 3' } }
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(failing, null, 2)}\n`)
    git(dir, 'commit', '--quiet', '-am', 'A build that fails')
    try {
      expectRefusal(
        dir,
        ['1.1.0'],
        /^build broke\nrelease: `npm run build` failed \(see above\)\. Fix the build, then release again\.\n$/,
        expect.stringMatching(/^Releasing 1\.1\.0 /)
      )
    } finally {
      git(dir, 'reset', '--quiet', '--hard', 'HEAD~1')
    }
  })
})

describe('npm run release -- X.Y.Z --dry-run', () => {
  let dir: string
  beforeAll(() => {
    dir = makeRepo()
  })

  it('describes the release: versions, the CHANGELOG entries, dist/, commit, tag, push', () => {
    const before = snapshot(dir)
    const run = release(dir, '1.1.0', '--dry-run')
    expect(run.code).toBe(0)
    expect(run.stderr).toBe('')
    const unreleased = changelogSection(read(dir, 'CHANGELOG.md'), 'Unreleased') ?? ''
    expect(run.stdout).toContain(`Dry run: would release 1.1.0 (from 1.0.0), dated ${DATE}:`)
    expect(run.stdout).toContain(`the Unreleased entries become '## [1.1.0] - ${DATE}'`)
    for (const line of unreleased.split('\n').filter(Boolean)) {
      expect(run.stdout).toContain(`    ${line}\n`)
    }
    expect(run.stdout).toContain('version 1.0.0 -> 1.1.0')
    expect(run.stdout).toContain('dist/: rebuilt with `npm run build`')
    expect(run.stdout).toContain("one commit 'Release 1.1.0' on main, and the annotated tag v1.1.0")
    expect(run.stdout).toMatch(
      /Nothing was changed\. .*: git push --atomic origin main v1\.1\.0\n$/
    )
    expect(snapshot(dir)).toEqual(before)
  })

  it('previews from a branch with local changes, naming what would stop the real release', () => {
    git(dir, 'switch', '--quiet', '-c', 'preview')
    writeFileSync(join(dir, 'notes.txt'), 'scratch\n')
    try {
      const before = snapshot(dir)
      const run = release(dir, '1.1.0', '--dry-run')
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Dry run: would release 1.1.0')
      expect(run.stdout).toContain(
        'A release would refuse here now: The working tree has uncommitted changes (notes.txt).'
      )
      expect(run.stdout).toContain(
        "A release would refuse here now: Releases are cut from main, but the branch is 'preview'."
      )
      expect(snapshot(dir)).toEqual(before)
    } finally {
      rmSync(join(dir, 'notes.txt'))
      git(dir, 'switch', '--quiet', 'main')
      git(dir, 'branch', '--quiet', '-D', 'preview')
    }
  })
})

type Lockfile = { version: string; packages: Record<string, { version?: string }> }

describe('npm run release -- 1.1.0', () => {
  let dir: string
  let before: string
  let original: { changelog: string; pkg: Record<string, unknown>; lock: Lockfile }
  let run: ReturnType<typeof release>
  beforeAll(() => {
    dir = makeRepo()
    // A committed dist/ that is not what the build makes: the release must rebuild and commit it.
    appendFileSync(join(dir, 'dist', 'index.js'), STALE)
    git(dir, 'commit', '--quiet', '-am', 'A stale dist/')
    before = git(dir, 'rev-parse', 'HEAD')
    original = {
      changelog: read(dir, 'CHANGELOG.md'),
      pkg: JSON.parse(read(dir, 'package.json')),
      lock: JSON.parse(read(dir, 'package-lock.json'))
    }
    run = release(dir, '1.1.0')
  }, 60_000)

  it('succeeds and prints the one push command to run, last', () => {
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(
      /Committed [0-9a-f]{7,} and tagged v1\.1\.0\. Nothing was pushed\. To publish the release, run:\ngit push --atomic origin main v1\.1\.0\n$/
    )
  })

  it('makes one commit on main, leaving the tree clean', () => {
    expect(git(dir, 'rev-list', `${before}..main`).split('\n')).toHaveLength(1)
    expect(git(dir, 'rev-parse', 'HEAD~1')).toBe(before)
    expect(git(dir, 'branch', '--show-current')).toBe('main')
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('Release 1.1.0')
    expect(git(dir, 'status', '--porcelain')).toBe('')
    const changed = git(dir, 'diff', '--name-only', before, 'HEAD').split('\n')
    expect(changed).toEqual(
      expect.arrayContaining(['CHANGELOG.md', 'package.json', 'dist/index.js'])
    )
    for (const file of changed) {
      expect(file).toMatch(/^(CHANGELOG\.md|package\.json|package-lock\.json|dist\/.+)$/)
    }
  })

  it('tags that commit with the annotated tag v1.1.0', () => {
    expect(git(dir, 'cat-file', '-t', 'v1.1.0')).toBe('tag')
    expect(git(dir, 'rev-parse', 'v1.1.0^{commit}')).toBe(git(dir, 'rev-parse', 'HEAD'))
    expect(git(dir, 'tag', '--list', 'v*')).toBe('v1.0.0\nv1.1.0')
  })

  it("moves the Unreleased entries under '## [1.1.0] - date', leaving an empty Unreleased", () => {
    const changelog = read(dir, 'CHANGELOG.md')
    const entries = changelogSection(original.changelog, 'Unreleased') ?? ''
    expect(entries).toContain('private_key_jwt')
    expect(changelog).toBe(
      original.changelog.replace(
        `## [Unreleased]\n\n${entries}\n\n## [1.0.0]`,
        `## [Unreleased]\n\n## [1.1.0] - ${DATE}\n\n${entries}\n\n## [1.0.0]`
      )
    )
    expect(changelog).not.toBe(original.changelog)
    expect(changelogSection(changelog, 'Unreleased')).toBe('')
    expect(changelogSection(changelog, '1.1.0')).toBe(entries)
  })

  it('sets the version in package.json and in both places in package-lock.json, nothing else', () => {
    expect(JSON.parse(read(dir, 'package.json'))).toEqual({ ...original.pkg, version: '1.1.0' })
    const lock = JSON.parse(read(dir, 'package-lock.json'))
    expect(lock.version).toBe('1.1.0')
    expect(lock.packages[''].version).toBe('1.1.0')
    expect({
      ...lock,
      version: '1.0.0',
      packages: { ...lock.packages, '': original.lock.packages[''] }
    }).toEqual(original.lock)
  })

  it('rebuilds dist/ and commits it', () => {
    const committed = execFileSync('git', ['show', 'v1.1.0:dist/index.js'], { cwd: dir, env })
    expect(committed.toString()).not.toContain(STALE.trim())
    expect(committed.length).toBeGreaterThan(10_000)
    expect(readFileSync(join(dir, 'dist/index.js'))).toEqual(committed)
  })

  it('leaves files that the format check accepts', async () => {
    for (const name of ['CHANGELOG.md', 'package.json']) {
      const options = { ...(await prettier.resolveConfig(join(dir, name))), filepath: name }
      expect(await prettier.check(read(dir, name), options)).toBe(true)
    }
  })

  it('refuses to release the same version again', () => {
    expectRefusal(
      dir,
      ['1.1.0'],
      /1\.1\.0 is not greater than the last release 1\.1\.0 \(tag v1\.1\.0\)/
    )
  })
})

describe('the release notes: scripts/changelog-section.mjs, as the release workflow runs it', () => {
  const changelog = [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    '## [1.2.0] - 2026-04-01',
    '',
    '### Added',
    '',
    '- Two.',
    '  Continued, with a [1.1.0] link in the text.',
    '',
    '## [1.1.0] - 2026-03-14',
    '',
    '### Fixed',
    '',
    '- One.',
    '',
    '## [1.0.0]',
    '',
    '- First.',
    ''
  ].join('\n')
  let file: string
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'changelog-section-'))
    repos.push(dir)
    file = join(dir, 'CHANGELOG.md')
    writeFileSync(file, changelog)
  })
  const section = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'scripts', 'changelog-section.mjs'), ...args], {
      cwd: root,
      encoding: 'utf8'
    })

  it.each([
    ['1.2.0', '### Added\n\n- Two.\n  Continued, with a [1.1.0] link in the text.\n'],
    ['1.1.0', '### Fixed\n\n- One.\n'],
    ['1.0.0', '- First.\n']
  ])('%s: exactly the lines between its heading and the next', (version, notes) => {
    expect(section(version, file)).toMatchObject({ status: 0, stdout: notes, stderr: '' })
  })

  it('fails, naming the version, when the CHANGELOG has no section or an empty one for it', () => {
    for (const version of ['1.3.0', 'Unreleased']) {
      const run = section(version, file)
      expect(run.status).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toContain(`has no entries under '## [${version}]'`)
    }
  })

  it("publishes the project's 1.0.0 entry from CHANGELOG.md by default", () => {
    const run = section('1.0.0')
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/^### Added\n\n- Client-credentials token from Stent/)
    expect(run.stdout).not.toContain('## [')
  })
})

describe('.github/workflows/release.yml', () => {
  const workflow = parse(read(root, '.github/workflows/release.yml'))
  type Step = Record<string, string> & { with?: Record<string, string> }
  type Job = { needs?: string | string[]; permissions?: Record<string, string>; steps: Step[] }
  const jobs = Object.entries(workflow.jobs as Record<string, Job>)
  const steps = jobs.flatMap(([, job]) => job.steps)

  it('runs on a pushed vX.Y.Z tag', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*.*.*'] } })
  })

  it('reads by default; only the jobs that attest and publish may write, and neither runs npm code', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' })
    const writers = jobs.filter(([, job]) =>
      JSON.stringify(job.permissions ?? {}).includes('write')
    )
    expect(writers.map(([name]) => name)).toEqual(['attest', 'publish'])
    for (const [, job] of writers) {
      expect(JSON.stringify(job.steps)).not.toMatch(/\bnp[mx]\b/)
    }
  })

  it('attests only after verify, with no more than signing needs, and publishes only after that', () => {
    const attest = workflow.jobs.attest as Job
    expect(attest.needs).toBe('verify')
    expect(attest.permissions).toEqual({
      contents: 'read',
      'id-token': 'write',
      attestations: 'write'
    })
    expect(attest.steps.map(step => step.uses?.replace(/@.*/, ''))).toEqual([
      'actions/checkout',
      'actions/attest-build-provenance'
    ])
    expect(workflow.jobs.publish.needs).toEqual(['verify', 'attest'])
  })

  it('attests every file of dist/ that runs, and nothing else', () => {
    const attest = (workflow.jobs.attest as Job).steps.at(-1)
    const patterns = (attest?.with?.['subject-path'] ?? '').trim().split('\n')
    const glob = (pattern: string) =>
      new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`)
    const attested = (file: string) => patterns.some(pattern => glob(pattern).test(file))
    const dist = git(root, 'ls-files', 'dist').split('\n')
    // Source maps only relabel stack frames and the licences are for people: neither runs.
    const runs = dist.filter(file => !/\.map$|licenses\.txt$/.test(file))
    expect(runs).toEqual(expect.arrayContaining(['dist/index.js', 'dist/package.json']))
    expect(dist.filter(attested)).toEqual(runs)
  })

  it('pins every action by full commit SHA', () => {
    for (const step of steps.filter(step => step.uses)) {
      expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/)
    }
  })

  it('publishes the notes changelog-section.mjs prints, with gh', () => {
    const publish = steps.map(step => step.run ?? '').join('\n')
    expect(publish).toMatch(/node scripts\/changelog-section\.mjs "\$VERSION" > "\$NOTES"/)
    expect(publish).toMatch(/gh release create "\$TAG"[^\n]*--notes-file "\$NOTES"/)
  })
})
