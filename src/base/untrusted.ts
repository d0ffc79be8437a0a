/**
 * Text from a server, or read back from saved state, is untrusted: the runner runs any log line
 * that starts with `::` as a workflow command, and it splits lines on CR as well as LF. So every
 * such string is checked against its grammar here before the action uses it, or neutralised here
 * before it is displayed. Nothing else in the action turns server text into log text.
 */
import { ActionError } from './errors.js'

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), joined by single spaces. */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/

/** RFC 6749 §A.7's type-name (1*name-char), bounded: Bearer, N_A, DPoP... */
const TOKEN_TYPE = /^[-._A-Za-z0-9]{1,64}$/

/** A token type URI (RFC 8693 §3): a scheme, then printable ASCII without spaces, bounded. */
export const TOKEN_TYPE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]{1,200}$/

/** RFC 6749 §A.12: access-token = 1*VSCHAR (%x20-7E). */
const VSCHARS = /^[\x20-\x7e]+$/

/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * Shorter than this, a token is refused: it could not be masked without blanking unrelated text
 * in the log for the rest of the job. Real tokens are tens to thousands of characters.
 */
export const MIN_TOKEN_LENGTH = 8

/** Longer than this, expires_in is not a lifetime a server means (2^31 - 1 s is 68 years). */
export const MAX_EXPIRES_IN = 2 ** 31 - 1

/**
 * Each check takes where the value came from and its field's name, for a message of the form
 * "<where> has an invalid <field>: <what is wrong>." that never quotes the value.
 */
function invalid(where: string, field: string, problem: string): ActionError {
  return new ActionError(`${where} has an invalid ${field}: ${problem}.`)
}

/**
 * A token (access token, assertion, or one read back from state): printable ASCII with no
 * surrounding space, long enough to mask.
 */
export function checkToken(value: unknown, where: string, field: string): string {
  const problem =
    typeof value !== 'string'
      ? `${describeType(value)} instead of a string`
      : value.trim() === ''
        ? 'an empty or blank string'
        : !VSCHARS.test(value)
          ? 'a string with a line break, control or non-ASCII character (RFC 6749 allows printable ASCII)'
          : value.trim() !== value
            ? 'a string with leading or trailing space'
            : value.length < MIN_TOKEN_LENGTH
              ? `a string of ${value.length} characters, too short to mask safely in the log (at least ${MIN_TOKEN_LENGTH})`
              : undefined
  if (problem) throw invalid(where, field, problem)
  return value as string
}

/**
 * A Bearer token (checkToken first) also holds to RFC 6750 §2.1's b64token: anything else cannot
 * be sent as `Authorization: Bearer`, and its space, `;`, `|` or `:` would be shell text where a
 * later step pastes the token into a command.
 */
export function checkBearerToken(value: string, where: string, field: string): string {
  if (!B64TOKEN.test(value)) {
    throw invalid(
      where,
      field,
      "a Bearer token with characters RFC 6750 §2.1 does not allow (only letters, digits, '-', '.', '_', '~', '+', '/' and trailing '=')"
    )
  }
  return value
}

/** The granted scope (RFC 6749 §3.3), or undefined when the server does not say. */
export function checkScope(value: unknown, where: string, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string' || !SCOPE.test(value)) {
    throw invalid(
      where,
      field,
      `expected RFC 6749 §3.3 scope tokens (printable ASCII, no quotes or backslashes) separated by single spaces, got ${typeof value === 'string' ? 'other characters' : describeType(value)}`
    )
  }
  return value
}

/** A token_type (RFC 6749 §7.1), safe to print once it passes. */
export function checkTokenType(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string' || !TOKEN_TYPE.test(value)) {
    throw invalid(
      where,
      field,
      `expected a token type name (letters, digits, '-', '.', '_'), got ${typeof value === 'string' ? 'other characters' : describeType(value)}`
    )
  }
  return value
}

/** A token type URI (RFC 8693 §3), such as issued_token_type; undefined when absent. */
export function checkTokenTypeUri(
  value: unknown,
  where: string,
  field: string
): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || !TOKEN_TYPE_URI.test(value)) {
    throw invalid(
      where,
      field,
      `expected a token type URI such as urn:ietf:params:oauth:token-type:access_token, got ${typeof value === 'string' ? 'other characters' : describeType(value)}`
    )
  }
  return value
}

/**
 * expires_in in whole seconds, rounded up (0.5 s is 1 s, never 0), from 1 to MAX_EXPIRES_IN;
 * undefined when absent (it is only RECOMMENDED).
 */
export function checkExpiresIn(value: unknown, where: string, field: string): number | undefined {
  if (value === undefined || value === null) return undefined
  const seconds =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d{1,20}(\.\d{1,20})?$/.test(value)
        ? Number(value)
        : NaN
  if (!(seconds > 0 && seconds <= MAX_EXPIRES_IN)) {
    throw invalid(
      where,
      field,
      `expected a positive number of seconds up to ${MAX_EXPIRES_IN} (68 years), got ${typeof value === 'number' ? (seconds > 0 ? 'a larger number' : 'a number that is not positive') : describeType(value)}`
    )
  }
  return Math.ceil(seconds)
}

/**
 * Free text a server wrote (an OAuth error code or description), for a message: printable ASCII
 * without quotes and backslashes (RFC 6749 §5.2's charset), everything else as '?', bounded.
 */
export function neutralise(text: string, max: number): string {
  const clean = text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?')
  return clean.length > max ? `${clean.slice(0, max)}...` : clean
}

/** What a JSON value is, for messages that must not quote it. */
export function describeType(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value ? 'a string' : 'an empty string'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}
