import * as actionsCore from '@actions/core'
import type { AttemptDeps } from '../oauth/attempt-context.js'
import { RUNTIME } from '../oauth/send.js'
import type { Publisher } from '../steps/publish.js'

/**
 * The action's collaborators; tests pass fakes or real servers, the action passes these. The only
 * file that imports @actions/core; each layer below takes the part it needs (AttemptDeps, SendDeps).
 */
export interface Deps extends AttemptDeps {
  core: Publisher & {
    getInput(name: string): string
    setFailed(message: string): void
    debug(message: string): void
    warning(message: string): void
    isDebug(): boolean
    saveState(name: string, value: string): void
    getState(name: string): string
    summary: { addRaw(text: string): { write(): Promise<unknown> } }
  }
  /** The job's environment: the runner's INPUT_* names, and where it serves the GitHub ID token. */
  env: Readonly<Record<string, string | undefined>>
}

export const defaultDeps: Deps = {
  core: actionsCore,
  env: process.env,
  ...RUNTIME
}
