import { defaultDeps } from './entry/deps.js'
import { run } from './entry/main.js'
import { runPost } from './entry/post.js'
import { STATE } from './entry/state.js'

// One bundle for both steps, as actions/checkout: the main step leaves isPost in the state.
await (defaultDeps.core.getState(STATE.isPost) ? runPost() : run())
