import type { Deps } from '../src/main.js'

/** A recording stand-in for @actions/core: inputs from a map, everything written kept in order. */
export function fakeCore(
  inputs: Record<string, string>,
  { debug = false, state = {} as Record<string, string> } = {}
) {
  const record = {
    secrets: [] as string[],
    outputs: {} as Record<string, string>,
    exported: {} as Record<string, string>,
    /** Every line the action printed, in order, as `info: ...`, `debug: ...`, `failed: ...`. */
    lines: [] as string[],
    failed: undefined as string | undefined,
    summary: '',
    state: { ...state }
  }
  const core: Deps['core'] = {
    getInput: name => (inputs[name] ?? '').trim(),
    setSecret: value => void record.secrets.push(value),
    setOutput: (name, value) => void (record.outputs[name] = value),
    exportVariable: (name, value) => void (record.exported[name] = value),
    info: message => void record.lines.push(`info: ${message}`),
    debug: message => void record.lines.push(`debug: ${message}`),
    isDebug: () => debug,
    saveState: (name, value) => void (record.state[name] = value),
    getState: name => record.state[name] ?? '',
    warning: message => void record.lines.push(`warning: ${message}`),
    summary: {
      addRaw(text) {
        return {
          write: async () => {
            record.summary += text
          }
        }
      }
    },
    setFailed: message => {
      record.failed = message
      record.lines.push(`failed: ${message}`)
    }
  }
  return { core, record }
}
