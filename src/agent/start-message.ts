import { ActionError } from '../base/errors.js'
import { HARD_CAP_MS } from './protocol.js'
import type { FetchedToken } from '../steps/token.js'

/** What the main step writes on the agent's stdin: everything it knows, in one JSON line. */
export interface StartMessage {
  /** The raw input values by name; the agent reads them with readSettings as the step did. */
  inputs: Record<string, string>
  /** ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN, for github_oidc and a GitHub ID subject token. */
  idTokenEnv: Record<string, string>
  /** HTTPS_PROXY, NO_PROXY and the like, which the transport reads from process.env. */
  proxyEnv: Record<string, string>
  socket: string
  /**
   * True when the main step made the socket and the agent inherits it, listening, as descriptor
   * SOCKET_FD (Linux, macOS); false on Windows, where the agent listens itself and says `ready`.
   */
  inherited: boolean
  command: string
  key: string
  /** How long the agent may live at most: HARD_CAP_MS, the longest a job can run. */
  hardCapMs: number
  /** The step's min-validity in seconds: the agent judges freshness before it reads the inputs. */
  minValidity: number
  /** The main step's token: the agent's first answer comes from memory. */
  first: FetchedToken
}

/** The descriptor of the inherited socket in the agent: the first after stdin, stdout, stderr. */
export const SOCKET_FD = 3

export const ID_TOKEN_ENV = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']
export const PROXY_ENV = [
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy'
]

/** The named variables that are set in env. */
export function pick(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[]
): Record<string, string> {
  return Object.fromEntries(
    names.flatMap(name => {
      const value = env[name]
      return value === undefined ? [] : [[name, value]]
    })
  )
}

const isStrings = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  Object.values(value).every(item => typeof item === 'string')

/** The message, checked for shape (it comes from our own main step, through a pipe). */
export function parseStartMessage(value: unknown): StartMessage {
  const message = (
    typeof value === 'object' && value !== null ? value : {}
  ) as Partial<StartMessage>
  const first = message.first
  if (
    !isStrings(message.inputs) ||
    !isStrings(message.idTokenEnv) ||
    !isStrings(message.proxyEnv) ||
    typeof message.socket !== 'string' ||
    typeof message.inherited !== 'boolean' ||
    typeof message.command !== 'string' ||
    typeof message.key !== 'string' ||
    typeof message.hardCapMs !== 'number' ||
    !(message.hardCapMs > 0 && message.hardCapMs <= HARD_CAP_MS) ||
    typeof message.minValidity !== 'number' ||
    !(message.minValidity >= 0) ||
    typeof first?.token?.accessToken !== 'string' ||
    typeof first.requestedAt !== 'number'
  ) {
    throw new ActionError('The token agent got a start message of the wrong shape.')
  }
  return message as StartMessage
}
