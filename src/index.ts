import { getState } from '@actions/core'
import { run } from './entry/main.js'
import { runPost } from './entry/post.js'

// One bundle for both steps, as actions/checkout: the main step leaves isPost in the state.
await (getState('isPost') ? runPost() : run())
