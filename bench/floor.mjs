// The floor for bench/startup: the same POST, mask line and output entry with node:http alone.
import { appendFileSync } from 'node:fs'
import { request } from 'node:http'
const body = `grant_type=client_credentials&client_id=${process.env['INPUT_CLIENT-ID']}&client_secret=${process.env['INPUT_CLIENT-SECRET']}&response_type=token`
const req = request(
  process.env['INPUT_TOKEN-URL'],
  { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  res => {
    let text = ''
    res
      .on('data', chunk => (text += chunk))
      .on('end', () => {
        const token = JSON.parse(text).access_token
        process.stdout.write(`::add-mask::${token}\n`)
        appendFileSync(`${process.env.GITHUB_OUTPUT}`, `access-token<<EOF\n${token}\nEOF\n`)
      })
  }
)
req.end(body)
