/**
 * The forms in which a secret could surface in a log. The runner hides a masked value and some
 * encodings of it (base64, EscapeDataString, JSON), but not form-urlencoding nor base64url, so we
 * register each form ourselves.
 */
export function secretForms(value: string): string[] {
  const forms = [
    value,
    new URLSearchParams([['', value]]).toString().slice(1),
    // As inside a Basic credential (RFC 6749 §2.3.1, space as %20; see request.ts formEncode).
    new URLSearchParams([['', value]]).toString().slice(1).replaceAll('+', '%20'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value, 'utf8').toString('base64'),
    Buffer.from(value, 'utf8').toString('base64url')
  ]
  // The runner matches a mask within one line, so a multi-line value (a PEM key) is also masked
  // line by line; its armour lines are not secret.
  const lines = value.includes('\n')
    ? value
        .split(/\r?\n/)
        .map(line => line.trim())
        .filter(line => !/^-----.*-----$/.test(line))
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
