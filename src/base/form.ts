/**
 * application/x-www-form-urlencoded for one value, as RFC 6749 §2.3.1 asks for Basic credentials,
 * with a space written %20 so that servers decoding with plain percent-decoding agree too.
 */
export function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1).replaceAll('+', '%20')
}
