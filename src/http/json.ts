import type { HttpResponse } from './types.js'

/** The body as a JSON object, or undefined for anything else (never throws, never quotes it). */
export function parseJsonObject(response: HttpResponse): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(response.body)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
