export const id = 793;
export const ids = [793];
export const modules = {

/***/ 285:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $Q: () => (/* binding */ windowsCommand),
/* harmony export */   FY: () => (/* binding */ keyMatches),
/* harmony export */   JH: () => (/* binding */ AGENT_DIR_PREFIX),
/* harmony export */   LD: () => (/* binding */ posixCommand),
/* harmony export */   LK: () => (/* binding */ stoppedCommand),
/* harmony export */   Nq: () => (/* binding */ isAgentDir),
/* harmony export */   RK: () => (/* binding */ WATCH_INTERVAL_MS),
/* harmony export */   SR: () => (/* binding */ agentPaths),
/* harmony export */   Sq: () => (/* binding */ HARD_CAP_MS),
/* harmony export */   YZ: () => (/* binding */ readKey),
/* harmony export */   j2: () => (/* binding */ REQUEST_TIMEOUT_MS),
/* harmony export */   lv: () => (/* binding */ KEY_LINE),
/* harmony export */   rO: () => (/* binding */ MAX_REQUEST_BYTES),
/* harmony export */   z7: () => (/* binding */ freshUntil)
/* harmony export */ });
/* unused harmony exports shQuote, cmdQuote, STOPPED_MESSAGE, MAX_MARGIN_MS */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
// What the main step, the token agent, the token command and the post step agree on: where the
// agent lives, how its command is written, and how a request proves it comes from that command.
// Pure functions (paths and text), so that both platforms' forms are unit-tested on any machine.

/** `<RUNNER_TEMP>/stent-token-agent-<32 hex>`; the Windows pipe reuses the random part. */
const AGENT_DIR_PREFIX = 'stent-token-agent-';
const AGENT_DIR = /^stent-token-agent-[0-9a-f]{32}$/;
/** A request line is a key and an operation: anything longer is not ours. */
const MAX_REQUEST_BYTES = 512;
/** A client has this long to send its request line once connected. */
const REQUEST_TIMEOUT_MS = 5000;
/** The longest a job can run (self-hosted runners: 5 days); the agent never outlives it. */
const HARD_CAP_MS = 5 * 24 * 3600 * 1000;
/** How often the agent checks that its socket (its command file, on Windows) is still there. */
const WATCH_INTERVAL_MS = 2000;
function agentPaths(dir, platform) {
    if (platform === 'win32') {
        const pipe = `\\\\.\\pipe\\${node_path__WEBPACK_IMPORTED_MODULE_0__.win32.basename(dir)}`;
        return {
            dir,
            socket: pipe,
            bound: pipe,
            command: node_path__WEBPACK_IMPORTED_MODULE_0__.win32.join(dir, 'token.cmd'),
            client: node_path__WEBPACK_IMPORTED_MODULE_0__.win32.join(dir, 'client.cjs')
        };
    }
    return {
        dir,
        socket: `${dir}/agent.sock`,
        bound: `${dir}/bind.sock`,
        command: `${dir}/token`,
        client: `${dir}/client.cjs`
    };
}
/**
 * A directory the post step may stop and remove: exactly `<RUNNER_TEMP>/stent-token-agent-<hex>`.
 * Saved state is untrusted: a path anywhere else, or a name of another shape, is refused.
 */
function isAgentDir(dir, runnerTemp) {
    if (!runnerTemp || !dir || (0,node_path__WEBPACK_IMPORTED_MODULE_0__.resolve)(dir) !== dir)
        return false;
    return (0,node_path__WEBPACK_IMPORTED_MODULE_0__.dirname)(dir) === (0,node_path__WEBPACK_IMPORTED_MODULE_0__.resolve)(runnerTemp) && AGENT_DIR.test((0,node_path__WEBPACK_IMPORTED_MODULE_0__.basename)(dir));
}
/** The key line in a token command: `# key=<64 hex>` in sh, `rem key=<64 hex>` in cmd. */
const KEY_LINE = /^(?:#|rem) key=([0-9a-f]{64})\r?$/m;
function readKey(commandText) {
    return KEY_LINE.exec(commandText)?.[1];
}
/**
 * The key a request carries, compared in constant time with ours. node:crypto is fetched here, at
 * the first request, not imported: loading it takes ~10 ms of the agent's start-up, which on
 * Windows the main step waits for, and elsewhere a first caller.
 */
function keyMatches(given, key) {
    if (typeof given !== 'string')
        return false;
    const { timingSafeEqual } = process.getBuiltinModule('node:crypto');
    const [a, b] = [Buffer.from(given, 'utf8'), Buffer.from(key, 'utf8')];
    // Bytes, not characters: timingSafeEqual throws on buffers of different lengths.
    return a.length === b.length && timingSafeEqual(a, b);
}
/** A word for sh, quoted: nothing in it is expanded. */
function shQuote(word) {
    return `'${word.replaceAll("'", `'\\''`)}'`;
}
/**
 * The command on Linux and macOS. The key is a comment line the client reads from this file
 * (mode 0700): not an argument (visible in ps), not a heredoc (bash may spill one to TMPDIR).
 */
function posixCommand({ node, paths, key, timeoutMs }) {
    return [
        '#!/bin/sh',
        '# Prints a fresh access token from the token agent of stent-token-action. Takes no arguments.',
        `# key=${key}`,
        `exec ${[node, paths.client, paths.socket, String(timeoutMs), paths.command].map(shQuote).join(' ')}`,
        ''
    ].join('\n');
}
/** A word for cmd, in double quotes; % doubled so that nothing is expanded. */
function cmdQuote(word) {
    if (word.includes('"'))
        throw new Error('A Windows path cannot hold a double quote.');
    return `"${word.replaceAll('%', '%%')}"`;
}
/**
 * The command on Windows: a .cmd, since cmd has no heredoc (and a pipe from echo would put the
 * key on a child cmd.exe's command line); the client reads the key from this file as on POSIX.
 */
function windowsCommand({ node, paths, key, timeoutMs }) {
    return [
        '@echo off',
        'rem Prints a fresh access token from the token agent of stent-token-action. Takes no arguments.',
        `rem key=${key}`,
        `${[node, paths.client, paths.socket, String(timeoutMs), paths.command].map(cmdQuote).join(' ')}`,
        'exit /b %ERRORLEVEL%',
        ''
    ].join('\r\n');
}
/**
 * What the token command says once the post step has stopped its agent. Plain words only (no
 * quote, no %, nothing that sh or cmd would expand): both stubs print it as it is.
 */
const STOPPED_MESSAGE = 'The token agent was stopped by the post step of stent-token-action at the end of the job. Run the token command only in the steps between the main step that started the agent and that post step.';
/**
 * What the post step leaves in the token command's place: a stub without the key that fails with
 * STOPPED_MESSAGE, so that a process still calling the command learns why. RUNNER_TEMP, where it
 * lives, is emptied at the end of the job. In cmd, `>&2` first: Wine's cmd reads a leading `1>&2`
 * as a command named 1, and `echo text 1>&2` would print a trailing space.
 */
function stoppedCommand(platform) {
    return platform === 'win32'
        ? ['@echo off', `>&2 echo ::error::${STOPPED_MESSAGE}`, 'exit /b 1', ''].join('\r\n')
        : ['#!/bin/sh', `echo '::error::${STOPPED_MESSAGE}' >&2`, 'exit 1', ''].join('\n');
}
/**
 * When a token is fresh enough to hand out: with min-validity, while that many seconds are left;
 * without, the agent keeps a margin of half the token's lifetime, at most 5 minutes. A token
 * whose expiry nobody said (no expires_in, not verified) is kept: there is nothing to judge by.
 */
function freshUntil(token, minValiditySeconds) {
    if (token.expiresAtMs === undefined)
        return Infinity;
    if (minValiditySeconds > 0)
        return token.expiresAtMs - minValiditySeconds * 1000;
    const lifetime = Math.max(0, token.expiresAtMs - token.requestedAt);
    return token.expiresAtMs - Math.min(lifetime / 2, MAX_MARGIN_MS);
}
const MAX_MARGIN_MS = 5 * 60 * 1000;


/***/ }),

/***/ 793:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  stopAgent: () => (/* binding */ stopAgent)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(24);
// EXTERNAL MODULE: ./src/http/retry.ts
var retry = __webpack_require__(902);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(30);
;// CONCATENATED MODULE: ./src/agent/ask.ts

/** Sends one request line to the agent and reads its one JSON answer; rejects on any failure. */
function ask(socketPath, request, timeoutMs) {
    return new Promise((resolve, reject) => {
        const socket = (0,external_node_net_.connect)(socketPath);
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        let reply = '';
        socket.setEncoding('utf8');
        socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
        socket.on('data', chunk => (reply += chunk));
        socket.on('error', error => {
            clearTimeout(timer);
            reject(error);
        });
        socket.on('close', () => {
            clearTimeout(timer);
            try {
                resolve(JSON.parse(reply));
            }
            catch {
                reject(new Error('no answer'));
            }
        });
    });
}

// EXTERNAL MODULE: ./src/agent/protocol.ts
var protocol = __webpack_require__(285);
;// CONCATENATED MODULE: ./src/agent/stop.ts
// The post step's side of `agent: true`: stops the agent (which revokes what it fetched, with
// revoke: true), removes its socket and key, and says how many tokens it served and fetched.




/**
 * Stops the agent whose directory the main step saved (`dir`, from saved state, so untrusted: only
 * a directory of the agent's own shape in RUNNER_TEMP is touched). `settings` is undefined when the
 * post step could not read its inputs again: the agent is stopped all the same.
 */
async function stopAgent(dir, settings, deps) {
    try {
        await stop(dir, settings, deps);
    }
    catch (error) {
        // The post step's own work (revoking the main step's token) still runs.
        deps.core.warning(`The token agent's files were not all removed (${error.code ?? 'error'}); the runner removes RUNNER_TEMP at the end of the job.`);
    }
}
async function stop(dir, settings, deps) {
    const { core } = deps;
    if (!(0,protocol/* isAgentDir */.Nq)(dir, deps.env.RUNNER_TEMP)) {
        core.warning('The saved state does not name a token agent directory in RUNNER_TEMP: nothing was stopped.');
        return;
    }
    // Gone already: the main step failed before the agent started, and removed it.
    if (!isDirectory(dir))
        return;
    const paths = (0,protocol/* agentPaths */.SR)(dir, process.platform);
    let reply;
    try {
        const key = (0,protocol/* readKey */.YZ)((0,external_node_fs_.readFileSync)(paths.command, 'utf8'));
        // Revocations run in parallel, each within a step's budget; stopping alone is quick.
        const { timeoutMs, maxAttempts } = settings ?? retry/* NETWORK_DEFAULTS */.wN;
        const budget = (0,retry/* stepBudgetMs */.ij)(timeoutMs, maxAttempts) + 10_000;
        if (key)
            reply = await ask(paths.socket, { key, op: 'stop' }, budget);
    }
    catch {
        // Not running any more: its files still go, and the agent, if alive, exits without them.
    }
    retire(paths);
    if (!reply || !('stopped' in reply)) {
        const gone = 'The token agent did not answer the stop request (it had stopped, or ran out of time); removed its socket and its key.';
        // With revoke: true, the tokens it fetched may not have been revoked: worth a warning.
        if (settings?.revoke) {
            core.warning(`${gone} Tokens it fetched were not all revoked; they stay valid until they expire.`);
        }
        else {
            core.info(gone);
        }
        return;
    }
    const count = (n) => Number.isSafeInteger(n) && n >= 0 ? n : 0;
    core.info(`Stopped the token agent: it served ${tokens(count(reply.served))} and fetched ${count(reply.fetched)}${settings?.revoke ? `, of which it revoked ${count(reply.revoked)}` : ''}.`);
    for (const warning of Array.isArray(reply.warnings) ? reply.warnings.slice(0, 20) : []) {
        // core.warning escapes line breaks; the rest is bounded to printable text.
        core.warning(String(warning)
            .replace(/[^\x20-\x7e]/g, '?')
            .slice(0, 2000));
    }
}
/**
 * Puts in the command's place a stub without the key that fails saying the agent was stopped, then
 * removes the socket and the client: a caller runs the command or the stub, never a command whose
 * client is gone. Removing the socket (the client, on Windows) also ends an agent that did not
 * answer.
 */
function retire(paths) {
    const stub = `${paths.command}.stopped`;
    (0,external_node_fs_.writeFileSync)(stub, (0,protocol/* stoppedCommand */.LK)(process.platform), { mode: 0o700 });
    try {
        (0,external_node_fs_.renameSync)(stub, paths.command);
    }
    catch {
        // Windows refuses to replace a .cmd that a cmd.exe has open: overwrite it, key and all.
        (0,external_node_fs_.writeFileSync)(paths.command, (0,protocol/* stoppedCommand */.LK)(process.platform));
        (0,external_node_fs_.rmSync)(stub, { force: true });
    }
    // A Windows named pipe is not a file: it went with the agent.
    if (process.platform !== 'win32')
        (0,external_node_fs_.rmSync)(paths.socket, { force: true });
    (0,external_node_fs_.rmSync)(paths.client, { force: true });
}
const tokens = (n) => `${n} token${n === 1 ? '' : 's'}`;
function isDirectory(path) {
    try {
        return (0,external_node_fs_.lstatSync)(path).isDirectory();
    }
    catch {
        return false;
    }
}


/***/ })

};

//# sourceMappingURL=793.index.js.map