import type { SendDeps } from './send.js'

/**
 * What one attempt's client authentication and grant may use: the network under the request's
 * budget, a clock, a log that can mask, and the job's environment. Not the rest of the action's
 * collaborators (outputs, state, the summary): those belong to the steps.
 */
export interface AttemptDeps extends SendDeps {
  core: SendDeps['core'] & { setSecret(value: string): void }
  /** The job's environment: where the runner serves the GitHub ID token. */
  env: Readonly<Record<string, string | undefined>>
}

/** What a client-auth method or a grant may need to make one attempt's fields. */
export interface AttemptContext {
  clientId: string
  /** The token endpoint: a client assertion's audience, the GitHub ID token's default audience. */
  tokenUrl: URL
  timeoutMs: number
  /** When the step's time budget runs out (deps.now()'s clock), shared by every request. */
  deadline: number
  deps: AttemptDeps
  /** Told each GitHub ID token fetched, so a refusal can name the claims policies match on. */
  onIdToken?: (idToken: string) => void
}
