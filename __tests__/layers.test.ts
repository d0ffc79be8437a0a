import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'

/**
 * The layers of src/, lowest first: a file imports only from a lower layer or its own folder,
 * `import type` included. auth and grants are one layer, side by side, and import neither each
 * other. ARCHITECTURE.md quotes this list; it is written here only.
 */
export const LAYERS: ReadonlyArray<readonly string[]> = [
  ['base'],
  ['http'],
  ['oauth'],
  ['auth', 'grants'],
  ['config'],
  ['steps'],
  ['agent'],
  ['entry']
]

/** Files at src/'s root: the ncc entry, and the stand-in ncc bundles for unused toolkit code. */
const ROOT_FILES: Record<string, string> = { 'index.ts': 'entry', 'toolkit-unused.ts': 'base' }

type Graph = Map<string, string[]>

const SRC = join(import.meta.dirname, '..', 'src')

/** Every relative specifier a file imports or re-exports, static or dynamic, type-only or not. */
export function importsOf(text: string): string[] {
  const found: string[] = []
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g
  ]
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      if ((match[1] as string).startsWith('.')) found.push(match[1] as string)
    }
  }
  return found
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : []
  )
}

/** src/'s module graph: each file (relative to src/) to the files it imports. */
function graphOfSrc(): Graph {
  const graph: Graph = new Map()
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file)
    const to = importsOf(readFileSync(file, 'utf8')).map(spec =>
      normalize(join(dirname(from), spec)).replace(/\.js$/, '.ts')
    )
    graph.set(from, to)
  }
  return graph
}

function layerOf(file: string): { folder: string; rank: number } {
  const folder = file.includes('/') ? (file.split('/')[0] as string) : ROOT_FILES[file]
  const rank = LAYERS.findIndex(layer => folder !== undefined && layer.includes(folder))
  if (folder === undefined || rank < 0) {
    throw new Error(`${file} is in no layer: add its folder to LAYERS in __tests__/layers.test.ts.`)
  }
  return { folder, rank }
}

/** Every edge that goes up a layer, or sideways into another folder of the same layer. */
export function badEdges(graph: Graph): string[] {
  const bad: string[] = []
  for (const [from, targets] of graph) {
    const source = layerOf(from)
    for (const to of targets) {
      const target = layerOf(to)
      const same = target.folder === source.folder
      if (!same && target.rank >= source.rank) {
        bad.push(
          `${from} -> ${to} (${source.folder} may import only lower layers or its own folder)`
        )
      }
    }
  }
  return bad
}

/** Every cycle's path, found by depth-first search: a → b → a. */
export function cycles(graph: Graph): string[] {
  const found: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (file: string): void => {
    state.set(file, 'open')
    path.push(file)
    for (const to of graph.get(file) ?? []) {
      if (state.get(to) === 'open') found.push([...path.slice(path.indexOf(to)), to].join(' -> '))
      else if (!state.has(to)) visit(to)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
  return found
}

describe('the module graph of src/', () => {
  const graph = graphOfSrc()

  it('sees every file and its imports, type-only and dynamic ones included', () => {
    expect(graph.size).toBeGreaterThan(30)
    for (const targets of graph.values()) {
      for (const to of targets) expect(graph.has(to)).toBe(true)
    }
  })

  it('has no cycle', () => {
    expect(cycles(graph)).toEqual([])
  })

  it('has no import up a layer or across to a sibling folder', () => {
    expect(badEdges(graph)).toEqual([])
  })
})

describe('the checks can fail', () => {
  it('finds a cycle, naming its edges', () => {
    const graph: Graph = new Map([
      ['oauth/a.ts', ['oauth/b.ts']],
      ['oauth/b.ts', ['base/c.ts', 'oauth/a.ts']],
      ['base/c.ts', []]
    ])
    expect(cycles(graph)).toEqual(['oauth/a.ts -> oauth/b.ts -> oauth/a.ts'])
  })

  it('finds an upward edge and a sideways one, naming them', () => {
    const graph: Graph = new Map([
      ['base/errors.ts', ['http/types.ts']],
      ['http/types.ts', []],
      ['auth/x.ts', ['grants/y.ts']],
      ['grants/y.ts', []]
    ])
    expect(badEdges(graph)).toEqual([
      'base/errors.ts -> http/types.ts (base may import only lower layers or its own folder)',
      'auth/x.ts -> grants/y.ts (auth may import only lower layers or its own folder)'
    ])
  })

  it('reads import type, export from, side-effect and dynamic imports', () => {
    const text = [
      "import type { A } from './a.js'",
      "import {\n  b,\n  type B\n} from '../b.js'",
      "export type { C } from './c.js'",
      "export * from './d.js'",
      "import './e.js'",
      "const { f } = await import('./f.js')",
      "import { g } from 'node:fs'"
    ].join('\n')
    expect(importsOf(text).sort()).toEqual(
      ['../b.js', './a.js', './c.js', './d.js', './e.js', './f.js'].sort()
    )
  })
})
