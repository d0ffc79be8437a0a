import { getState } from '@actions/core'
import { run } from './main.js'
import { runPost } from './post.js'
import { AGENT_FLAG } from './agent/flag.js'

// One bundle for both steps, as actions/checkout: the main step leaves isPost in the state. The
// token agent (agent: true) is the same bundle too, started with a flag and loaded on demand.
await (process.argv[2] === AGENT_FLAG
  ? (await import('./agent/server.js')).runAgent()
  : getState('isPost')
    ? runPost()
    : run())
