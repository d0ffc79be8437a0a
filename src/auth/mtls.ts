import { required } from '../base/input-rules.js'
import { checkCertificate, readCertificate, readPrivateKey } from '../base/keys.js'
import type { AuthFamily, Credentials } from './types.js'

/**
 * Mutual TLS client authentication (RFC 8705 §2): the client certificate on the connection is the
 * credential, issued by a CA the server trusts (tls_client_auth) or registered as is
 * (self_signed_tls_client_auth). Tokens may come back bound to it (cnf x5t#S256, §3).
 */
export interface MtlsAuth {
  method: 'tls_client_auth' | 'self_signed_tls_client_auth'
  /** The certificate and any intermediates after it: a server that trusts only the root needs them. */
  cert: string
  key: string
  /** Every form the key arrived in, to mask. */
  keyForms: string[]
  /** base64url SHA-256 of the certificate's DER: what a bound token's cnf must name. */
  thumbprint: string
}

export const mtlsFamily: AuthFamily<MtlsAuth> = {
  methods: ['tls_client_auth', 'self_signed_tls_client_auth'],
  formFields: ['client_id'],
  impliedBy: { 'client-certificate': 'tls_client_auth or self_signed_tls_client_auth' },

  read(method, getInput, nowMs) {
    const certificate = readCertificate(
      required(getInput, 'client-certificate', method),
      'client-certificate'
    )
    const key = readPrivateKey(required(getInput, 'client-key', method), 'client-key')
    checkCertificate(certificate.certificate, key.key, {
      input: 'client-certificate',
      keyInput: 'client-key',
      nowMs
    })
    return {
      method,
      cert: certificate.chain,
      key: key.pem,
      keyForms: key.forms,
      thumbprint: certificate.thumbprints['x5t#S256']
    }
  },

  secrets(auth) {
    return auth.keyForms
  },

  certificateThumbprint(auth) {
    return auth.thumbprint
  },

  refusalHint(auth) {
    const registration =
      auth.method === 'tls_client_auth'
        ? 'the server must trust the CA that issued the certificate, and the client must be registered with its subject DN or a SAN (tls_client_auth_subject_dn, tls_client_auth_san_*)'
        : "the certificate itself must be registered in the client's JWKS (jwks or jwks_uri) on the server"
    return `the server did not accept the client certificate. Check client-id, client-certificate and client-key: for ${auth.method}, ${registration}; and that auth-method matches how the client is registered.`
  },

  async credentials(auth, { clientId }): Promise<Omit<Credentials, 'origin'>> {
    return {
      form: [['client_id', clientId]],
      headers: {},
      tls: { cert: auth.cert, key: auth.key },
      fresh: []
    }
  }
}
