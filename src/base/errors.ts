/**
 * A failure the user can act on. Its message is complete and safe to print: it names the input or
 * response field at fault and the fix, and never holds a secret, a body or a header value.
 */
export class ActionError extends Error {
  override name = 'ActionError'
}
