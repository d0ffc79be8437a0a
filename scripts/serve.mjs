// Runs the embedded authorization server that `npm start` and the tests use, in the foreground,
// for the self-test workflow: node scripts/serve.mjs [port]. The demo client's secret is
// SELFTEST_CLIENT_SECRET when set (the workflow makes a fresh one per run), else the fixed demo one.
import { DEMO_CLIENT, startAuthServer } from '../__fixtures__/auth-server.mjs'

const port = Number(process.argv[2] ?? 48080)
const secret = process.env.SELFTEST_CLIENT_SECRET || DEMO_CLIENT.client_secret
const server = await startAuthServer({ port, clients: [{ ...DEMO_CLIENT, client_secret: secret }] })
console.log(
  `Authorization server ready: token endpoint ${server.tokenUrl}, protected resource ${server.whoamiUrl}`
)
const stop = () => void server.close().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
