import { STATE } from '../base/state.js'
import { defaultDeps } from './deps.js'
import { run } from './main.js'
import { runPost } from './post.js'

/** The main step, or the post step once the main step has marked itself done in the state. */
export function runStep(): Promise<void> {
  return defaultDeps.core.getState(STATE.isPost) ? runPost() : run()
}

// The token agent's refreshes run this chunk's core: loaded through here, it is bundled once.
export { refresher } from '../steps/refresh.js'
