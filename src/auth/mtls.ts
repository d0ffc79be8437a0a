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

  async credentials(auth, { clientId }): Promise<Credentials> {
    return {
      form: [['client_id', clientId]],
      headers: {},
      tls: { cert: auth.cert, key: auth.key },
      fresh: []
    }
  }
}
