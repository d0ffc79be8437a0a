// Masks as the runner applies them: within one line, lines split on CR LF, a lone CR and LF.
import { describe, expect, it } from '@jest/globals'
import { generateKeyPairSync } from 'node:crypto'
import { MIN_MASK_LENGTH, maskAll, redact, secretForms } from '../src/base/mask.js'

function masked(values: string[]): string[] {
  const masks: string[] = []
  maskAll({ setSecret: value => void masks.push(value) }, values)
  return masks
}

describe('maskAll', () => {
  it('masks each line of a multi-line value, whatever its line breaks', () => {
    const masks = masked(['first-part\rsecond-part\r\nthird-part\nfourth-part'])
    expect(masks).toEqual(
      expect.arrayContaining(['first-part', 'second-part', 'third-part', 'fourth-part'])
    )
  })

  it("skips a PEM key's armour lines, and masks every other line of it", () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString()
      .replaceAll('\n', '\r\n')
    const masks = masked([pem])
    expect(masks.filter(mask => /^-----[^\r\n]*-----$/.test(mask))).toEqual([])
    const body = pem.split('\r\n').filter(line => line && !line.startsWith('-----'))
    expect(masks).toEqual(expect.arrayContaining(body))
  })

  it('masks armour-looking lines of anything that is not a PEM document', () => {
    expect(masked(['-----not a key-----\nsecond-line'])).toContain('-----not a key-----')
  })

  it(`never registers a mask shorter than ${MIN_MASK_LENGTH} characters`, () => {
    // A one-space value used to register '+', '%20' and 'IA' (its base64url); nor its encodings.
    expect(masked([' ', 'ab'])).toEqual([])
    // A longer value's short line ('x') is left out too.
    expect(masked(['abcd\nx'])).toEqual(['abcd\nx', 'abcd%0Ax', 'abcd\\nx', 'YWJjZAp4', 'abcd'])
  })
})

describe('redact', () => {
  it('removes every form of a secret from server text, however short', () => {
    expect(redact('said ab and YWI= and a%2Bb', ['ab', 'a+b'])).toBe('said *** and *** and ***')
  })

  it('keeps the forms a request uses', () => {
    expect(secretForms('s p')).toEqual(expect.arrayContaining(['s p', 's+p', 's%20p']))
  })
})
