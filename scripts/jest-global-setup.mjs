// Says which Node runs the tests (and the built action they spawn): npm ci brings Node 24 on linux-x64.
export default function globalSetup() {
  console.log(`Tests on Node ${process.version} (${process.execPath})`)
}
