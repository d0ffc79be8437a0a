export const id = 343;
export const ids = [343];
export const modules = {

/***/ 242:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   M: () => (/* binding */ listenPrivately)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);

/**
 * Listens on `path`: a Unix socket that no other user can open from the moment it exists (the
 * umask while listen() binds it, which it does at once; then 0600, as the agent's files are), or a
 * named pipe on Windows.
 */
async function listenPrivately(server, path) {
    const listening = new Promise((resolve, reject) => {
        server.once('error', reject);
        server.once('listening', () => {
            server.off('error', reject);
            resolve();
        });
    });
    const umask = process.umask(0o077);
    try {
        server.listen(path);
    }
    finally {
        process.umask(umask);
    }
    await listening;
    try {
        if (process.platform !== 'win32')
            (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.chmodSync)(path, 0o600);
    }
    catch (error) {
        // A handle left listening would keep the process alive.
        server.close();
        throw error;
    }
}


/***/ }),

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

/***/ 343:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runAgent: () => (/* binding */ runAgent)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(24);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(30);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(760);
// EXTERNAL MODULE: ./src/base/errors.ts
var errors = __webpack_require__(758);
// EXTERNAL MODULE: ./src/agent/protocol.ts
var protocol = __webpack_require__(285);
;// CONCATENATED MODULE: ./src/agent/cache.ts

/**
 * The agent's one token: served from memory while fresh enough (see freshUntil), else fetched
 * again, once, however many callers are waiting (single flight). A failed fetch fails every caller
 * that waited for it; the next call tries again.
 */
class TokenCache {
    current;
    minValidity;
    fetch;
    now;
    served = 0;
    /** Tokens the agent fetched itself (the main step's first one is not counted). */
    fetched = [];
    inFlight;
    constructor(current, minValidity, fetch, now) {
        this.current = current;
        this.minValidity = minValidity;
        this.fetch = fetch;
        this.now = now;
    }
    async get() {
        const token = this.now() < (0,protocol/* freshUntil */.z7)(expiryOf(this.current), this.minValidity)
            ? this.current
            : await this.refresh();
        this.served++;
        return token.token.accessToken;
    }
    refresh() {
        this.inFlight ??= this.fetch()
            .then(token => {
            this.current = token;
            this.fetched.push(token);
            return token;
        })
            .finally(() => (this.inFlight = undefined));
        return this.inFlight;
    }
}
const expiryOf = ({ requestedAt, verified }) => ({
    requestedAt,
    expiresAtMs: verified.expiresAtMs
});

// EXTERNAL MODULE: ./src/agent/listen.ts
var listen = __webpack_require__(242);
// EXTERNAL MODULE: ./src/agent/start-message.ts
var start_message = __webpack_require__(531);
;// CONCATENATED MODULE: ./src/agent/server.ts
// The token agent: a detached process the main step starts with `agent: true`. It reads its
// settings on its stdin, gets its listening socket from the main step (or, on Windows, listens
// itself), and serves fresh tokens to the token command until the post step stops it. Nothing it
// knows is in its argv, its environment or a file.








/** Reads the start message on stdin, then serves until stopped. */
async function runAgent(loadRefresher) {
    // No stack trace and no unhandled rejection may print: there is nobody to read it.
    process.on('uncaughtException', () => process.exit(1));
    process.on('unhandledRejection', () => process.exit(1));
    let message;
    try {
        message = (0,start_message/* parseStartMessage */.bg)(JSON.parse(await readAll(process.stdin, 8 * 1024 * 1024)));
    }
    catch (error) {
        return say(`error ${error instanceof errors/* ActionError */.l ? error.message : 'bad start message'}`, 1);
    }
    try {
        const server = new external_node_net_.Server();
        serve(server, message, loadRefresher);
        if (message.inherited) {
            // Listening since the main step made it: connections that came first wait in its queue.
            await new Promise((resolve, reject) => {
                server.once('error', reject);
                server.listen({ fd: start_message/* SOCKET_FD */.hp }, () => resolve());
            });
        }
        else {
            await (0,listen/* listenPrivately */.M)(server, message.socket);
            say('ready');
        }
        watch(message, server);
    }
    catch (error) {
        say(`error could not listen (${error.code ?? 'error'})`, 1);
    }
}
/** One line to the main step, which reads it where the agent listens itself; then exits, if asked. */
function say(line, exitCode) {
    process.stdout.write(`${line.replace(/[\r\n]/g, ' ')}\n`, () => {
        if (exitCode !== undefined)
            process.exit(exitCode);
    });
}
function readAll(stream, max) {
    return new Promise((resolve, reject) => {
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk) => {
            text += chunk;
            if (text.length > max)
                reject(new errors/* ActionError */.l('start message too large'));
        });
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
    });
}
/** Answers the token command, and the post step's stop, on `server`. */
function serve(server, message, loadRefresher) {
    // The proxy rules are read from process.env; these values never were in this process's environ.
    for (const [name, value] of Object.entries(message.proxyEnv))
        process.env[name] = value;
    // Kept once it has loaded and read the inputs; a failure (inputs that no longer read, a chunk
    // that could not load) fails this refresh, and the next tries again.
    let loading;
    const network = () => (loading ??= loadRefresher()
        .then(refresher => refresher(name => message.inputs[name] ?? '', message.idTokenEnv))
        .catch((error) => {
        loading = undefined;
        throw error;
    }));
    const cache = new TokenCache(message.first, message.minValidity, async () => (await network()).fetch(), Date.now);
    let stopping = false;
    server.on('connection', (socket) => {
        if (stopping)
            return socket.destroy();
        handle(socket, message.key, async (op) => {
            if (op === 'token') {
                try {
                    return { token: await cache.get() };
                }
                catch (error) {
                    return {
                        error: error instanceof errors/* ActionError */.l
                            ? error.message
                            : 'Unexpected error in the token agent while refreshing the token.'
                    };
                }
            }
            stopping = true;
            server.close();
            // Only the tokens it fetched itself: the post step revokes the main step's.
            // It fetched some only if the core loaded; revoke() settles every revocation, never throws.
            const { revoked, warnings } = cache.fetched.length
                ? await (await network()).revoke(cache.fetched)
                : { revoked: 0, warnings: [] };
            return {
                stopped: true,
                served: cache.served,
                fetched: cache.fetched.length,
                revoked,
                warnings
            };
        });
    });
    server.maxConnections = 64;
}
/**
 * One connection: a request line within REQUEST_TIMEOUT_MS and MAX_REQUEST_BYTES, then one JSON
 * answer. Without the key, the answer is a refusal and nothing else happens.
 */
function handle(socket, key, act) {
    socket.on('error', () => { });
    const timer = setTimeout(() => socket.destroy(), protocol/* REQUEST_TIMEOUT_MS */.j2);
    let line = '';
    const answer = (reply) => {
        // After the answer to stop, the agent is done.
        socket.end(`${JSON.stringify(reply)}\n`, () => {
            if ('stopped' in reply)
                process.exit(0);
        });
    };
    const onData = (chunk) => {
        line += chunk;
        const end = line.indexOf('\n');
        if (end < 0) {
            if (line.length > protocol/* MAX_REQUEST_BYTES */.rO)
                socket.destroy();
            return;
        }
        socket.off('data', onData);
        clearTimeout(timer);
        let request;
        try {
            request = JSON.parse(line.slice(0, end));
        }
        catch {
            // Refused below, like a wrong key.
        }
        const { key: given, op } = typeof request === 'object' && request !== null
            ? request
            : {};
        if (!(0,protocol/* keyMatches */.FY)(given, key) || (op !== 'token' && op !== 'stop')) {
            answer({ error: 'The token agent refused the request: it does not carry the agent key.' });
            return;
        }
        void act(op).then(answer);
    };
    socket.setEncoding('utf8');
    socket.on('data', onData);
}
/** Exits when the post step removed the socket (on Windows, the client: a pipe is no file), or at the cap. */
function watch(message, server) {
    const watched = process.platform === 'win32'
        ? (0,protocol/* agentPaths */.SR)(external_node_path_.win32.dirname(message.command), 'win32').client
        : message.socket;
    const exit = () => {
        server.close();
        // An inherited socket's path stays when it closes: removed, later calls say the agent is gone.
        if (process.platform !== 'win32')
            (0,external_node_fs_.rmSync)(message.socket, { force: true });
        process.exit(0);
    };
    setInterval(() => {
        try {
            (0,external_node_fs_.statSync)(watched);
        }
        catch {
            exit();
        }
    }, protocol/* WATCH_INTERVAL_MS */.RK).unref();
    setTimeout(exit, message.hardCapMs).unref();
}


/***/ }),

/***/ 531:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Up: () => (/* binding */ pick),
/* harmony export */   bg: () => (/* binding */ parseStartMessage),
/* harmony export */   c_: () => (/* binding */ ID_TOKEN_ENV),
/* harmony export */   hp: () => (/* binding */ SOCKET_FD),
/* harmony export */   ju: () => (/* binding */ PROXY_ENV)
/* harmony export */ });
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(758);
/* harmony import */ var _protocol_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(285);


/** The descriptor of the inherited socket in the agent: the first after stdin, stdout, stderr. */
const SOCKET_FD = 3;
const ID_TOKEN_ENV = ['ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
const PROXY_ENV = [
    'HTTPS_PROXY',
    'https_proxy',
    'HTTP_PROXY',
    'http_proxy',
    'NO_PROXY',
    'no_proxy'
];
/** The named variables that are set in env. */
function pick(env, names) {
    return Object.fromEntries(names.flatMap(name => {
        const value = env[name];
        return value === undefined ? [] : [[name, value]];
    }));
}
const isStrings = (value) => typeof value === 'object' &&
    value !== null &&
    Object.values(value).every(item => typeof item === 'string');
/** The message, checked for shape (it comes from our own main step, through a pipe). */
function parseStartMessage(value) {
    const message = (typeof value === 'object' && value !== null ? value : {});
    const first = message.first;
    if (!isStrings(message.inputs) ||
        !isStrings(message.idTokenEnv) ||
        !isStrings(message.proxyEnv) ||
        typeof message.socket !== 'string' ||
        typeof message.inherited !== 'boolean' ||
        typeof message.command !== 'string' ||
        typeof message.key !== 'string' ||
        typeof message.hardCapMs !== 'number' ||
        !(message.hardCapMs > 0 && message.hardCapMs <= _protocol_js__WEBPACK_IMPORTED_MODULE_0__/* .HARD_CAP_MS */ .Sq) ||
        typeof message.minValidity !== 'number' ||
        !(message.minValidity >= 0) ||
        typeof first?.token?.accessToken !== 'string' ||
        typeof first.requestedAt !== 'number') {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l('The token agent got a start message of the wrong shape.');
    }
    return message;
}


/***/ }),

/***/ 758:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   l: () => (/* binding */ ActionError)
/* harmony export */ });
/**
 * A failure the user can act on. Its message is complete and safe to print: it names the input or
 * response field at fault and the fix, and never holds a secret, a body or a header value.
 */
class ActionError extends Error {
    name = 'ActionError';
}


/***/ })

};

//# sourceMappingURL=343.index.js.map