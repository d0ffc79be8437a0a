// Runs the built action as the runner does: inputs as INPUT_<NAME> (upper-cased, hyphens kept),
// outputs and env exports through GITHUB_OUTPUT / GITHUB_ENV files, workflow commands on stdout.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const ACTION_ENTRY = join(ROOT, 'dist', 'index.js')

/** action.yml's inputs that have a default: the runner sets each of them on every run. */
export function actionDefaults() {
  /** @type {{ inputs: Record<string, { default?: string }> }} */
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'))
  /** @type {Record<string, string>} */
  const defaults = {}
  for (const [name, input] of Object.entries(action.inputs)) {
    if (input.default !== undefined) defaults[name] = String(input.default)
  }
  return defaults
}

/**
 * @typedef {object} ActionRun
 * @property {number | null} code exit code
 * @property {string} stdout raw stdout, workflow commands included
 * @property {string} stderr
 * @property {string[]} masks values registered with ::add-mask::, unescaped
 * @property {WorkflowCommand[]} commands every workflow command the runner would run from stdout
 * @property {string} log what a viewer of the run sees: add-mask lines dropped, masks applied
 * @property {Record<string, string>} outputs
 * @property {Record<string, string>} exported
 * @property {string} summary what the action wrote to GITHUB_STEP_SUMMARY
 * @property {Record<string, string>} state what the action saved for its post step (GITHUB_STATE)
 * @property {number} elapsedMs
 * @property {boolean} stopped true when `stopWhen` matched and the run was ended early
 */

/**
 * Inputs as the runner passes them: INPUT_<NAME>, upper-cased, spaces as _, hyphens kept, with
 * action.yml's defaults for the inputs not given.
 * @param {Record<string, string>} inputs by input name
 * @returns {Record<string, string>}
 */
export function inputEnv(inputs) {
  return Object.fromEntries(
    Object.entries({ ...actionDefaults(), ...inputs }).map(([name, value]) => [
      `INPUT_${name.replace(/ /g, '_').toUpperCase()}`,
      value
    ])
  )
}

/**
 * @param {Record<string, string>} inputs by input name, e.g. { 'client-id': 'x' }; action.yml's
 *   defaults fill in the rest
 * @param {{ env?: Record<string, string>, node?: string, timeoutMs?: number, stopWhen?: RegExp }} [options]
 *   stopWhen: end the run (SIGTERM) as soon as stdout matches, e.g. to read a long wait it announces
 * @returns {Promise<ActionRun>}
 */
export async function runAction(
  inputs,
  { env = {}, node = process.execPath, timeoutMs = 60_000, stopWhen } = {}
) {
  const dir = mkdtempSync(join(tmpdir(), 'action-run-'))
  const outputFile = join(dir, 'output')
  const envFile = join(dir, 'env')
  const summaryFile = join(dir, 'summary')
  const stateFile = join(dir, 'state')
  for (const file of [outputFile, envFile, summaryFile, stateFile]) writeFileSync(file, '')
  const childEnv = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_ENV: envFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    ...inputEnv(inputs),
    ...env
  }
  const started = Date.now()
  const child = spawn(node, [ACTION_ENTRY], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let stopped = false
  child.stdout.setEncoding('utf8').on('data', chunk => {
    stdout += chunk
    if (stopWhen && !stopped && stopWhen.test(stdout)) {
      stopped = true
      child.kill('SIGTERM')
    }
  })
  child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  /** @type {number | null} */
  const code = await new Promise(resolve => child.on('close', resolve))
  clearTimeout(killer)
  const elapsedMs = Date.now() - started
  const outputs = parseFileCommands(readFileSync(outputFile, 'utf8'))
  const exported = parseFileCommands(readFileSync(envFile, 'utf8'))
  const summary = readFileSync(summaryFile, 'utf8')
  const state = parseFileCommands(readFileSync(stateFile, 'utf8'))
  rmSync(dir, { recursive: true, force: true })
  // The runner reads commands from both streams.
  const { masks, commands, log } = viewerLog(stdout + stderr)
  return {
    code,
    stdout,
    stderr,
    masks,
    commands,
    log,
    outputs,
    exported,
    summary,
    state,
    elapsedMs,
    stopped
  }
}

/**
 * Parses `name<<delimiter` blocks as the runner does.
 * @param {string} text
 */
export function parseFileCommands(text) {
  /** @type {Record<string, string>} */
  const values = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '')
    if (!match) continue
    const [, name, delimiter] = match
    const value = []
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
    values[/** @type {string} */ (name)] = value.join('\n')
  }
  return values
}

/**
 * @typedef {object} WorkflowCommand
 * @property {string} name e.g. add-mask, debug, error, save-state
 * @property {Record<string, string>} properties
 * @property {string} data unescaped
 */

/**
 * The log as the runner reads and shows it. Like the runner, it splits stdout into lines on CR LF,
 * a lone CR and LF, trims leading white space, and takes every line that then starts with `::`
 * as a workflow command (`commands`, in order). Each ::add-mask:: hides its value in every later
 * line and is itself not shown. Only the values the action registered are hidden, none of the
 * extra encodings the runner adds on its own, so a leak test on this log is stricter than the
 * real runner.
 * @param {string} raw
 */
export function viewerLog(raw) {
  /** @type {string[]} */
  const masks = []
  /** @type {string[]} */
  const shown = []
  /** @type {WorkflowCommand[]} */
  const commands = []
  for (const line of raw.split(/\r\n|\r|\n/)) {
    const command = parseCommand(line.trimStart())
    if (command) commands.push(command)
    if (command?.name === 'add-mask') {
      if (command.data) masks.push(command.data)
      continue
    }
    let visible = line
    for (const value of [...masks].sort((a, b) => b.length - a.length)) {
      visible = visible.replaceAll(value, '***')
    }
    shown.push(visible)
  }
  return { masks, commands, log: shown.join('\n') }
}

/**
 * A workflow command as the runner parses one: `::name key=value,key=value::data`.
 * @param {string} line
 * @returns {WorkflowCommand | undefined}
 */
export function parseCommand(line) {
  if (!line.startsWith('::')) return undefined
  const end = line.indexOf('::', 2)
  if (end < 0) return undefined
  const [name = '', ...rest] = line.slice(2, end).split(' ')
  /** @type {Record<string, string>} */
  const properties = {}
  for (const pair of rest.join(' ').split(',')) {
    const eq = pair.indexOf('=')
    if (eq > 0) properties[pair.slice(0, eq)] = unescapeCommand(pair.slice(eq + 1))
  }
  return { name, properties, data: unescapeCommand(line.slice(end + 2)) }
}

/**
 * Undoes @actions/core's escaping of a command's data and properties.
 * @param {string} data
 */
function unescapeCommand(data) {
  return data
    .replaceAll('%0D', '\r')
    .replaceAll('%0A', '\n')
    .replaceAll('%3A', ':')
    .replaceAll('%2C', ',')
    .replaceAll('%25', '%')
}

/**
 * Every form of a value that must never be visible: raw, form-encoded, percent-encoded, base64,
 * base64url and JSON-escaped.
 * @param {string} value
 */
export function leakForms(value) {
  const forms = [
    value,
    new URLSearchParams([['', value]]).toString().slice(1),
    new URLSearchParams([['', value]]).toString().slice(1).replaceAll('+', '%20'),
    encodeURIComponent(value),
    Buffer.from(value).toString('base64'),
    Buffer.from(value).toString('base64url'),
    JSON.stringify(value).slice(1, -1)
  ]
  return [...new Set(forms)]
}

/**
 * The environment the runner gives the post step: the main step's saved state as STATE_<name>.
 * @param {Record<string, string>} state
 */
export function postStepEnv(state) {
  return Object.fromEntries(Object.entries(state).map(([name, value]) => [`STATE_${name}`, value]))
}

/**
 * @typedef {object} StepRun
 * @property {number | null} code exit code
 * @property {string} stdout
 * @property {string} stderr
 * @property {string[]} masks values registered with ::add-mask:: on either stream, unescaped
 * @property {WorkflowCommand[]} commands every workflow command the runner would run
 * @property {string} log what a viewer of the step sees
 */

/**
 * Runs a program as a later `run:` step of the job would (e.g. "$TOKEN_COMMAND"): the runner reads
 * workflow commands from its stdout and its stderr alike. Stderr is read first: a program that
 * masks a value writes ::add-mask:: there before it prints the value on stdout.
 * @param {string} file
 * @param {{ env?: Record<string, string>, timeoutMs?: number }} [options]
 * @returns {Promise<StepRun>}
 */
export async function runStep(file, { env = {}, timeoutMs = 30_000 } = {}) {
  const child = spawn(file, [], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  /** @type {number | null} */
  const code = await new Promise(resolve => {
    child.on('error', () => resolve(127))
    child.on('close', resolve)
  })
  clearTimeout(killer)
  return { code, stdout, stderr, ...viewerLog(stderr + stdout) }
}
