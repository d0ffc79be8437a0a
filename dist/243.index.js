export const id = 243;
export const ids = [243];
export const modules = {

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


/***/ }),

/***/ 371:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   au: () => (/* binding */ didYouMean),
/* harmony export */   kp: () => (/* binding */ closest)
/* harmony export */ });
/* unused harmony export editDistance */
/** The candidate a typo most likely meant, or undefined when none is close. */
function closest(typed, candidates) {
    const text = normalize(typed);
    let best;
    for (const candidate of candidates) {
        const distance = editDistance(text, normalize(candidate));
        if (!best || distance < best.distance)
            best = { candidate, distance };
    }
    // A third of the text may be wrong (at least 2 edits): 'tokenurl', 'client-secrets', 'scopes'.
    return best && best.distance <= Math.max(2, Math.floor(text.length / 3))
        ? best.candidate
        : undefined;
}
/** ` Did you mean '<candidate>'?` when one is close, else ''. */
function didYouMean(typed, candidates) {
    const near = closest(typed, candidates);
    return near === undefined ? '' : ` Did you mean '${near}'?`;
}
/** Case and the separator (_ - or space) do not count as typos. */
function normalize(text) {
    return text.toLowerCase().replace(/[_ -]/g, '-');
}
/** Levenshtein distance, with a swap of two neighbours as one edit ('scoep'). */
function editDistance(a, b) {
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const row = d[i];
            const prev = d[i - 1];
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
                row[j] = Math.min(row[j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.length][b.length];
}


/***/ }),

/***/ 523:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Qh: () => (/* binding */ INPUT_NAMES),
/* harmony export */   zU: () => (/* binding */ checkInputNames)
/* harmony export */ });
/* unused harmony exports UNKNOWN_INPUT, inputVariable, closestInput */
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(758);
/* harmony import */ var _base_suggest_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(371);


/** action.yml's inputs, in its order (the README's groups); __tests__/input-names.test.ts holds the two equal. */
const INPUT_NAMES = [
    'client-id',
    'client-secret',
    'token-url',
    'scope',
    'audience',
    'resource',
    'response-type',
    'extra-params',
    'auth-method',
    'basic-encoding',
    'client-assertion-key',
    'client-assertion-cert',
    'client-assertion-alg',
    'client-assertion-kid',
    'client-certificate',
    'client-key',
    'oidc-audience',
    'grant-type',
    'subject-token-source',
    'subject-token',
    'subject-token-type',
    'actor-token',
    'actor-token-type',
    'requested-token-type',
    'issuer',
    'verify-token',
    'jwks-url',
    'min-validity',
    'revoke',
    'revocation-url',
    'timeout-seconds',
    'max-attempts',
    'ca-certificate',
    'export-variable',
    'summary',
    'summary-title',
    'agent'
];
/** The start of the message for an input action.yml does not declare (README troubleshooting). */
const UNKNOWN_INPUT = 'Unknown input ';
/** The variable the runner sets for a `with:` key: INPUT_, upper-cased, spaces as _, hyphens kept. */
function inputVariable(name) {
    return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}
/**
 * Fails on any INPUT_* variable that is not one of our inputs: the runner passes every `with:` key,
 * declared or not, and only warns, so a typo would otherwise read as an empty or default input.
 */
function checkInputNames(env) {
    const known = new Set(INPUT_NAMES.map(inputVariable));
    const unknown = Object.keys(env)
        .filter(key => key.toUpperCase().startsWith('INPUT_') && !known.has(key.toUpperCase()))
        .map(key => key.slice('INPUT_'.length).toLowerCase())
        .sort();
    if (unknown.length === 0)
        return;
    throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .l(unknown
        .map(name => {
        const near = closestInput(name);
        return `${UNKNOWN_INPUT}'${name}'. ${near ? `Did you mean '${near}'?` : `This action's inputs are: ${INPUT_NAMES.join(', ')}.`}`;
    })
        .join(' '));
}
/** The declared input a typo most likely meant, or undefined when none is close. */
function closestInput(name) {
    return (0,_base_suggest_js__WEBPACK_IMPORTED_MODULE_1__/* .closest */ .kp)(name, INPUT_NAMES);
}


/***/ }),

/***/ 379:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  refresher: () => (/* reexport */ refresher),
  runStep: () => (/* binding */ runStep)
});

;// CONCATENATED MODULE: ./src/base/state.ts
/**
 * Every key the main step saves for the post step, in one place: main and post never import each
 * other, and the agent's early start (agent/flag.ts) tells the post step by the same name.
 */
const STATE = {
    /** The same bundle then runs as the post step (as actions/checkout). */
    isPost: 'isPost',
    /** The token alone: the post step derives endpoints and credentials again from its inputs. */
    revokeToken: 'revoke-token',
    /** The token agent's directory (agent: true), checked by the post step before it is touched. */
    agentDir: 'agent-dir'
};

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 13 modules
var core = __webpack_require__(889);
// EXTERNAL MODULE: ./src/base/errors.ts
var base_errors = __webpack_require__(758);
// EXTERNAL MODULE: ./src/http/retry.ts
var retry = __webpack_require__(902);
// EXTERNAL MODULE: external "node:events"
var external_node_events_ = __webpack_require__(474);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(67);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __webpack_require__(30);
// EXTERNAL MODULE: external "node:tls"
var external_node_tls_ = __webpack_require__(311);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/proxy.js
var lib_proxy = __webpack_require__(783);
;// CONCATENATED MODULE: ./src/http/transport.ts






/** Larger than any token, discovery or JWKS response; a bigger body is a wrong endpoint. */
const MAX_BODY_BYTES = 1024 * 1024;
/**
 * When the job sets this to 0, Node would accept any certificate: every connection here passes
 * `rejectUnauthorized: true`, so it is ignored, and main says so once.
 */
const TLS_CHECKS_OFF_WARNING = 'NODE_TLS_REJECT_UNAUTHORIZED=0 is ignored: this action always verifies TLS certificates. To trust a private CA, pass its certificate as ca-certificate, or point NODE_EXTRA_CA_CERTS at its PEM file.';
const USER_AGENT = 'stent-token-action';
/** The phases on the way to the proxy: a failure there is the proxy's to explain. */
const PROXY_PHASES = new Set([
    'connecting to the proxy',
    'in the TLS handshake with the proxy',
    'waiting for the proxy to answer CONNECT'
]);
/**
 * The proxy refused the tunnel; `status` is its HTTP status, 0 when it closed the connection
 * instead of answering, -1 when its answer was not HTTP.
 */
class ProxyRefused extends Error {
    status;
    variable;
    constructor(status, 
    /** Where the proxy's URL and credentials came from, e.g. HTTPS_PROXY. */
    variable) {
        super(`proxy answered ${status}`);
        this.status = status;
        this.variable = variable;
    }
}
/**
 * One request, with no redirects (they would re-send the secret elsewhere) and no retries of its
 * own. The action opens every socket itself, directly or through a CONNECT tunnel when
 * HTTPS_PROXY says so (NO_PROXY and loopback as @actions/http-client decides), so that one deadline
 * covers every wait: DNS, connect, the proxy's CONNECT, the TLS handshake and the whole body.
 */
const send = async (request, timeoutMs) => {
    const proxy = (0,lib_proxy/* checkBypass */.H)(request.url) ? undefined : proxyFor(request.url, process.env);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const state = { phase: 'connecting', sockets: [] };
    // Every socket this attempt opened ends with it, or when the deadline passes.
    const destroyAll = () => state.sockets.forEach(socket => socket.destroy());
    deadline.signal.addEventListener('abort', destroyAll, { once: true });
    try {
        const socket = await transport_open(request, proxy, state, deadline.signal);
        state.phase = 'waiting for the response';
        const message = await exchangeOn(socket, request, deadline.signal);
        state.phase = 'reading the response body';
        const body = await readCapped(request, message);
        return { kind: 'response', status: message.statusCode ?? 0, headers: message.headers, body };
    }
    catch (error) {
        if (error instanceof base_errors/* ActionError */.l)
            throw error;
        const outcome = networkFailure(error, deadline.signal.aborted, state.phase, timeoutMs, request);
        if (!proxy || !PROXY_PHASES.has(state.phase))
            return outcome;
        return { ...outcome, proxy: { address: proxy.address, variable: proxy.variable } };
    }
    finally {
        clearTimeout(timer);
        destroyAll();
    }
};
/**
 * The proxy for `url` from the variable its scheme reads (https_proxy, then HTTPS_PROXY; http_proxy,
 * then HTTP_PROXY), or undefined. A value without a scheme (`proxy.corp:3128`) is http://, as
 * curl, Go and Python read it. Messages never quote the value: it may hold a password.
 */
function proxyFor(url, env) {
    const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
    const variable = names.find(name => env[name]);
    const value = variable ? (env[variable] ?? '').trim() : '';
    if (!variable || !value)
        return undefined;
    const expected = `expected http://host:port or https://host:port, with a user and password, if any, URL-encoded (the value is not printed: it may hold a password)`;
    let proxy;
    try {
        proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
    }
    catch {
        throw new base_errors/* ActionError */.l(`${variable} is not a proxy URL: ${expected}.`);
    }
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
        throw new base_errors/* ActionError */.l(`${variable} names a ${proxy.protocol}// proxy; this action tunnels through http:// and https:// proxies: ${expected}.`);
    }
    if (!proxy.hostname)
        throw new base_errors/* ActionError */.l(`${variable} names no proxy host: ${expected}.`);
    let username;
    let password;
    try {
        username = decodeURIComponent(proxy.username);
        password = decodeURIComponent(proxy.password);
    }
    catch {
        throw new base_errors/* ActionError */.l(`${variable} has a user or password that is not URL-encoded: ${expected}.`);
    }
    return { url: proxy, username, password, address: `${proxy.hostname}:${portOf(proxy)}`, variable };
}
/**
 * The CAs a connection trusts: undefined for Node's default store (its bundled CAs and
 * NODE_EXTRA_CA_CERTS), else that store and `extra`, since `ca` replaces the default store.
 */
function trustedCas(extra) {
    return extra ? [...(0,external_node_tls_.getCACertificates)('default'), extra] : undefined;
}
const contexts = new Map();
/**
 * The TLS context that trusts `extra` besides the default store (or the default store alone), with
 * the client certificate when there is one: made once for each, since parsing the ~150 default
 * CAs again took every connection 10 to 20 ms (a step makes several, and the agent one per
 * refresh).
 */
function secureContextFor(extra, identity) {
    const id = JSON.stringify([extra, identity?.cert, identity?.key]);
    let context = contexts.get(id);
    if (!context) {
        context = (0,external_node_tls_.createSecureContext)({ ca: trustedCas(extra), ...identity });
        contexts.set(id, context);
    }
    return context;
}
/** The URL's host for a socket: an IPv6 literal without its brackets. */
function hostOf(url) {
    return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
/** The name the certificate must match; SNI only for names, never for IP addresses (RFC 6066). */
function tlsHost(url) {
    const host = hostOf(url);
    return { host, servername: (0,external_node_net_.isIP)(host) ? undefined : host };
}
function portOf(url) {
    return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
}
/**
 * A connected socket to the request's origin, through the proxy when there is one; TLS for https,
 * with the client certificate when the request carries one (mTLS: end to end, never to the proxy).
 * Every TLS connection verifies its peer, whatever NODE_TLS_REJECT_UNAUTHORIZED says.
 */
async function transport_open({ url, tls, caCertificate }, proxy, state, signal) {
    const track = (socket) => {
        state.sockets.push(socket);
        // Errors reach us through once() and the request; this keeps a late one from crashing us.
        socket.on('error', () => { });
        if (signal.aborted)
            socket.destroy();
        return socket;
    };
    const secure = async (socket, peer, identity) => {
        const secured = track((0,external_node_tls_.connect)({
            ...tlsHost(peer),
            socket: socket,
            rejectUnauthorized: true,
            // Node's own default context when there is nothing to add to it.
            ...(caCertificate || identity
                ? { secureContext: secureContextFor(caCertificate, identity) }
                : {})
        }));
        await (0,external_node_events_.once)(secured, 'secureConnect', { signal });
        return secured;
    };
    const target = proxy?.url ?? url;
    state.phase = proxy ? 'connecting to the proxy' : 'connecting';
    let socket = track((0,external_node_net_.connect)({ host: hostOf(target), port: portOf(target) }));
    await (0,external_node_events_.once)(socket, 'connect', { signal });
    if (proxy) {
        if (proxy.url.protocol === 'https:') {
            state.phase = 'in the TLS handshake with the proxy';
            socket = await secure(socket, proxy.url);
        }
        state.phase = 'waiting for the proxy to answer CONNECT';
        socket = await tunnel(socket, proxy, `${url.hostname}:${portOf(url)}`, signal);
    }
    if (url.protocol !== 'https:')
        return socket;
    state.phase = 'in the TLS handshake';
    return secure(socket, url, tls);
}
/**
 * HTTP CONNECT (RFC 9110 §9.3.6) to `target` over an open socket to the proxy, with the proxy's
 * credentials from its URL. Resolves with the same socket once the proxy answers 200.
 */
async function tunnel(socket, { username, password, variable }, target, signal) {
    const credentials = username || password
        ? `proxy-authorization: Basic ${Buffer.from(`${username}:${password}`).toString('base64')}\r\n`
        : '';
    socket.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n${credentials}\r\n`);
    let head = Buffer.alloc(0);
    // Until the end of the proxy's answer head, or until it closes the connection instead.
    for await (const [chunk] of (0,external_node_events_.on)(socket, 'data', { signal, close: ['end', 'close'] })) {
        head = Buffer.concat([head, chunk]);
        if (head.includes('\r\n\r\n') || head.length > 16 * 1024)
            break;
    }
    if (!head.includes('\r\n\r\n')) {
        throw new ProxyRefused(head.length > 16 * 1024 ? -1 : 0, variable);
    }
    // Only the status code is read: the rest of the proxy's answer is never printed.
    const status = Number(/^HTTP\/1\.[01] (\d{3})[ \r]/.exec(head.toString('latin1'))?.[1] ?? -1);
    // RFC 9110 §9.3.6: any 2xx opens the tunnel.
    if (status < 200 || status > 299)
        throw new ProxyRefused(status, variable);
    return socket;
}
/** Sends the request on an open socket and resolves with the response's head. */
async function exchangeOn(socket, request, signal) {
    const { url, method, headers, body } = request;
    const req = (0,external_node_http_.request)({
        method,
        path: `${url.pathname}${url.search}`,
        headers: {
            ...headers,
            host: url.host,
            'user-agent': USER_AGENT,
            ...(body ? { 'content-length': Buffer.byteLength(body) } : {})
        },
        createConnection: () => socket,
        signal
    });
    req.end(body || undefined);
    const [message] = (await (0,external_node_events_.once)(req, 'response', { signal }));
    return message;
}
async function readCapped(request, message) {
    const chunks = [];
    let size = 0;
    for await (const chunk of message) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
            throw new base_errors/* ActionError */.l(`The server at ${request.url.host} sent a response larger than ${MAX_BODY_BYTES / 1024} KiB (HTTP ${message.statusCode}) for ${request.url.pathname}; a token, discovery or key set response is a few KiB. Check the endpoint URL.`);
        }
        chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
}
// The server's TLS alerts about our certificate (mTLS): the server refused us, not we it.
const CLIENT_CERTIFICATE_REFUSED = /ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|ACCESS_DENIED)$/;
// TLS failures are not transient: retrying cannot fix a certificate.
const TLS_ERROR = /^(CERT_|ERR_TLS|ERR_SSL|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/;
/**
 * Why an attempt got no response, from the error's kind and code only: an error's message can
 * quote what a server or proxy sent, so it is never printed.
 */
function networkFailure(error, aborted, phase, timeoutMs, request) {
    if (aborted) {
        return {
            kind: 'network',
            // A budget-shortened last attempt has an uneven timeout: tenths are enough to read.
            reason: `no complete response within ${Number((timeoutMs / 1000).toFixed(1))} s (timeout-seconds), stalled ${phase}`,
            retryable: true
        };
    }
    if (error instanceof ProxyRefused) {
        return {
            kind: 'network',
            reason: error.status === 407
                ? `the proxy refused the credentials in ${error.variable} (HTTP 407)`
                : error.status > 0
                    ? `the proxy refused to open a tunnel to the endpoint (HTTP ${error.status})`
                    : error.status === 0
                        ? 'the proxy closed the connection instead of answering CONNECT'
                        : 'the proxy answered CONNECT with something other than HTTP',
            retryable: error.status !== 407 && error.status !== 403
        };
    }
    const code = error?.code;
    if (typeof code === 'string' && CLIENT_CERTIFICATE_REFUSED.test(code)) {
        return {
            kind: 'network',
            reason: `the server refused the TLS client certificate (${code}); check client-certificate, and that the server trusts its issuer or has it registered`,
            retryable: false
        };
    }
    // In TLS 1.3 a server checks the client certificate after the handshake and, refusing it, only
    // closes the connection; so can a load balancer that drops us, so this stays retryable.
    if (request.tls && phase === 'waiting for the response' && code === 'ECONNRESET') {
        return {
            kind: 'network',
            reason: 'the server closed the connection after the TLS handshake; if this persists, it is likely refusing the client certificate: check client-certificate, and that the server trusts its issuer or has it registered',
            retryable: true
        };
    }
    if (typeof code === 'string' && code.startsWith('ERR_OSSL')) {
        return {
            kind: 'network',
            reason: `the client certificate or key could not be used (${code}); check client-certificate and client-key`,
            retryable: false
        };
    }
    if (typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code)) {
        const tls = TLS_ERROR.test(code);
        const peer = PROXY_PHASES.has(phase) ? 'proxy' : 'server';
        // ca-certificate covers the step's endpoints and their proxy; the runner's own service, not.
        const trust = request.caCertificate === undefined
            ? 'point NODE_EXTRA_CA_CERTS at its certificate'
            : 'pass its certificate as ca-certificate, or point NODE_EXTRA_CA_CERTS at it';
        return {
            kind: 'network',
            reason: tls
                ? `TLS error ${code}; if the ${peer} uses a private CA, ${trust}`
                : `network error ${code}`,
            retryable: !tls
        };
    }
    return { kind: 'network', reason: `connection closed (${phase})`, retryable: true };
}

// EXTERNAL MODULE: ./src/base/suggest.ts
var suggest = __webpack_require__(371);
;// CONCATENATED MODULE: ./src/base/input-rules.ts


/** token-url's default: Stent's token endpoint. */
const DEFAULT_TOKEN_URL = 'https://auth.stent.io/connect/token';
/** A required input; `method` names the auth-method that needs it. */
function required(getInput, name, method) {
    const value = getInput(name);
    if (!value) {
        throw new base_errors/* ActionError */.l(`Input '${name}' is required${method ? ` with auth-method ${method}` : ''} and was empty. Pass it from a secret, e.g. ${name}: \${{ secrets.STENT_${name.replaceAll('-', '_').toUpperCase()} }}, and check the secret exists in this repository or environment.`);
    }
    return value;
}
function noControlCharacters(name, value) {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) {
        throw new base_errors/* ActionError */.l(`Input '${name}' contains a line break or control character. Store the value on a single line, without a trailing newline.`);
    }
}
/** An input that must fit on one line (it may be empty). */
function singleLine(getInput, name) {
    const value = getInput(name);
    noControlCharacters(name, value);
    return value;
}
/** One of a fixed set of values, or the input's default when empty. */
function oneOf(getInput, name, values, fallback) {
    const value = getInput(name) || fallback;
    const found = values.find(v => v === value);
    if (!found) {
        throw new base_errors/* ActionError */.l(unsupportedValue(name, value, values, values.join(', ')));
    }
    return found;
}
/** An enumerated input's value is none of its values: the one it most likely meant, else the list. */
function unsupportedValue(name, value, values, accepted) {
    const start = `Input '${name}' has an unsupported value '${value}'.`;
    return `${start}${(0,suggest/* didYouMean */.au)(value, values) || ` Accepted values: ${accepted}.`}`;
}
const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
/** localhost, 127.x.y.z or [::1]: where plain http:// is accepted, for local tests. */
function isLoopback(url) {
    return LOOPBACK_HOSTS.test(url.hostname);
}
/**
 * An endpoint URL: https://, or http:// to a loopback host; never with credentials. `what` names
 * where it came from in messages, e.g. "Input 'token-url'".
 */
function parseUrl(value, what) {
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new base_errors/* ActionError */.l(`${what} is not a valid URL. Expected an absolute https:// URL${what.includes('token-url') ? ` such as ${DEFAULT_TOKEN_URL}` : ''}.`);
    }
    if (url.username || url.password) {
        throw new base_errors/* ActionError */.l(`${what} must not contain credentials (user:password@). Pass them as client-id and client-secret.`);
    }
    const loopback = isLoopback(url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
        throw new base_errors/* ActionError */.l(`${what} must use https:// (got ${url.protocol}//${url.hostname}). Plain http:// is accepted only for loopback hosts (localhost, 127.0.0.1, [::1]) in local tests.`);
    }
    return url;
}

;// CONCATENATED MODULE: ./src/base/form.ts
/**
 * application/x-www-form-urlencoded for one value, as RFC 6749 §2.3.1 asks for Basic credentials,
 * with a space written %20 so that servers decoding with plain percent-decoding agree too.
 */
function formEncode(value) {
    return new URLSearchParams([['', value]]).toString().slice(1).replaceAll('+', '%20');
}

;// CONCATENATED MODULE: ./src/base/mask.ts

/**
 * Shorter than this, a value (with its encodings) or a line of it is not registered as a mask:
 * the runner would blank every match for the rest of the job ('+', '%20', 'IA' for a space).
 * Tokens are refused below MIN_TOKEN_LENGTH, so this only spares a tiny secret or a key's last line.
 */
const MIN_MASK_LENGTH = 4;
/** A PEM document (a key): its armour lines, and only a PEM's, are not secret. */
const PEM = /^\s*-----BEGIN [A-Z0-9 ]+-----[\s\S]*-----END [A-Z0-9 ]+-----\s*$/;
/**
 * The forms in which a secret could surface in a log. The runner hides a masked value and some
 * encodings of it (base64, EscapeDataString, JSON), but not form-urlencoding nor base64url, so we
 * register each form ourselves.
 */
function secretForms(value) {
    const forms = [
        value,
        // As in a form body (space as +), and as inside a Basic credential (space as %20).
        formEncode(value).replaceAll('%20', '+'),
        formEncode(value),
        encodeURIComponent(value),
        JSON.stringify(value).slice(1, -1),
        Buffer.from(value, 'utf8').toString('base64'),
        Buffer.from(value, 'utf8').toString('base64url')
    ];
    // The runner matches a mask within one line, and splits lines on CR LF, a lone CR and LF, so a
    // multi-line value (a PEM key) is masked line by line too.
    const pem = PEM.test(value);
    const lines = /[\r\n]/.test(value)
        ? value
            .split(/\r\n|\r|\n/)
            .map(line => line.trim())
            .filter(line => line && !(pem && /^-----.*-----$/.test(line)))
        : [];
    return [...new Set([...forms, ...lines])].filter(form => form.length > 0);
}
/** Replaces every form of every secret in text: for text we print that a server wrote. */
function redact(text, secrets) {
    let result = text;
    for (const form of secrets.flatMap(secretForms).sort((a, b) => b.length - a.length)) {
        result = result.replaceAll(form, '***');
    }
    return result;
}
/** Registers every form of each value with the runner (core.setSecret), before it can print. */
function maskAll(core, values) {
    for (const value of values) {
        if (value.length < MIN_MASK_LENGTH)
            continue;
        for (const form of secretForms(value)) {
            if (form.length >= MIN_MASK_LENGTH)
                core.setSecret(form);
        }
    }
}

;// CONCATENATED MODULE: ./src/base/untrusted.ts
/**
 * Text from a server, or read back from saved state, is untrusted: the runner runs any log line
 * that starts with `::` as a workflow command, and it splits lines on CR as well as LF. So every
 * such string is checked against its grammar here before the action uses it, or neutralised here
 * before it is displayed. Nothing else in the action turns server text into log text.
 */

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), joined by single spaces. */
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;
/** RFC 6749 §A.7's type-name (1*name-char), bounded: Bearer, N_A, DPoP... */
const TOKEN_TYPE = /^[-._A-Za-z0-9]{1,64}$/;
/** A token type URI (RFC 8693 §3): a scheme, then printable ASCII without spaces, bounded. */
const TOKEN_TYPE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]{1,200}$/;
/** RFC 6749 §A.12: access-token = 1*VSCHAR (%x20-7E). */
const VSCHARS = /^[\x20-\x7e]+$/;
/** RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=". */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/**
 * Shorter than this, a token is refused: it could not be masked without blanking unrelated text
 * in the log for the rest of the job. Real tokens are tens to thousands of characters.
 */
const MIN_TOKEN_LENGTH = 8;
/** Longer than this, expires_in is not a lifetime a server means (2^31 - 1 s is 68 years). */
const MAX_EXPIRES_IN = 2 ** 31 - 1;
/**
 * Each check takes where the value came from and its field's name, for a message of the form
 * "<where> has an invalid <field>: <what is wrong>." that never quotes the value.
 */
function invalid(where, field, problem) {
    return new base_errors/* ActionError */.l(`${where} has an invalid ${field}: ${problem}.`);
}
/**
 * A token (access token, assertion, or one read back from state): printable ASCII with no
 * surrounding space, long enough to mask.
 */
function checkToken(value, where, field) {
    const problem = typeof value !== 'string'
        ? `${describeType(value)} instead of a string`
        : value.trim() === ''
            ? 'an empty or blank string'
            : !VSCHARS.test(value)
                ? 'a string with a line break, control or non-ASCII character (RFC 6749 allows printable ASCII)'
                : value.trim() !== value
                    ? 'a string with leading or trailing space'
                    : value.length < MIN_TOKEN_LENGTH
                        ? `a string of ${value.length} characters, too short to mask safely in the log (at least ${MIN_TOKEN_LENGTH})`
                        : undefined;
    if (problem)
        throw invalid(where, field, problem);
    return value;
}
/**
 * A Bearer token (checkToken first) also holds to RFC 6750 §2.1's b64token: anything else cannot
 * be sent as `Authorization: Bearer`, and its space, `;`, `|` or `:` would be shell text where a
 * later step pastes the token into a command.
 */
function checkBearerToken(value, where, field) {
    if (!B64TOKEN.test(value)) {
        throw invalid(where, field, "a Bearer token with characters RFC 6750 §2.1 does not allow (only letters, digits, '-', '.', '_', '~', '+', '/' and trailing '=')");
    }
    return value;
}
/** The granted scope (RFC 6749 §3.3), or undefined when the server does not say. */
function checkScope(value, where, field) {
    if (value === undefined || value === null || value === '')
        return undefined;
    if (typeof value !== 'string' || !SCOPE.test(value)) {
        throw invalid(where, field, `expected RFC 6749 §3.3 scope tokens (printable ASCII, no quotes or backslashes) separated by single spaces, got ${typeof value === 'string' ? 'other characters' : describeType(value)}`);
    }
    return value;
}
/** A token_type (RFC 6749 §7.1), safe to print once it passes. */
function checkTokenType(value, where, field) {
    if (typeof value !== 'string' || !TOKEN_TYPE.test(value)) {
        throw invalid(where, field, `expected a token type name (letters, digits, '-', '.', '_'), got ${typeof value === 'string' ? 'other characters' : describeType(value)}`);
    }
    return value;
}
/** A token type URI (RFC 8693 §3), such as issued_token_type; undefined when absent. */
function checkTokenTypeUri(value, where, field) {
    if (value === undefined || value === null)
        return undefined;
    if (typeof value !== 'string' || !TOKEN_TYPE_URI.test(value)) {
        throw invalid(where, field, `expected a token type URI such as urn:ietf:params:oauth:token-type:access_token, got ${typeof value === 'string' ? 'other characters' : describeType(value)}`);
    }
    return value;
}
/**
 * expires_in in whole seconds, rounded up (0.5 s is 1 s, never 0), from 1 to MAX_EXPIRES_IN;
 * undefined when absent (it is only RECOMMENDED).
 */
function checkExpiresIn(value, where, field) {
    if (value === undefined || value === null)
        return undefined;
    const seconds = typeof value === 'number'
        ? value
        : typeof value === 'string' && /^\d{1,20}(\.\d{1,20})?$/.test(value)
            ? Number(value)
            : NaN;
    if (!(seconds > 0 && seconds <= MAX_EXPIRES_IN)) {
        throw invalid(where, field, `expected a positive number of seconds up to ${MAX_EXPIRES_IN} (68 years), got ${typeof value === 'number' ? (seconds > 0 ? 'a larger number' : 'a number that is not positive') : describeType(value)}`);
    }
    return Math.ceil(seconds);
}
/**
 * Free text a server wrote (an OAuth error code or description), for a message: printable ASCII
 * without quotes and backslashes (RFC 6749 §5.2's charset), everything else as '?', bounded.
 */
function neutralise(text, max) {
    const clean = text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?');
    return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}
/** What a JSON value is, for messages that must not quote it. */
function describeType(value) {
    if (value === undefined)
        return 'nothing';
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'an array';
    if (typeof value === 'string')
        return value ? 'a string' : 'an empty string';
    return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

;// CONCATENATED MODULE: ./src/http/json.ts
/** The body as a JSON object, or undefined for anything else (never throws, never quotes it). */
function parseJsonObject(response) {
    try {
        const value = JSON.parse(response.body);
        return typeof value === 'object' && value !== null && !Array.isArray(value)
            ? value
            : undefined;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/oauth/discovery.ts



/** OpenID Connect Discovery 1.0 §4: the issuer, less a trailing slash, plus the well-known path. */
function discoveryUrl(issuer) {
    return new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
}
/** What an issuer looks like at the providers users ask about most, for messages. */
const ISSUER_SHAPES = 'Keycloak https://<host>/realms/<realm>, Okta https://<org>.okta.com/oauth2/default, Entra ID https://login.microsoftonline.com/<tenant>/v2.0';
/** Where an issuer's discovery document was looked for, and what issuer should be instead. */
function noDiscoveryHint(url) {
    return `there is no discovery document at ${url.host}${url.pathname} (issuer + /.well-known/openid-configuration). Set issuer to the server's issuer, e.g. ${ISSUER_SHAPES}.`;
}
/**
 * A URL that already holds /.well-known/ (the discovery document's own URL): the part before it,
 * which is what issuer and the action's discovery expect. Undefined for any other URL.
 */
function beforeWellKnown(url) {
    const at = url.indexOf('/.well-known/');
    return at < 0 ? undefined : url.slice(0, at);
}
/**
 * An endpoint a discovery document names: the same rules as an input URL, and https:// unless the
 * issuer is an http:// loopback test server (`plainIssuer`). `field` names it in messages.
 */
function discoveredEndpoint(value, field, plainIssuer) {
    const endpoint = parseUrl(value, `The discovery document's ${field}`);
    // The loopback exception is for a local test server as issuer, not for a remote https issuer
    // that would send the credentials to a local port in cleartext.
    if (endpoint.protocol === 'http:' && !plainIssuer) {
        throw new base_errors/* ActionError */.l(`The discovery document's ${field} must use https://, as the issuer does (got http://${endpoint.host}); plain http:// endpoints are accepted only from an http:// loopback issuer in local tests. Hint: the server's discovery document must list https:// endpoints; or set token-url (and jwks-url, revocation-url) instead of issuer.`);
    }
    return endpoint;
}
/**
 * Reads a discovery document: its issuer must be exactly the one asked for (§4.3), and every
 * endpoint in it obeys the same rules as an input URL, and is https:// unless the issuer is not.
 */
function parseDiscovery(response, issuer, { mtls = false } = {}) {
    const fields = parseJsonObject(response);
    const at = discoveryUrl(issuer);
    if (!fields) {
        throw new base_errors/* ActionError */.l(`The discovery document at ${at.host}${at.pathname} (HTTP ${response.status}) is not a JSON object. Hint: ${noDiscoveryHint(at)}`);
    }
    if (typeof fields.issuer !== 'string') {
        throw new base_errors/* ActionError */.l(`The discovery document at ${at.host}${at.pathname} names no issuer, so it cannot be matched to the issuer input ('${issuer}') as OpenID Connect Discovery §4.3 requires. Hint: ${noDiscoveryHint(at)}`);
    }
    if (fields.issuer !== issuer) {
        // The server's issuer is not printed (it is the server's text); an input with or without a
        // trailing slash is ours.
        const slash = issuer.endsWith('/') ? issuer.slice(0, -1) : `${issuer}/`;
        throw new base_errors/* ActionError */.l(`The discovery document names another issuer than the issuer input ('${issuer}'); the two must be equal, character for character (OpenID Connect Discovery §4.3). Hint: ${fields.issuer === slash ? `they differ only by a trailing slash: set issuer: ${slash}` : "set issuer to the issuer the server's discovery document names, trailing slash included."}`);
    }
    // The issuer passed parseUrl: http:// means a loopback test server.
    const plainIssuer = new URL(issuer).protocol === 'http:';
    const url = (name, from = fields) => {
        const value = from[name];
        if (value === undefined)
            return undefined;
        const field = from === fields ? name : `mtls_endpoint_aliases.${name}`;
        if (typeof value !== 'string') {
            throw new base_errors/* ActionError */.l(`The discovery document's ${field} is not a string URL.`);
        }
        return discoveredEndpoint(value, field, plainIssuer);
    };
    // RFC 8705 §5: a client that authenticates with its certificate uses the mTLS aliases.
    const aliases = fields.mtls_endpoint_aliases;
    const mtlsAliases = mtls && typeof aliases === 'object' && aliases !== null && !Array.isArray(aliases)
        ? aliases
        : {};
    const endpoint = (name) => url(name, mtlsAliases) ?? url(name);
    return {
        tokenUrl: endpoint('token_endpoint'),
        jwksUrl: url('jwks_uri'),
        revocationUrl: endpoint('revocation_endpoint')
    };
}

;// CONCATENATED MODULE: ./src/oauth/failure.ts





const TOKEN_ENDPOINT = { label: 'The token endpoint', input: 'token-url' };
/**
 * The message for a response that is not a success: its status, the OAuth error code and sanitised
 * description (RFC 6749 §5.2) with every form of the secrets removed, and a hint. Never the body.
 */
function describeFailure(response, secrets, endpoint = TOKEN_ENDPOINT, url) {
    const status = `HTTP ${response.status}`;
    const json = parseJsonObject(response);
    const code = typeof json?.error === 'string' ? neutralise(redact(json.error, secrets), 64) : '';
    if (!code) {
        const discovery = typeof json?.token_endpoint === 'string';
        return `${endpoint.label} answered ${status}${response.body ? ` with ${isHtml(response) ? 'an HTML page' : discovery ? 'a discovery document' : 'a body that is not an OAuth error'}` : ''}. Hint: ${hintFor(response.status, undefined, endpoint, url, discovery)}`;
    }
    const description = typeof json?.error_description === 'string'
        ? neutralise(redact(json.error_description, secrets), 300)
        : '';
    // Servers say "response_type" in invalid_request too when they refuse Stent's parameter.
    const hintCode = code === 'invalid_request' && /response.?type/i.test(description)
        ? 'unsupported_response_type'
        : code;
    return `${endpoint.label} refused the request: ${status}, error '${code}'${description ? `: ${description}` : ''}. Hint: ${hintFor(response.status, hintCode, endpoint, url)}`;
}
const ERROR_HINTS = {
    invalid_client: 'the server did not accept the client credentials. Check client-id and client-secret (rotated or expired?), or the key or federation for private_key_jwt and github_oidc, and that auth-method matches how the client is registered.',
    unauthorized_client: 'this client may not use the grant it asked for (grant-type, client_credentials by default). Allow that grant for the client on the authorization server.',
    unsupported_response_type: "the server does not take Stent's response_type=token: set response-type: '' for servers other than Stent.",
    unsupported_grant_type: 'the server does not offer this grant-type at this token-url (client_credentials by default; token-exchange and jwt-bearer are opt-in).',
    invalid_scope: 'check the scope input: the scopes must exist and be allowed for this client.',
    invalid_target: 'the server does not accept the audience or resource asked for (RFC 8693 §2.2.2): check the audience and resource inputs, and any resource in extra-params.',
    invalid_request: 'the server found the request malformed. Check extra-params and audience (for token-exchange, subject-token-type and requested-token-type too), and set response-type to an empty string if the server rejects response_type.',
    invalid_grant: 'the server refused the grant: for client_credentials check the client configuration on the server; for token-exchange and jwt-bearer, that the subject token is one the server trusts (issuer, audience: oidc-audience, expiry).',
    temporarily_unavailable: 'the server is temporarily unavailable. Try again later.',
    server_error: 'the server failed. Try again later.'
};
/**
 * An endpoint's own hint for a refusal of the client (the method's inputs, for a request that
 * carries credentials), else the OAuth code's or status's. Servers refuse a client in many ways:
 * Glewlwyd with an empty 403, oidc-provider with invalid_client in a 401, Duende in a 400.
 */
function hintFor(status, code, endpoint, url, discovery = false) {
    // Own keys only: a server's error code 'constructor' must not find Object's.
    const known = code !== undefined && Object.hasOwn(ERROR_HINTS, code);
    const refusing = status === 400 || status === 401 || status === 403;
    // A 400 with a code of its own refused something else (a scope); a 401 or 403, the client.
    const client = code === undefined || code === 'invalid_client' || (!known && status !== 400);
    if (endpoint.hint && refusing && client)
        return endpoint.hint;
    return known ? ERROR_HINTS[code] : statusHint(status, endpoint, url, discovery);
}
function statusHint(status, { input }, url, discovery = false) {
    if (input === 'issuer' && url && (status === 404 || status === 405 || status === 410)) {
        return noDiscoveryHint(url);
    }
    if (status === 401 || status === 403)
        return 'check client-id, client-secret and auth-method.';
    if ((status === 404 || status === 405) && input === 'token-url') {
        // Two common mix-ups: the issuer's root, and its discovery document, given as token-url.
        if (discovery || url?.pathname.endsWith('/.well-known/openid-configuration'))
            return 'token-url is a discovery document, not the token endpoint: set issuer: to the URL before /.well-known/openid-configuration, or token-url to the token_endpoint it lists.';
        if (url && (url.pathname === '/' || url.pathname === ''))
            return `token-url looks like the issuer root: set issuer: ${url.origin} or token-url to the token_endpoint it lists.`;
    }
    if (status === 404 || status === 405)
        return input === 'token-url'
            ? `check that token-url is the token endpoint, e.g. ${DEFAULT_TOKEN_URL}.`
            : `check ${input}.`;
    if (status >= 300 && status < 400)
        return `redirects are not followed because the request may carry credentials. Set ${input} to the final URL.`;
    if (status === 408 || status === 429 || status >= 500)
        return 'the server is unavailable or throttling requests. Try again later, or raise max-attempts.';
    return `check ${input} and that the inputs are what the server expects.`;
}
function isHtml(response) {
    return /html/i.test(response.headers['content-type'] ?? '') || /^\s*</.test(response.body);
}

;// CONCATENATED MODULE: ./src/oauth/token-request.ts
/** RFC 7523 §2.2: a JWT as client authentication. */
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const FORM_HEADERS = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json'
};
/**
 * The token request for one attempt: the grant's fields (grant_type first), the client's
 * credentials, then the parameters, repeated ones (resource, extra-params) as one field each.
 */
function buildTokenRequest(tokenUrl, credentials, grantForm, params) {
    const form = new URLSearchParams(grantForm);
    for (const [name, value] of credentials.form)
        form.append(name, value);
    if (params.responseType)
        form.set('response_type', params.responseType);
    if (params.scope)
        form.set('scope', params.scope);
    if (params.audience)
        form.set('audience', params.audience);
    for (const resource of params.resources)
        form.append('resource', resource);
    for (const [name, value] of params.extraParams)
        form.append(name, value);
    return post(tokenUrl, form, credentials, params.caCertificate);
}
function post(url, form, credentials, caCertificate) {
    return {
        method: 'POST',
        url,
        headers: { ...FORM_HEADERS, ...credentials.headers },
        body: form.toString(),
        ...(credentials.tls ? { tls: credentials.tls } : {}),
        caCertificate,
        credentialsFor: credentials.origin
    };
}
/** RFC 7009: revoke an access token, authenticating as for the token request. */
function buildRevocationRequest(revocationUrl, token, credentials, caCertificate) {
    const form = new URLSearchParams({ token, token_type_hint: 'access_token' });
    for (const [name, value] of credentials.form)
        form.append(name, value);
    return post(revocationUrl, form, credentials, caCertificate);
}
/** A JSON document fetched with GET: discovery, JWKS. */
function buildGetRequest(url, caCertificate) {
    return { method: 'GET', url, headers: { accept: 'application/json' }, body: '', caCertificate };
}

;// CONCATENATED MODULE: ./src/oauth/send.ts





/** The real network, timers, clock and dice, which the action runs with; tests pass their own. */
const RUNTIME = {
    send: send,
    sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    now: Date.now,
    random: Math.random
};
/** A request that failed for good: what its last attempt got, and from which endpoint. */
class RequestFailed extends base_errors/* ActionError */.l {
    outcome;
    endpoint;
    constructor(message, outcome, endpoint) {
        super(message);
        this.outcome = outcome;
        this.endpoint = endpoint;
    }
}
/** How to give the step more time, for every message that says its budget ran out. */
const BUDGET_HINT = `To give the step more time, set timeout-seconds or max-attempts above its default: the budget is then max-attempts × timeout-seconds plus the backoff between attempts (${retry/* DEFAULT_STEP_BUDGET_MS */.qi / 1000} s with the defaults).`;
/**
 * Sends the request until it gets a 2xx, fails for good, runs out of attempts or out of the step's
 * time budget; retries follow http/retry.ts. Fails with a RequestFailed that says what the endpoint
 * answered last.
 */
async function sendWithRetries(x, deps) {
    const { core } = deps;
    // An attempt needs a second (or its whole timeout, if shorter) to be worth starting.
    const needed = Math.min(x.timeoutMs, retry/* MIN_ATTEMPT_MS */.iD);
    if (x.deadline - deps.now() < needed) {
        throw new base_errors/* ActionError */.l(`The step's time budget ran out before ${x.endpoint.label.replace(/^The /, 'the ')} could be tried: the requests before it used it up. ${BUDGET_HINT}`);
    }
    for (let attempt = 1;; attempt++) {
        const result = await attemptOnce(x, attempt, deps);
        if ('response' in result)
            return { ...result, attempts: attempt };
        const { outcome, endpoint, failure, what } = result;
        const plan = (0,retry/* retryPlan */.Iq)(attempt, x.maxAttempts, outcome, deps.now(), deps.random);
        if (plan === undefined) {
            throw new RequestFailed(attempt > 1 ? `Gave up after ${attempt} attempts. ${failure}` : failure, outcome, endpoint);
        }
        // A wait that would leave the next attempt too little time ends the retries now, not later.
        if (deps.now() + plan.delayMs + needed > x.deadline) {
            throw new RequestFailed(`Gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: the step's time budget ran out before another could be made (the next was due in ${(plan.delayMs / 1000).toFixed(1)} s). ${failure} ${BUDGET_HINT}`, outcome, endpoint);
        }
        core.info(`Attempt ${attempt}/${x.maxAttempts} failed (${what}); retrying in ${(plan.delayMs / 1000).toFixed(1)} s${plan.cappedFromMs === undefined ? '' : ` (the server asked for ${plan.cappedFromMs / 1000} s; capped at ${retry/* BACKOFF */.hH.retryAfterCapMs / 1000} s)`}.`);
        await deps.sleep(plan.delayMs);
    }
}
/** One attempt: build the request (which may fail on a request of its own), send it, judge it. */
async function attemptOnce(x, attempt, deps) {
    const { core } = deps;
    let request;
    try {
        request = await x.request();
    }
    catch (error) {
        if (!(error instanceof RequestFailed))
            throw error;
        const { outcome, endpoint } = error;
        return { outcome, endpoint, failure: error.message, what: `${endpoint}: ${describe(outcome)}` };
    }
    // Credentials go only to the origin they were made for: anywhere else they could be replayed.
    if (request.credentialsFor && request.credentialsFor !== request.url.origin) {
        throw new base_errors/* ActionError */.l(`${x.endpoint.label} is on ${request.url.origin}, another origin than the token endpoint's (${request.credentialsFor}), for which the client's credentials and the access token were made: nothing was sent there, as another origin could replay them. Set ${x.endpoint.input} to an endpoint on ${request.credentialsFor}.`);
    }
    core.debug(`Attempt ${attempt}/${x.maxAttempts}: ${request.method} ${request.url.host}${request.url.pathname}`);
    const requestedAt = deps.now();
    // The step's budget shortens the last attempt it has room for; at least 1 ms, as a timer needs.
    const outcome = await deps.send(request, Math.max(1, Math.min(x.timeoutMs, x.deadline - requestedAt)));
    core.debug(`Attempt ${attempt}/${x.maxAttempts}: ${describe(outcome)} after ${deps.now() - requestedAt} ms.`);
    if (outcome.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
        return { response: outcome, requestedAt };
    }
    return {
        outcome,
        endpoint: x.endpoint.label,
        failure: failureMessage(outcome, x, request.url),
        what: describe(outcome)
    };
}
/** What went wrong, naming what to check: the endpoint's input, or the proxy when it failed there. */
function failureMessage(outcome, x, url) {
    if (outcome.kind === 'response')
        return describeFailure(outcome, x.secrets(), x.endpoint, url);
    const { proxy } = outcome;
    if (proxy) {
        return `Could not reach the proxy ${proxy.address} (from ${proxy.variable}) on the way to ${url.host}: ${outcome.reason}. Hint: check ${proxy.variable} (a value without a scheme is read as http://, a user and password must be URL-encoded), and NO_PROXY for hosts to reach directly.`;
    }
    return `Could not get a response from ${url.host}: ${outcome.reason}. Hint: check ${x.endpoint.input}, and the proxy settings (HTTPS_PROXY, NO_PROXY) if the runner needs one.`;
}
function describe(outcome) {
    if (outcome.kind === 'response')
        return `HTTP ${outcome.status}`;
    return outcome.proxy ? `the proxy ${outcome.proxy.address}: ${outcome.reason}` : outcome.reason;
}
/**
 * GETs a public JSON document (discovery, key set) with the token request's timeout, retries,
 * step budget and trust (ca-certificate).
 */
async function getDocument(url, endpoint, budget, deps) {
    const { response } = await sendWithRetries({
        endpoint,
        request: async () => buildGetRequest(url, budget.caCertificate),
        secrets: () => [],
        timeoutMs: budget.timeoutMs,
        maxAttempts: budget.maxAttempts,
        deadline: budget.deadline
    }, deps);
    return response;
}

;// CONCATENATED MODULE: ./src/entry/deps.ts


const defaultDeps = {
    core: core,
    env: process.env,
    ...RUNTIME
};

// EXTERNAL MODULE: ./src/config/input-names.ts
var input_names = __webpack_require__(523);
;// CONCATENATED MODULE: ./src/oauth/github-id-token.ts






/** The token service, for messages: failures point at the permission and the audience. */
const GITHUB_OIDC_ENDPOINT = {
    label: "GitHub's OIDC token service",
    input: 'oidc-audience',
    hint: 'check that the job has permissions: id-token: write, and oidc-audience.'
};
/**
 * Where the runner serves the job's GitHub OIDC ID token (when the job has `id-token: write`).
 * Asked for with our transport, so the deadline and attempt budget hold, as for every request.
 */
function githubIdTokenRequest(env, audience, cause = 'auth-method github_oidc') {
    const { ACTIONS_ID_TOKEN_REQUEST_URL: base, ACTIONS_ID_TOKEN_REQUEST_TOKEN: bearer } = env;
    if (!base || !bearer) {
        throw new base_errors/* ActionError */.l(`${cause} needs the job to be allowed to request an OIDC token: add \`permissions: id-token: write\` to the job (or workflow). Jobs triggered from forks cannot have it.`);
    }
    let url;
    try {
        url = new URL(base);
    }
    catch {
        throw new base_errors/* ActionError */.l("The runner's ACTIONS_ID_TOKEN_REQUEST_URL is not a URL. Re-run the job; if it persists, report it to the runner's administrator.");
    }
    // The bearer goes only over TLS (http:// on loopback is for the runner's own test doubles).
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
        throw new base_errors/* ActionError */.l("The runner's ACTIONS_ID_TOKEN_REQUEST_URL is not an https:// URL, so the job's ID token request bearer is not sent to it. Report it to the runner's administrator.");
    }
    url.searchParams.set('audience', audience);
    return {
        method: 'GET',
        url,
        headers: { accept: 'application/json', authorization: `Bearer ${bearer}` },
        body: ''
    };
}
/** The ID token in the token service's answer ({"value": "<JWT>"}), checked as a token. */
function parseGitHubIdToken(response) {
    return checkToken(parseJsonObject(response)?.value, "The GitHub OIDC token service's answer", 'value');
}
/**
 * The job's GitHub ID token for `audience`: one request under the deadline, made within an attempt
 * of the request it is for, which retries it (one attempt budget for both).
 */
async function githubIdToken(audience, context, cause) {
    const { deps } = context;
    const request = githubIdTokenRequest(deps.env, audience, cause);
    const bearer = (request.headers.authorization ?? '').slice('Bearer '.length);
    maskAll(deps.core, [bearer]);
    const { response } = await sendWithRetries({
        endpoint: GITHUB_OIDC_ENDPOINT,
        request: async () => request,
        secrets: () => [bearer],
        timeoutMs: context.timeoutMs,
        maxAttempts: 1,
        deadline: context.deadline
    }, deps);
    const idToken = parseGitHubIdToken(response);
    context.onIdToken?.(idToken);
    return idToken;
}
/** The ID token claims that servers' trust policies match on (GitHub's documented subject parts). */
const POLICY_CLAIMS = ['sub', 'repository', 'ref', 'environment', 'job_workflow_ref'];
/**
 * The policy claims of the job's GitHub ID token, for a message when the server refused it: the
 * claims only, never the token, each neutralised (GitHub wrote them, but nothing is printed raw).
 */
function policyClaims(idToken) {
    let payload = {};
    try {
        const decoded = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
        if (typeof decoded === 'object' && decoded !== null)
            payload = decoded;
    }
    catch {
        return '';
    }
    const claims = POLICY_CLAIMS.map(name => {
        const value = payload[name];
        return `${name} '${typeof value === 'string' ? neutralise(value, 200) : '(none)'}'`;
    });
    return `The job's GitHub ID token has ${claims.join(', ')}; the server's trust policy (subject, repository, branch or environment conditions) must match them.`;
}

;// CONCATENATED MODULE: ./src/auth/github-oidc.ts


/** The issuer of the job's GitHub ID tokens: what a federated credential on the server names. */
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const githubOidcFamily = {
    methods: ['github_oidc'],
    formFields: ['client_id', 'client_assertion_type', 'client_assertion'],
    read(method, getInput) {
        return { method, audience: getInput('oidc-audience') };
    },
    secrets() {
        return [];
    },
    refusalHint() {
        return `the server did not accept the job's GitHub ID token. Check client-id and the federated credential the server holds for it: issuer ${GITHUB_ISSUER}, a subject that matches this job, and the audience in oidc-audience (by default the token endpoint's origin); that the job has permissions: id-token: write; and that auth-method matches how the client is registered.`;
    },
    async credentials(auth, context) {
        const idToken = await githubIdToken(auth.audience || context.tokenUrl.origin, context, 'auth-method github_oidc');
        return {
            form: [
                ['client_id', context.clientId],
                ['client_assertion_type', JWT_BEARER],
                ['client_assertion', idToken]
            ],
            headers: {},
            fresh: [idToken]
        };
    }
};

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(598);
;// CONCATENATED MODULE: ./src/base/keys.ts


const PRIVATE_KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];
const PUBLIC_KEY_LABELS = ['PUBLIC KEY', 'RSA PUBLIC KEY'];
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const EXPECTED_KEY = 'Pass the whole key, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY----- (or BEGIN RSA PRIVATE KEY, BEGIN EC PRIVATE KEY), from a secret.';
const DECRYPT = '`openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem`';
const OPENSSH_TO_PKCS8 = '`ssh-keygen -p -m PKCS8 -f key`';
const EXPECTED_CERT = 'Pass the whole certificate, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----; convert a binary .cer or .der file with `openssl x509 -inform der -in cert.cer -out cert.pem`.';
/** The key input that goes with a certificate input, for messages. */
const KEY_INPUT_FOR = {
    'client-assertion-cert': 'client-assertion-key',
    'client-certificate': 'client-key'
};
const CERT_INPUTS = 'client-assertion-cert / client-certificate';
/**
 * Undoes what happens to PEM text on its way into a secret: surrounding whitespace and quotes,
 * CRLF, literal `\n` escapes, one round of base64, lines indented or joined by spaces.
 */
function unwrap(value) {
    const forms = [value];
    const step = (text) => {
        forms.push(text, text.trim());
        return text.trim();
    };
    let text = step(value);
    if (/^"[\s\S]*"$/.test(text))
        text = step(text.slice(1, -1));
    // A PEM's own text holds no backslash, so any `\n` `\r` here are escapes of line ends.
    text = step(text.replace(/\\r\\n|\\n|\\r/g, '\n'));
    const compact = text.replace(/\s+/g, '');
    if (!text.includes('-----BEGIN ') && compact && BASE64.test(compact)) {
        const decoded = Buffer.from(compact, 'base64').toString('utf8');
        if (decoded.includes('-----BEGIN ')) {
            text = step(decoded);
            text = step(text.replace(/\\r\\n|\\n|\\r/g, '\n'));
        }
    }
    text = step(text.replace(/\r\n?/g, '\n'));
    const blocks = [];
    for (const match of text.matchAll(BLOCK)) {
        const label = match[1];
        const inner = match[2];
        // Encrypted PKCS#1 carries headers (Proc-Type, DEK-Info) that re-wrapping would break.
        if (/^[ \t]*[A-Za-z-]+:/m.test(inner)) {
            blocks.push({ label, body: inner, pem: match[0] });
            continue;
        }
        const body = inner.replace(/\s+/g, '');
        const lines = body.match(/.{1,64}/g) ?? [];
        const pem = `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
        blocks.push({ label, body, pem });
    }
    return { blocks, forms };
}
function unique(forms) {
    return [...new Set(forms)].filter(form => form.length > 0);
}
function isEncrypted(block) {
    return (block.label === 'ENCRYPTED PRIVATE KEY' ||
        (PRIVATE_KEY_LABELS.includes(block.label) && /Proc-Type:\s*4,\s*ENCRYPTED/i.test(block.body)));
}
/** The key type an OpenSSH private key declares in its (never encrypted) public part. */
function isOpenSshEd25519(block) {
    return Buffer.from(block.body.replace(/\s+/g, ''), 'base64').includes('ssh-ed25519');
}
function openSshMessage(input, block) {
    const start = `Input '${input}' is an OpenSSH private key (BEGIN OPENSSH PRIVATE KEY), which is not PEM.`;
    if (isOpenSshEd25519(block)) {
        return `${start} ssh-keygen and openssl do not convert an OpenSSH Ed25519 key to PEM; make a PEM key with \`openssl genpkey -algorithm ed25519 -out key.pem\`, register its public half (\`openssl pkey -in key.pem -pubout\`) with the server, and store key.pem in the secret.`;
    }
    return `${start} Convert a copy to PKCS#8 with ${OPENSSH_TO_PKCS8} (it rewrites the file in place and asks for the passphrase, if any), then store the file, from -----BEGIN PRIVATE KEY----- to -----END PRIVATE KEY-----, in the secret.`;
}
/** Why a value that is not a usable PEM private key was refused; one line, none of the value. */
function keyRefusal(input, value, blocks) {
    const has = (labels) => blocks.find(block => labels.includes(block.label));
    const encrypted = blocks.find(isEncrypted);
    if (encrypted) {
        return `Input '${input}' is an encrypted private key; the action cannot ask for its passphrase. Decrypt it once with ${DECRYPT} (it asks for the passphrase) and store key-pkcs8.pem in the secret.`;
    }
    const openSsh = has(['OPENSSH PRIVATE KEY']);
    if (openSsh)
        return openSshMessage(input, openSsh);
    if (has(PRIVATE_KEY_LABELS)) {
        return `Input '${input}' is not a PEM private key. Its private key block does not parse: it may be cut short or altered. ${EXPECTED_KEY}`;
    }
    if (has(PUBLIC_KEY_LABELS)) {
        return `Input '${input}' is a public key (BEGIN PUBLIC KEY): this is the public half, which the server holds; pass the private key (BEGIN PRIVATE KEY) from a secret.`;
    }
    if (has(['CERTIFICATE'])) {
        return `Input '${input}' is a certificate (BEGIN CERTIFICATE): pass the private key (BEGIN PRIVATE KEY) here, and the certificate as ${CERT_INPUTS}.`;
    }
    if (!value.trim()) {
        return `Input '${input}' is not a PEM private key. The value is empty: check the secret exists in this repository or environment. ${EXPECTED_KEY}`;
    }
    return `Input '${input}' is not a PEM private key. ${EXPECTED_KEY} Convert other formats with ${DECRYPT}.`;
}
/** A private key as users paste it: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), in any form `unwrap` undoes. */
function readPrivateKey(value, input) {
    const { blocks, forms } = unwrap(value);
    const block = blocks.find(b => PRIVATE_KEY_LABELS.includes(b.label) && !isEncrypted(b));
    if (block) {
        let key;
        try {
            key = (0,external_node_crypto_.createPrivateKey)({ key: block.pem, format: 'pem' });
        }
        catch {
            // Refused below, with the reason.
        }
        if (key) {
            const pem = key.export({ type: 'pkcs8', format: 'pem' });
            return { key, pem, forms: unique([...forms, block.pem, pem]) };
        }
    }
    throw new base_errors/* ActionError */.l(keyRefusal(input, value, blocks));
}
/** A PEM certificate as users paste it; of a chain, the first (the leaf). Every block must parse. */
function readCertificate(value, input) {
    const { blocks } = unwrap(value);
    const pems = blocks.filter(b => b.label === 'CERTIFICATE').map(b => b.pem);
    if (pems.length > 0) {
        const [certificate] = pems.map((pem, index) => parseCertificate(pem, input, pems.length > 1 ? index + 1 : undefined));
        const thumbprint = (hash) => (0,external_node_crypto_.createHash)(hash).update(certificate.raw).digest('base64url');
        return {
            certificate,
            pem: pems[0],
            chain: pems.join(''),
            thumbprints: { x5t: thumbprint('sha1'), 'x5t#S256': thumbprint('sha256') }
        };
    }
    const keyInput = KEY_INPUT_FOR[input];
    const labels = blocks.map(b => b.label);
    if (labels.some(label => label.includes('PRIVATE KEY'))) {
        throw new base_errors/* ActionError */.l(`Input '${input}' is a private key, not a certificate: pass the certificate (BEGIN CERTIFICATE) here${keyInput ? `, and the key as ${keyInput}` : ''}.`);
    }
    if (keyInput && labels.some(label => PUBLIC_KEY_LABELS.includes(label))) {
        throw new base_errors/* ActionError */.l(`Input '${input}' is a public key, not a certificate: pass the certificate (BEGIN CERTIFICATE) registered with the server; make one for a key with \`openssl req -x509 -new -key key.pem -subj /CN=my-client -days 365 -out cert.pem\`.`);
    }
    if (labels.includes('PKCS7')) {
        throw new base_errors/* ActionError */.l(`Input '${input}' is a PKCS#7 bundle, not a certificate: extract the certificates with \`openssl pkcs7 -print_certs -in cert.p7b -out cert.pem\` and pass cert.pem${keyInput ? ', leaf first' : ''}.`);
    }
    const empty = value.trim() ? '' : ' The value is empty: check the secret or variable exists.';
    throw new base_errors/* ActionError */.l(`Input '${input}' is not a PEM certificate.${empty} ${EXPECTED_CERT}`);
}
/**
 * Certificates to trust besides the default CAs (ca-certificate), as one PEM text; '' for none.
 * A CA's certificate is public, so a private key here is a mistake to stop, not to pass over.
 */
function readTrustedCertificates(value, input) {
    if (!value.trim())
        return '';
    if (unwrap(value).blocks.some(block => block.label.includes('PRIVATE KEY'))) {
        throw new base_errors/* ActionError */.l(`Input '${input}' holds a private key: pass only certificates (BEGIN CERTIFICATE), which are public. A CA's private key is never needed to trust it; keep it out of workflows.`);
    }
    return readCertificate(value, input).chain;
}
/** `ordinal` numbers the block in a value of several, so that the message says which. */
function parseCertificate(pem, input, ordinal) {
    try {
        return new external_node_crypto_.X509Certificate(pem);
    }
    catch {
        throw new base_errors/* ActionError */.l(`Input '${input}' is not a PEM certificate. Its ${ordinal ? `certificate block ${ordinal}` : 'certificate block'} does not parse: it may be cut short or altered. ${EXPECTED_CERT}`);
    }
}
/** An instant as the certificate states it, to the second: 2026-01-31T00:00:00Z. */
function instant(date) {
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
/** The certificate belongs to the key and is valid at `nowMs`. */
function checkCertificate(certificate, key, { input, keyInput, nowMs }) {
    let matches = false;
    try {
        matches = certificate.checkPrivateKey(key);
    }
    catch {
        // A key of another type than the certificate's: no match.
    }
    if (!matches) {
        throw new base_errors/* ActionError */.l(`Input '${input}' does not match input '${keyInput}': the certificate was issued for another key. Pass the certificate made for this key; the two agree when \`openssl x509 -in cert.pem -noout -pubkey\` and \`openssl pkey -in key.pem -pubout\` print the same.`);
    }
    const notBefore = certificate.validFromDate;
    const notAfter = certificate.validToDate;
    if (nowMs > notAfter.getTime()) {
        throw new base_errors/* ActionError */.l(`Input '${input}' holds a certificate that expired on ${instant(notAfter)}. Make a new certificate for the key, register it with the server, and pass it here.`);
    }
    if (nowMs < notBefore.getTime()) {
        throw new base_errors/* ActionError */.l(`Input '${input}' holds a certificate that is not valid until ${instant(notBefore)} (the runner's clock says ${instant(new Date(nowMs))}). Wait until then, or check the clock of the machine that made it.`);
    }
}
/** What jose signs with each key: RSA (2048 bits and up), EC by curve, Ed25519. */
const ALGORITHMS = {
    rsa: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
    prime256v1: ['ES256'],
    secp384r1: ['ES384'],
    secp521r1: ['ES512'],
    ed25519: ['EdDSA', 'Ed25519']
};
/** The JWS algorithms this key can sign with, the usual one first; [] when none. */
function keyAlgorithms(key) {
    if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
        return [];
    }
    const kind = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : key.asymmetricKeyType;
    return [...(ALGORITHMS[kind ?? ''] ?? [])];
}
/** keyAlgorithms, or an ActionError naming the input and why the key cannot sign. */
function signingAlgorithms(key, input) {
    const algorithms = keyAlgorithms(key);
    if (algorithms.length > 0)
        return algorithms;
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType === 'rsa') {
        throw new base_errors/* ActionError */.l(`Input '${input}' is a ${bits}-bit RSA key; signing needs 2048 bits or more (RFC 7518 §3.3). Make a new key with \`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem\` and register its public half with the server.`);
    }
    const kind = key.asymmetricKeyType === 'ec'
        ? `an EC key on curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}`
        : `a ${key.asymmetricKeyType ?? 'unknown'} key`;
    throw new base_errors/* ActionError */.l(`Input '${input}' is ${kind}; assertions here are signed with RSA, EC (P-256, P-384, P-521) or Ed25519 keys.`);
}

;// CONCATENATED MODULE: ./src/auth/secret.ts



/**
 * How the Basic credential is encoded: RFC 6749 §2.3.1 form-encodes the id and secret first (what
 * Duende IdentityServer, so Stent, and oidc-provider decode); many servers (Authlib before 1.3,
 * @node-oauth/oauth2-server, Glewlwyd, older Spring) take them raw.
 */
const BASIC_ENCODINGS = ['form', 'raw'];
function basicAuthorization(clientId, clientSecret, encoding = 'form') {
    const encode = encoding === 'form' ? formEncode : (value) => value;
    const credentials = `${encode(clientId)}:${encode(clientSecret)}`;
    return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}
/** The client secret, read and checked as every method that holds one does. */
function readSecret(getInput, method) {
    const secret = required(getInput, 'client-secret', method);
    noControlCharacters('client-secret', secret);
    return secret;
}
const secretFamily = {
    methods: ['client_secret_post', 'client_secret_basic'],
    formFields: ['client_id', 'client_secret'],
    read(method, getInput) {
        const secret = readSecret(getInput, method);
        if (method !== 'client_secret_basic')
            return { method, secret };
        const encoding = oneOf(getInput, 'basic-encoding', BASIC_ENCODINGS, 'form');
        // RFC 7617 §2: the user-id ends at the first colon, so the server would read another client.
        if (encoding === 'raw' && getInput('client-id').includes(':')) {
            throw new base_errors/* ActionError */.l("Input 'client-id' holds ':', which a raw Basic credential cannot carry (RFC 7617 §2: the server reads the client ID up to the first colon). Set basic-encoding: form, which encodes it, or auth-method: client_secret_post.");
        }
        return { method, secret, encoding };
    },
    secrets(auth, clientId) {
        if (auth.method === 'client_secret_post')
            return [auth.secret];
        const header = basicAuthorization(clientId, auth.secret, auth.encoding);
        return [auth.secret, header, header.slice('Basic '.length)];
    },
    async credentials(auth, { clientId }) {
        if (auth.method === 'client_secret_basic') {
            return {
                form: [],
                headers: { authorization: basicAuthorization(clientId, auth.secret, auth.encoding) },
                fresh: []
            };
        }
        return {
            form: [
                ['client_id', clientId],
                ['client_secret', auth.secret]
            ],
            headers: {},
            fresh: []
        };
    },
    refusalHint(auth, clientId) {
        const usual = `the server did not accept the client credentials. Check client-id and client-secret (rotated or expired?), and that auth-method (${auth.method}) matches how the client is registered.`;
        if (auth.method !== 'client_secret_basic' || auth.encoding !== 'form')
            return usual;
        if (formEncode(auth.secret) === auth.secret && formEncode(clientId) === clientId) {
            return usual;
        }
        return 'the server did not accept the client credentials. The client id or secret holds characters that RFC 6749 §2.3.1 form-encoding changes inside the Basic credential, and many servers do not decode them: set basic-encoding: raw, or auth-method: client_secret_post. If that is not it, check client-id and client-secret.';
    }
};

;// CONCATENATED MODULE: ./src/auth/jwt.ts






/** Lifetime of a client assertion; RFC 7523 servers accept at most a few minutes. */
const ASSERTION_LIFETIME_S = 300;
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
/** The input algorithm if the key can sign with it, else the key's usual one. */
function algorithmFor(allowed, getInput, what) {
    const alg = getInput('client-assertion-alg');
    if (!alg)
        return allowed[0];
    if (!allowed.includes(alg)) {
        // Only case: one edit away would suggest another key type's algorithm (ES256 for RS256).
        const sameButCase = allowed.find(a => a.toLowerCase() === alg.toLowerCase());
        throw new base_errors/* ActionError */.l(`Input 'client-assertion-alg' is '${alg}', which ${what} cannot sign with.${sameButCase ? ` Did you mean '${sameButCase}'?` : ` Accepted: ${allowed.join(', ')}.`}`);
    }
    return alg;
}
const assertionFamily = {
    methods: ['client_secret_jwt', 'private_key_jwt'],
    formFields: ['client_id', 'client_assertion_type', 'client_assertion'],
    impliedBy: { 'client-assertion-key': 'private_key_jwt' },
    read(method, getInput, nowMs) {
        if (method === 'client_secret_jwt') {
            const secret = readSecret(getInput, method);
            const alg = oneOf(getInput, 'client-assertion-alg', HMAC_ALGORITHMS, 'HS256');
            return { method, secret, alg, kid: singleLine(getInput, 'client-assertion-kid') };
        }
        const input = 'client-assertion-key';
        const { key, forms } = readPrivateKey(required(getInput, input, method), input);
        const type = key.asymmetricKeyType;
        const kind = type === 'rsa' ? 'RSA' : type === 'ec' ? 'EC' : 'Ed25519';
        const alg = algorithmFor(signingAlgorithms(key, input), getInput, `this ${kind} key`);
        const certPem = getInput('client-assertion-cert');
        let certificate;
        if (certPem) {
            const cert = readCertificate(certPem, 'client-assertion-cert');
            checkCertificate(cert.certificate, key, {
                input: 'client-assertion-cert',
                keyInput: input,
                nowMs
            });
            certificate = cert.thumbprints;
        }
        return {
            method,
            key,
            keyForms: forms,
            alg,
            kid: singleLine(getInput, 'client-assertion-kid'),
            certificate
        };
    },
    secrets(auth) {
        return auth.method === 'client_secret_jwt' ? [auth.secret] : auth.keyForms;
    },
    refusalHint(auth) {
        const registered = `and that auth-method (${auth.method}) matches how the client is registered.`;
        return auth.method === 'client_secret_jwt'
            ? `the server did not accept the client assertion. Check client-id, client-secret (the HMAC key it is signed with: rotated or expired?) and client-assertion-alg (${auth.alg}: one the server accepts for this client), ${registered}`
            : `the server did not accept the client assertion. Check client-id, client-assertion-key (the server must hold its public key for this client, in its JWKS or as a certificate), client-assertion-kid (the key's kid, if the server looks keys up by kid) and client-assertion-cert (the certificate registered there, if the server expects one, as Entra ID does), ${registered}`;
    },
    async credentials(auth, { clientId, tokenUrl, deps }) {
        const { SignJWT } = await __webpack_require__.e(/* import() */ 380).then(__webpack_require__.bind(__webpack_require__, 380));
        const now = Math.floor(deps.now() / 1000);
        const certificate = auth.method === 'private_key_jwt' ? auth.certificate : undefined;
        const assertion = await new SignJWT({})
            .setProtectedHeader({
            alg: auth.alg,
            typ: 'JWT',
            ...(auth.kid ? { kid: auth.kid } : {}),
            ...(certificate ? { x5t: certificate.x5t, 'x5t#S256': certificate['x5t#S256'] } : {})
        })
            .setIssuer(clientId)
            .setSubject(clientId)
            .setAudience(tokenUrl.href)
            .setJti((0,external_node_crypto_.randomUUID)())
            .setIssuedAt(now)
            .setExpirationTime(now + ASSERTION_LIFETIME_S)
            .sign(auth.method === 'private_key_jwt' ? auth.key : new TextEncoder().encode(auth.secret));
        return {
            form: [
                ['client_id', clientId],
                ['client_assertion_type', JWT_BEARER],
                ['client_assertion', assertion]
            ],
            headers: {},
            fresh: [assertion]
        };
    }
};

;// CONCATENATED MODULE: ./src/auth/mtls.ts


const mtlsFamily = {
    methods: ['tls_client_auth', 'self_signed_tls_client_auth'],
    formFields: ['client_id'],
    impliedBy: { 'client-certificate': 'tls_client_auth or self_signed_tls_client_auth' },
    read(method, getInput, nowMs) {
        const certificate = readCertificate(required(getInput, 'client-certificate', method), 'client-certificate');
        const key = readPrivateKey(required(getInput, 'client-key', method), 'client-key');
        checkCertificate(certificate.certificate, key.key, {
            input: 'client-certificate',
            keyInput: 'client-key',
            nowMs
        });
        return {
            method,
            cert: certificate.chain,
            key: key.pem,
            keyForms: key.forms,
            thumbprint: certificate.thumbprints['x5t#S256']
        };
    },
    secrets(auth) {
        return auth.keyForms;
    },
    certificateThumbprint(auth) {
        return auth.thumbprint;
    },
    refusalHint(auth) {
        const registration = auth.method === 'tls_client_auth'
            ? 'the server must trust the CA that issued the certificate, and the client must be registered with its subject DN or a SAN (tls_client_auth_subject_dn, tls_client_auth_san_*)'
            : "the certificate itself must be registered in the client's JWKS (jwks or jwks_uri) on the server";
        return `the server did not accept the client certificate. Check client-id, client-certificate and client-key: for ${auth.method}, ${registration}; and that auth-method matches how the client is registered.`;
    },
    async credentials(auth, { clientId }) {
        return {
            form: [['client_id', clientId]],
            headers: {},
            tls: { cert: auth.cert, key: auth.key },
            fresh: []
        };
    }
};

;// CONCATENATED MODULE: ./src/auth/none.ts
const noneFamily = {
    methods: ['none'],
    formFields: ['client_id'],
    read(method) {
        return { method };
    },
    secrets() {
        return [];
    },
    refusalHint() {
        return "the server refused the client: with auth-method none the grant's subject token is the only credential. Check that the server trusts it (subject-token, or the job's GitHub ID token: its issuer, subject and audience, oidc-audience), that client-id, if set, is a public client there, and that auth-method matches how the client is registered.";
    },
    async credentials(_auth, { clientId }) {
        return { form: clientId ? [['client_id', clientId]] : [], headers: {}, fresh: [] };
    }
};

;// CONCATENATED MODULE: ./src/auth/index.ts







/** Every client-auth family, in action.yml's order: a new family is its file and a line here. */
const AUTH_FAMILIES = [
    secretFamily,
    assertionFamily,
    mtlsFamily,
    githubOidcFamily,
    noneFamily
];
/** The methods, form fields and input rules a list of families makes (a test adds one). */
function authRegistry(families) {
    const methods = families.flatMap(family => family.methods);
    const familyOf = (method) => families.find(f => f.methods.includes(method));
    const impliedBy = families.flatMap(family => Object.entries(family.impliedBy ?? {}));
    return {
        methods,
        familyOf,
        impliedBy,
        formFields: families.flatMap(family => family.formFields),
        // Without auth-method: client_secret_post (what Stent documents) when the grant needs the
        // client to authenticate or a client-secret is given, else none (the subject token is it).
        read(getInput, nowMs, clientMustAuthenticate) {
            const fallback = clientMustAuthenticate || getInput('client-secret') ? 'client_secret_post' : 'none';
            const method = oneOf(getInput, 'auth-method', methods, fallback);
            // A key or certificate given without its method would be silently left out.
            const stray = impliedBy.find(([name]) => getInput(name));
            if (stray && !getInput('auth-method')) {
                throw new base_errors/* ActionError */.l(`Input '${stray[0]}' is set, but auth-method is not, so it would not be used. Set auth-method to ${stray[1]}.`);
            }
            if (method === 'none' && clientMustAuthenticate) {
                throw new base_errors/* ActionError */.l("Input 'auth-method' is none, but the client_credentials grant needs the client to authenticate. Choose the method the client is registered with, or a grant-type that takes a subject token (token-exchange, jwt-bearer).");
            }
            return familyOf(method).read(method, getInput, nowMs);
        }
    };
}
const REGISTRY = authRegistry(AUTH_FAMILIES);
const AUTH_METHODS = REGISTRY.methods;
const AUTH_FORM_FIELDS = REGISTRY.formFields;
function readClientAuth(getInput, nowMs, clientMustAuthenticate) {
    return REGISTRY.read(getInput, nowMs, clientMustAuthenticate);
}
function familyOf(method) {
    return REGISTRY.familyOf(method);
}
/** What to mask before anything prints and to strip from anything a server says. */
function authSecrets(auth, clientId) {
    return familyOf(auth.method).secrets(auth, clientId);
}
/**
 * The client's credentials for one attempt, made for the token endpoint (an assertion's aud, an
 * ID token's audience): its origin is the only one sendWithRetries sends them to.
 */
async function authenticate(auth, context) {
    const made = await familyOf(auth.method).credentials(auth, context);
    return { ...made, origin: context.tokenUrl.origin };
}
/** The hint for a refusal of the client: the inputs of the method in use, and what to check. */
function refusalHint(auth, clientId) {
    return familyOf(auth.method).refusalHint(auth, clientId);
}
/**
 * The SHA-256 thumbprint of the TLS client certificate the method presents, if it presents one:
 * such a client uses mtls_endpoint_aliases, and a token bound to a certificate must name this one.
 */
function clientCertificateThumbprint(auth) {
    return familyOf(auth.method).certificateThumbprint?.(auth);
}

;// CONCATENATED MODULE: ./src/grants/client-credentials.ts
const clientCredentialsGrant = {
    type: 'client_credentials',
    uri: 'client_credentials',
    formFields: ['grant_type'],
    clientMustAuthenticate: true,
    sendsResponseType: true,
    response: 'rfc6749',
    read() {
        return { type: 'client_credentials' };
    },
    secrets() {
        return [];
    },
    async fields() {
        return { form: [['grant_type', 'client_credentials']], fresh: [] };
    }
};

;// CONCATENATED MODULE: ./src/grants/subject.ts



function readSubject(getInput) {
    const source = oneOf(getInput, 'subject-token-source', ['github_oidc', 'input'], 'github_oidc');
    if (source === 'github_oidc')
        return { source, audience: getInput('oidc-audience') };
    const subject = singleLine(getInput, 'subject-token');
    if (!subject) {
        throw new base_errors/* ActionError */.l("Input 'subject-token' is required with subject-token-source: input. Pass the token to exchange from a secret or an earlier step's output.");
    }
    return { source, token: subject };
}
function subjectSecrets(subject) {
    return subject.source === 'input' ? [subject.token] : [];
}
/** The subject token for one attempt; the job's ID token is fresh. */
async function subjectToken(subject, context, grantType) {
    if (subject.source === 'input')
        return { token: subject.token, fresh: [] };
    const token = await githubIdToken(subject.audience || context.tokenUrl.origin, context, `grant-type ${grantType} (subject-token-source github_oidc)`);
    return { token, fresh: [token] };
}

;// CONCATENATED MODULE: ./src/grants/jwt-bearer.ts

const URI = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const jwtBearerGrant = {
    type: 'jwt-bearer',
    uri: URI,
    formFields: ['grant_type', 'assertion'],
    clientMustAuthenticate: false,
    sendsResponseType: false,
    response: 'rfc6749',
    read(getInput) {
        return { type: 'jwt-bearer', subject: readSubject(getInput) };
    },
    secrets(grant) {
        return subjectSecrets(grant.subject);
    },
    async fields(grant, context) {
        const { token, fresh } = await subjectToken(grant.subject, context, grant.type);
        return {
            form: [
                ['grant_type', URI],
                ['assertion', token]
            ],
            fresh
        };
    }
};

;// CONCATENATED MODULE: ./src/grants/token-exchange.ts




const token_exchange_URI = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: the type of a JWT subject token, such as GitHub's ID token. */
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
/** A token type is a URI (RFC 8693 §3): one line of printable ASCII with a scheme. */
function uri(getInput, name) {
    const value = getInput(name);
    if (value && !TOKEN_TYPE_URI.test(value)) {
        throw new base_errors/* ActionError */.l(`Input '${name}' is not a token type URI, e.g. ${JWT_TOKEN_TYPE}.`);
    }
    return value;
}
const tokenExchangeGrant = {
    type: 'token-exchange',
    uri: token_exchange_URI,
    formFields: [
        'grant_type',
        'subject_token',
        'subject_token_type',
        'actor_token',
        'actor_token_type',
        'requested_token_type'
    ],
    clientMustAuthenticate: false,
    sendsResponseType: false,
    response: 'rfc8693',
    read(getInput) {
        const subject = readSubject(getInput);
        const actorToken = singleLine(getInput, 'actor-token');
        return {
            type: 'token-exchange',
            subject,
            subjectTokenType: uri(getInput, 'subject-token-type') || JWT_TOKEN_TYPE,
            actor: actorToken
                ? { token: actorToken, type: uri(getInput, 'actor-token-type') || JWT_TOKEN_TYPE }
                : undefined,
            requestedTokenType: uri(getInput, 'requested-token-type')
        };
    },
    secrets(grant) {
        const subject = subjectSecrets(grant.subject);
        return grant.actor ? [...subject, grant.actor.token] : subject;
    },
    async fields(grant, context) {
        const { token, fresh } = await subjectToken(grant.subject, context, grant.type);
        const form = [
            ['grant_type', token_exchange_URI],
            ['subject_token', token],
            ['subject_token_type', grant.subjectTokenType]
        ];
        if (grant.actor) {
            form.push(['actor_token', grant.actor.token], ['actor_token_type', grant.actor.type]);
        }
        if (grant.requestedTokenType)
            form.push(['requested_token_type', grant.requestedTokenType]);
        return { form, fresh };
    }
};

;// CONCATENATED MODULE: ./src/grants/index.ts





/** Every grant, in action.yml's order: a new grant is its file and a line here. */
const GRANTS = [clientCredentialsGrant, tokenExchangeGrant, jwtBearerGrant];
/** The names, form fields and input rule a list of grants makes (a test adds one). */
function grantRegistry(grants) {
    const names = grants.map(grant => grant.type);
    return {
        names,
        definitionOf: (type) => grants.find(grant => grant.type === type),
        formFields: grants.flatMap(grant => grant.formFields),
        read(getInput) {
            const value = getInput('grant-type') || 'client_credentials';
            const definition = grants.find(grant => grant.type === value || grant.uri === value);
            if (!definition) {
                const values = grants.flatMap(grant => [grant.type, grant.uri]);
                throw new base_errors/* ActionError */.l(unsupportedValue('grant-type', value, values, `${names.join(', ')} (or their URNs)`));
            }
            return definition.read(getInput);
        }
    };
}
const grants_REGISTRY = grantRegistry(GRANTS);
/** The grants, by the short name the input takes, to the grant_type they send. */
const GRANT_TYPES = Object.fromEntries(GRANTS.map(grant => [grant.type, grant.uri]));
const GRANT_FORM_FIELDS = grants_REGISTRY.formFields;
function readGrant(getInput) {
    return grants_REGISTRY.read(getInput);
}
function grantDefinition(grant) {
    return grants_REGISTRY.definitionOf(grant.type);
}
/** A subject or actor token from the inputs, to mask first. */
function grantSecrets(grant) {
    return grantDefinition(grant).secrets(grant);
}
/** What one attempt's grant adds to the form, and the secrets it made for it. */
function grantFields(grant, context) {
    return grantDefinition(grant).fields(grant, context);
}

;// CONCATENATED MODULE: ./src/config/inputs.ts








/** Fields the action sets: the registries' and its own. `extra-params` may not override them. */
function reservedFields(...sent) {
    return new Set([...sent.flat(), 'response_type', 'scope', 'audience']);
}
const RESERVED_PARAMS = reservedFields(GRANT_FORM_FIELDS, AUTH_FORM_FIELDS);
/**
 * export-variable takes only a name a later step reads as a token: the token's text is the
 * server's choice, and a denylist of the names that tools read as code or configuration (CC,
 * MAKEFLAGS, LESSOPEN, PIP_INDEX_URL...) cannot be complete. Case-insensitive, as on Windows.
 */
const TOKEN_VARIABLE = /(TOKEN|JWT)$/i;
/** The runner's own names, GITHUB_TOKEN among them, are never overwritten. */
const RUNNER_VARIABLE = /^(GITHUB|RUNNER|ACTIONS)_/i;
/** `nowMs` judges certificates' validity (client-assertion-cert, client-certificate). */
function readSettings(getInput, nowMs = Date.now()) {
    const grant = readGrant(getInput);
    const auth = readClientAuth(getInput, nowMs, grantDefinition(grant).clientMustAuthenticate);
    // Every method but none names the client; a public client of the other grants may not.
    const clientId = auth.method === 'none' ? getInput('client-id') : required(getInput, 'client-id', auth.method);
    noControlCharacters('client-id', clientId);
    const issuer = parseIssuer(getInput('issuer'));
    const tokenUrlInput = getInput('token-url');
    // The runner always passes token-url's default; with an issuer, only another value wins.
    const configuredTokenUrl = issuer && (!tokenUrlInput || tokenUrlInput === DEFAULT_TOKEN_URL)
        ? undefined
        : parseUrl(tokenUrlInput || DEFAULT_TOKEN_URL, "Input 'token-url'");
    const jwksUrl = optionalUrl(getInput('jwks-url'), 'jwks-url');
    const revocationUrl = optionalUrl(getInput('revocation-url'), 'revocation-url');
    const verifyToken = parseBoolean(getInput, 'verify-token', false);
    const revoke = parseBoolean(getInput, 'revoke', false);
    if (verifyToken && !issuer && !jwksUrl) {
        throw new base_errors/* ActionError */.l("Input 'verify-token' needs the server's keys: set jwks-url, or issuer to discover them.");
    }
    if (revoke && !issuer && !revocationUrl) {
        throw new base_errors/* ActionError */.l("Input 'revoke' needs a revocation endpoint: set revocation-url, or issuer to discover it.");
    }
    return {
        clientId,
        auth,
        grant,
        configuredTokenUrl,
        issuer,
        jwksUrl,
        revocationUrl,
        responseType: getInput('response-type'),
        scope: getInput('scope'),
        audience: getInput('audience'),
        resources: parseResources(getInput('resource')),
        extraParams: parseExtraParams(getInput('extra-params')),
        exportVariable: parseExportVariable(getInput('export-variable')),
        timeoutMs: parseWholeNumber(getInput, 'timeout-seconds', retry/* NETWORK_DEFAULTS */.wN.timeoutMs / 1000, 1, 600) *
            1000,
        maxAttempts: parseWholeNumber(getInput, 'max-attempts', retry/* NETWORK_DEFAULTS */.wN.maxAttempts, 1, 20),
        caCertificate: readTrustedCertificates(getInput('ca-certificate'), 'ca-certificate'),
        summary: parseBoolean(getInput, 'summary', true),
        summaryTitle: singleLine(getInput, 'summary-title'),
        verifyToken,
        minValidity: parseWholeNumber(getInput, 'min-validity', 0, 0, 31_536_000),
        revoke,
        agent: parseBoolean(getInput, 'agent', false)
    };
}
function parseIssuer(value) {
    if (!value)
        return '';
    parseUrl(value, "Input 'issuer'");
    // Discovery adds /.well-known/openid-configuration itself: with it in the input, it would twice.
    const before = beforeWellKnown(value);
    if (before !== undefined) {
        throw new base_errors/* ActionError */.l(`Input 'issuer' is the discovery document's URL; set issuer to the part before ${value.slice(before.length)}: ${before}`);
    }
    return value;
}
function optionalUrl(value, name) {
    return value ? parseUrl(value, `Input '${name}'`) : undefined;
}
/** RFC 8707 §2: each resource an absolute URI without a fragment; one per line. */
function parseResources(value) {
    return value
        .split(/\r?\n/)
        .map(line => line.trim())
        .filter(Boolean)
        .map((resource, index) => {
        let url;
        try {
            url = new URL(resource);
        }
        catch {
            url = undefined;
        }
        if (!url || url.hash || /\s/.test(resource)) {
            throw new base_errors/* ActionError */.l(`Input 'resource' line ${index + 1} is not an absolute URI without a fragment (RFC 8707), e.g. https://api.example.com.`);
        }
        return resource;
    });
}
function parseExtraParams(value) {
    const params = [];
    value.split(/\r?\n/).forEach((raw, index) => {
        const line = raw.trim();
        if (!line)
            return;
        const eq = line.indexOf('=');
        const name = eq < 0 ? line : line.slice(0, eq).trim();
        if (eq <= 0 || !name) {
            throw new base_errors/* ActionError */.l(`Input 'extra-params' line ${index + 1} is not of the form name=value. Write one parameter per line, e.g. resource=https://api.example.com.`);
        }
        if (RESERVED_PARAMS.has(name)) {
            throw new base_errors/* ActionError */.l(`Input 'extra-params' line ${index + 1} sets '${name}', which the action sets itself. Use the dedicated input (client-id, client-secret, response-type, scope, audience) instead.`);
        }
        params.push([name, line.slice(eq + 1).trim()]);
    });
    return params;
}
function parseExportVariable(value) {
    if (!value)
        return '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
        throw new base_errors/* ActionError */.l(`Input 'export-variable' is not a valid environment variable name: use letters, digits and underscores, not starting with a digit (e.g. STENT_TOKEN).`);
    }
    if (RUNNER_VARIABLE.test(value)) {
        throw new base_errors/* ActionError */.l(`Input 'export-variable' names '${value}', which the runner owns (GITHUB_*, RUNNER_*, ACTIONS_*). Choose another name, e.g. STENT_TOKEN.`);
    }
    if (!TOKEN_VARIABLE.test(value)) {
        throw new base_errors/* ActionError */.l(`Input 'export-variable' names '${value}', which is not a token variable: the name must end in TOKEN or JWT (e.g. STENT_TOKEN, NODE_AUTH_TOKEN), since later steps may read other names (CC, MAKEFLAGS, BASH_ENV...) as commands or configuration.`);
    }
    return value;
}
function parseWholeNumber(getInput, name, fallback, min, max) {
    const value = getInput(name);
    if (!value)
        return fallback;
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(number >= min && number <= max)) {
        throw new base_errors/* ActionError */.l(`Input '${name}' must be a whole number from ${min} to ${max} (got '${value}').`);
    }
    return number;
}
/** YAML 1.2's core booleans, as @actions/core's getBooleanInput reads them. */
function parseBoolean(getInput, name, fallback) {
    const value = getInput(name);
    if (!value)
        return fallback;
    if (['true', 'True', 'TRUE'].includes(value))
        return true;
    if (['false', 'False', 'FALSE'].includes(value))
        return false;
    throw new base_errors/* ActionError */.l(`Input '${name}' must be true or false (got '${value}').${(0,suggest/* didYouMean */.au)(value, ['true', 'false'])}`);
}

;// CONCATENATED MODULE: ./src/steps/attempt.ts







/** What each attempt's credentials and grant need: the endpoint, the budget, the network. */
function attemptContext(settings, tokenUrl, deadline, deps, onIdToken) {
    return {
        clientId: settings.clientId,
        tokenUrl,
        timeoutMs: settings.timeoutMs,
        deadline,
        deps,
        ...(onIdToken ? { onIdToken } : {})
    };
}
/** One request's secrets: the inputs', then each attempt's (masked as kept); failures strip all. */
class Secrets {
    #values;
    constructor(fromInputs) {
        this.#values = [...fromInputs];
    }
    keep(fresh, core) {
        maskAll(core, fresh);
        this.#values.push(...fresh);
    }
    get values() {
        return this.#values;
    }
}
/**
 * The secrets of a step's requests from its inputs (the client's, the grant's), with `extra` (a
 * token to revoke): masked by the caller before anything prints, stripped from what servers say.
 */
function stepSecrets(settings, ...extra) {
    return new Secrets([
        ...extra,
        ...authSecrets(settings.auth, settings.clientId),
        ...grantSecrets(settings.grant)
    ]);
}
/** The client's credentials for one attempt, made fresh each time, masked and kept. */
async function credentials(settings, context, secrets) {
    const made = await authenticate(settings.auth, context);
    secrets.keep(made.fresh, context.deps.core);
    return made;
}
/** Stent's response_type only where the grant sends it. */
function tokenParameters(settings) {
    const { scope, audience, resources, extraParams, caCertificate } = settings;
    const responseType = grantDefinition(settings.grant).sendsResponseType
        ? settings.responseType
        : '';
    return { responseType, scope, audience, resources, extraParams, caCertificate };
}
/** One attempt's token request: the grant's fields and the credentials, fresh and masked. */
async function tokenRequest(settings, context, secrets) {
    const grant = await grantFields(settings.grant, context);
    secrets.keep(grant.fresh, context.deps.core);
    const made = await credentials(settings, context, secrets);
    return buildTokenRequest(context.tokenUrl, made, grant.form, tokenParameters(settings));
}
/**
 * A refusal of a request made with the job's GitHub ID token (a federation or token-exchange
 * trust policy that does not match) says which claims the token has; never the token.
 */
function withPolicyClaims(error, idToken) {
    if (!(error instanceof RequestFailed) || !idToken)
        return error;
    const { outcome, endpoint } = error;
    const refused = outcome.kind === 'response' && outcome.status >= 400 && outcome.status <= 403;
    if (!refused || endpoint !== TOKEN_ENDPOINT.label)
        return error;
    return new RequestFailed(`${error.message} ${policyClaims(idToken)}`, outcome, endpoint);
}

;// CONCATENATED MODULE: ./src/steps/endpoints.ts





/** The inputs' explicit endpoints win over discovered ones; the token endpoint must be known. */
function resolveEndpoints(settings, discovered) {
    const tokenUrl = settings.configuredTokenUrl ?? discovered.tokenUrl;
    if (!tokenUrl) {
        throw new base_errors/* ActionError */.l(`The discovery document lists no token_endpoint. Set token-url (it defaults to ${DEFAULT_TOKEN_URL}).`);
    }
    return {
        tokenUrl,
        jwksUrl: settings.jwksUrl ?? discovered.jwksUrl,
        revocationUrl: settings.revocationUrl ?? discovered.revocationUrl
    };
}
/** The endpoints from the inputs, completed by OpenID Connect discovery when issuer is set. */
async function findEndpoints(settings, deadline, deps) {
    if (!settings.issuer)
        return resolveEndpoints(settings, {});
    const url = discoveryUrl(settings.issuer);
    deps.core.info(`Discovering endpoints at ${url.host}${url.pathname}.`);
    const response = await getDocument(url, { label: 'The discovery endpoint', input: 'issuer' }, { ...settings, deadline }, deps);
    const mtls = clientCertificateThumbprint(settings.auth) !== undefined;
    return resolveEndpoints(settings, parseDiscovery(response, settings.issuer, { mtls }));
}

;// CONCATENATED MODULE: ./src/oauth/token-response.ts






/**
 * Parses a 2xx token response; anything not a usable Bearer token (or, from a token exchange, an
 * N_A one) is an ActionError. Every field is checked against its grammar (base/untrusted.ts) before
 * anything can print or publish it.
 */
function parseTokenResponse(response, rules = 'rfc6749', tokenUrl) {
    const json = parseJsonObject(response);
    if (!json) {
        throw new base_errors/* ActionError */.l(`${notJson(response)} Hint: ${isHtml(response) ? 'an HTML page means token-url is not the token endpoint (e.g. a sign-in page); ' : ''}check that token-url is the token endpoint, e.g. ${DEFAULT_TOKEN_URL}.`);
    }
    const discovery = json.access_token === undefined &&
        (typeof json.token_endpoint === 'string' || typeof json.issuer === 'string');
    if (discovery)
        throw new base_errors/* ActionError */.l(discoveryInstead(response, json, tokenUrl));
    const where = `The token response (HTTP ${response.status})`;
    const accessToken = checkToken(json.access_token, where, 'access_token');
    const tokenType = checkTokenType(json.token_type, where, 'token_type');
    const exchange = rules === 'rfc8693';
    // RFC 8693 §2.2.1: N_A says the issued token is not an access token (an ID token, say).
    const notAccessToken = exchange && tokenType === 'N_A';
    if (tokenType.toLowerCase() !== 'bearer' && !notAccessToken) {
        throw new base_errors/* ActionError */.l(`${where} has token_type '${tokenType}'; this action supports Bearer tokens${exchange ? ' (and N_A from a token exchange)' : ''} only.`);
    }
    // An N_A token (an ID token, say) is not sent as a Bearer token: RFC 6749's VSCHAR rule only.
    if (!notAccessToken)
        checkBearerToken(accessToken, where, 'access_token');
    const issuedTokenType = checkTokenTypeUri(json.issued_token_type, where, 'issued_token_type');
    if (exchange && !issuedTokenType) {
        throw new base_errors/* ActionError */.l(`${where} has no issued_token_type, which a token exchange response must have (RFC 8693 §2.2.1). Check that token-url is a token exchange endpoint.`);
    }
    return {
        accessToken,
        tokenType: notAccessToken ? 'N_A' : 'Bearer',
        issuedTokenType,
        expiresIn: checkExpiresIn(json.expires_in, where, 'expires_in'),
        scope: checkScope(json.scope, where, 'scope')
    };
}
/**
 * token-url is a discovery document: say so, with the issuer it implies (ours: the input before
 * /.well-known/) and the token_endpoint it lists, printed only once it passes the rules a discovered
 * endpoint must, and then only its host and path.
 */
function discoveryInstead(response, json, tokenUrl) {
    let listed;
    if (typeof json.token_endpoint === 'string') {
        try {
            const url = discoveredEndpoint(json.token_endpoint, 'token_endpoint', tokenUrl?.protocol === 'http:');
            listed = `${url.host}${url.pathname}`;
        }
        catch {
            listed = undefined;
        }
    }
    const issuer = tokenUrl && beforeWellKnown(tokenUrl.href);
    return `The token endpoint answered HTTP ${response.status} with a discovery document, not a token response: token-url is the discovery document's URL. Set issuer${issuer ? `: ${issuer}` : ' to the URL before /.well-known/openid-configuration'} instead (the action then finds the token endpoint), or token-url to the token_endpoint it lists${listed && listed.length <= 200 ? ` (${listed})` : ''}.`;
}
function notJson(response) {
    const what = isHtml(response)
        ? 'an HTML page'
        : response.body.trim()
            ? 'a body that is not a JSON object'
            : 'an empty body';
    return `The token endpoint answered HTTP ${response.status} with ${what} instead of a JSON token response.`;
}

;// CONCATENATED MODULE: ./src/oauth/jwt.ts

/** A JWS in compact form whose header is JSON with an alg: a JWT we can try to verify. */
function isJwt(token) {
    const parts = token.split('.');
    if (parts.length !== 3)
        return false;
    try {
        const header = JSON.parse(Buffer.from(parts[0] ?? '', 'base64url').toString('utf8'));
        return typeof header === 'object' && header !== null && 'alg' in header;
    }
    catch {
        return false;
    }
}
/**
 * Verifies an access token against the server's key set (a JWKS document): signature, exp, nbf,
 * and iss and aud when expected. Returns its exp (seconds) and cnf. jose is loaded only here.
 */
async function verifyAccessToken(token, jwks, expected, nowMs) {
    if (!isJwt(token)) {
        throw new base_errors/* ActionError */.l('verify-token is true, but the access token is opaque (not a JWT), so it cannot be verified here. Set verify-token: false for servers that issue reference tokens.');
    }
    if (typeof jwks !== 'object' ||
        jwks === null ||
        !Array.isArray(jwks.keys)) {
        throw new base_errors/* ActionError */.l("The server's key set (jwks-url or the discovered jwks_uri) is not a JWKS document: expected a JSON object with a keys array.");
    }
    const { createLocalJWKSet, jwtVerify, errors } = await __webpack_require__.e(/* import() */ 380).then(__webpack_require__.bind(__webpack_require__, 380));
    try {
        const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
            issuer: expected.issuer,
            audience: expected.audience,
            // RFC 9068 §2.2: a JWT access token has an exp; without one, min-validity means nothing.
            requiredClaims: ['exp'],
            currentDate: new Date(nowMs)
        });
        return { exp: payload.exp, cnf: payload.cnf };
    }
    catch (error) {
        if (error instanceof errors.JWTExpired) {
            throw new base_errors/* ActionError */.l('The access token has already expired (its exp claim is in the past).');
        }
        if (error instanceof errors.JWTClaimValidationFailed) {
            const hint = {
                iss: `it was not issued by '${expected.issuer}' (check issuer)`,
                aud: `it is not meant for '${expected.audience}' (check audience)`,
                nbf: 'it is not valid yet (nbf is in the future; is the runner clock right?)',
                exp: error.reason === 'missing'
                    ? 'it has none, and RFC 9068 §2.2 requires one (a token that never expires cannot be verified as current)'
                    : 'it is not a number of seconds'
            };
            throw new base_errors/* ActionError */.l(`The access token's ${error.claim} claim failed verification: ${Object.hasOwn(hint, error.claim) ? hint[error.claim] : 'check failed'}.`);
        }
        if (error instanceof errors.JWKSNoMatchingKey) {
            throw new base_errors/* ActionError */.l("No key in the server's key set matches the access token's kid and alg. Hint: check jwks-url, or the issuer's jwks_uri.");
        }
        if (error instanceof errors.JOSEError) {
            throw new base_errors/* ActionError */.l(`The access token did not verify against the server's key set (${error.code}). It may have been altered, or signed by another server. Hint: check jwks-url or issuer.`);
        }
        throw error;
    }
}

;// CONCATENATED MODULE: ./src/steps/checks.ts



/**
 * verify-token (signature and claims, and the certificate a bound token names) and min-validity:
 * run before any output is written, so a token that fails them is never handed on.
 */
async function checkAccessToken(token, settings, { requestedAt, jwksUrl, fetchKeySet, log, now }) {
    const verified = {
        keySetHost: undefined,
        certificateBinding: false,
        minValidity: undefined,
        expiresAtMs: undefined
    };
    let expiresAtMs = token.expiresIn === undefined ? undefined : requestedAt + token.expiresIn * 1000;
    if (settings.verifyToken) {
        if (!jwksUrl) {
            throw new base_errors/* ActionError */.l('verify-token is true, but the discovery document lists no jwks_uri. Set jwks-url.');
        }
        const claims = await verifyAccessToken(token.accessToken, await fetchKeySet(jwksUrl), { issuer: settings.issuer || undefined, audience: settings.audience || undefined }, now());
        if (claims.exp !== undefined)
            expiresAtMs = claims.exp * 1000;
        verified.certificateBinding = checkBinding(claims.cnf, settings);
        verified.keySetHost = jwksUrl.host;
        log.info(`Verified the token's signature and claims against ${jwksUrl.host}.`);
    }
    if (settings.minValidity > 0 && expiresAtMs === undefined) {
        log.warning('min-validity is set, but the server did not say when the token expires (no expires_in), so it was not checked.');
    }
    if (settings.minValidity > 0 && expiresAtMs !== undefined) {
        const left = Math.floor((expiresAtMs - now()) / 1000);
        if (left < settings.minValidity) {
            throw new base_errors/* ActionError */.l(`The token is valid for ${left} s more, less than min-validity (${settings.minValidity} s). Hint: lower min-validity, or ask the server for longer-lived tokens.`);
        }
        verified.minValidity = settings.minValidity;
    }
    return { ...verified, expiresAtMs };
}
/**
 * RFC 8705 §3.1: a certificate-bound token names its certificate's SHA-256 thumbprint in
 * cnf x5t#S256. It must be ours, or the token is useless to us (and someone else's). True if bound.
 */
function checkBinding(cnf, settings) {
    const bound = typeof cnf === 'object' && cnf !== null
        ? cnf['x5t#S256']
        : undefined;
    if (bound === undefined)
        return false;
    const ours = clientCertificateThumbprint(settings.auth);
    if (bound !== ours) {
        throw new base_errors/* ActionError */.l(`The access token is bound to ${ours ? 'another certificate' : 'a client certificate'} (its cnf x5t#S256 ${ours ? 'does not match client-certificate' : 'names one, and this step presents none'}). Hint: check client-certificate, and that the server binds tokens to the certificate it was shown.`);
    }
    return true;
}

;// CONCATENATED MODULE: ./src/steps/token.ts









/**
 * The one way this action gets a token, for the main step and for every refresh of the token
 * agent: each attempt's request with fresh credentials, sent with retries under the deadline, the
 * response parsed and masked, then verify-token and min-validity. What an attempt makes (an
 * assertion, an ID token) is added to `secrets`.
 */
async function fetchToken(settings, endpoints, secrets, 
/** When the step's time budget ends (ms since the epoch): no attempt or wait runs past it. */
deadline, deps) {
    const { core } = deps;
    const { grant, clientId, auth } = settings;
    core.info(`Requesting a token from ${endpoints.tokenUrl.host}${endpoints.tokenUrl.pathname}${clientId ? ` for client '${clientId}'` : ''} (${grant.type === 'client_credentials' ? '' : `${grant.type}, `}${auth.method}).`);
    let idToken;
    const context = attemptContext(settings, endpoints.tokenUrl, deadline, deps, token => (idToken = token));
    const { response, requestedAt, attempts } = await sendWithRetries({
        endpoint: { ...TOKEN_ENDPOINT, hint: refusalHint(auth, clientId) },
        request: () => tokenRequest(settings, context, secrets),
        secrets: () => secrets.values,
        timeoutMs: settings.timeoutMs,
        maxAttempts: settings.maxAttempts,
        deadline
    }, deps).catch((error) => {
        throw withPolicyClaims(error, idToken);
    });
    const token = parseTokenResponse(response, grantDefinition(grant).response, endpoints.tokenUrl);
    maskAll(core, [token.accessToken]);
    const verified = await checkAccessToken(token, settings, {
        requestedAt,
        jwksUrl: endpoints.jwksUrl,
        fetchKeySet: async (url) => parseJsonObject(await getDocument(url, { label: 'The key set endpoint', input: 'jwks-url' }, { ...settings, deadline }, deps)),
        log: core,
        now: deps.now
    });
    return { token, requestedAt, verified, attempts };
}

;// CONCATENATED MODULE: ./src/steps/publish.ts

/**
 * Writes every output and the optional env export; the token is masked by then (steps/token.ts). Every
 * value is computed before the first is written, so a failure cannot leave outputs half-written.
 */
function publish(core, token, settings, requestedAt) {
    const outputs = outputsOf(token, requestedAt);
    for (const [name, value] of Object.entries(outputs))
        core.setOutput(name, value);
    if (settings.exportVariable)
        core.exportVariable(settings.exportVariable, token.accessToken);
    const lifetime = token.expiresIn === undefined
        ? ''
        : `, valid ${describeDuration(token.expiresIn)} (until ${outputs['expires-at']})`;
    // RFC 8693 §2.2.1: N_A is a valid answer to a token exchange, for a token that is not an
    // access token (an ID token, say): worth saying, not failing.
    const kind = token.tokenType === 'N_A'
        ? `token of type ${token.issuedTokenType} (token_type N_A: not an access token, so not for an Authorization header)`
        : `${token.tokenType} token`;
    core.info(`Got a ${kind}${lifetime}${token.scope ? `, scope '${token.scope}'` : ''}${settings.exportVariable ? `; exported as ${settings.exportVariable}` : ''}.`);
}
/** The step's outputs, by name; expires-in and expires-at only when the server said. */
function outputsOf(token, requestedAt) {
    return {
        'access-token': token.accessToken,
        'token-type': token.tokenType,
        ...(token.expiresIn === undefined
            ? {}
            : {
                'expires-in': String(token.expiresIn),
                'expires-at': expiresAt(requestedAt, token.expiresIn)
            }),
        ...(token.scope === undefined ? {} : { scope: token.scope }),
        ...(token.issuedTokenType === undefined ? {} : { 'issued-token-type': token.issuedTokenType })
    };
}
/** Counted from when the request was sent, so it errs early, never late. */
function expiresAt(requestedAt, expiresIn) {
    return new Date(requestedAt.getTime() + expiresIn * 1000).toISOString();
}
/** Whole seconds in the largest unit that divides them evenly: '30 days', '90 seconds'. */
function describeDuration(seconds) {
    const units = [
        [86400, 'day'],
        [3600, 'hour'],
        [60, 'minute'],
        [1, 'second']
    ];
    const [size, name] = units.find(([size]) => seconds >= size && seconds % size === 0) ?? [
        1,
        'second'
    ];
    const n = seconds / size;
    return `${n} ${name}${n === 1 ? '' : 's'}`;
}
/** The command that computes the summary's fingerprint from a token in $TOKEN. */
const FINGERPRINT_COMMAND = 'printf %s "$TOKEN" | sha256sum | cut -c1-12';
/**
 * The job summary: where the token came from and until when, what was verified, in how many
 * attempts, and a fingerprint that tells two tokens apart without revealing either; never the
 * token. Its values are outputsOf's.
 */
function summaryMarkdown(token, settings, tokenUrl, requestedAt, verified, attempts) {
    const outputs = outputsOf(token, requestedAt);
    const expiresIn = outputs['expires-in'];
    const rows = [
        ['Endpoint', `${tokenUrl.host}${tokenUrl.pathname}`],
        ['Client ID', settings.clientId || '(none: a public client)'],
        ...(settings.grant.type === 'client_credentials'
            ? []
            : [['Grant', settings.grant.type]]),
        ['Auth method', settings.auth.method],
        ['Token type', outputs['token-type']],
        ...(outputs['issued-token-type']
            ? [['Issued token type', outputs['issued-token-type']]]
            : []),
        ['Scope', outputs.scope ?? '(none returned)'],
        [
            'Expires',
            expiresIn === undefined
                ? '(not returned)'
                : `${outputs['expires-at']} (in ${describeDuration(Number(expiresIn))})`
        ],
        ['Verified', describeVerified(verified)],
        ['Attempts', String(attempts)],
        ['Token fingerprint', `sha256:${fingerprint(token.accessToken)}`],
        // A row, not a line under the table: every line of the summary is a heading or a table row.
        ['Fingerprint of $TOKEN', FINGERPRINT_COMMAND],
        ...(settings.exportVariable
            ? [['Exported as', settings.exportVariable]]
            : [])
    ];
    return [
        `### ${escapeCell(settings.summaryTitle || `Access token${settings.clientId ? ` for ${settings.clientId}` : ` (${settings.grant.type})`}`)}`,
        '',
        '| Detail | Value |',
        '| --- | --- |',
        ...rows.map(([name, value]) => `| ${name} | ${escapeCell(value)} |`),
        ''
    ].join('\n');
}
/** What the checks verified, in a line, and that the signature was not when verify-token was off. */
function describeVerified({ keySetHost, certificateBinding, minValidity }) {
    const parts = keySetHost ? [`signature and claims (keys from ${keySetHost}), exp`] : [];
    if (certificateBinding)
        parts.push('certificate binding (cnf x5t#S256)');
    if (minValidity !== undefined)
        parts.push(`valid for at least ${minValidity} s`);
    if (!keySetHost)
        parts.push(`${parts.length ? 'signature ' : ''}not verified (verify-token: false)`);
    return parts.join(', ');
}
/** The first 12 hex digits of the token's SHA-256: enough to compare, useless to replay. */
function fingerprint(token) {
    return (0,external_node_crypto_.createHash)('sha256').update(token, 'utf8').digest('hex').slice(0, 12);
}
/**
 * Cell text as literal text: one line, no HTML, no table breaks, no code spans, and no links (a
 * server-chosen scope or token type may be a URL, which GitHub would make clickable). GFM finds
 * `://` and `www.` (after any of `_*~(` too) in the source, so an entity breaks them; it finds
 * e-mail addresses (`mailto:` and `xmpp:` ones too) after entities are decoded, so each `@` is
 * followed by a zero-width space, which no address holds.
 */
function escapeCell(text) {
    return (text
        // eslint-disable-next-line no-control-regex
        .replace(/[\u0000-\u001f\u007f]+/g, ' ')
        .replace(/[&<>|\\`[\]]/g, c => `&#${c.charCodeAt(0)};`)
        .replace(/:\/\//g, '&#58;//')
        .replace(/www\./gi, match => `${match.slice(0, 3)}&#46;`)
        .replaceAll('@', '@&#8203;'));
}

;// CONCATENATED MODULE: ./src/entry/main.ts












async function run(deps = defaultDeps) {
    const { core } = deps;
    // The same bundle runs as the post step; this marks the main step as done (as actions/checkout).
    core.saveState(STATE.isPost, 'true');
    try {
        // Once, before any connection: the variable turns checks off for others, not for us.
        if (deps.env.NODE_TLS_REJECT_UNAUTHORIZED === '0')
            core.warning(TLS_CHECKS_OFF_WARNING);
        (0,input_names/* checkInputNames */.zU)(deps.env);
        const settings = readSettings(name => core.getInput(name), deps.now());
        // Mask before anything can print: the secret, its Basic credential, the key, a subject token.
        const secrets = stepSecrets(settings);
        maskAll(core, secrets.values);
        // One time budget for the whole step: discovery, keys, the GitHub ID token, the token request.
        const deadline = deps.now() + (0,retry/* stepBudgetMs */.ij)(settings.timeoutMs, settings.maxAttempts);
        const endpoints = await findEndpoints(settings, deadline, deps);
        const first = await fetchToken(settings, endpoints, secrets, deadline, deps);
        const { token, requestedAt, verified, attempts } = first;
        publish(core, token, settings, new Date(requestedAt));
        // Before the agent starts: a token already published is revoked even if the agent fails.
        if (settings.revoke)
            saveRevocation(token, endpoints, deps);
        if (settings.agent) {
            const { startAgent } = await __webpack_require__.e(/* import() */ 276).then(__webpack_require__.bind(__webpack_require__, 276));
            const command = await startAgent(first, settings, deps, dir => core.saveState(STATE.agentDir, dir));
            core.setOutput('token-command', command);
        }
        if (settings.summary) {
            // The token is out; a summary that cannot be written is worth a warning, not a failed job.
            await core.summary
                .addRaw(summaryMarkdown(token, settings, endpoints.tokenUrl, new Date(requestedAt), verified, attempts))
                .write()
                .catch((error) => core.warning(`Job summary not written (${error instanceof Error ? error.message : String(error)}). Set summary: false to skip it.`));
        }
    }
    catch (error) {
        fail(error, core);
    }
}
/** Fails the step with the error's message, or only its kind when we did not expect it. */
function fail(error, core) {
    if (error instanceof base_errors/* ActionError */.l) {
        core.setFailed(error.message);
        return;
    }
    // An unexpected error's message may quote what it was parsing: print its kind and frames only.
    const name = error instanceof Error ? error.name : typeof error;
    if (error instanceof Error && core.isDebug()) {
        // Frames only: a message of several lines would fill the stack's first lines, not just one.
        const frames = (error.stack ?? '').split('\n').filter(line => /^\s+at /.test(line));
        core.debug(frames.join('\n'));
    }
    core.setFailed(`Unexpected ${name} in the action. Re-run with debug logging for the stack trace and report it.`);
}
/** Leaves what the post step needs to revoke the token, or says why it cannot. */
function saveRevocation(token, endpoints, deps) {
    if (!endpoints.revocationUrl) {
        deps.core.warning('revoke is true, but the discovery document lists no revocation_endpoint: the token will not be revoked. Set revocation-url.');
        return;
    }
    deps.core.saveState(STATE.revokeToken, token.accessToken);
}

;// CONCATENATED MODULE: ./src/steps/revoke.ts







/**
 * Revokes one token (RFC 7009) at the revocation endpoint the inputs name (discovery included),
 * with the token request's client authentication, and only on the token endpoint's origin (see
 * sendWithRetries). The post step revokes the main step's token with it, the token agent the
 * tokens it fetched. Throws an ActionError that says why it could not.
 */
async function revokeToken(token, settings, secrets, deps, 
/** The endpoints, when the caller has found them already (the agent, once per job). */
known) {
    // A revocation is a step's work of its own, with a time budget of its own.
    const deadline = deps.now() + (0,retry/* stepBudgetMs */.ij)(settings.timeoutMs, settings.maxAttempts);
    const endpoints = known ?? (await findEndpoints(settings, deadline, deps));
    const revocationUrl = endpoints.revocationUrl;
    if (!revocationUrl) {
        throw new base_errors/* ActionError */.l('The discovery document lists no revocation_endpoint.');
    }
    deps.core.info(`Revoking the access token at ${revocationUrl.host}${revocationUrl.pathname}.`);
    await sendWithRetries({
        endpoint: {
            label: settings.revocationUrl
                ? 'The revocation endpoint'
                : "The discovery document's revocation_endpoint",
            input: 'revocation-url',
            hint: refusalHint(settings.auth, settings.clientId)
        },
        request: async () => buildRevocationRequest(revocationUrl, token, await credentials(settings, attemptContext(settings, endpoints.tokenUrl, deadline, deps), secrets), settings.caCertificate),
        secrets: () => secrets.values,
        timeoutMs: settings.timeoutMs,
        maxAttempts: Math.min(settings.maxAttempts, 3),
        deadline
    }, deps);
}

;// CONCATENATED MODULE: ./src/entry/post.ts








/**
 * The post step: stops the token agent if the main step started one (agent: true), then, with
 * `revoke: true`, revokes the token the main step got (RFC 7009) with the same client
 * authentication. It acts on its own inputs, not on saved state: state holds only the token,
 * checked like any token, and the agent's directory, checked against its own shape in
 * RUNNER_TEMP; the endpoints are derived again from the inputs (discovery included), so nothing
 * saved can send credentials elsewhere. A failure here is a warning.
 */
async function runPost(deps = defaultDeps) {
    const { core } = deps;
    const saved = core.getState(STATE.revokeToken);
    const agentDir = core.getState(STATE.agentDir);
    let settings;
    let unreadable;
    try {
        settings = readSettings(name => core.getInput(name), deps.now());
    }
    catch (error) {
        unreadable = error;
    }
    // Whether or not the inputs still read, the agent stops; loaded only when there is one.
    if (agentDir)
        await (await __webpack_require__.e(/* import() */ 793).then(__webpack_require__.bind(__webpack_require__, 793))).stopAgent(agentDir, settings, deps);
    if (!settings) {
        // Without a saved token the main step failed on these inputs already, and said why; with one,
        // they stopped reading since (a certificate that expired during the job).
        if (saved)
            warnNotRevoked(core, `The post step could not read its inputs: ${reason(unreadable)}`);
        return;
    }
    if (!settings.revoke || !saved)
        return;
    try {
        const token = checkToken(saved, "The main step's saved state", 'token');
        const secrets = stepSecrets(settings, token);
        maskAll(core, secrets.values);
        await revokeToken(token, settings, secrets, deps);
        core.info('Revoked the access token.');
    }
    catch (error) {
        warnNotRevoked(core, reason(error));
    }
}
function reason(error) {
    return error instanceof base_errors/* ActionError */.l ? error.message : 'Unexpected error.';
}
function warnNotRevoked(core, why) {
    core.warning(`The access token was not revoked. ${why} Note: many servers cannot revoke JWT access tokens; such a token stays valid until it expires.`);
}

;// CONCATENATED MODULE: ./src/steps/refresh.ts
// Tokens for a process with no log to write to: the token agent's refreshes and revocations. The
// same settings, endpoints, requests, retries and checks as the main step; each refresh is a
// step's work with a step's time budget.








/** Nothing is written anywhere: after the main step there is no log to write to. */
const silent = {
    setSecret: () => { },
    info: () => { },
    debug: () => { },
    warning: () => { }
};
/**
 * Reads the main step's inputs again, as the step did (and throws the errors it would). `env`
 * holds where the runner serves the job's GitHub ID token, for the methods that use one.
 */
function refresher(getInput, env) {
    const deps = {
        core: silent,
        env,
        ...RUNTIME
    };
    const settings = readSettings(getInput, deps.now());
    /** Found at the first refresh: later refreshes and revocations need not discover them again. */
    let endpoints;
    return {
        async fetch() {
            const deadline = deps.now() + (0,retry/* stepBudgetMs */.ij)(settings.timeoutMs, settings.maxAttempts);
            endpoints ??= await findEndpoints(settings, deadline, deps);
            return fetchToken(settings, endpoints, stepSecrets(settings), deadline, deps);
        },
        async revoke(tokens) {
            if (!settings.revoke)
                return { revoked: 0, warnings: [] };
            const results = await Promise.allSettled(liveTokens(tokens, deps.now()).map(({ token: { accessToken } }) => revokeToken(accessToken, settings, stepSecrets(settings, accessToken), deps, endpoints)));
            const warnings = results.flatMap(result => result.status === 'fulfilled'
                ? []
                : [
                    `A token the agent fetched was not revoked. ${result.reason instanceof base_errors/* ActionError */.l ? result.reason.message : 'Unexpected error.'}`
                ]);
            return { revoked: results.length - warnings.length, warnings };
        }
    };
}
/** Tokens not yet expired: revoking the others is a request for nothing. */
function liveTokens(tokens, now) {
    return tokens.filter(({ verified: { expiresAtMs } }) => expiresAtMs === undefined || expiresAtMs > now);
}

;// CONCATENATED MODULE: ./src/entry/step.ts




/** The main step, or the post step once the main step has marked itself done in the state. */
function runStep() {
    return defaultDeps.core.getState(STATE.isPost) ? runPost() : run();
}
// The token agent's refreshes run this chunk's core: loaded through here, it is bundled once.



/***/ }),

/***/ 902:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Iq: () => (/* binding */ retryPlan),
/* harmony export */   hH: () => (/* binding */ BACKOFF),
/* harmony export */   iD: () => (/* binding */ MIN_ATTEMPT_MS),
/* harmony export */   ij: () => (/* binding */ stepBudgetMs),
/* harmony export */   qi: () => (/* binding */ DEFAULT_STEP_BUDGET_MS),
/* harmony export */   wN: () => (/* binding */ NETWORK_DEFAULTS)
/* harmony export */ });
/* unused harmony exports isRetryableStatus, parseRetryAfter */
/** Backoff constants, tuned against a throttled fleet with bench/fleet (see CONTRIBUTING). */
const BACKOFF = {
    /** Full-jitter exponential backoff when the server gives no Retry-After: 1 s, 2 s, 4 s... */
    baseMs: 1000,
    capMs: 20_000,
    /** A server asking for a longer pause than this is treated as asking for this long. */
    retryAfterCapMs: 60_000,
    /** Jitter on top of Retry-After: up to 8 s after the first refusal, halving each attempt. */
    spreadMs: 8000
};
/** timeout-seconds' and max-attempts' defaults (action.yml's). */
const NETWORK_DEFAULTS = { timeoutMs: 30_000, maxAttempts: 6 };
/** With the defaults, the whole step gives up within this, whatever the endpoints do: < 2 min. */
const DEFAULT_STEP_BUDGET_MS = 110_000;
/** An attempt (or a wait before one) needs this much of the budget left, or its timeout if less. */
const MIN_ATTEMPT_MS = 1000;
/** The most every retry wait of max-attempts attempts adds up to without Retry-After. */
function backoffCeilingMs(maxAttempts) {
    let total = 0;
    for (let attempt = 1; attempt < maxAttempts; attempt++) {
        total += Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** (attempt - 1));
    }
    return total;
}
/**
 * The step's time budget, shared by every request it makes (discovery, keys, the GitHub ID token,
 * the token request). With the default timeout-seconds and max-attempts: 110 s. What was asked for
 * (every attempt in full, the longest backoff between them, and a second for the step's other
 * requests) wins when either is set above its default; at or below both, never more than 110 s.
 */
function stepBudgetMs(timeoutMs, maxAttempts) {
    const asked = maxAttempts * timeoutMs + backoffCeilingMs(maxAttempts) + MIN_ATTEMPT_MS;
    const atMostDefaults = timeoutMs <= NETWORK_DEFAULTS.timeoutMs && maxAttempts <= NETWORK_DEFAULTS.maxAttempts;
    return atMostDefaults ? Math.min(asked, DEFAULT_STEP_BUDGET_MS) : asked;
}
/** Statuses worth another attempt: the request timed out, was throttled, or the server failed. */
function isRetryableStatus(status) {
    return status === 408 || status === 429 || (status >= 500 && status <= 599);
}
/**
 * After attempt `attempt` (1-based) produced `outcome`: how many ms to wait before the next
 * attempt (and the Retry-After the server asked for, when it was more than the cap), or undefined
 * to stop.
 *
 * Without Retry-After: full-jitter exponential backoff. With it, the server is shedding load and
 * says when to come back; the jitter on top spreads out the crowd it turned away together, so they
 * do not return together. That crowd is largest at the first refusal and thins with each round,
 * so the spread halves with each attempt, which keeps the last job's wait short.
 */
function retryPlan(attempt, maxAttempts, outcome, nowMs, random) {
    if (attempt >= maxAttempts)
        return undefined;
    const backoff = random() * Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** (attempt - 1));
    if (outcome.kind === 'network')
        return outcome.retryable ? { delayMs: backoff } : undefined;
    if (!isRetryableStatus(outcome.status))
        return undefined;
    const retryAfter = parseRetryAfter(outcome.headers['retry-after'], nowMs);
    if (retryAfter === undefined)
        return { delayMs: backoff };
    const spread = random() * (BACKOFF.spreadMs / 2 ** (attempt - 1));
    const capped = retryAfter > BACKOFF.retryAfterCapMs;
    return {
        delayMs: Math.min(retryAfter, BACKOFF.retryAfterCapMs) + spread,
        ...(capped ? { cappedFromMs: retryAfter } : {})
    };
}
/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from now. */
function parseRetryAfter(value, nowMs) {
    if (value === undefined)
        return undefined;
    const text = value.trim();
    if (/^\d+$/.test(text))
        return Number(text) * 1000;
    const date = Date.parse(text);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}


/***/ }),

/***/ 52:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   I9: () => (/* binding */ httpsOverHttp),
/* harmony export */   aQ: () => (/* binding */ httpOverHttps),
/* harmony export */   kT: () => (/* binding */ ProxyAgent),
/* harmony export */   vX: () => (/* binding */ httpsOverHttps),
/* harmony export */   xj: () => (/* binding */ httpOverHttp)
/* harmony export */ });
/**
 * Bundled in place of `undici` and `tunnel` (see tsconfig.json `paths`). @actions/core imports
 * @actions/http-client for getIDToken, which imports both at top level; this action sends every
 * request through its own transport (src/http/transport.ts) and asks for the GitHub ID token itself,
 * so neither is ever called. Bundling them cost ≈45 ms of start-up and ≈900 KiB (undici), and
 * `tunnel` prints a Buffer() deprecation warning and puts no deadline on CONNECT. If a toolkit
 * upgrade ever calls them, these throw and the end-to-end tests fail.
 */
function unused(name) {
    throw new Error(`${name} is not bundled in this action: requests go through src/http/transport.ts`);
}
/** undici */
class ProxyAgent {
    constructor() {
        unused('undici');
    }
}
/** tunnel */
const httpOverHttp = () => unused('tunnel');
const httpsOverHttp = () => unused('tunnel');
const httpOverHttps = () => unused('tunnel');
const httpsOverHttps = () => unused('tunnel');


/***/ })

};

//# sourceMappingURL=243.index.js.map