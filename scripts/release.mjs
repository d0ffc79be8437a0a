// `npm run release -- <version> [--dry-run]`: cuts a release locally (CHANGELOG, versions, dist/,
// one commit, an annotated tag vX.Y.Z) and prints the one push that publishes it. Pushes nothing.
// RELEASE_DATE (YYYY-MM-DD) and RELEASE_DIR override today's date and the repository, for tests.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { changelogSection, hasEntries, sections } from './changelog-section.mjs'

/** Semantic versioning 2.0.0's X.Y.Z with an optional prerelease; build metadata is not a release. */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/
const FILES = ['CHANGELOG.md', 'package.json', 'package-lock.json']

/** A refusal: one line saying what is wrong and how to fix it. */
export class ReleaseError extends Error {}

/**
 * The parts of a version, or undefined when it is not X.Y.Z[-prerelease].
 * @param {string} version
 * @returns {{ core: number[], pre: string[] } | undefined}
 */
export function parseVersion(version) {
  const match = SEMVER.exec(version)
  if (!match) return undefined
  return { core: [1, 2, 3].map(i => Number(match[i])), pre: match[4] ? match[4].split('.') : [] }
}

/**
 * Semver precedence: negative when a < b, 0 when equal, positive when a > b.
 * @param {string} a
 * @param {string} b
 */
export function compareVersions(a, b) {
  const x = parseVersion(a)
  const y = parseVersion(b)
  if (!x || !y) throw new Error(`not a version: ${x ? b : a}`)
  for (let i = 0; i < 3; i++) {
    const diff = (x.core[i] ?? 0) - (y.core[i] ?? 0)
    if (diff !== 0) return diff
  }
  // A prerelease comes before its release; identifiers compare numerically, then as text.
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i]
    const q = y.pre[i]
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1
    if (p === q) continue
    const pn = /^\d+$/.test(p)
    const qn = /^\d+$/.test(q)
    if (pn && qn) return Number(p) - Number(q)
    if (pn !== qn) return pn ? -1 : 1
    return p < q ? -1 : 1
  }
  return 0
}

/**
 * The CHANGELOG with the Unreleased entries under `## [version] - date` and a fresh, empty
 * `## [Unreleased]` above it.
 * @param {string} text
 * @param {string} version
 * @param {string} date
 */
export function moveUnreleased(text, version, date) {
  const unreleased = sections(text).find(section => section.name === 'Unreleased')
  const body = changelogSection(text, 'Unreleased')
  if (!unreleased || body === undefined) throw new Error('no Unreleased section')
  const lines = text.split('\n')
  const next = lines.slice(unreleased.end).join('\n')
  return [
    ...lines.slice(0, unreleased.start),
    '## [Unreleased]',
    '',
    `## [${version}] - ${date}`,
    '',
    body,
    ...(next ? ['', next] : [''])
  ].join('\n')
}

/**
 * @typedef {object} ReleaseOptions
 * @property {string} dir the repository
 * @property {string} version X.Y.Z or X.Y.Z-prerelease
 * @property {string} date the release date, YYYY-MM-DD
 * @property {boolean} dryRun describe the release, change nothing
 * @property {(line: string) => void} log where the account of what happens goes
 */

/**
 * Checks everything, then (unless a dry run) writes, builds, commits and tags. A refusal throws a
 * ReleaseError before anything is written; a failure after that restores the repository.
 * @param {ReleaseOptions} options
 * @returns {{ tag: string, push: string }}
 */
export function release({ dir, version, date, dryRun, log }) {
  /** @param {string[]} args */
  const git = (...args) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  /** @param {string} name */
  const read = name => readFileSync(join(dir, name), 'utf8')
  const tag = `v${version}`

  if (!parseVersion(version)) {
    throw new ReleaseError(
      `'${version}' is not a version. Give X.Y.Z or X.Y.Z-prerelease (semver, no 'v'), e.g. 1.1.0.`
    )
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) {
    throw new ReleaseError(`RELEASE_DATE '${date}' is not a date. Give YYYY-MM-DD, or unset it.`)
  }
  try {
    git('rev-parse', '--git-dir')
  } catch {
    throw new ReleaseError(
      `${dir} is not a git repository. Run the release from the project's clone.`
    )
  }
  // The checkout's state stops a release but not a dry run, which can preview one from a branch.
  /** @type {string[]} */
  const blockers = []
  const dirty = git('status', '--porcelain').trimEnd()
  if (dirty) {
    const files = dirty.split('\n').map(line => line.slice(3))
    const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? ', ...' : '')
    blockers.push(
      `The working tree has uncommitted changes (${shown}). Commit or stash them, then release again.`
    )
  }
  const branch = git('branch', '--show-current').trim()
  if (branch !== 'main') {
    blockers.push(
      `Releases are cut from main, but ${branch ? `the branch is '${branch}'` : 'HEAD is detached'}. Run \`git switch main\` (and pull), then release again.`
    )
  }
  if (blockers[0] && !dryRun) throw new ReleaseError(blockers[0])

  const pkg = JSON.parse(read('package.json'))
  const lock = JSON.parse(read('package-lock.json'))
  const tags = git('tag', '--list', 'v*')
    .split('\n')
    .map(name => name.trim().slice(1))
    .filter(name => parseVersion(name))
    .sort(compareVersions)
  const last = tags.at(-1) ?? pkg.version
  const lastFrom = tags.length > 0 ? `tag v${last}` : "package.json's version; no v* tag yet"
  if (compareVersions(version, last) <= 0) {
    throw new ReleaseError(
      `${version} is not greater than the last release ${last} (${lastFrom}). Choose a higher version.`
    )
  }

  const changelog = read('CHANGELOG.md')
  const entries = changelogSection(changelog, 'Unreleased')
  if (entries === undefined) {
    throw new ReleaseError(
      "CHANGELOG.md has no '## [Unreleased]' heading. Add it with the changes since the last release, commit, then release again."
    )
  }
  if (!hasEntries(entries)) {
    throw new ReleaseError(
      `CHANGELOG.md has no entries under '## [Unreleased]'. List the changes since ${last} there, commit, then release again.`
    )
  }
  if (changelogSection(changelog, version) !== undefined) {
    throw new ReleaseError(
      `CHANGELOG.md already has a '## [${version}]' section. Choose a higher version, or fold that section into Unreleased.`
    )
  }
  if (!lock.packages?.['']) {
    throw new ReleaseError(
      "package-lock.json has no packages[''] entry. Run `npm install`, commit the lockfile, then release again."
    )
  }

  const push = `git push --atomic origin main ${tag}`
  const from = pkg.version === last ? last : `${pkg.version} (last release ${last}, ${lastFrom})`
  log(
    `${dryRun ? 'Dry run: would release' : 'Releasing'} ${version} (from ${from}), dated ${date}:`
  )
  log(`  CHANGELOG.md: the Unreleased entries become '## [${version}] - ${date}':`)
  for (const line of entries.split('\n')) log(line ? `    ${line}` : '')
  log(`  package.json, package-lock.json: version ${pkg.version} -> ${version}`)
  log('  dist/: rebuilt with `npm run build`')
  log(`  one commit 'Release ${version}' on main, and the annotated tag ${tag} on it`)
  if (dryRun) {
    for (const blocker of blockers) log(`A release would refuse here now: ${blocker}`)
    log(`Nothing was changed. Without --dry-run, the release ends by asking you to run: ${push}`)
    return { tag, push }
  }

  const head = git('rev-parse', 'HEAD').trim()
  try {
    writeFileSync(join(dir, 'CHANGELOG.md'), moveUnreleased(changelog, version, date))
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...pkg, version }, null, 2)}\n`)
    lock.version = version
    lock.packages[''].version = version
    writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`)
    const build = spawnSync('npm', ['run', '-s', 'build'], { cwd: dir, stdio: 'inherit' })
    if (build.status !== 0) {
      throw new ReleaseError(
        '`npm run build` failed (see above). Fix the build, then release again.'
      )
    }
    git('add', '--all', '--', ...FILES, 'dist')
    git('commit', '--quiet', '--no-verify', '-m', `Release ${version}`, '-m', entries)
    git('tag', '--annotate', tag, '-m', `${tag}\n\n${entries}`)
  } catch (error) {
    // Back to the clean main the checks found: no half-made release is left behind.
    git('reset', '--quiet', '--hard', head)
    git('clean', '--quiet', '-d', '--force', '--', 'dist')
    if (git('tag', '--list', tag).trim()) git('tag', '--delete', tag)
    throw error
  }
  const commit = git('rev-parse', '--short', 'HEAD').trim()
  log(`Committed ${commit} and tagged ${tag}. Nothing was pushed. To publish the release, run:`)
  log(push)
  return { tag, push }
}

/** Today in local time, YYYY-MM-DD. */
function today() {
  const now = new Date()
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const args = process.argv.slice(2)
  const dryRun = args.includes('--dry-run')
  const rest = args.filter(arg => arg !== '--dry-run')
  try {
    const unknown = rest.find(arg => arg.startsWith('-'))
    if (unknown || rest.length !== 1) {
      throw new ReleaseError(
        `${unknown ? `Unknown option '${unknown}'` : rest.length === 0 ? 'No version given' : `One version, not ${rest.length}`}. Usage: npm run release -- <X.Y.Z> [--dry-run]`
      )
    }
    release({
      dir: resolve(process.env.RELEASE_DIR || process.cwd()),
      version: rest[0] ?? '',
      date: process.env.RELEASE_DATE || today(),
      dryRun,
      log: line => console.log(line)
    })
  } catch (error) {
    // A refusal is one line; anything else (git missing, a file unreadable) is one line too.
    const message = error instanceof Error ? error.message.trim().split('\n')[0] : String(error)
    console.error(`release: ${message}`)
    process.exitCode = 1
  }
}
