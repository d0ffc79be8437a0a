import { getState } from '@actions/core'
import { run } from './main.js'
import { runPost } from './post.js'

// One bundle for both steps, as actions/checkout: the main step leaves isPost in the state.
await (getState('isPost') ? runPost() : run())
