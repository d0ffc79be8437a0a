// What the committed bundle holds. Start-up cost is paid by every job, so modules we keep out of
// start-up on purpose must stay out; the source map lists every module webpack bundled.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'

const map = JSON.parse(readFileSync(new URL('../dist/index.js.map', import.meta.url), 'utf8')) as {
  sources: string[]
}
const bundled = map.sources.map(source => source.replace(/^(\.\.?\/)+/, ''))

describe('dist/index.js', () => {
  it('does not bundle undici (≈45 ms of start-up) nor tunnel (no deadline on CONNECT): our transport replaces both', () => {
    expect(bundled.filter(source => /node_modules\/(undici|tunnel)\//.test(source))).toEqual([])
    expect(bundled).toContain('src/toolkit-unused.ts')
  })

  it('bundles the toolkit packages, with http-client for its proxy rules', () => {
    expect(bundled).toEqual(
      expect.arrayContaining([
        'node_modules/@actions/core/lib/core.js',
        'node_modules/@actions/http-client/lib/proxy.js'
      ])
    )
  })

  it('keeps every other dependency out: only the toolkit and our sources', () => {
    const packages = new Set(
      bundled
        .filter(source => source.startsWith('node_modules/'))
        .map(source =>
          source
            .split('/')
            .slice(1, source.split('/')[1]?.startsWith('@') ? 3 : 2)
            .join('/')
        )
    )
    expect([...packages].sort()).toEqual([
      '@actions/core',
      '@actions/exec',
      '@actions/http-client',
      '@actions/io'
    ])
  })
})

describe('jose', () => {
  it('is only in a chunk loaded on demand (private_key_jwt, verify-token), not at start-up', () => {
    expect(bundled.filter(source => source.includes('node_modules/jose/'))).toEqual([])
    const dist = new URL('../dist/', import.meta.url)
    const chunks = readdirSync(dist).filter(name => /^\d+\.index\.js\.map$/.test(name))
    const chunkSources = chunks.flatMap(
      name =>
        (JSON.parse(readFileSync(new URL(name, dist), 'utf8')) as { sources: string[] }).sources
    )
    expect(chunkSources.some(source => source.includes('node_modules/jose/'))).toBe(true)
    const entry = readFileSync(new URL('index.js', dist), 'utf8')
    for (const chunk of chunks) {
      const file = chunk.replace(/\.map$/, '')
      expect(entry).not.toMatch(new RegExp(`^import .*${file.replace('.', '\\.')}`, 'm'))
    }
  })
})

describe('the token agent', () => {
  it('is only in chunks loaded with agent: true: the entry holds its start-up flag alone', () => {
    expect(bundled.filter(source => source.startsWith('src/agent/'))).toEqual(['src/agent/flag.ts'])
    const dist = new URL('../dist/', import.meta.url)
    const chunkSources = readdirSync(dist)
      .filter(name => /^\d+\.index\.js\.map$/.test(name))
      .flatMap(
        name =>
          (JSON.parse(readFileSync(new URL(name, dist), 'utf8')) as { sources: string[] }).sources
      )
      .map(source => source.replace(/^(\.\.?\/)+/, ''))
    expect(chunkSources).toEqual(
      expect.arrayContaining(['src/agent/start.ts', 'src/agent/server.ts', 'src/agent/stop.ts'])
    )
  })
})
