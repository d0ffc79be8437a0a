// What the committed bundle holds, and what each process loads of it. Start-up cost is paid by
// every job, so modules we keep out of start-up on purpose must stay out; the source maps list
// every module webpack bundled, and the entry's import() calls name the chunks each path loads.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'

const dist = new URL('../dist/', import.meta.url)
const entry = readFileSync(new URL('index.js', dist), 'utf8')

/** Our sources and the packages' files in one file of dist/, from its source map. */
function sourcesOf(file: string): string[] {
  const map = JSON.parse(readFileSync(new URL(`${file}.map`, dist), 'utf8')) as {
    sources: string[]
  }
  return map.sources
    .map(source => source.replace(/^(\.\.?\/)+/, ''))
    .filter(source => /^(src|node_modules)\//.test(source))
}

/** The chunk files that the import() calls in a piece of bundled code load. */
function chunksLoadedBy(code: string): string[] {
  return [
    ...code.matchAll(/__(?:nccwpck|webpack)_require__\.e\((?:\/\* import\(\) \*\/ )?(\d+)\)/g)
  ].map(([, id]) => `${id}.index.js`)
}

/** The line of the entry that holds `marker`, cut before `until` when given. */
function entryLine(marker: string, until?: string): string {
  const line = entry.split('\n').find(text => text.includes(marker)) ?? ''
  return until === undefined ? line : line.slice(0, line.indexOf(until))
}

const chunks = readdirSync(dist).filter(name => /^\d+\.index\.js$/.test(name))
const everything = ['index.js', ...chunks].flatMap(sourcesOf)
const packageOf = (source: string): string =>
  source
    .split('/')
    .slice(1, source.split('/')[1]?.startsWith('@') ? 3 : 2)
    .join('/')

describe('dist/', () => {
  it('has no file that is not a chunk of this build (a stale chunk would pass for code)', () => {
    const loaded = new Set([
      'index.js',
      ...chunks.flatMap(file => chunksLoadedBy(readFileSync(new URL(file, dist), 'utf8')))
    ])
    for (const file of chunksLoadedBy(entry)) loaded.add(file)
    expect(chunks.filter(file => !loaded.has(file))).toEqual([])
  })

  it('does not bundle undici (≈45 ms of start-up) nor tunnel (no deadline on CONNECT): our transport replaces both', () => {
    expect(everything.filter(source => /node_modules\/(undici|tunnel)\//.test(source))).toEqual([])
    expect(everything).toContain('src/toolkit-unused.ts')
  })

  it('keeps every other dependency out: only the toolkit, jose and our sources', () => {
    const packages = new Set(
      everything.filter(source => source.startsWith('node_modules/')).map(packageOf)
    )
    expect([...packages].sort()).toEqual([
      '@actions/core',
      '@actions/exec',
      '@actions/http-client',
      '@actions/io',
      'jose'
    ])
  })
})

describe('the entry, dist/index.js', () => {
  it("holds the dispatch and the agent's flag alone: each process loads only its own part", () => {
    expect(sourcesOf('index.js').sort()).toEqual(['src/agent/flag.ts', 'src/index.ts'])
  })
})

describe('a step (main or post)', () => {
  const step = chunksLoadedBy(entryLine('.runStep()'))
  const sources = step.flatMap(sourcesOf)

  it('loads one chunk of ours with the whole core, and one of the toolkit', () => {
    expect(step).toHaveLength(2)
    expect(sources).toEqual(
      expect.arrayContaining([
        'src/entry/main.ts',
        'src/entry/post.ts',
        'src/steps/token.ts',
        'src/http/transport.ts',
        'node_modules/@actions/core/lib/core.js',
        'node_modules/@actions/http-client/lib/proxy.js'
      ])
    )
  })

  it("loads none of the agent's code: without agent: true, start-up stays at the floor", () => {
    expect(sources.filter(source => source.startsWith('src/agent/'))).toEqual([])
  })

  it('loads jose only in a chunk of its own, on demand (private_key_jwt, verify-token)', () => {
    expect(sources.filter(source => source.includes('node_modules/jose/'))).toEqual([])
    const jose = chunks.filter(file =>
      sourcesOf(file).some(source => source.includes('node_modules/jose/'))
    )
    expect(jose).toHaveLength(1)
    expect(sourcesOf(jose[0] ?? '').every(source => source.includes('node_modules/jose/'))).toBe(
      true
    )
  })
})

describe('the token agent', () => {
  const start = chunksLoadedBy(entryLine('.runAgent(', '.runAgent('))
  const sources = start.flatMap(sourcesOf)

  it('starts on one small chunk: no step code, no package, nothing that talks to a server', () => {
    expect(start).toHaveLength(1)
    expect(sources).toContain('src/agent/server.ts')
    expect(sources.filter(source => !/^src\/(agent|base)\//.test(source))).toEqual([])
  })

  it("refreshes with the step's own chunks: the core is bundled once", () => {
    const refresh = chunksLoadedBy(
      entryLine('.runAgent(').slice(entryLine('.runAgent(', '.runAgent(').length)
    )
    expect(refresh.sort()).toEqual(chunksLoadedBy(entryLine('.runStep()')).sort())
    expect(everything.filter(source => source === 'src/steps/token.ts')).toHaveLength(1)
  })

  it("keeps the main step's and the post step's parts in chunks of their own", () => {
    const byChunk = chunks.map(sourcesOf)
    for (const part of ['src/agent/start.ts', 'src/agent/stop.ts']) {
      const holding = byChunk.filter(sources => sources.includes(part))
      expect(holding).toHaveLength(1)
      expect(holding[0]?.filter(source => !/^src\/(agent|base)\//.test(source))).toEqual([])
    }
  })
})
