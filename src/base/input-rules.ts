import { ActionError } from './errors.js'

/** How an input is read: @actions/core's getInput in the action, a map in tests. */
export type GetInput = (name: string) => string

/** A required input; `method` names the auth-method that needs it. */
export function required(getInput: GetInput, name: string, method?: string): string {
  const value = getInput(name)
  if (!value) {
    throw new ActionError(
      `Input '${name}' is required${method ? ` with auth-method ${method}` : ''} and was empty. Pass it from a secret, e.g. ${name}: \${{ secrets.STENT_${name.replaceAll('-', '_').toUpperCase()} }}, and check the secret exists in this repository or environment.`
    )
  }
  return value
}

export function noControlCharacters(name: string, value: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new ActionError(
      `Input '${name}' contains a line break or control character. Store the value on a single line, without a trailing newline.`
    )
  }
}

/** An input that must fit on one line (it may be empty). */
export function singleLine(getInput: GetInput, name: string): string {
  const value = getInput(name)
  noControlCharacters(name, value)
  return value
}

/** One of a fixed set of values, or the input's default when empty. */
export function oneOf<T extends string>(
  getInput: GetInput,
  name: string,
  values: readonly T[],
  fallback: T
): T {
  const value = getInput(name) || fallback
  const found = values.find(v => v === value)
  if (!found) {
    throw new ActionError(
      `Input '${name}' has an unsupported value '${value}'. Accepted values: ${values.join(', ')}.`
    )
  }
  return found
}
