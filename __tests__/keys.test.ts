import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash, createPrivateKey, generateKeyPairSync, KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importSPKI, jwtVerify, SignJWT } from 'jose'
import { ActionError } from '../src/base/errors.js'
import { redact } from '../src/base/mask.js'
import {
  checkCertificate,
  keyAlgorithms,
  readCertificate,
  readPrivateKey,
  signingAlgorithms
} from '../src/base/keys.js'

const installed = (command: string) => spawnSync('which', [command]).status === 0
const dir = mkdtempSync(join(tmpdir(), 'test-keys-'))
const file = (name: string) => join(dir, name)
const run = (command: string, args: string[]) =>
  execFileSync(command, args, { cwd: dir, stdio: 'pipe' }).toString('utf8')
const openssl = (...args: string[]) => run('openssl', args)

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const ed25519 = generateKeyPairSync('ed25519')

const pem = (key: KeyObject, type: 'pkcs8' | 'pkcs1' | 'sec1') =>
  key.export({ type, format: 'pem' }) as string
const jwk = (key: KeyObject) => key.export({ format: 'jwk' })

const KEYS: Array<[name: string, key: KeyObject, text: string]> = [
  ['RSA PKCS#8', rsa.privateKey, pem(rsa.privateKey, 'pkcs8')],
  ['RSA PKCS#1', rsa.privateKey, pem(rsa.privateKey, 'pkcs1')],
  ['EC P-256 PKCS#8', p256.privateKey, pem(p256.privateKey, 'pkcs8')],
  ['EC P-256 SEC1', p256.privateKey, pem(p256.privateKey, 'sec1')],
  ['EC P-384 PKCS#8', p384.privateKey, pem(p384.privateKey, 'pkcs8')],
  ['EC P-384 SEC1', p384.privateKey, pem(p384.privateKey, 'sec1')],
  ['Ed25519 PKCS#8', ed25519.privateKey, pem(ed25519.privateKey, 'pkcs8')]
]

/** How a PEM arrives in a secret; `exact`: the original PEM is among the forms, to be masked. */
const ARRIVALS: Array<[name: string, arrive: (pem: string) => string, exact: boolean]> = [
  ['as is', text => text, true],
  ['with CRLF line ends', text => text.replaceAll('\n', '\r\n'), true],
  ['in surrounding whitespace', text => `\n  \t${text}\n\n  `, true],
  ['with literal \\n escapes', text => text.replaceAll('\n', '\\n'), true],
  ['with literal \\r\\n escapes', text => text.trim().replaceAll('\n', '\\r\\n'), true],
  ['base64-encoded once', text => Buffer.from(text).toString('base64'), true],
  ['base64-encoded once, wrapped', text => wrap(Buffer.from(text).toString('base64')), true],
  ['JSON-quoted with escapes', text => JSON.stringify(text.trim()), true],
  ['joined onto one line by spaces', text => text.trim().replaceAll('\n', ' '), false],
  ['indented, as in YAML', text => text.replaceAll(/^/gm, '    '), false]
]

const wrap = (text: string) => text.match(/.{1,76}/g)?.join('\n') ?? text

/** The base64 lines of a PEM: what must never reach a message. */
const bodyLines = (text: string) =>
  text
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('-----'))

function refusal(read: () => unknown): ActionError {
  try {
    read()
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError)
    return error as ActionError
  }
  throw new Error('expected a refusal')
}

/** A refusal is one line, names the input, and holds none of the value's lines. */
function expectCleanRefusal(error: ActionError, input: string, value: string): void {
  expect(error.message).toMatch(new RegExp(`^Input '${input}' `))
  expect(error.message).not.toMatch(/[\r\n]/)
  for (const line of bodyLines(value)) expect(error.message).not.toContain(line)
}

/** The first command the message quotes in backticks, as arguments. */
function quotedCommand(message: string, program: string): string[] {
  const command = message.match(new RegExp(`\`(${program} [^\`]+)\``))?.[1]
  expect(command).toBeDefined()
  return (command as string).split(' ')
}

describe('readPrivateKey: a key as users paste it', () => {
  const cases = KEYS.flatMap(([keyName, key, text]) =>
    ARRIVALS.map(([arrival, arrive, exact]) => ({ keyName, key, text, arrival, arrive, exact }))
  )

  it.each(cases)('$keyName $arrival is the same key', ({ key, text, arrive, exact }) => {
    const value = arrive(text)
    const read = readPrivateKey(value, 'client-assertion-key')

    expect(jwk(read.key)).toEqual(jwk(key))
    expect(read.pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/)
    expect(jwk(createPrivateKey(read.pem))).toEqual(jwk(key))
    expect(read.forms).toContain(value)
    expect(read.forms).toContain(read.pem)
    if (exact) expect(read.forms).toContain(text.trim())
    // Masking the forms hides the key as it arrived and as PKCS#8, line by line too.
    const printed = `${value}\n${text}\n${read.pem}`
    const redacted = redact(printed, read.forms)
    for (const line of [...bodyLines(text), ...bodyLines(read.pem)]) {
      expect(redacted).not.toContain(line)
    }
  })

  it('takes the private key from a file that also holds its certificate', () => {
    const value = `${certificateFor(p256.privateKey, 'bundle')}${pem(p256.privateKey, 'sec1')}`
    expect(jwk(readPrivateKey(value, 'client-key').key)).toEqual(jwk(p256.privateKey))
  })
})

/** An OpenSSH key made by ssh-keygen, or armour around its magic when ssh-keygen is missing. */
function openSshKey(type: 'rsa' | 'ecdsa' | 'ed25519'): { text: string; path?: string } {
  if (installed('ssh-keygen')) {
    const path = file(`openssh-${type}`)
    run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'test', '-f', path])
    return { text: readFileSync(path, 'utf8'), path }
  }
  const name = { rsa: 'ssh-rsa', ecdsa: 'ecdsa-sha2-nistp256', ed25519: 'ssh-ed25519' }[type]
  const body = Buffer.concat([Buffer.from('openssh-key-v1\0none'), Buffer.from(name)])
  return {
    text: `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.toString('base64')}\n-----END OPENSSH PRIVATE KEY-----\n`
  }
}

describe('readPrivateKey: what is refused, and how to convert it', () => {
  const passphrase = 'correct horse'
  const encrypted = {
    'encrypted PKCS#8': rsa.privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase
    }) as string,
    'encrypted PKCS#1': rsa.privateKey.export({
      type: 'pkcs1',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase
    }) as string,
    'encrypted SEC1': p256.privateKey.export({
      type: 'sec1',
      format: 'pem',
      cipher: 'aes-128-cbc',
      passphrase
    }) as string
  }

  it.each(Object.entries(encrypted))(
    'an %s key: the openssl command that decrypts it, which works',
    (_name, text) => {
      for (const [, arrive] of ARRIVALS) {
        const error = refusal(() => readPrivateKey(arrive(text), 'client-assertion-key'))
        expectCleanRefusal(error, 'client-assertion-key', text)
        expect(error.message).toContain(
          "Input 'client-assertion-key' is an encrypted private key; the action cannot ask for its passphrase. Decrypt it once with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem` (it asks for the passphrase)"
        )
      }
      const error = refusal(() => readPrivateKey(text, 'client-assertion-key'))
      writeFileSync(file('key.pem'), text)
      const [program, ...args] = quotedCommand(error.message, 'openssl')
      run(program as string, [...args, '-passin', `pass:${passphrase}`])
      const converted = readFileSync(file('key-pkcs8.pem'), 'utf8')
      expect(converted).toMatch(/^-----BEGIN PRIVATE KEY-----/)
      const key = createPrivateKey({ key: text, passphrase })
      expect(jwk(readPrivateKey(converted, 'client-assertion-key').key)).toEqual(jwk(key))
    }
  )

  it.each(['rsa', 'ecdsa'] as const)(
    'an OpenSSH %s key: ssh-keygen converts it, as the message says',
    type => {
      const { text, path } = openSshKey(type)
      const error = refusal(() => readPrivateKey(text, 'client-key'))
      expectCleanRefusal(error, 'client-key', text)
      expect(error.message).toBe(
        "Input 'client-key' is an OpenSSH private key (BEGIN OPENSSH PRIVATE KEY), which is not PEM. Convert a copy to PKCS#8 with `ssh-keygen -p -m PKCS8 -f key` (it rewrites the file in place and asks for the passphrase, if any), then store the file, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----, in the secret."
      )
      if (!path) return
      const [program, ...args] = quotedCommand(error.message, 'ssh-keygen')
      run(program as string, [...args.map(arg => (arg === 'key' ? path : arg)), '-P', '', '-N', ''])
      const converted = readFileSync(path, 'utf8')
      const read = readPrivateKey(converted, 'client-key')
      expect(read.key.asymmetricKeyType).toBe(type === 'rsa' ? 'rsa' : 'ec')
    }
  )

  it('an OpenSSH Ed25519 key: ssh-keygen cannot make it PEM, so make a PEM key', () => {
    const { text, path } = openSshKey('ed25519')
    const error = refusal(() => readPrivateKey(text, 'client-assertion-key'))
    expectCleanRefusal(error, 'client-assertion-key', text)
    expect(error.message).toContain(
      'ssh-keygen and openssl do not convert an OpenSSH Ed25519 key to PEM; make a PEM key with `openssl genpkey -algorithm ed25519 -out key.pem`'
    )
    if (!path) return
    // What the message says of ssh-keygen: asked for PKCS#8, it keeps an Ed25519 key in its own format.
    run('ssh-keygen', ['-p', '-m', 'PKCS8', '-P', '', '-N', '', '-f', path])
    expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/)
    const [program, ...args] = quotedCommand(error.message, 'openssl genpkey')
    run(program as string, args)
    const made = readPrivateKey(readFileSync(file('key.pem'), 'utf8'), 'client-assertion-key')
    expect(keyAlgorithms(made.key)).toContain('EdDSA')
  })

  const others: Array<[name: string, value: string, message: string]> = [
    [
      'a public key',
      rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      "Input 'client-assertion-key' is a public key (BEGIN PUBLIC KEY): this is the public half, which the server holds; pass the private key (BEGIN PRIVATE KEY) from a secret."
    ],
    [
      'an RSA public key',
      rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      "Input 'client-assertion-key' is a public key (BEGIN PUBLIC KEY): this is the public half, which the server holds; pass the private key (BEGIN PRIVATE KEY) from a secret."
    ],
    [
      'a certificate',
      certificateFor(rsa.privateKey, 'client'),
      "Input 'client-assertion-key' is a certificate (BEGIN CERTIFICATE): pass the private key (BEGIN PRIVATE KEY) here, and the certificate as client-assertion-cert / client-certificate."
    ],
    [
      'garbage',
      'not a key at all, just some text that someone pasted',
      "Input 'client-assertion-key' is not a PEM private key. Pass the whole key, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY----- (or BEGIN RSA PRIVATE KEY, BEGIN EC PRIVATE KEY), from a secret. Convert other formats with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`."
    ],
    [
      'the base64 body without its armour',
      bodyLines(pem(rsa.privateKey, 'pkcs8')).join('\n'),
      "Input 'client-assertion-key' is not a PEM private key. Pass the whole key, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY----- (or BEGIN RSA PRIVATE KEY, BEGIN EC PRIVATE KEY), from a secret. Convert other formats with `openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`."
    ],
    [
      'a key cut short',
      pem(rsa.privateKey, 'pkcs8')
        .split('\n')
        .filter((_line, index) => index !== 5)
        .join('\n'),
      "Input 'client-assertion-key' is not a PEM private key. Its private key block does not parse: it may be cut short or altered. Pass the whole key, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY----- (or BEGIN RSA PRIVATE KEY, BEGIN EC PRIVATE KEY), from a secret."
    ],
    [
      'an empty string',
      '',
      "Input 'client-assertion-key' is not a PEM private key. The value is empty: check the secret exists in this repository or environment. Pass the whole key, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY----- (or BEGIN RSA PRIVATE KEY, BEGIN EC PRIVATE KEY), from a secret."
    ]
  ]

  it.each(others)('%s', (_name, value, message) => {
    const error = refusal(() => readPrivateKey(value, 'client-assertion-key'))
    expect(error.message).toBe(message)
    expectCleanRefusal(error, 'client-assertion-key', value)
  })
})

/** A self-signed certificate for the key, made with the openssl CLI. */
function certificateFor(key: KeyObject, name: string, days = 30): string {
  writeFileSync(file(`${name}.key`), pem(key, 'pkcs8'))
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    file(`${name}.key`),
    '-subj',
    `/CN=${name}`,
    '-days',
    String(days),
    '-out',
    file(`${name}.pem`)
  )
  return readFileSync(file(`${name}.pem`), 'utf8')
}

/** What openssl says of a certificate: its DER, and its validity as instants. */
function opensslView(name: string) {
  openssl('x509', '-in', file(`${name}.pem`), '-outform', 'der', '-out', file(`${name}.der`))
  const dates = openssl('x509', '-in', file(`${name}.pem`), '-noout', '-startdate', '-enddate')
  const date = (field: string) => Date.parse(dates.match(new RegExp(`${field}=(.+)`))?.[1] ?? '')
  return {
    der: readFileSync(file(`${name}.der`)),
    notBefore: date('notBefore'),
    notAfter: date('notAfter')
  }
}

describe('readCertificate: the certificate and its thumbprints', () => {
  const rsaCert = certificateFor(rsa.privateKey, 'rsa-cert')
  const ecCert = certificateFor(p384.privateKey, 'ec-cert')

  it.each([
    ['RSA', 'rsa-cert', rsaCert],
    ['EC', 'ec-cert', ecCert]
  ])(
    '%s: x5t and x5t#S256 are the SHA-1 and SHA-256 of the DER openssl writes',
    (_k, name, text) => {
      const { der } = opensslView(name)
      const { certificate, thumbprints } = readCertificate(text, 'client-assertion-cert')
      expect(thumbprints).toEqual({
        x5t: createHash('sha1').update(der).digest('base64url'),
        'x5t#S256': createHash('sha256').update(der).digest('base64url')
      })
      expect(thumbprints.x5t).toMatch(/^[A-Za-z0-9_-]{27}$/)
      expect(thumbprints['x5t#S256']).toMatch(/^[A-Za-z0-9_-]{43}$/)
      const fingerprint = openssl('x509', '-in', file(`${name}.pem`), '-noout', '-fingerprint')
      const hex = fingerprint.replace(/^.*=/, '').replaceAll(':', '').trim()
      expect(Buffer.from(hex, 'hex').toString('base64url')).toBe(thumbprints.x5t)
      expect(certificate.raw.equals(der)).toBe(true)
    }
  )

  it.each(ARRIVALS.map(([name, arrive]) => [name, arrive] as const))(
    'a certificate %s is the same certificate',
    (_name, arrive) => {
      const read = readCertificate(arrive(rsaCert), 'client-certificate')
      expect(read.certificate.raw.equals(opensslView('rsa-cert').der)).toBe(true)
      expect(read.pem).toBe(rsaCert)
    }
  )

  it('of a chain, the first certificate is the leaf; the chain keeps them all, in order', () => {
    const read = readCertificate(`${ecCert}${rsaCert}`, 'client-assertion-cert')
    expect(read.certificate.raw.equals(opensslView('ec-cert').der)).toBe(true)
    expect(read.pem).toBe(ecCert)
    expect(read.chain).toBe(`${ecCert}${rsaCert}`)
    const reversed = readCertificate(`${rsaCert}\n${ecCert}`, 'client-assertion-cert')
    expect(reversed.certificate.raw.equals(opensslView('rsa-cert').der)).toBe(true)
  })

  it('a chain with a block that does not parse is refused, naming which', () => {
    const broken = rsaCert.replace(/\n[A-Za-z0-9+/=]{20,}\n/, '\nAAAA\n')
    expect(
      refusal(() => readCertificate(`${ecCert}${broken}`, 'client-certificate')).message
    ).toMatch(
      /^Input 'client-certificate' is not a PEM certificate\. Its certificate block 2 does not parse/
    )
  })

  it('a binary certificate: the message says how to make it PEM, and that works', () => {
    opensslView('rsa-cert')
    const value = readFileSync(file('rsa-cert.der')).toString('base64')
    const error = refusal(() => readCertificate(value, 'client-assertion-cert'))
    expect(error.message).toBe(
      "Input 'client-assertion-cert' is not a PEM certificate. Pass the whole certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----; convert a binary .cer or .der file with `openssl x509 -inform der -in cert.cer -out cert.pem`."
    )
    writeFileSync(file('cert.cer'), readFileSync(file('rsa-cert.der')))
    const [program, ...args] = quotedCommand(error.message, 'openssl')
    run(program as string, args)
    const read = readCertificate(readFileSync(file('cert.pem'), 'utf8'), 'client-assertion-cert')
    expect(read.pem).toBe(rsaCert)
  })

  it('a PKCS#7 bundle: the message says how to extract the certificates, and that works', () => {
    openssl('crl2pkcs7', '-nocrl', '-certfile', file('rsa-cert.pem'), '-out', file('cert.p7b'))
    const error = refusal(() =>
      readCertificate(readFileSync(file('cert.p7b'), 'utf8'), 'client-assertion-cert')
    )
    expect(error.message).toMatch(/^Input 'client-assertion-cert' is a PKCS#7 bundle/)
    const [program, ...args] = quotedCommand(error.message, 'openssl')
    run(program as string, args)
    const read = readCertificate(readFileSync(file('cert.pem'), 'utf8'), 'client-assertion-cert')
    expect(read.pem).toBe(rsaCert)
  })

  const key = pem(rsa.privateKey, 'pkcs8')
  it.each([
    [
      'a private key',
      'client-assertion-cert',
      key,
      "Input 'client-assertion-cert' is a private key, not a certificate: pass the certificate (BEGIN CERTIFICATE) here, and the key as client-assertion-key."
    ],
    [
      'an EC private key, for mTLS',
      'client-certificate',
      pem(p256.privateKey, 'sec1'),
      "Input 'client-certificate' is a private key, not a certificate: pass the certificate (BEGIN CERTIFICATE) here, and the key as client-key."
    ],
    [
      'a private key, escaped',
      'client-certificate',
      key.replaceAll('\n', '\\n'),
      "Input 'client-certificate' is a private key, not a certificate: pass the certificate (BEGIN CERTIFICATE) here, and the key as client-key."
    ],
    [
      'a public key',
      'client-assertion-cert',
      p256.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      "Input 'client-assertion-cert' is a public key, not a certificate: pass the certificate (BEGIN CERTIFICATE) registered with the server; make one for a key with `openssl req -x509 -new -key key.pem -subj /CN=my-client -days 365 -out cert.pem`."
    ],
    [
      'garbage',
      'client-assertion-cert',
      'a thumbprint perhaps: 3A:4B:5C',
      "Input 'client-assertion-cert' is not a PEM certificate. Pass the whole certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----; convert a binary .cer or .der file with `openssl x509 -inform der -in cert.cer -out cert.pem`."
    ],
    [
      'an empty string',
      'client-assertion-cert',
      ' ',
      "Input 'client-assertion-cert' is not a PEM certificate. The value is empty: check the secret or variable exists. Pass the whole certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----; convert a binary .cer or .der file with `openssl x509 -inform der -in cert.cer -out cert.pem`."
    ],
    [
      'a certificate cut short',
      'client-assertion-cert',
      rsaCert.replace(/\n[A-Za-z0-9+/]{64}\n/, '\n'),
      "Input 'client-assertion-cert' is not a PEM certificate. Its certificate block does not parse: it may be cut short or altered. Pass the whole certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----; convert a binary .cer or .der file with `openssl x509 -inform der -in cert.cer -out cert.pem`."
    ]
  ])('%s is refused', (_name, input, value, message) => {
    const error = refusal(() => readCertificate(value, input))
    expect(error.message).toBe(message)
    expectCleanRefusal(error, input, value)
  })

  it('the command that makes a certificate for a key works', () => {
    const error = refusal(() =>
      readCertificate(rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string, 'x')
    )
    writeFileSync(file('key.pem'), pem(rsa.privateKey, 'pkcs1'))
    const [program, ...args] = quotedCommand(error.message, 'openssl')
    run(program as string, args)
    const read = readCertificate(readFileSync(file('cert.pem'), 'utf8'), 'x')
    expect(read.certificate.checkPrivateKey(rsa.privateKey)).toBe(true)
  })
})

describe('checkCertificate: the certificate belongs to the key and is valid now', () => {
  const names = { input: 'client-assertion-cert', keyInput: 'client-assertion-key' }
  const ecCert = readCertificate(certificateFor(p256.privateKey, 'check-ec', 10), 'x').certificate
  const rsaCert = readCertificate(certificateFor(rsa.privateKey, 'check-rsa', 10), 'x').certificate
  const edCert = readCertificate(certificateFor(ed25519.privateKey, 'check-ed', 10), 'x')
  const { notBefore, notAfter } = opensslView('check-ec')
  const now = Date.now()

  it.each([
    ['EC', ecCert, p256.privateKey],
    ['RSA', rsaCert, rsa.privateKey],
    ['Ed25519', edCert.certificate, ed25519.privateKey]
  ])('%s: a certificate made for the key, within its validity, passes', (_name, cert, key) => {
    expect(() => checkCertificate(cert, key, { ...names, nowMs: now })).not.toThrow()
  })

  const mismatch =
    "Input 'client-assertion-cert' does not match input 'client-assertion-key': the certificate was issued for another key. Pass the certificate made for this key; the two agree when `openssl x509 -in cert.pem -noout -pubkey` and `openssl pkey -in key.pem -pubout` print the same."

  it.each([
    ['another key of the same curve', ecCert, generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['a key of another curve', ecCert, p384],
    ['a key of another type', rsaCert, p256],
    ['another RSA key', rsaCert, generateKeyPairSync('rsa', { modulusLength: 2048 })]
  ])('a certificate for %s does not match', (_name, cert, pair) => {
    const error = refusal(() => checkCertificate(cert, pair.privateKey, { ...names, nowMs: now }))
    expect(error.message).toBe(mismatch)
  })

  it('the commands the mismatch message names tell a pair from a mismatch', () => {
    const [x509, ...x509Args] = quotedCommand(mismatch, 'openssl x509')
    const [pkey, ...pkeyArgs] = quotedCommand(mismatch, 'openssl pkey')
    writeFileSync(file('cert.pem'), certificateFor(p256.privateKey, 'pair'))
    writeFileSync(file('key.pem'), pem(p256.privateKey, 'sec1'))
    expect(run(x509 as string, x509Args)).toBe(run(pkey as string, pkeyArgs))
    writeFileSync(file('key.pem'), pem(p384.privateKey, 'pkcs8'))
    expect(run(x509 as string, x509Args)).not.toBe(run(pkey as string, pkeyArgs))
  })

  it('an expired certificate says when it expired', () => {
    expect(checkCertificate(ecCert, p256.privateKey, { ...names, nowMs: notAfter })).toBeUndefined()
    const error = refusal(() =>
      checkCertificate(ecCert, p256.privateKey, { ...names, nowMs: notAfter + 1000 })
    )
    const when = new Date(notAfter).toISOString().replace('.000Z', 'Z')
    expect(when).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(error.message).toBe(
      `Input 'client-assertion-cert' holds a certificate that expired on ${when}. Make a new certificate for the key, register it with the server, and pass it here.`
    )
    // openssl -days 10: the expiry is ten days after the start, as the message states it.
    expect(notAfter - notBefore).toBe(10 * 86_400_000)
  })

  it('a certificate not yet valid says from when, and what the clock says', () => {
    expect(() =>
      checkCertificate(ecCert, p256.privateKey, { ...names, nowMs: notBefore })
    ).not.toThrow()
    const nowMs = notBefore - 3_600_000
    const error = refusal(() => checkCertificate(ecCert, p256.privateKey, { ...names, nowMs }))
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z')
    expect(error.message).toBe(
      `Input 'client-assertion-cert' holds a certificate that is not valid until ${iso(notBefore)} (the runner's clock says ${iso(nowMs)}). Wait until then, or check the clock of the machine that made it.`
    )
  })

  it('a mismatch is reported before an expiry', () => {
    const error = refusal(() =>
      checkCertificate(ecCert, p384.privateKey, { ...names, nowMs: notAfter + 1000 })
    )
    expect(error.message).toBe(mismatch)
  })
})

describe('keyAlgorithms: what each key signs with', () => {
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 })
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' })
  const k256 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  const ed448 = generateKeyPairSync('ed448')

  it.each([
    ['RSA 2048', rsa, ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']],
    ['EC P-256', p256, ['ES256']],
    ['EC P-384', p384, ['ES384']],
    ['EC P-521', p521, ['ES512']],
    ['Ed25519', ed25519, ['EdDSA', 'Ed25519']]
  ])('%s: %j, and jose signs with each', async (_name, pair, algorithms) => {
    expect(keyAlgorithms(pair.privateKey)).toEqual(algorithms)
    expect(signingAlgorithms(pair.privateKey, 'client-assertion-key')).toEqual(algorithms)
    const spki = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string
    for (const alg of algorithms) {
      const jwt = await new SignJWT({ sub: 'c' }).setProtectedHeader({ alg }).sign(pair.privateKey)
      const { payload } = await jwtVerify(jwt, await importSPKI(spki, alg))
      expect(payload.sub).toBe('c')
    }
  })

  it.each([
    [
      'RSA 1024',
      small,
      "Input 'client-assertion-key' is a 1024-bit RSA key; signing needs 2048 bits or more (RFC 7518 §3.3). Make a new key with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem` and register its public half with the server."
    ],
    [
      'EC secp256k1',
      k256,
      "Input 'client-assertion-key' is an EC key on curve secp256k1; assertions here are signed with RSA, EC (P-256, P-384, P-521) or Ed25519 keys."
    ],
    [
      'Ed448',
      ed448,
      "Input 'client-assertion-key' is a ed448 key; assertions here are signed with RSA, EC (P-256, P-384, P-521) or Ed25519 keys."
    ]
  ])('%s: none, and jose agrees', async (_name, pair, message) => {
    expect(keyAlgorithms(pair.privateKey)).toEqual([])
    expect(refusal(() => signingAlgorithms(pair.privateKey, 'client-assertion-key')).message).toBe(
      message
    )
    const alg = pair === small ? 'RS256' : pair === k256 ? 'ES256' : 'EdDSA'
    await expect(
      new SignJWT({}).setProtectedHeader({ alg }).sign(pair.privateKey)
    ).rejects.toThrow()
  })

  it('the command for a new RSA key makes one that signs', () => {
    const message = refusal(() => signingAlgorithms(small.privateKey, 'k')).message
    const [program, ...args] = quotedCommand(message, 'openssl')
    run(program as string, args)
    const { key } = readPrivateKey(readFileSync(file('key.pem'), 'utf8'), 'k')
    expect(keyAlgorithms(key)).toContain('RS256')
  })

  it('the usual algorithm comes first: the default when client-assertion-alg is empty', () => {
    expect(keyAlgorithms(readPrivateKey(pem(rsa.privateKey, 'pkcs1'), 'k').key)[0]).toBe('RS256')
    expect(keyAlgorithms(readPrivateKey(pem(p384.privateKey, 'sec1'), 'k').key)[0]).toBe('ES384')
  })
})
