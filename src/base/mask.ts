import { formEncode } from './form.js'

/**
 * Shorter than this, a value (with its encodings) or a line of it is not registered as a mask:
 * the runner would blank every match for the rest of the job ('+', '%20', 'IA' for a space).
 * Tokens are refused below MIN_TOKEN_LENGTH, so this only spares a tiny secret or a key's last line.
 */
export const MIN_MASK_LENGTH = 4

/** A PEM document (a key): its armour lines, and only a PEM's, are not secret. */
const PEM = /^\s*-----BEGIN [A-Z0-9 ]+-----[\s\S]*-----END [A-Z0-9 ]+-----\s*$/

/**
 * The forms in which a secret could surface in a log. The runner hides a masked value and some
 * encodings of it (base64, EscapeDataString, JSON), but not form-urlencoding nor base64url, so we
 * register each form ourselves.
 */
export function secretForms(value: string): string[] {
  const forms = [
    value,
    // As in a form body (space as +), and as inside a Basic credential (space as %20).
    formEncode(value).replaceAll('%20', '+'),
    formEncode(value),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value, 'utf8').toString('base64'),
    Buffer.from(value, 'utf8').toString('base64url')
  ]
  // The runner matches a mask within one line, and splits lines on CR LF, a lone CR and LF, so a
  // multi-line value (a PEM key) is masked line by line too.
  const pem = PEM.test(value)
  const lines = /[\r\n]/.test(value)
    ? value
        .split(/\r\n|\r|\n/)
        .map(line => line.trim())
        .filter(line => line && !(pem && /^-----.*-----$/.test(line)))
    : []
  return [...new Set([...forms, ...lines])].filter(form => form.length > 0)
}

/** Replaces every form of every secret in text: for text we print that a server wrote. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text
  for (const form of secrets.flatMap(secretForms).sort((a, b) => b.length - a.length)) {
    result = result.replaceAll(form, '***')
  }
  return result
}

/** Registers every form of each value with the runner (core.setSecret), before it can print. */
export function maskAll(core: { setSecret(value: string): void }, values: readonly string[]): void {
  for (const value of values) {
    if (value.length < MIN_MASK_LENGTH) continue
    for (const form of secretForms(value)) {
      if (form.length >= MIN_MASK_LENGTH) core.setSecret(form)
    }
  }
}
