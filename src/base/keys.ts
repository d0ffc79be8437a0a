import { createHash, createPrivateKey, KeyObject, X509Certificate } from 'node:crypto'
import { ActionError } from './errors.js'

/**
 * Keys and certificates as users paste them into secrets. Pure: no I/O, node:crypto only.
 * Every message names the input and the fix, and never quotes any of the value: the value is a
 * secret, or (passed in the wrong input) may be one.
 */

export interface PrivateKeyRead {
  key: KeyObject
  /** The key as PKCS#8 PEM, whatever form it arrived in. */
  pem: string
  /** Every text the key was on its way here (raw, unescaped, decoded, re-wrapped, PKCS#8): mask each. */
  forms: string[]
}

export interface CertificateRead {
  /** The leaf: the first certificate of the value. */
  certificate: X509Certificate
  pem: string
  /** Every certificate of the value as PEM, in its order (leaf first): the chain a TLS peer needs. */
  chain: string
  /** RFC 7515 §4.1.7 and §4.1.8: base64url of the SHA-1 and SHA-256 of the DER. */
  thumbprints: { x5t: string; 'x5t#S256': string }
}

const PRIVATE_KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY']
const PUBLIC_KEY_LABELS = ['PUBLIC KEY', 'RSA PUBLIC KEY']
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/

const EXPECTED_KEY =
  'Pass the whole key, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY----- (or BEGIN RSA PRIVATE KEY, BEGIN EC PRIVATE KEY), from a secret.'
const DECRYPT = '`openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`'
const OPENSSH_TO_PKCS8 = '`ssh-keygen -p -m PKCS8 -f key`'
const EXPECTED_CERT =
  'Pass the whole certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----; convert a binary .cer or .der file with `openssl x509 -inform der -in cert.cer -out cert.pem`.'

/** The key input that goes with a certificate input, for messages. */
const KEY_INPUT_FOR: Record<string, string> = {
  'client-assertion-cert': 'client-assertion-key',
  'client-certificate': 'client-key'
}
const CERT_INPUTS = 'client-assertion-cert / client-certificate'

interface Block {
  label: string
  body: string
  /** The block re-armoured: base64 without whitespace, wrapped at 64, LF line ends. */
  pem: string
}

interface Unwrapped {
  blocks: Block[]
  forms: string[]
}

/**
 * Undoes what happens to PEM text on its way into a secret: surrounding whitespace and quotes,
 * CRLF, literal `\n` escapes, one round of base64, lines indented or joined by spaces.
 */
function unwrap(value: string): Unwrapped {
  const forms = [value]
  const step = (text: string) => {
    forms.push(text, text.trim())
    return text.trim()
  }
  let text = step(value)
  if (/^"[\s\S]*"$/.test(text)) text = step(text.slice(1, -1))
  // A PEM's own text holds no backslash, so any `\n` `\r` here are escapes of line ends.
  text = step(text.replace(/\\r\\n|\\n|\\r/g, '\n'))
  const compact = text.replace(/\s+/g, '')
  if (!text.includes('-----BEGIN ') && compact && BASE64.test(compact)) {
    const decoded = Buffer.from(compact, 'base64').toString('utf8')
    if (decoded.includes('-----BEGIN ')) {
      text = step(decoded)
      text = step(text.replace(/\\r\\n|\\n|\\r/g, '\n'))
    }
  }
  text = step(text.replace(/\r\n?/g, '\n'))
  const blocks: Block[] = []
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1] as string
    const inner = match[2] as string
    // Encrypted PKCS#1 carries headers (Proc-Type, DEK-Info) that re-wrapping would break.
    if (/^[ \t]*[A-Za-z-]+:/m.test(inner)) {
      blocks.push({ label, body: inner, pem: match[0] })
      continue
    }
    const body = inner.replace(/\s+/g, '')
    const lines = body.match(/.{1,64}/g) ?? []
    const pem = `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`
    blocks.push({ label, body, pem })
  }
  return { blocks, forms }
}

function unique(forms: string[]): string[] {
  return [...new Set(forms)].filter(form => form.length > 0)
}

function isEncrypted(block: Block): boolean {
  return (
    block.label === 'ENCRYPTED PRIVATE KEY' ||
    (PRIVATE_KEY_LABELS.includes(block.label) && /Proc-Type:\s*4,\s*ENCRYPTED/i.test(block.body))
  )
}

/** The key type an OpenSSH private key declares in its (never encrypted) public part. */
function isOpenSshEd25519(block: Block): boolean {
  return Buffer.from(block.body.replace(/\s+/g, ''), 'base64').includes('ssh-ed25519')
}

function openSshMessage(input: string, block: Block): string {
  const start = `Input '${input}' is an OpenSSH private key (BEGIN OPENSSH PRIVATE KEY), which is not PEM.`
  if (isOpenSshEd25519(block)) {
    return `${start} ssh-keygen and openssl do not convert an OpenSSH Ed25519 key to PEM; make a PEM key with \`openssl genpkey -algorithm ed25519 -out key.pem\`, register its public half (\`openssl pkey -in key.pem -pubout\`) with the server, and store key.pem in the secret.`
  }
  return `${start} Convert a copy to PKCS#8 with ${OPENSSH_TO_PKCS8} (it rewrites the file in place and asks for the passphrase, if any), then store the file, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----, in the secret.`
}

/** Why a value that is not a usable PEM private key was refused; one line, none of the value. */
function keyRefusal(input: string, value: string, blocks: Block[]): string {
  const has = (labels: string[]) => blocks.find(block => labels.includes(block.label))
  const encrypted = blocks.find(isEncrypted)
  if (encrypted) {
    return `Input '${input}' is an encrypted private key; the action cannot ask for its passphrase. Decrypt it once with ${DECRYPT} (it asks for the passphrase) and store key-pkcs8.pem in the secret.`
  }
  const openSsh = has(['OPENSSH PRIVATE KEY'])
  if (openSsh) return openSshMessage(input, openSsh)
  if (has(PRIVATE_KEY_LABELS)) {
    return `Input '${input}' is not a PEM private key. Its private key block does not parse: it may be cut short or altered. ${EXPECTED_KEY}`
  }
  if (has(PUBLIC_KEY_LABELS)) {
    return `Input '${input}' is a public key (BEGIN PUBLIC KEY): this is the public half, which the server holds; pass the private key (BEGIN PRIVATE KEY) from a secret.`
  }
  if (has(['CERTIFICATE'])) {
    return `Input '${input}' is a certificate (BEGIN CERTIFICATE): pass the private key (BEGIN PRIVATE KEY) here, and the certificate as ${CERT_INPUTS}.`
  }
  if (!value.trim()) {
    return `Input '${input}' is not a PEM private key. The value is empty: check the secret exists in this repository or environment. ${EXPECTED_KEY}`
  }
  return `Input '${input}' is not a PEM private key. ${EXPECTED_KEY} Convert other formats with ${DECRYPT}.`
}

/** A private key as users paste it: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), in any form `unwrap` undoes. */
export function readPrivateKey(value: string, input: string): PrivateKeyRead {
  const { blocks, forms } = unwrap(value)
  const block = blocks.find(b => PRIVATE_KEY_LABELS.includes(b.label) && !isEncrypted(b))
  if (block) {
    let key: KeyObject | undefined
    try {
      key = createPrivateKey({ key: block.pem, format: 'pem' })
    } catch {
      // Refused below, with the reason.
    }
    if (key) {
      const pem = key.export({ type: 'pkcs8', format: 'pem' }) as string
      return { key, pem, forms: unique([...forms, block.pem, pem]) }
    }
  }
  throw new ActionError(keyRefusal(input, value, blocks))
}

/** A PEM certificate as users paste it; of a chain, the first (the leaf). Every block must parse. */
export function readCertificate(value: string, input: string): CertificateRead {
  const { blocks } = unwrap(value)
  const pems = blocks.filter(b => b.label === 'CERTIFICATE').map(b => b.pem)
  if (pems.length > 0) {
    const [certificate] = pems.map((pem, index) =>
      parseCertificate(pem, input, pems.length > 1 ? index + 1 : undefined)
    ) as [X509Certificate]
    const thumbprint = (hash: string) =>
      createHash(hash).update(certificate.raw).digest('base64url')
    return {
      certificate,
      pem: pems[0] as string,
      chain: pems.join(''),
      thumbprints: { x5t: thumbprint('sha1'), 'x5t#S256': thumbprint('sha256') }
    }
  }
  const keyInput = KEY_INPUT_FOR[input]
  const labels = blocks.map(b => b.label)
  if (labels.some(label => label.includes('PRIVATE KEY'))) {
    throw new ActionError(
      `Input '${input}' is a private key, not a certificate: pass the certificate (BEGIN CERTIFICATE) here${keyInput ? `, and the key as ${keyInput}` : ''}.`
    )
  }
  if (keyInput && labels.some(label => PUBLIC_KEY_LABELS.includes(label))) {
    throw new ActionError(
      `Input '${input}' is a public key, not a certificate: pass the certificate (BEGIN CERTIFICATE) registered with the server; make one for a key with \`openssl req -x509 -new -key key.pem -subj /CN=my-client -days 365 -out cert.pem\`.`
    )
  }
  if (labels.includes('PKCS7')) {
    throw new ActionError(
      `Input '${input}' is a PKCS#7 bundle, not a certificate: extract the certificates with \`openssl pkcs7 -print_certs -in cert.p7b -out cert.pem\` and pass cert.pem${keyInput ? ', leaf first' : ''}.`
    )
  }
  const empty = value.trim() ? '' : ' The value is empty: check the secret or variable exists.'
  throw new ActionError(`Input '${input}' is not a PEM certificate.${empty} ${EXPECTED_CERT}`)
}

/**
 * Certificates to trust besides the default CAs (ca-certificate), as one PEM text; '' for none.
 * A CA's certificate is public, so a private key here is a mistake to stop, not to pass over.
 */
export function readTrustedCertificates(value: string, input: string): string {
  if (!value.trim()) return ''
  if (unwrap(value).blocks.some(block => block.label.includes('PRIVATE KEY'))) {
    throw new ActionError(
      `Input '${input}' holds a private key: pass only certificates (BEGIN CERTIFICATE), which are public. A CA's private key is never needed to trust it; keep it out of workflows.`
    )
  }
  return readCertificate(value, input).chain
}

/** `ordinal` numbers the block in a value of several, so that the message says which. */
function parseCertificate(pem: string, input: string, ordinal?: number): X509Certificate {
  try {
    return new X509Certificate(pem)
  } catch {
    throw new ActionError(
      `Input '${input}' is not a PEM certificate. Its ${ordinal ? `certificate block ${ordinal}` : 'certificate block'} does not parse: it may be cut short or altered. ${EXPECTED_CERT}`
    )
  }
}

/** An instant as the certificate states it, to the second: 2026-01-31T00:00:00Z. */
function instant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The certificate belongs to the key and is valid at `nowMs`. */
export function checkCertificate(
  certificate: X509Certificate,
  key: KeyObject,
  { input, keyInput, nowMs }: { input: string; keyInput: string; nowMs: number }
): void {
  let matches = false
  try {
    matches = certificate.checkPrivateKey(key)
  } catch {
    // A key of another type than the certificate's: no match.
  }
  if (!matches) {
    throw new ActionError(
      `Input '${input}' does not match input '${keyInput}': the certificate was issued for another key. Pass the certificate made for this key; the two agree when \`openssl x509 -in cert.pem -noout -pubkey\` and \`openssl pkey -in key.pem -pubout\` print the same.`
    )
  }
  const notBefore = certificate.validFromDate
  const notAfter = certificate.validToDate
  if (nowMs > notAfter.getTime()) {
    throw new ActionError(
      `Input '${input}' holds a certificate that expired on ${instant(notAfter)}. Make a new certificate for the key, register it with the server, and pass it here.`
    )
  }
  if (nowMs < notBefore.getTime()) {
    throw new ActionError(
      `Input '${input}' holds a certificate that is not valid until ${instant(notBefore)} (the runner's clock says ${instant(new Date(nowMs))}). Wait until then, or check the clock of the machine that made it.`
    )
  }
}

/** What jose signs with each key: RSA (2048 bits and up), EC by curve, Ed25519. */
const ALGORITHMS: Record<string, string[]> = {
  rsa: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  prime256v1: ['ES256'],
  secp384r1: ['ES384'],
  secp521r1: ['ES512'],
  ed25519: ['EdDSA', 'Ed25519']
}

/** The JWS algorithms this key can sign with, the usual one first; [] when none. */
export function keyAlgorithms(key: KeyObject): string[] {
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    return []
  }
  const kind =
    key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : key.asymmetricKeyType
  return [...(ALGORITHMS[kind ?? ''] ?? [])]
}

/** keyAlgorithms, or an ActionError naming the input and why the key cannot sign. */
export function signingAlgorithms(key: KeyObject, input: string): string[] {
  const algorithms = keyAlgorithms(key)
  if (algorithms.length > 0) return algorithms
  const bits = key.asymmetricKeyDetails?.modulusLength
  if (key.asymmetricKeyType === 'rsa') {
    throw new ActionError(
      `Input '${input}' is a ${bits}-bit RSA key; signing needs 2048 bits or more (RFC 7518 §3.3). Make a new key with \`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem\` and register its public half with the server.`
    )
  }
  const kind =
    key.asymmetricKeyType === 'ec'
      ? `an EC key on curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}`
      : `a ${key.asymmetricKeyType ?? 'unknown'} key`
  throw new ActionError(
    `Input '${input}' is ${kind}; assertions here are signed with RSA, EC (P-256, P-384, P-521) or Ed25519 keys.`
  )
}
