// The entry holds only the agent's flag (agent/flag.ts, imported first: with agent: true it spawns
// the agent's node as soon as a module can run). The rest is loaded by what this process is: the
// main or post step, from one chunk that holds the whole core; or the token agent, which loads
// only what serving needs, and the step's chunk for its first refresh.
import { AGENT_FLAG } from './agent/flag.js'

await (process.argv[2] === AGENT_FLAG
  ? (await import('./agent/server.js')).runAgent(
      async () => (await import('./entry/step.js')).refresher
    )
  : (await import('./entry/step.js')).runStep())
