import { randomUUID, type KeyObject } from 'node:crypto'
import { ActionError } from '../base/errors.js'
import { oneOf, required, singleLine, type GetInput } from '../base/input-rules.js'
import {
  checkCertificate,
  readCertificate,
  readPrivateKey,
  signingAlgorithms
} from '../base/keys.js'
import { JWT_BEARER } from '../oauth/token-request.js'
import { readSecret } from './secret.js'
import type { AuthFamily, Credentials } from './types.js'

/** Lifetime of a client assertion; RFC 7523 servers accept at most a few minutes. */
const ASSERTION_LIFETIME_S = 300

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const

/**
 * The thumbprints of the certificate whose key signs the assertion (Entra ID's certificate
 * credentials): base64url SHA-1 and SHA-256 of its DER, the x5t and x5t#S256 headers (RFC 7515).
 */
export interface AssertionCertificate {
  x5t: string
  'x5t#S256': string
}

/**
 * A JWT as client authentication (RFC 7523 §2.2, OIDC Core §9): signed with the client's private
 * key (private_key_jwt), or with the client secret by HMAC (client_secret_jwt).
 */
export type AssertionAuth =
  | {
      method: 'private_key_jwt'
      key: KeyObject
      /** Every form the key arrived in, to mask. */
      keyForms: string[]
      alg: string
      kid: string
      certificate: AssertionCertificate | undefined
    }
  | { method: 'client_secret_jwt'; secret: string; alg: string; kid: string }

/** The input algorithm if the key can sign with it, else the key's usual one. */
function algorithmFor(allowed: readonly string[], getInput: GetInput, what: string): string {
  const alg = getInput('client-assertion-alg')
  if (!alg) return allowed[0] as string
  if (!allowed.includes(alg)) {
    // Only case: one edit away would suggest another key type's algorithm (ES256 for RS256).
    const sameButCase = allowed.find(a => a.toLowerCase() === alg.toLowerCase())
    throw new ActionError(
      `Input 'client-assertion-alg' is '${alg}', which ${what} cannot sign with.${sameButCase ? ` Did you mean '${sameButCase}'?` : ` Accepted: ${allowed.join(', ')}.`}`
    )
  }
  return alg
}

export const assertionFamily: AuthFamily<AssertionAuth> = {
  methods: ['client_secret_jwt', 'private_key_jwt'],
  formFields: ['client_id', 'client_assertion_type', 'client_assertion'],
  impliedBy: { 'client-assertion-key': 'private_key_jwt' },

  read(method, getInput, nowMs) {
    if (method === 'client_secret_jwt') {
      const secret = readSecret(getInput, method)
      const alg = oneOf(getInput, 'client-assertion-alg', HMAC_ALGORITHMS, 'HS256')
      return { method, secret, alg, kid: singleLine(getInput, 'client-assertion-kid') }
    }
    const input = 'client-assertion-key'
    const { key, forms } = readPrivateKey(required(getInput, input, method), input)
    const type = key.asymmetricKeyType
    const kind = type === 'rsa' ? 'RSA' : type === 'ec' ? 'EC' : 'Ed25519'
    const alg = algorithmFor(signingAlgorithms(key, input), getInput, `this ${kind} key`)
    const certPem = getInput('client-assertion-cert')
    let certificate: AssertionCertificate | undefined
    if (certPem) {
      const cert = readCertificate(certPem, 'client-assertion-cert')
      checkCertificate(cert.certificate, key, {
        input: 'client-assertion-cert',
        keyInput: input,
        nowMs
      })
      certificate = cert.thumbprints
    }
    return {
      method,
      key,
      keyForms: forms,
      alg,
      kid: singleLine(getInput, 'client-assertion-kid'),
      certificate
    }
  },

  secrets(auth) {
    return auth.method === 'client_secret_jwt' ? [auth.secret] : auth.keyForms
  },

  refusalHint(auth) {
    const registered = `and that auth-method (${auth.method}) matches how the client is registered.`
    return auth.method === 'client_secret_jwt'
      ? `the server did not accept the client assertion. Check client-id, client-secret (the HMAC key it is signed with: rotated or expired?) and client-assertion-alg (${auth.alg}: one the server accepts for this client), ${registered}`
      : `the server did not accept the client assertion. Check client-id, client-assertion-key (the server must hold its public key for this client, in its JWKS or as a certificate), client-assertion-kid (the key's kid, if the server looks keys up by kid) and client-assertion-cert (the certificate registered there, if the server expects one, as Entra ID does), ${registered}`
  },

  async credentials(auth, { clientId, tokenUrl, deps }): Promise<Omit<Credentials, 'origin'>> {
    const { SignJWT } = await import('jose')
    const now = Math.floor(deps.now() / 1000)
    const certificate = auth.method === 'private_key_jwt' ? auth.certificate : undefined
    const assertion = await new SignJWT({})
      .setProtectedHeader({
        alg: auth.alg,
        typ: 'JWT',
        ...(auth.kid ? { kid: auth.kid } : {}),
        ...(certificate ? { x5t: certificate.x5t, 'x5t#S256': certificate['x5t#S256'] } : {})
      })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(tokenUrl.href)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + ASSERTION_LIFETIME_S)
      .sign(auth.method === 'private_key_jwt' ? auth.key : new TextEncoder().encode(auth.secret))
    return {
      form: [
        ['client_id', clientId],
        ['client_assertion_type', JWT_BEARER],
        ['client_assertion', assertion]
      ],
      headers: {},
      fresh: [assertion]
    }
  }
}
