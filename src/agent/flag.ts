/** The argument that makes dist/index.js run as the token agent (the entry's only agent import). */
export const AGENT_FLAG = '--stent-token-agent'
