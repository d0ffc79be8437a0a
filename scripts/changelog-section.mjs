// `node scripts/changelog-section.mjs <version> [file]`: prints one version's CHANGELOG section,
// the notes the release workflow publishes. `npm run release` reads the CHANGELOG through it too.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

/** A `## [...]` heading: a version or `Unreleased`, with or without ` - YYYY-MM-DD`. */
const HEADING = /^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?\s*$/

/**
 * The sections of a Keep a Changelog file, in order.
 * @param {string} text
 * @returns {{ name: string, date: string | undefined, start: number, end: number }[]}
 *   start is the heading's line index, end the index of the line after the section's last line
 */
export function sections(text) {
  const lines = text.split('\n')
  /** @type {{ name: string, date: string | undefined, start: number, end: number }[]} */
  const found = []
  lines.forEach((line, index) => {
    if (!line.startsWith('## [')) return
    const last = found.at(-1)
    if (last) last.end = index
    const match = HEADING.exec(line)
    found.push({ name: match?.[1] ?? line, date: match?.[2], start: index, end: lines.length })
  })
  return found
}

/**
 * The body of the section named `name` (a version, or `Unreleased`): exactly the lines between its
 * heading and the next `## [` heading, without the blank lines at either end. Undefined when the
 * CHANGELOG has no such heading.
 * @param {string} text
 * @param {string} name
 * @returns {string | undefined}
 */
export function changelogSection(text, name) {
  const section = sections(text).find(candidate => candidate.name === name)
  if (!section) return undefined
  const lines = text.split('\n').slice(section.start + 1, section.end)
  while (lines.length > 0 && lines[0]?.trim() === '') lines.shift()
  while (lines.length > 0 && lines.at(-1)?.trim() === '') lines.pop()
  return lines.join('\n')
}

/**
 * Whether a section body lists anything: a line that is neither blank nor a `###` subheading.
 * @param {string} body
 */
export function hasEntries(body) {
  return body.split('\n').some(line => line.trim() !== '' && !line.startsWith('#'))
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const [version, file = 'CHANGELOG.md'] = process.argv.slice(2)
  const body = version ? changelogSection(readFileSync(file, 'utf8'), version) : undefined
  if (!version) {
    console.error('Usage: node scripts/changelog-section.mjs <version> [CHANGELOG.md]')
    process.exitCode = 1
  } else if (body === undefined || !hasEntries(body)) {
    console.error(
      `${file} has no entries under '## [${version}]'. Release with \`npm run release -- ${version}\`, which writes that section.`
    )
    process.exitCode = 1
  } else {
    process.stdout.write(`${body}\n`)
  }
}
