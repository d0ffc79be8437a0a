/**
 * A failure the user can act on. Its message is complete and safe to print: it names the input or
 * response field at fault and the fix, and never holds a secret, a body or a header value.
 */
export class ActionError extends Error {
  override name = 'ActionError'
  /** The HTTP status of the refusal it reports, when a server refused. */
  readonly status: number | undefined

  constructor(message: string, { status }: { status?: number } = {}) {
    super(message)
    this.status = status
  }
}
