// The runner passes every `with:` key as INPUT_<NAME>, declared or not, and only warns about the
// undeclared ones: a typo must fail the step with the name that was meant.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { fakeCore } from '../__fixtures__/core.js'
import {
  checkInputNames,
  closestInput,
  INPUT_NAMES,
  inputVariable
} from '../src/config/input-names.js'
import { run } from '../src/entry/main.js'

const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs: Record<string, unknown>
}
const envOf = (...names: string[]) =>
  Object.fromEntries(names.map(name => [inputVariable(name), 'x']))

/** A typo of each kind: the separator, a dropped letter, a doubled one, two letters swapped. */
function typos(name: string): string[] {
  const swapAt = name.search(/[a-z][a-z]/)
  return [
    name.replaceAll('-', '_'),
    name.replaceAll('-', ' '),
    name.slice(0, -1),
    `${name}s`,
    swapAt < 0
      ? name
      : `${name.slice(0, swapAt)}${name[swapAt + 1]}${name[swapAt]}${name.slice(swapAt + 2)}`
  ].filter(typo => typo !== name)
}

describe('the list of inputs', () => {
  it("is action.yml's inputs, in the same order", () => {
    expect(INPUT_NAMES).toEqual(Object.keys(action.inputs))
  })
})

describe('checkInputNames', () => {
  it('accepts every declared input, and other variables', () => {
    expect(() =>
      checkInputNames({ ...envOf(...INPUT_NAMES), PATH: '/bin', STATE_x: 'y' })
    ).not.toThrow()
  })

  it.each(INPUT_NAMES.flatMap(name => typos(name).map(typo => [typo, name])))(
    "a typo '%s' fails, naming '%s'",
    (typo, name) => {
      expect(() => checkInputNames({ ...envOf('client-id'), [inputVariable(typo)]: 'x' })).toThrow(
        `Unknown input '${typo.toLowerCase().replaceAll(' ', '_')}'. Did you mean '${name}'?`
      )
    }
  )

  it("the issue's examples", () => {
    expect(() => checkInputNames({ INPUT_CLIENT_SECRET: 's' })).toThrow(
      "Unknown input 'client_secret'. Did you mean 'client-secret'?"
    )
    expect(closestInput('token_url')).toBe('token-url')
    expect(closestInput('EXPORT_VARIABLE')).toBe('export-variable')
    expect(closestInput('tokenurl')).toBe('token-url')
  })

  it('lists the inputs when nothing is close', () => {
    expect(() => checkInputNames({ INPUT_PASSWORD: 'x' })).toThrow(
      `Unknown input 'password'. This action's inputs are: ${INPUT_NAMES.join(', ')}.`
    )
  })

  it('names every unknown input, in one line', () => {
    let message = ''
    try {
      checkInputNames({ INPUT_CLIENT_SECRET: 's', INPUT_TOKEN_URL: 'u' })
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toBe(
      "Unknown input 'client_secret'. Did you mean 'client-secret'? Unknown input 'token_url'. Did you mean 'token-url'?"
    )
    expect(message).not.toContain('\n')
  })

  it('never quotes the value', () => {
    expect(() => checkInputNames({ INPUT_CLIENT_SECRET: 'hunter2' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') })
    )
  })
})

describe('run()', () => {
  it('fails on an unknown input before reading the others or sending anything', async () => {
    const { core, record } = fakeCore({ 'client-id': 'ci' })
    let sent = 0
    await run({
      core,
      env: { 'INPUT_CLIENT-ID': 'ci', INPUT_CLIENT_SECRET: 's' },
      send: async () => {
        sent++
        throw new Error('no request expected')
      },
      sleep: async () => {},
      now: () => 0,
      random: () => 0.5
    })
    expect(sent).toBe(0)
    expect(record.failed).toBe("Unknown input 'client_secret'. Did you mean 'client-secret'?")
    expect(record.outputs).toEqual({})
  })
})
