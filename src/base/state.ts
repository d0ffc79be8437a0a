/**
 * Every key the main step saves for the post step, in one place: main and post never import each
 * other, and the agent's early start (agent/flag.ts) tells the post step by the same name.
 */
export const STATE = {
  /** The same bundle then runs as the post step (as actions/checkout). */
  isPost: 'isPost',
  /** The token alone: the post step derives endpoints and credentials again from its inputs. */
  revokeToken: 'revoke-token',
  /** The token agent's directory (agent: true), checked by the post step before it is touched. */
  agentDir: 'agent-dir'
} as const
