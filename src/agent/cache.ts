import type { FetchedToken } from '../steps/token.js'
import { freshUntil } from './protocol.js'

/**
 * The agent's one token: served from memory while fresh enough (see freshUntil), else fetched
 * again, once, however many callers are waiting (single flight). A failed fetch fails every caller
 * that waited for it; the next call tries again.
 */
export class TokenCache {
  served = 0
  /** Tokens the agent fetched itself (the main step's first one is not counted). */
  readonly fetched: FetchedToken[] = []
  private inFlight: Promise<FetchedToken> | undefined

  constructor(
    private current: FetchedToken,
    private readonly minValidity: number,
    private readonly fetch: () => Promise<FetchedToken>,
    private readonly now: () => number
  ) {}

  async get(): Promise<string> {
    const token =
      this.now() < freshUntil(expiryOf(this.current), this.minValidity)
        ? this.current
        : await this.refresh()
    this.served++
    return token.token.accessToken
  }

  private refresh(): Promise<FetchedToken> {
    this.inFlight ??= this.fetch()
      .then(token => {
        this.current = token
        this.fetched.push(token)
        return token
      })
      .finally(() => (this.inFlight = undefined))
    return this.inFlight
  }
}

const expiryOf = ({ requestedAt, verified }: FetchedToken) => ({
  requestedAt,
  expiresAtMs: verified.expiresAtMs
})
