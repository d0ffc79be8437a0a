// The README's input and output tables are the documentation users read; action.yml is what the
// runner reads. They must not drift apart, and the docs must stay short, linked and true to it.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'

const root = new URL('../', import.meta.url)
const action = parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
  description: string
  inputs: Record<string, { required?: boolean; default?: string }>
  outputs: Record<string, { description: string }>
}
const readme = readFileSync(new URL('README.md', root), 'utf8')
/** Every Markdown page a user reads, by its path from the root. */
const pages = new Map(
  [
    'README.md',
    'CONTRIBUTING.md',
    'SECURITY.md',
    ...readdirSync(new URL('docs/', root)).map(name => `docs/${name}`)
  ].map(path => [path, readFileSync(new URL(path, root), 'utf8')])
)

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

  it("lists every input of action.yml once, in action.yml's order, and no other", () => {
    expect(rows.map(([name]) => unquote(name ?? ''))).toEqual(Object.keys(action.inputs))
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

/** The anchors GitHub gives a page's headings (outside code blocks), as github-slugger makes them. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const headings = markdown
    .replace(/^```[\s\S]*?^```/gm, '')
    .split('\n')
    .filter(line => /^#{1,6} /.test(line))
  return new Set(
    headings.map(line => {
      const slug = line
        .replace(/^#+ /, '')
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
        .replace(/ /g, '-')
      const count = seen.get(slug) ?? 0
      seen.set(slug, count + 1)
      return count ? `${slug}-${count}` : slug
    })
  )
}

/** The YAML snippets of a page. */
const snippets = (markdown: string) =>
  [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map(
    ([, body]) => parse(body ?? '') as unknown
  )

/** The `with:` keys of every step of this action (or bare `with:` block) in a parsed snippet. */
function withKeys(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(withKeys)
  if (!node || typeof node !== 'object') return []
  const step = node as Record<string, unknown>
  const ours = step.uses === undefined || String(step.uses).startsWith('<owner>/<repo>@')
  const own = ours && step.with && typeof step.with === 'object' ? Object.keys(step.with) : []
  return [...own, ...Object.values(step).flatMap(withKeys)]
}

describe('the docs', () => {
  it('keep the README a read of minutes: at most 300 lines', () => {
    expect(readme.split('\n').length - 1).toBeLessThanOrEqual(300)
  })

  it.each([...pages.keys()])('%s links only to files and headings that exist', path => {
    const broken = [...(pages.get(path) ?? '').matchAll(/\]\(([^)\s]+)\)/g)]
      .map(([, target]) => target ?? '')
      // Absolute links are the web's; ../../actions/ is a GitHub page of the repository (badges).
      .filter(target => !/^([a-z]+:|\.\.\/\.\.\/actions\/)/.test(target))
      .filter(target => {
        const [file = '', anchor] = target.split('#')
        const resolved = file ? new URL(file, new URL(path, root)) : new URL(path, root)
        if (!existsSync(resolved)) return true
        return anchor !== undefined && !anchors(readFileSync(resolved, 'utf8')).has(anchor)
      })
    expect(broken).toEqual([])
  })

  it('reads the inputs of the snippets (the check below is not vacuous)', () => {
    expect(snippets(readme).flatMap(withKeys)).toEqual(
      expect.arrayContaining(['client-id', 'issuer', 'auth-method', 'grant-type'])
    )
  })

  it.each([...pages.keys()])('%s uses only inputs action.yml declares in its snippets', path => {
    const keys = snippets(pages.get(path) ?? '').flatMap(withKeys)
    expect(keys.filter(key => !(key in action.inputs))).toEqual([])
  })

  it("keep in the README's Long jobs a recipe, what is masked and the threat model", () => {
    const section = (readme.split(/^## Long jobs\n/m)[1] ?? '').split(/^## /m)[0] ?? ''
    expect(snippets(section).flatMap(withKeys)).toContain('agent')
    expect(section).toContain('${{ steps.token.outputs.token-command }}')
    expect(section).toMatch(/::add-mask::.*\*\*stderr\*\*.*must pass it on/s)
    expect(section).toMatch(/Threat model: any process of the job's user on the runner can ask/)
  })

  it("say once, in troubleshooting, when to send no response_type (response-type: '')", () => {
    const mentions = [...pages].flatMap(([path, text]) =>
      text
        .split("response-type: ''")
        .slice(1)
        .map(() => path)
    )
    expect(mentions).toEqual(['docs/troubleshooting.md'])
  })
})
