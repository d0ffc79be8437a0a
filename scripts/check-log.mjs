// Reads job logs of the self-test (as downloaded from the Actions API) and fails if any holds a
// JWT, which would mean the token reached the log unmasked, or if the wrong-secret step did not
// fail with the expected message. Usage: node scripts/check-log.mjs LOG...
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const JWT = /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]+/
const EXPECTED_FAILURE = "The token endpoint refused the request: HTTP 401, error 'invalid_client'"

/**
 * @param {string} log
 * @returns {string[]} what is wrong with it
 */
export function checkLog(log) {
  const problems = []
  const leak = log.split('\n').findIndex(line => JWT.test(line))
  if (leak >= 0) problems.push(`line ${leak + 1} holds a JWT: the token reached the log unmasked`)
  if (!log.includes(EXPECTED_FAILURE)) {
    problems.push(`the wrong-secret step did not fail with "${EXPECTED_FAILURE}"`)
  }
  return problems
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = process.argv.slice(2)
  if (files.length === 0) {
    console.error('usage: node scripts/check-log.mjs LOG...')
    process.exit(2)
  }
  let failed = false
  for (const file of files) {
    const problems = checkLog(readFileSync(file, 'utf8'))
    for (const problem of problems) console.error(`${file}: ${problem}`)
    if (problems.length === 0)
      console.log(`${file}: no token in the log; the wrong secret failed as expected`)
    failed ||= problems.length > 0
  }
  process.exitCode = failed ? 1 : 0
}
