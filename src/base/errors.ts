import type { Outcome } from '../http/transport.js'

/**
 * A failure the user can act on. Its message is complete and safe to print: it names the input or
 * response field at fault and the fix, and never holds a secret, a body or a header value.
 */
export class ActionError extends Error {
  override name = 'ActionError'
  /** When it reports an exchange that failed: what its last attempt got, and from which endpoint. */
  readonly exchange: { outcome: Outcome; endpoint: string } | undefined

  constructor(message: string, exchange?: { outcome: Outcome; endpoint: string }) {
    super(message)
    this.exchange = exchange
  }
}
