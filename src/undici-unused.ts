/**
 * Bundled in place of `undici` (see tsconfig.json `paths`). @actions/http-client imports undici at
 * top level only for getAgentDispatcher(), which this action never calls; loading it cost ≈45 ms
 * of start-up in every job and ≈900 KiB of bundle. Requests and proxies go through node:http(s)
 * and `tunnel`. If a toolkit upgrade ever routes requests through undici, this throws and the
 * end-to-end tests fail.
 */
export class ProxyAgent {
  constructor() {
    throw new Error('undici is not bundled in this action: getAgentDispatcher() is not supported')
  }
}
