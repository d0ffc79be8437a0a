// A throwaway CA and certificates it signed (server and TLS client), and self-signed client
// certificates, made with the openssl CLI for one test run.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCertificates {
  /** PEM file of the CA, for NODE_EXTRA_CA_CERTS. */
  caFile: string
  /** The CA's private key file, to sign more certificates (makeClientCertificate). */
  caKeyFile: string
  /** PEM of the CA certificate (the contents of caFile). */
  caCert: string
  key: string
  cert: string
}

/** A certificate and its private key (PKCS#8), both PEM. */
export interface KeyPair {
  key: string
  cert: string
}

export interface ServerCertificateOptions {
  /** Also cover DNS:localhost and IP:127.0.0.1, for an HTTPS server on loopback. */
  loopback?: boolean
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'test-tls-'))
  return {
    file: (name: string) => join(dir, name),
    openssl: (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' })
  }
}

/** subjectAltName entries: IP addresses as IP:, other names as DNS:. */
const altName = (name: string) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)

/**
 * A CA and a server certificate it signed for `hostnames` (the first is the CN). The CA can sign
 * client certificates too (makeClientCertificate), and is the one `NODE_EXTRA_CA_CERTS` names.
 */
export function makeCertificates(
  hostnames: string[],
  { loopback = false }: ServerCertificateOptions = {}
): TestCertificates {
  const { file, openssl } = workspace()
  openssl(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Stent action test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign'
  )
  const names = [...new Set([...hostnames, ...(loopback ? ['localhost', '127.0.0.1'] : [])])]
  openssl(
    'req',
    ...EC,
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
    '-subj',
    `/CN=${names[0]}`
  )
  writeFileSync(file('ext.cnf'), `subjectAltName=${names.map(altName).join(',')}\n`)
  openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('server.pem'),
    '-days',
    '2',
    '-extfile',
    file('ext.cnf')
  )
  return {
    caFile: file('ca.pem'),
    caKeyFile: file('ca.key'),
    caCert: readFileSync(file('ca.pem'), 'utf8'),
    key: readFileSync(file('server.key'), 'utf8'),
    cert: readFileSync(file('server.pem'), 'utf8')
  }
}

/** A CA's certificate and key files, to sign certificates with. */
export type CertificateAuthority = Pick<TestCertificates, 'caFile' | 'caKeyFile' | 'caCert'>

/**
 * An intermediate CA signed by `ca` (the root), as enterprise PKIs issue client certificates: a
 * peer that trusts only the root accepts a certificate it signed only with it in the chain.
 */
export function makeIntermediateCa(
  ca: Pick<TestCertificates, 'caFile' | 'caKeyFile'>,
  subject = '/CN=Stent action test intermediate CA'
): CertificateAuthority {
  const { file, openssl } = workspace()
  openssl('req', ...EC, '-keyout', file('ca.key'), '-out', file('ca.csr'), '-subj', subject)
  writeFileSync(
    file('ext.cnf'),
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n'
  )
  openssl(
    'x509',
    '-req',
    '-in',
    file('ca.csr'),
    '-CA',
    ca.caFile,
    '-CAkey',
    ca.caKeyFile,
    '-CAcreateserial',
    '-CAserial',
    file('root.srl'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-extfile',
    file('ext.cnf')
  )
  return {
    caFile: file('ca.pem'),
    caKeyFile: file('ca.key'),
    caCert: readFileSync(file('ca.pem'), 'utf8')
  }
}

/**
 * A TLS client certificate (EC P-256, `extendedKeyUsage=clientAuth`) signed by `ca`.
 * @param subject openssl's form, e.g. `/CN=deploy-bot/O=Stent`
 * @param subjectAltName optional, e.g. `DNS:deploy.stent.example`
 */
export function makeClientCertificate(
  ca: Pick<TestCertificates, 'caFile' | 'caKeyFile'>,
  subject: string,
  subjectAltName?: string
): KeyPair {
  const { file, openssl } = workspace()
  openssl('req', ...EC, '-keyout', file('client.key'), '-out', file('client.csr'), '-subj', subject)
  writeFileSync(
    file('ext.cnf'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=clientAuth',
      ...(subjectAltName ? [`subjectAltName=${subjectAltName}`] : [])
    ].join('\n') + '\n'
  )
  openssl(
    'x509',
    '-req',
    '-in',
    file('client.csr'),
    '-CA',
    ca.caFile,
    '-CAkey',
    ca.caKeyFile,
    '-CAcreateserial',
    '-CAserial',
    file('ca.srl'),
    '-out',
    file('client.pem'),
    '-days',
    '2',
    '-extfile',
    file('ext.cnf')
  )
  return {
    key: readFileSync(file('client.key'), 'utf8'),
    cert: readFileSync(file('client.pem'), 'utf8')
  }
}

/**
 * A self-signed TLS client certificate (EC P-256, `extendedKeyUsage=clientAuth`) and its key; valid
 * two days from now, or for `validity` (e.g. one that expired long ago).
 */
export function makeSelfSigned(
  subject: string,
  validity?: { notBefore: Date; notAfter: Date }
): KeyPair {
  const { file, openssl } = workspace()
  if (validity) {
    // `openssl req -x509` takes only a number of days from now; `openssl ca` takes any dates.
    const date = (at: Date) => at.toISOString().replace(/[-:T]|\.\d+/g, '')
    writeFileSync(
      file('ca.cnf'),
      [
        '[ca]',
        'default_ca = test',
        '[test]',
        `database = ${file('index.txt')}`,
        `new_certs_dir = ${file('')}`,
        `serial = ${file('serial')}`,
        'default_md = sha256',
        'policy = any',
        'x509_extensions = ext',
        '[any]',
        'commonName = supplied',
        '[ext]',
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature',
        'extendedKeyUsage = clientAuth'
      ].join('\n') + '\n'
    )
    writeFileSync(file('index.txt'), '')
    writeFileSync(file('serial'), '01\n')
    openssl('req', ...EC, '-keyout', file('self.key'), '-out', file('self.csr'), '-subj', subject)
    openssl(
      'ca',
      '-batch',
      '-selfsign',
      '-notext',
      '-config',
      file('ca.cnf'),
      '-keyfile',
      file('self.key'),
      '-in',
      file('self.csr'),
      '-startdate',
      date(validity.notBefore),
      '-enddate',
      date(validity.notAfter),
      '-out',
      file('self.pem')
    )
    return {
      key: readFileSync(file('self.key'), 'utf8'),
      cert: readFileSync(file('self.pem'), 'utf8')
    }
  }
  openssl(
    'req',
    '-x509',
    ...EC,
    '-keyout',
    file('self.key'),
    '-out',
    file('self.pem'),
    '-days',
    '2',
    '-subj',
    subject,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature',
    '-addext',
    'extendedKeyUsage=clientAuth'
  )
  return {
    key: readFileSync(file('self.key'), 'utf8'),
    cert: readFileSync(file('self.pem'), 'utf8')
  }
}
