/**
 * Bundled in place of `undici` and `tunnel` (see tsconfig.json `paths`). @actions/core imports
 * @actions/http-client for getIDToken, which imports both at top level; this action sends every
 * request through its own transport (src/http/transport.ts) and asks for the GitHub ID token itself,
 * so neither is ever called. Bundling them cost ≈45 ms of start-up and ≈900 KiB (undici), and
 * `tunnel` prints a Buffer() deprecation warning and puts no deadline on CONNECT. If a toolkit
 * upgrade ever calls them, these throw and the end-to-end tests fail.
 */
function unused(name: string): never {
  throw new Error(
    `${name} is not bundled in this action: requests go through src/http/transport.ts`
  )
}

/** undici */
export class ProxyAgent {
  constructor() {
    unused('undici')
  }
}

/** tunnel */
export const httpOverHttp = (): never => unused('tunnel')
export const httpsOverHttp = (): never => unused('tunnel')
export const httpOverHttps = (): never => unused('tunnel')
export const httpsOverHttps = (): never => unused('tunnel')
