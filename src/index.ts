// First: with agent: true it spawns the agent before the rest of the bundle is evaluated.
import { AGENT_FLAG } from './agent/flag.js'
import { defaultDeps } from './entry/deps.js'
import { run } from './entry/main.js'
import { runPost } from './entry/post.js'
import { STATE } from './base/state.js'

// One bundle for both steps, as actions/checkout: the main step leaves isPost in the state. The
// token agent (agent: true) is the same bundle too, started with a flag and loaded on demand.
await (process.argv[2] === AGENT_FLAG
  ? (await import('./agent/server.js')).runAgent()
  : defaultDeps.core.getState(STATE.isPost)
    ? runPost()
    : run())
