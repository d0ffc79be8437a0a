export const id = 276;
export const ids = [276];
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

/***/ 276:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  startAgent: () => (/* binding */ startAgent)
});

// UNUSED EXPORTS: READY_TIMEOUT_MS, descriptorOf, handOver, listenForAgent, spawnAgent

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(421);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(24);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(30);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(760);
// EXTERNAL MODULE: ./src/base/errors.ts
var errors = __webpack_require__(758);
// EXTERNAL MODULE: ./src/config/input-names.ts
var input_names = __webpack_require__(523);
// EXTERNAL MODULE: ./src/http/retry.ts
var retry = __webpack_require__(902);
// EXTERNAL MODULE: ./src/agent/protocol.ts
var protocol = __webpack_require__(285);
;// CONCATENATED MODULE: ./src/agent/client.ts

/**
 * The token command's client, written next to the command when the agent starts. It loads only
 * node:net and node:fs (a fresh node per call, so start-up is its whole cost) and is CommonJS,
 * which starts faster than an ES module. Arguments: socket, deadline in ms, the command's path
 * (which holds the key). On success: `::add-mask::<token>` on stderr first, then the token on
 * stdout. On failure: one `::error::` line on stderr, nothing on stdout, exit 1.
 */
const CLIENT_SOURCE = String.raw `'use strict'
// stent-token-action: asks the job's token agent for a fresh token. Holds no secret.
const { connect } = require('node:net')
const { readFileSync } = require('node:fs')
const [socketPath = '', deadline = '0', commandPath = ''] = process.argv.slice(2)
const escape = text => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
let done = false
function fail(message) {
  if (done) return
  done = true
  process.stderr.write('::error::' + escape(message) + '\n')
  process.exitCode = 1
}
let key
try {
  key = /${protocol/* KEY_LINE */.lv.source}/m.exec(readFileSync(commandPath, 'utf8'))[1]
} catch {
  fail('The token command ' + commandPath + ' cannot be read, or holds no key: the token agent was stopped at the end of the job, or the file was changed.')
}
if (key) {
  const socket = connect(socketPath)
  const timer = setTimeout(() => {
    fail('The token agent did not answer within ' + Math.round(Number(deadline) / 1000) + ' s.')
    socket.destroy()
  }, Number(deadline))
  let reply = ''
  socket.setEncoding('utf8')
  socket.on('connect', () => socket.write(JSON.stringify({ key, op: 'token' }) + '\n'))
  socket.on('data', chunk => {
    reply += chunk
    if (reply.length > 65536) socket.destroy()
  })
  socket.on('error', error => {
    // No socket, no listener on it, or an agent that ended with this call in its queue.
    const gone = error.code === 'ENOENT' || error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET'
    fail(
      gone
        ? 'The token agent is not running (' + error.code + ' on ' + socketPath + '): it was stopped by the post step or exited. Run the token command only in later steps of the job that started it.'
        : 'Could not reach the token agent at ' + socketPath + ' (' + (error.code || 'error') + ').'
    )
  })
  socket.on('close', () => {
    clearTimeout(timer)
    if (done) return
    let answer
    try {
      answer = JSON.parse(reply)
    } catch {
      return fail('The token agent closed the connection without an answer: it is stopping, or the request was refused.')
    }
    const token = answer && answer.token
    // One line of printable ASCII that cannot start a workflow command (an N_A token could).
    if (typeof token === 'string' && /^[\x21-\x7e]+$/.test(token) && !token.startsWith('::')) {
      done = true
      // The mask first, and the token only once it is written: the runner reads both streams.
      process.stderr.write('::add-mask::' + escape(token) + '\n', () => process.stdout.write(token + '\n'))
      return
    }
    fail(answer && typeof answer.error === 'string' ? answer.error : 'The token agent gave no token.')
  })
}
`;

// EXTERNAL MODULE: ./src/agent/flag.ts
var flag = __webpack_require__(363);
// EXTERNAL MODULE: ./src/agent/listen.ts
var listen = __webpack_require__(242);
// EXTERNAL MODULE: ./src/agent/start-message.ts
var start_message = __webpack_require__(531);
;// CONCATENATED MODULE: ./src/agent/start.ts
// The main step's side of `agent: true`, once it has its token: makes the agent's private
// directory, command and socket, starts the agent's node with a clean environment and the socket
// as its descriptor 3, and writes it its settings on its stdin.













/** The agent is a node process loading a small chunk: this is ample, and a clear failure beyond. */
const READY_TIMEOUT_MS = 10_000;
/** Unix socket paths are limited to 104 bytes on macOS (108 on Linux), the NUL included. */
const MAX_SOCKET_PATH = 103;
/**
 * The agent's environment: none of the job's, so /proc/<pid>/environ holds no secret. Only what
 * node reads at start-up (extra CAs), what Windows needs to run it, and the runner's tracking ID,
 * by which the runner ends the job's leftover processes. Process.env is case-insensitive on
 * Windows: one spelling finds SystemRoot.
 */
const AGENT_ENV = ['NODE_EXTRA_CA_CERTS', 'NODE_USE_ENV_PROXY', 'RUNNER_TRACKING_ID', 'SystemRoot'];
/**
 * Starts the token agent and returns the token command's path, once the agent's socket listens:
 * the next step never races the agent.
 *
 * On Linux and macOS the step makes the socket and the agent inherits it, so the step does not
 * wait for the agent's node to start: a call that comes first waits in the socket's queue, and the
 * start message waits in the stdin pipe, both there after the step ends. Windows cannot pass a
 * named pipe on, so there the agent listens itself and the step waits until it says so.
 */
async function startAgent(first, settings, deps, saveDir) {
    const { core, env } = deps;
    const runnerTemp = env.RUNNER_TEMP;
    if (!runnerTemp) {
        throw new errors/* ActionError */.l('agent is true, but RUNNER_TEMP is not set: the token agent lives in the runner temp directory. Run the action on a GitHub Actions runner.');
    }
    const dir = (0,external_node_path_.join)((0,external_node_path_.resolve)(runnerTemp), `${protocol/* AGENT_DIR_PREFIX */.JH}${(0,external_node_crypto_.randomBytes)(16).toString('hex')}`);
    const paths = (0,protocol/* agentPaths */.SR)(dir, process.platform);
    if (process.platform !== 'win32' && Buffer.byteLength(paths.socket) > MAX_SOCKET_PATH) {
        throw new errors/* ActionError */.l(`agent is true, but the socket path in RUNNER_TEMP would be ${Buffer.byteLength(paths.socket)} bytes, over the limit of ${MAX_SOCKET_PATH}. Point RUNNER_TEMP at a shorter directory.`);
    }
    try {
        (0,external_node_fs_.mkdirSync)(dir, { mode: 0o700 });
    }
    catch (error) {
        throw new errors/* ActionError */.l(`agent is true, but the token agent's directory cannot be made in RUNNER_TEMP (${error.code ?? 'error'}). Check that RUNNER_TEMP is a writable directory.`);
    }
    // Before the agent exists: whatever happens next, the post step finds what to clean up.
    saveDir(dir);
    let socket;
    let child;
    try {
        const key = (0,external_node_crypto_.randomBytes)(32).toString('hex');
        // Not a token, but it lets whoever holds it ask for one: `cat $TOKEN_COMMAND` shows it masked.
        core.setSecret(key);
        // A refresh's whole retry budget, and some: the command must not give up before the agent.
        const timeoutMs = (0,retry/* stepBudgetMs */.ij)(settings.timeoutMs, settings.maxAttempts) + 10_000;
        const spec = { node: process.execPath, paths, key, timeoutMs };
        (0,external_node_fs_.writeFileSync)(paths.client, CLIENT_SOURCE, { mode: 0o600 });
        (0,external_node_fs_.writeFileSync)(paths.command, process.platform === 'win32' ? (0,protocol/* windowsCommand */.$Q)(spec) : (0,protocol/* posixCommand */.LD)(spec), { mode: 0o700 });
        (0,external_node_fs_.chmodSync)(paths.command, 0o700);
        socket = process.platform === 'win32' ? undefined : await listenForAgent(paths);
        const message = {
            inputs: Object.fromEntries(input_names/* INPUT_NAMES */.Qh.map(name => [name, core.getInput(name)])),
            idTokenEnv: (0,start_message/* pick */.Up)(env, start_message/* ID_TOKEN_ENV */.c_),
            proxyEnv: (0,start_message/* pick */.Up)(env, start_message/* PROXY_ENV */.ju),
            socket: paths.socket,
            inherited: socket !== undefined,
            command: paths.command,
            key,
            hardCapMs: protocol/* HARD_CAP_MS */.Sq,
            minValidity: settings.minValidity,
            first
        };
        child = spawnAgent(env, runnerTemp, socket && descriptorOf(socket));
        // The agent has its own descriptor of it now: the step's handle accepts nothing more.
        socket?.close();
        const pid = await handOver(child, message);
        core.info(`Started the token agent (pid ${pid}); later steps of this job get a fresh token by running the token-command output.`);
        return paths.command;
    }
    catch (error) {
        child?.kill();
        (0,external_node_fs_.rmSync)(dir, { recursive: true, force: true });
        throw error;
    }
    finally {
        // Closed again on success (no harm); on a failure, a handle left open would keep the step alive.
        socket?.close();
    }
}
/**
 * The agent's socket, made by the main step. It is bound under another name and renamed into
 * place: Node removes a socket's path when the handle that bound it closes, which this process's
 * exit would do while the agent serves on it.
 */
async function listenForAgent(paths) {
    const server = (0,external_node_net_.createServer)();
    await (0,listen/* listenPrivately */.M)(server, paths.bound);
    try {
        (0,external_node_fs_.renameSync)(paths.bound, paths.socket);
    }
    catch (error) {
        server.close();
        throw error;
    }
    return server;
}
/**
 * This bundle again, as the agent: detached, with a clean environment, and with the listening
 * socket where there is one as its descriptor 3 (SOCKET_FD, the fourth entry of stdio). `bundle` is
 * this dist/index.js, which the runner ran.
 */
function spawnAgent(env, runnerTemp, socketFd, bundle = process.argv[1] ?? '') {
    return (0,external_node_child_process_.spawn)(process.execPath, [bundle, flag/* AGENT_FLAG */.d], {
        detached: true,
        stdio: socketFd === undefined ? ['pipe', 'pipe', 'ignore'] : ['pipe', 'ignore', 'ignore', socketFd],
        env: (0,start_message/* pick */.Up)(env, AGENT_ENV),
        // Not the workspace: on Windows a process's working directory cannot be removed under it.
        cwd: runnerTemp,
        windowsHide: true
    });
}
/** The descriptor of a listening socket, for the agent to inherit (Node has no public getter). */
function descriptorOf(server) {
    const fd = server._handle?.fd;
    if (typeof fd !== 'number' || fd < 0)
        throw didNotStart('its socket has no descriptor to pass on');
    return fd;
}
/**
 * Writes the start message on the agent's stdin and resolves with its pid once the message is in
 * the pipe (an inherited socket already listens), or once the agent says it listens.
 */
async function handOver(child, message) {
    // What the agent says where it listens itself (ready, or why not), or how it ended before.
    let exited = (_code) => { };
    const said = new Promise(resolve => {
        let text = '';
        child.stdout?.setEncoding('utf8').on('data', (chunk) => {
            text += chunk;
            const end = text.indexOf('\n');
            if (end >= 0 || text.length >= 4096)
                resolve(text.slice(0, end < 0 ? 4096 : end));
        });
        child.on('error', error => resolve(`error it could not be started (${error.code ?? 'error'})`));
        exited = code => resolve(`error it exited with code ${code} before it was listening`);
        child.on('exit', exited);
    });
    child.stdin.on('error', () => { });
    if (child.pid === undefined)
        throw didNotStart(await said);
    // Into the pipe, where it waits for the agent however long its node takes to start; on Windows,
    // then the agent's word that it listens. Bounded: a message larger than the pipe waits for a read.
    const written = new Promise(resolve => {
        child.stdin.once('error', error => resolve(`error its stdin closed (${error.message})`));
        child.stdin.end(`${JSON.stringify(message)}\n`, () => resolve(undefined));
    });
    let timer;
    const outcome = await Promise.race([
        written.then(problem => problem ?? (message.inherited ? 'ready' : said)),
        new Promise(resolve => {
            timer = setTimeout(() => resolve(`error it did not start listening within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
        })
    ]);
    clearTimeout(timer);
    if (outcome !== 'ready')
        throw didNotStart(outcome);
    // The step may end now; the agent lives on.
    child.stdout?.destroy();
    child.off('exit', exited);
    child.unref();
    return child.pid;
}
function didNotStart(problem) {
    // The agent's own words, bounded to one line of printable ASCII, its full stop ours.
    const words = problem
        .replace(/[^\x20-\x7e]/g, '?')
        .replace(/^error /, '')
        .replace(/\.$/, '');
    return new errors/* ActionError */.l(`The token agent did not start: ${words}. Hint: set agent: false to get one token without it, and report this if it persists.`);
}


/***/ })

};

//# sourceMappingURL=276.index.js.map