import type { Deps } from '../src/entry/deps.js'

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
    /** stdout as @actions/core would have written it: info raw, commands escaped. */
    stdout: '',
    /** The workflow command lines among it, each exactly as written. */
    commandLines: [] as string[],
    summary: '',
    state: { ...state }
  }
  const command = (name: string, message: string) => {
    const line = `::${name}::${message.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')}`
    record.commandLines.push(line)
    record.stdout += `${line}\n`
  }
  const core: Deps['core'] = {
    getInput: name => (inputs[name] ?? '').trim(),
    setSecret: value => {
      record.secrets.push(value)
      command('add-mask', value)
    },
    setOutput: (name, value) => void (record.outputs[name] = value),
    exportVariable: (name, value) => void (record.exported[name] = value),
    info: message => {
      record.lines.push(`info: ${message}`)
      record.stdout += `${message}\n`
    },
    debug: message => {
      record.lines.push(`debug: ${message}`)
      command('debug', message)
    },
    isDebug: () => debug,
    saveState: (name, value) => void (record.state[name] = value),
    getState: name => record.state[name] ?? '',
    warning: message => {
      record.lines.push(`warning: ${message}`)
      command('warning', message)
    },
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
      command('error', message)
    }
  }
  return { core, record }
}
