import { clientCertificateThumbprint } from '../auth/index.js'
import { ActionError } from '../base/errors.js'
import { DEFAULT_TOKEN_URL } from '../base/input-rules.js'
import type { Settings } from '../config/settings.js'
import { discoveryUrl, parseDiscovery, type Endpoints } from '../oauth/discovery.js'
import { getDocument, type SendDeps } from '../oauth/send.js'

/** The inputs' explicit endpoints win over discovered ones; the token endpoint must be known. */
export function resolveEndpoints(settings: Settings, discovered: Partial<Endpoints>): Endpoints {
  const tokenUrl = settings.configuredTokenUrl ?? discovered.tokenUrl
  if (!tokenUrl) {
    throw new ActionError(
      `The discovery document lists no token_endpoint. Set token-url (it defaults to ${DEFAULT_TOKEN_URL}).`
    )
  }
  return {
    tokenUrl,
    jwksUrl: settings.jwksUrl ?? discovered.jwksUrl,
    revocationUrl: settings.revocationUrl ?? discovered.revocationUrl
  }
}

/** The endpoints from the inputs, completed by OpenID Connect discovery when issuer is set. */
export async function findEndpoints(
  settings: Settings,
  deadline: number,
  deps: SendDeps
): Promise<Endpoints> {
  if (!settings.issuer) return resolveEndpoints(settings, {})
  const url = discoveryUrl(settings.issuer)
  deps.core.info(`Discovering endpoints at ${url.host}${url.pathname}.`)
  const response = await getDocument(
    url,
    { label: 'The discovery endpoint', input: 'issuer' },
    { ...settings, deadline },
    deps
  )
  const mtls = clientCertificateThumbprint(settings.auth) !== undefined
  return resolveEndpoints(settings, parseDiscovery(response, settings.issuer, { mtls }))
}
