// `npm start`: runs the built action exactly as the runner would, against the embedded
// authorization server, or against Stent when STENT_CLIENT_ID and STENT_CLIENT_SECRET are set.
import { createHash } from 'node:crypto'
import { DEMO_CLIENT, startAuthServer } from '../__fixtures__/auth-server.mjs'
import { runAction } from '../__fixtures__/run-action.mjs'

const { STENT_CLIENT_ID, STENT_CLIENT_SECRET } = process.env
const real = Boolean(STENT_CLIENT_ID && STENT_CLIENT_SECRET)
const server = real ? undefined : await startAuthServer()

/** @type {Record<string, string>} */
const inputs = server
  ? {
      'client-id': DEMO_CLIENT.client_id,
      'client-secret': DEMO_CLIENT.client_secret,
      'token-url': server.tokenUrl,
      scope: 'api:read',
      'export-variable': 'STENT_TOKEN'
    }
  : {
      'client-id': STENT_CLIENT_ID ?? '',
      'client-secret': STENT_CLIENT_SECRET ?? '',
      'export-variable': 'STENT_TOKEN'
    }

console.log(
  server
    ? `Embedded authorization server at ${server.issuer} (oidc-provider), client '${DEMO_CLIENT.client_id}'.`
    : `Stent's token endpoint, client '${STENT_CLIENT_ID}'.`
)
// A viewer sees ::debug:: lines only when the run has debug logging on: `npm start -- --debug`.
const debug = process.argv.includes('--debug')
console.log(
  `Running dist/index.js as the runner does, on Node ${process.version}${debug ? ', with debug logging' : ''}. Its log, as a viewer of the run sees it:\n`
)
const run = await runAction(inputs, debug ? { env: { RUNNER_DEBUG: '1' } } : {})
await server?.close()

console.log(viewed(run.log).trimEnd().replace(/^/gm, '  | '))
console.log(`\nExit code: ${run.code}`)
console.log('Outputs (GITHUB_OUTPUT):')
for (const [name, value] of Object.entries(run.outputs)) {
  console.log(`  ${name}: ${name === 'access-token' ? describeSecret(value) : value}`)
}
for (const [name, value] of Object.entries(run.exported)) {
  console.log(`Exported (GITHUB_ENV): ${name}=${describeSecret(value)}`)
}
if (run.summary)
  console.log(`Job summary (GITHUB_STEP_SUMMARY):\n${run.summary.replace(/^/gm, '  ')}`)
process.exitCode = run.code ?? 1

/** @param {string} value */
function describeSecret(value) {
  const sha = createHash('sha256').update(value).digest('hex').slice(0, 12)
  return `*** (masked; ${value.length} characters, sha256 ${sha}...)`
}

/**
 * The log as the runner renders it: debug lines only with debug logging, annotations by kind.
 * @param {string} log
 */
function viewed(log) {
  return log
    .split('\n')
    .filter(line => debug || !line.startsWith('::debug::'))
    .map(line => line.replace(/^::(debug|notice|warning|error)[^:]*::/, (_, kind) => `${kind}: `))
    .join('\n')
}
