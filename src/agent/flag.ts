/**
 * The argument that makes dist/index.js run as the token agent: the only agent code in the entry
 * chunk, so that a step without `agent: true` loads none of it.
 */
export const AGENT_FLAG = '--stent-token-agent'
