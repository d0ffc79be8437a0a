// The entry is this dispatch and the agent's flag alone. The rest is loaded by what the process
// is: the main or post step, from one chunk that holds the whole core; or the token agent, which
// loads only what serving needs, and the step's chunk at its first refresh.
import { AGENT_FLAG } from './agent/flag.js'

await (process.argv[2] === AGENT_FLAG
  ? (await import('./agent/server.js')).runAgent(
      async () => (await import('./entry/step.js')).refresher
    )
  : (await import('./entry/step.js')).runStep())
