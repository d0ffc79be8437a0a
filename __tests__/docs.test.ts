// The README's input and output tables are the documentation users read; action.yml is what the
// runner reads. They must not drift apart.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

const root = new URL('../', import.meta.url)
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
  description: string
  inputs: Record<string, { required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}
const readme = readFileSync(new URL('README.md', root), 'utf8')

/** The body rows of every table under a `## heading` (its ### groups included), as trimmed cells. */
function table(heading: string): string[][] {
  const section = readme.split(/^## /m).find(part => part.startsWith(`${heading}\n`)) ?? ''
  return section
    .split('\n')
    .filter((line, i, lines) => line.startsWith('|') && lines[i - 1]?.startsWith('|'))
    .filter(line => !/^\|[\s|:-]+\|$/.test(line))
    .map(line =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map(cell => cell.trim())
    )
}
const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1')

describe('README inputs table', () => {
  const rows = table('Inputs')

  it('lists every input of action.yml once, in groups, and no other', () => {
    expect(rows.map(([name]) => unquote(name ?? '')).sort()).toEqual(
      Object.keys(action.inputs).sort()
    )
  })

  it('groups them by purpose', () => {
    const groups = (readme.split(/^## Inputs\n/m)[1] ?? '').split(/^## /m)[0] ?? ''
    expect([...groups.matchAll(/^### (.+)$/gm)].map(([, group]) => group)).toEqual([
      'Basics',
      'Client authentication',
      'Grants',
      'Discovery and verification',
      'Network',
      'Output'
    ])
  })

  it.each(Object.entries(action.inputs))(
    '%s: required and default match action.yml',
    (name, input) => {
      const row = rows.find(([cell]) => unquote(cell ?? '') === name)
      // Required in action.yml means always; 'for ...' means for some auth methods only.
      expect(row?.[1]).toMatch(input.required ? /^yes$/ : /^(no|for .+)$/)
      expect(unquote(row?.[2] ?? '')).toBe(input.default ?? '')
    }
  )
})

describe('README outputs table', () => {
  it('lists every output of action.yml, in the same order, and no other', () => {
    expect(table('Outputs').map(([name]) => unquote(name ?? ''))).toEqual(
      Object.keys(action.outputs)
    )
  })
})

describe('action.yml', () => {
  it('runs dist/index.js on node24, as the main and the post step', () => {
    const runs = parse(readFileSync(new URL('action.yml', root), 'utf8')).runs
    expect(runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js' })
  })

  it('has a description the Marketplace accepts: under 125 characters', () => {
    expect(action.description.length).toBeLessThan(125)
  })
})
