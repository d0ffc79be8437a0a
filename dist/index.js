import './sourcemap-register.cjs';import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 164:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  dk: () => (/* binding */ AGENT_FLAG),
  L3: () => (/* binding */ earlyAgent),
  Up: () => (/* binding */ pick)
});

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
// EXTERNAL MODULE: ./src/base/state.ts
var state = __nccwpck_require__(572);
;// CONCATENATED MODULE: ./src/agent/flag.ts
// The only agent code in the entry chunk: the flag that makes dist/index.js run as the token agent,
// and, with agent: true, the agent's node spawned as early as a module can run. index.ts imports
// this first, so the spawn happens before the rest of the bundle is evaluated and the agent's
// start-up overlaps the step's own; everything else about the agent is in chunks loaded on demand.


const AGENT_FLAG = '--stent-token-agent';
/**
 * The agent's environment: none of the job's, so /proc/<pid>/environ holds no secret. Only what
 * node reads at start-up (extra CAs), what Windows needs to run it, and the runner's tracking ID,
 * by which the runner ends the job's leftover processes. Process.env is case-insensitive on
 * Windows: one spelling finds SystemRoot.
 */
const AGENT_ENV = ['NODE_EXTRA_CA_CERTS', 'NODE_USE_ENV_PROXY', 'RUNNER_TRACKING_ID', 'SystemRoot'];
/** The named variables that are set in env. */
function pick(env, names) {
    return Object.fromEntries(names.flatMap(name => {
        const value = env[name];
        return value === undefined ? [] : [[name, value]];
    }));
}
/**
 * The agent's node, started detached when this is the main step (not the post step, not the agent
 * itself) and its agent input is true (YAML 1.2's core true, trimmed, as readSettings reads it). It waits on
 * its stdin for what to serve, and exits if that closes without a start message.
 */
const earlyAgent = /^\s*(true|True|TRUE)\s*$/.test(process.env['INPUT_AGENT'] ?? '') &&
    !process.env[`STATE_${state/* STATE */.c.isPost}`] &&
    process.argv[2] !== AGENT_FLAG
    ? (0,external_node_child_process_namespaceObject.spawn)(process.execPath, [process.argv[1] ?? '', AGENT_FLAG], {
        detached: true,
        stdio: ['pipe', 'pipe', 'ignore'],
        env: pick(process.env, AGENT_ENV),
        // Not the workspace: on Windows a process's working directory cannot be removed under it.
        ...(process.env['RUNNER_TEMP'] ? { cwd: process.env['RUNNER_TEMP'] } : {}),
        windowsHide: true
    })
    : undefined;


/***/ }),

/***/ 886:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  _R: () => (/* binding */ AUTH_FORM_FIELDS),
  O6: () => (/* binding */ authSecrets),
  QF: () => (/* binding */ authenticate),
  IC: () => (/* binding */ clientCertificateThumbprint),
  AR: () => (/* binding */ readClientAuth),
  ah: () => (/* binding */ refusalHint)
});

// UNUSED EXPORTS: AUTH_FAMILIES, AUTH_METHODS, authRegistry

// EXTERNAL MODULE: ./src/base/errors.ts
var errors = __nccwpck_require__(758);
// EXTERNAL MODULE: ./src/base/input-rules.ts
var input_rules = __nccwpck_require__(251);
// EXTERNAL MODULE: ./src/oauth/github-id-token.ts
var github_id_token = __nccwpck_require__(48);
// EXTERNAL MODULE: ./src/oauth/token-request.ts
var token_request = __nccwpck_require__(690);
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
        const idToken = await (0,github_id_token/* githubIdToken */.eC)(auth.audience || context.tokenUrl.origin, context, 'auth-method github_oidc');
        return {
            form: [
                ['client_id', context.clientId],
                ['client_assertion_type', token_request/* JWT_BEARER */.eh],
                ['client_assertion', idToken]
            ],
            headers: {},
            fresh: [idToken]
        };
    }
};

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(598);
// EXTERNAL MODULE: ./src/base/keys.ts
var keys = __nccwpck_require__(197);
// EXTERNAL MODULE: ./src/base/form.ts
var base_form = __nccwpck_require__(855);
;// CONCATENATED MODULE: ./src/auth/secret.ts



/**
 * How the Basic credential is encoded: RFC 6749 §2.3.1 form-encodes the id and secret first (what
 * Duende IdentityServer, so Stent, and oidc-provider decode); many servers (Authlib before 1.3,
 * @node-oauth/oauth2-server, Glewlwyd, older Spring) take them raw.
 */
const BASIC_ENCODINGS = ['form', 'raw'];
function basicAuthorization(clientId, clientSecret, encoding = 'form') {
    const encode = encoding === 'form' ? base_form/* formEncode */.p : (value) => value;
    const credentials = `${encode(clientId)}:${encode(clientSecret)}`;
    return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}
/** The client secret, read and checked as every method that holds one does. */
function readSecret(getInput, method) {
    const secret = (0,input_rules/* required */.mw)(getInput, 'client-secret', method);
    (0,input_rules/* noControlCharacters */.B7)('client-secret', secret);
    return secret;
}
const secretFamily = {
    methods: ['client_secret_post', 'client_secret_basic'],
    formFields: ['client_id', 'client_secret'],
    read(method, getInput) {
        const secret = readSecret(getInput, method);
        if (method !== 'client_secret_basic')
            return { method, secret };
        const encoding = (0,input_rules/* oneOf */.yL)(getInput, 'basic-encoding', BASIC_ENCODINGS, 'form');
        // RFC 7617 §2: the user-id ends at the first colon, so the server would read another client.
        if (encoding === 'raw' && getInput('client-id').includes(':')) {
            throw new errors/* ActionError */.l("Input 'client-id' holds ':', which a raw Basic credential cannot carry (RFC 7617 §2: the server reads the client ID up to the first colon). Set basic-encoding: form, which encodes it, or auth-method: client_secret_post.");
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
        if ((0,base_form/* formEncode */.p)(auth.secret) === auth.secret && (0,base_form/* formEncode */.p)(clientId) === clientId) {
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
        throw new errors/* ActionError */.l(`Input 'client-assertion-alg' is '${alg}', which ${what} cannot sign with.${sameButCase ? ` Did you mean '${sameButCase}'?` : ` Accepted: ${allowed.join(', ')}.`}`);
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
            const alg = (0,input_rules/* oneOf */.yL)(getInput, 'client-assertion-alg', HMAC_ALGORITHMS, 'HS256');
            return { method, secret, alg, kid: (0,input_rules/* singleLine */.pF)(getInput, 'client-assertion-kid') };
        }
        const input = 'client-assertion-key';
        const { key, forms } = (0,keys/* readPrivateKey */.$k)((0,input_rules/* required */.mw)(getInput, input, method), input);
        const type = key.asymmetricKeyType;
        const kind = type === 'rsa' ? 'RSA' : type === 'ec' ? 'EC' : 'Ed25519';
        const alg = algorithmFor((0,keys/* signingAlgorithms */.Mc)(key, input), getInput, `this ${kind} key`);
        const certPem = getInput('client-assertion-cert');
        let certificate;
        if (certPem) {
            const cert = (0,keys/* readCertificate */.w$)(certPem, 'client-assertion-cert');
            (0,keys/* checkCertificate */.yF)(cert.certificate, key, {
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
            kid: (0,input_rules/* singleLine */.pF)(getInput, 'client-assertion-kid'),
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
        const { SignJWT } = await __nccwpck_require__.e(/* import() */ 380).then(__nccwpck_require__.bind(__nccwpck_require__, 380));
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
                ['client_assertion_type', token_request/* JWT_BEARER */.eh],
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
        const certificate = (0,keys/* readCertificate */.w$)((0,input_rules/* required */.mw)(getInput, 'client-certificate', method), 'client-certificate');
        const key = (0,keys/* readPrivateKey */.$k)((0,input_rules/* required */.mw)(getInput, 'client-key', method), 'client-key');
        (0,keys/* checkCertificate */.yF)(certificate.certificate, key.key, {
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
            const method = (0,input_rules/* oneOf */.yL)(getInput, 'auth-method', methods, fallback);
            // A key or certificate given without its method would be silently left out.
            const stray = impliedBy.find(([name]) => getInput(name));
            if (stray && !getInput('auth-method')) {
                throw new errors/* ActionError */.l(`Input '${stray[0]}' is set, but auth-method is not, so it would not be used. Set auth-method to ${stray[1]}.`);
            }
            if (method === 'none' && clientMustAuthenticate) {
                throw new errors/* ActionError */.l("Input 'auth-method' is none, but the client_credentials grant needs the client to authenticate. Choose the method the client is registered with, or a grant-type that takes a subject token (token-exchange, jwt-bearer).");
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


/***/ }),

/***/ 758:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
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

/***/ 855:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   p: () => (/* binding */ formEncode)
/* harmony export */ });
/**
 * application/x-www-form-urlencoded for one value, as RFC 6749 §2.3.1 asks for Basic credentials,
 * with a space written %20 so that servers decoding with plain percent-decoding agree too.
 */
function formEncode(value) {
    return new URLSearchParams([['', value]]).toString().slice(1).replaceAll('+', '%20');
}


/***/ }),

/***/ 251:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   B7: () => (/* binding */ noControlCharacters),
/* harmony export */   Dl: () => (/* binding */ parseUrl),
/* harmony export */   U9: () => (/* binding */ isLoopback),
/* harmony export */   _T: () => (/* binding */ DEFAULT_TOKEN_URL),
/* harmony export */   dq: () => (/* binding */ unsupportedValue),
/* harmony export */   mw: () => (/* binding */ required),
/* harmony export */   pF: () => (/* binding */ singleLine),
/* harmony export */   yL: () => (/* binding */ oneOf)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(758);
/* harmony import */ var _suggest_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(371);


/** token-url's default: Stent's token endpoint. */
const DEFAULT_TOKEN_URL = 'https://auth.stent.io/connect/token';
/** A required input; `method` names the auth-method that needs it. */
function required(getInput, name, method) {
    const value = getInput(name);
    if (!value) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .l(`Input '${name}' is required${method ? ` with auth-method ${method}` : ''} and was empty. Pass it from a secret, e.g. ${name}: \${{ secrets.STENT_${name.replaceAll('-', '_').toUpperCase()} }}, and check the secret exists in this repository or environment.`);
    }
    return value;
}
function noControlCharacters(name, value) {
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(value)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .l(`Input '${name}' contains a line break or control character. Store the value on a single line, without a trailing newline.`);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .l(unsupportedValue(name, value, values, values.join(', ')));
    }
    return found;
}
/** An enumerated input's value is none of its values: the one it most likely meant, else the list. */
function unsupportedValue(name, value, values, accepted) {
    const start = `Input '${name}' has an unsupported value '${value}'.`;
    return `${start}${(0,_suggest_js__WEBPACK_IMPORTED_MODULE_1__/* .didYouMean */ .au)(value, values) || ` Accepted values: ${accepted}.`}`;
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .l(`${what} is not a valid URL. Expected an absolute https:// URL${what.includes('token-url') ? ` such as ${DEFAULT_TOKEN_URL}` : ''}.`);
    }
    if (url.username || url.password) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .l(`${what} must not contain credentials (user:password@). Pass them as client-id and client-secret.`);
    }
    const loopback = isLoopback(url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .l(`${what} must use https:// (got ${url.protocol}//${url.hostname}). Plain http:// is accepted only for loopback hosts (localhost, 127.0.0.1, [::1]) in local tests.`);
    }
    return url;
}


/***/ }),

/***/ 197:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $k: () => (/* binding */ readPrivateKey),
/* harmony export */   Mc: () => (/* binding */ signingAlgorithms),
/* harmony export */   a: () => (/* binding */ readTrustedCertificates),
/* harmony export */   w$: () => (/* binding */ readCertificate),
/* harmony export */   yF: () => (/* binding */ checkCertificate)
/* harmony export */ });
/* unused harmony export keyAlgorithms */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(758);


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
            key = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createPrivateKey)({ key: block.pem, format: 'pem' });
        }
        catch {
            // Refused below, with the reason.
        }
        if (key) {
            const pem = key.export({ type: 'pkcs8', format: 'pem' });
            return { key, pem, forms: unique([...forms, block.pem, pem]) };
        }
    }
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(keyRefusal(input, value, blocks));
}
/** A PEM certificate as users paste it; of a chain, the first (the leaf). Every block must parse. */
function readCertificate(value, input) {
    const { blocks } = unwrap(value);
    const pems = blocks.filter(b => b.label === 'CERTIFICATE').map(b => b.pem);
    if (pems.length > 0) {
        const [certificate] = pems.map((pem, index) => parseCertificate(pem, input, pems.length > 1 ? index + 1 : undefined));
        const thumbprint = (hash) => (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)(hash).update(certificate.raw).digest('base64url');
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' is a private key, not a certificate: pass the certificate (BEGIN CERTIFICATE) here${keyInput ? `, and the key as ${keyInput}` : ''}.`);
    }
    if (keyInput && labels.some(label => PUBLIC_KEY_LABELS.includes(label))) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' is a public key, not a certificate: pass the certificate (BEGIN CERTIFICATE) registered with the server; make one for a key with \`openssl req -x509 -new -key key.pem -subj /CN=my-client -days 365 -out cert.pem\`.`);
    }
    if (labels.includes('PKCS7')) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' is a PKCS#7 bundle, not a certificate: extract the certificates with \`openssl pkcs7 -print_certs -in cert.p7b -out cert.pem\` and pass cert.pem${keyInput ? ', leaf first' : ''}.`);
    }
    const empty = value.trim() ? '' : ' The value is empty: check the secret or variable exists.';
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' is not a PEM certificate.${empty} ${EXPECTED_CERT}`);
}
/**
 * Certificates to trust besides the default CAs (ca-certificate), as one PEM text; '' for none.
 * A CA's certificate is public, so a private key here is a mistake to stop, not to pass over.
 */
function readTrustedCertificates(value, input) {
    if (!value.trim())
        return '';
    if (unwrap(value).blocks.some(block => block.label.includes('PRIVATE KEY'))) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' holds a private key: pass only certificates (BEGIN CERTIFICATE), which are public. A CA's private key is never needed to trust it; keep it out of workflows.`);
    }
    return readCertificate(value, input).chain;
}
/** `ordinal` numbers the block in a value of several, so that the message says which. */
function parseCertificate(pem, input, ordinal) {
    try {
        return new node_crypto__WEBPACK_IMPORTED_MODULE_0__.X509Certificate(pem);
    }
    catch {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' is not a PEM certificate. Its ${ordinal ? `certificate block ${ordinal}` : 'certificate block'} does not parse: it may be cut short or altered. ${EXPECTED_CERT}`);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' does not match input '${keyInput}': the certificate was issued for another key. Pass the certificate made for this key; the two agree when \`openssl x509 -in cert.pem -noout -pubkey\` and \`openssl pkey -in key.pem -pubout\` print the same.`);
    }
    const notBefore = certificate.validFromDate;
    const notAfter = certificate.validToDate;
    if (nowMs > notAfter.getTime()) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' holds a certificate that expired on ${instant(notAfter)}. Make a new certificate for the key, register it with the server, and pass it here.`);
    }
    if (nowMs < notBefore.getTime()) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' holds a certificate that is not valid until ${instant(notBefore)} (the runner's clock says ${instant(new Date(nowMs))}). Wait until then, or check the clock of the machine that made it.`);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' is a ${bits}-bit RSA key; signing needs 2048 bits or more (RFC 7518 §3.3). Make a new key with \`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem\` and register its public half with the server.`);
    }
    const kind = key.asymmetricKeyType === 'ec'
        ? `an EC key on curve ${key.asymmetricKeyDetails?.namedCurve ?? 'unknown'}`
        : `a ${key.asymmetricKeyType ?? 'unknown'} key`;
    throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`Input '${input}' is ${kind}; assertions here are signed with RSA, EC (P-256, P-384, P-521) or Ed25519 keys.`);
}


/***/ }),

/***/ 777:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E$: () => (/* binding */ redact),
/* harmony export */   gh: () => (/* binding */ maskAll)
/* harmony export */ });
/* unused harmony exports MIN_MASK_LENGTH, secretForms */
/* harmony import */ var _form_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(855);

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
        (0,_form_js__WEBPACK_IMPORTED_MODULE_0__/* .formEncode */ .p)(value).replaceAll('%20', '+'),
        (0,_form_js__WEBPACK_IMPORTED_MODULE_0__/* .formEncode */ .p)(value),
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


/***/ }),

/***/ 572:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   c: () => (/* binding */ STATE)
/* harmony export */ });
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


/***/ }),

/***/ 371:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
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

/***/ 607:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $0: () => (/* binding */ neutralise),
/* harmony export */   DB: () => (/* binding */ checkScope),
/* harmony export */   RP: () => (/* binding */ checkBearerToken),
/* harmony export */   SK: () => (/* binding */ checkToken),
/* harmony export */   Uq: () => (/* binding */ checkExpiresIn),
/* harmony export */   W1: () => (/* binding */ TOKEN_TYPE_URI),
/* harmony export */   qQ: () => (/* binding */ checkTokenType),
/* harmony export */   yd: () => (/* binding */ checkTokenTypeUri)
/* harmony export */ });
/* unused harmony exports MIN_TOKEN_LENGTH, MAX_EXPIRES_IN, describeType */
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(758);
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
    return new _errors_js__WEBPACK_IMPORTED_MODULE_0__/* .ActionError */ .l(`${where} has an invalid ${field}: ${problem}.`);
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


/***/ }),

/***/ 523:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Qh: () => (/* binding */ INPUT_NAMES),
/* harmony export */   zU: () => (/* binding */ checkInputNames)
/* harmony export */ });
/* unused harmony exports UNKNOWN_INPUT, inputVariable, closestInput */
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(758);
/* harmony import */ var _base_suggest_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(371);


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

/***/ 389:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   sb: () => (/* binding */ readSettings)
/* harmony export */ });
/* unused harmony exports reservedFields, RESERVED_PARAMS, parseExtraParams */
/* harmony import */ var _auth_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(886);
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(758);
/* harmony import */ var _base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(251);
/* harmony import */ var _base_keys_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(197);
/* harmony import */ var _base_suggest_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(371);
/* harmony import */ var _http_retry_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(902);
/* harmony import */ var _oauth_discovery_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(253);
/* harmony import */ var _grants_index_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(434);








/** Fields the action sets: the registries' and its own. `extra-params` may not override them. */
function reservedFields(...sent) {
    return new Set([...sent.flat(), 'response_type', 'scope', 'audience']);
}
const RESERVED_PARAMS = reservedFields(_grants_index_js__WEBPACK_IMPORTED_MODULE_3__/* .GRANT_FORM_FIELDS */ .Sy, _auth_index_js__WEBPACK_IMPORTED_MODULE_0__/* .AUTH_FORM_FIELDS */ ._R);
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
    const grant = (0,_grants_index_js__WEBPACK_IMPORTED_MODULE_3__/* .readGrant */ .v7)(getInput);
    const auth = (0,_auth_index_js__WEBPACK_IMPORTED_MODULE_0__/* .readClientAuth */ .AR)(getInput, nowMs, (0,_grants_index_js__WEBPACK_IMPORTED_MODULE_3__/* .grantDefinition */ .Gm)(grant).clientMustAuthenticate);
    // Every method but none names the client; a public client of the other grants may not.
    const clientId = auth.method === 'none' ? getInput('client-id') : (0,_base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .required */ .mw)(getInput, 'client-id', auth.method);
    (0,_base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .noControlCharacters */ .B7)('client-id', clientId);
    const issuer = parseIssuer(getInput('issuer'));
    const tokenUrlInput = getInput('token-url');
    // The runner always passes token-url's default; with an issuer, only another value wins.
    const configuredTokenUrl = issuer && (!tokenUrlInput || tokenUrlInput === _base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .DEFAULT_TOKEN_URL */ ._T)
        ? undefined
        : (0,_base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .parseUrl */ .Dl)(tokenUrlInput || _base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .DEFAULT_TOKEN_URL */ ._T, "Input 'token-url'");
    const jwksUrl = optionalUrl(getInput('jwks-url'), 'jwks-url');
    const revocationUrl = optionalUrl(getInput('revocation-url'), 'revocation-url');
    const verifyToken = parseBoolean(getInput, 'verify-token', false);
    const revoke = parseBoolean(getInput, 'revoke', false);
    if (verifyToken && !issuer && !jwksUrl) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l("Input 'verify-token' needs the server's keys: set jwks-url, or issuer to discover them.");
    }
    if (revoke && !issuer && !revocationUrl) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l("Input 'revoke' needs a revocation endpoint: set revocation-url, or issuer to discover it.");
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
        timeoutMs: parseWholeNumber(getInput, 'timeout-seconds', _http_retry_js__WEBPACK_IMPORTED_MODULE_2__/* .NETWORK_DEFAULTS */ .wN.timeoutMs / 1000, 1, 600) *
            1000,
        maxAttempts: parseWholeNumber(getInput, 'max-attempts', _http_retry_js__WEBPACK_IMPORTED_MODULE_2__/* .NETWORK_DEFAULTS */ .wN.maxAttempts, 1, 20),
        caCertificate: (0,_base_keys_js__WEBPACK_IMPORTED_MODULE_1__/* .readTrustedCertificates */ .a)(getInput('ca-certificate'), 'ca-certificate'),
        summary: parseBoolean(getInput, 'summary', true),
        summaryTitle: (0,_base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .singleLine */ .pF)(getInput, 'summary-title'),
        verifyToken,
        minValidity: parseWholeNumber(getInput, 'min-validity', 0, 0, 31_536_000),
        revoke,
        agent: parseBoolean(getInput, 'agent', false)
    };
}
function parseIssuer(value) {
    if (!value)
        return '';
    (0,_base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .parseUrl */ .Dl)(value, "Input 'issuer'");
    // Discovery adds /.well-known/openid-configuration itself: with it in the input, it would twice.
    const before = (0,_oauth_discovery_js__WEBPACK_IMPORTED_MODULE_6__/* .beforeWellKnown */ .Tn)(value);
    if (before !== undefined) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l(`Input 'issuer' is the discovery document's URL; set issuer to the part before ${value.slice(before.length)}: ${before}`);
    }
    return value;
}
function optionalUrl(value, name) {
    return value ? (0,_base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .parseUrl */ .Dl)(value, `Input '${name}'`) : undefined;
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
            throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l(`Input 'resource' line ${index + 1} is not an absolute URI without a fragment (RFC 8707), e.g. https://api.example.com.`);
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
            throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l(`Input 'extra-params' line ${index + 1} is not of the form name=value. Write one parameter per line, e.g. resource=https://api.example.com.`);
        }
        if (RESERVED_PARAMS.has(name)) {
            throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l(`Input 'extra-params' line ${index + 1} sets '${name}', which the action sets itself. Use the dedicated input (client-id, client-secret, response-type, scope, audience) instead.`);
        }
        params.push([name, line.slice(eq + 1).trim()]);
    });
    return params;
}
function parseExportVariable(value) {
    if (!value)
        return '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l(`Input 'export-variable' is not a valid environment variable name: use letters, digits and underscores, not starting with a digit (e.g. STENT_TOKEN).`);
    }
    if (RUNNER_VARIABLE.test(value)) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l(`Input 'export-variable' names '${value}', which the runner owns (GITHUB_*, RUNNER_*, ACTIONS_*). Choose another name, e.g. STENT_TOKEN.`);
    }
    if (!TOKEN_VARIABLE.test(value)) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l(`Input 'export-variable' names '${value}', which is not a token variable: the name must end in TOKEN or JWT (e.g. STENT_TOKEN, NODE_AUTH_TOKEN), since later steps may read other names (CC, MAKEFLAGS, BASH_ENV...) as commands or configuration.`);
    }
    return value;
}
function parseWholeNumber(getInput, name, fallback, min, max) {
    const value = getInput(name);
    if (!value)
        return fallback;
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(number >= min && number <= max)) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l(`Input '${name}' must be a whole number from ${min} to ${max} (got '${value}').`);
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
    throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .l(`Input '${name}' must be true or false (got '${value}').${(0,_base_suggest_js__WEBPACK_IMPORTED_MODULE_7__/* .didYouMean */ .au)(value, ['true', 'false'])}`);
}


/***/ }),

/***/ 790:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  m: () => (/* binding */ defaultDeps)
});

// NAMESPACE OBJECT: ./node_modules/@actions/core/lib/platform.js
var platform_namespaceObject = {};
__nccwpck_require__.r(platform_namespaceObject);
__nccwpck_require__.d(platform_namespaceObject, {
  arch: () => (arch),
  getDetails: () => (getDetails),
  isLinux: () => (isLinux),
  isMacOS: () => (isMacOS),
  isWindows: () => (isWindows),
  platform: () => (platform)
});

// NAMESPACE OBJECT: ./node_modules/@actions/core/lib/core.js
var core_namespaceObject = {};
__nccwpck_require__.r(core_namespaceObject);
__nccwpck_require__.d(core_namespaceObject, {
  ExitCode: () => (ExitCode),
  addPath: () => (addPath),
  debug: () => (debug),
  endGroup: () => (endGroup),
  error: () => (error),
  exportVariable: () => (exportVariable),
  getBooleanInput: () => (getBooleanInput),
  getIDToken: () => (getIDToken),
  getInput: () => (getInput),
  getMultilineInput: () => (getMultilineInput),
  getState: () => (getState),
  group: () => (group),
  info: () => (info),
  isDebug: () => (isDebug),
  markdownSummary: () => (markdownSummary),
  notice: () => (notice),
  platform: () => (platform_namespaceObject),
  saveState: () => (saveState),
  setCommandEcho: () => (setCommandEcho),
  setFailed: () => (setFailed),
  setOutput: () => (setOutput),
  setSecret: () => (setSecret),
  startGroup: () => (startGroup),
  summary: () => (summary),
  toPlatformPath: () => (toPlatformPath),
  toPosixPath: () => (toPosixPath),
  toWin32Path: () => (toWin32Path),
  warning: () => (warning)
});

;// CONCATENATED MODULE: external "os"
const external_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/utils.js
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}
//# sourceMappingURL=utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/command.js


/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + external_os_namespaceObject.EOL);
}
function issue(name, message = '') {
    issueCommand(name, {}, message);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}
//# sourceMappingURL=command.js.map
;// CONCATENATED MODULE: external "crypto"
const external_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");
;// CONCATENATED MODULE: external "fs"
const external_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/file-command.js
// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */




function issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!external_fs_namespaceObject.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    external_fs_namespaceObject.appendFileSync(filePath, `${toCommandValue(message)}${external_os_namespaceObject.EOL}`, {
        encoding: 'utf8'
    });
}
function prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${external_crypto_namespaceObject.randomUUID()}`;
    const convertedValue = toCommandValue(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${external_os_namespaceObject.EOL}${convertedValue}${external_os_namespaceObject.EOL}${delimiter}`;
}
//# sourceMappingURL=file-command.js.map
;// CONCATENATED MODULE: external "path"
const external_path_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");
;// CONCATENATED MODULE: external "http"
const external_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");
var external_http_namespaceObject_0 = /*#__PURE__*/__nccwpck_require__.t(external_http_namespaceObject, 2);
;// CONCATENATED MODULE: external "https"
const external_https_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");
var external_https_namespaceObject_0 = /*#__PURE__*/__nccwpck_require__.t(external_https_namespaceObject, 2);
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/proxy.js
var proxy = __nccwpck_require__(783);
;// CONCATENATED MODULE: ./src/toolkit-unused.ts
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

;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/index.js
/* eslint-disable @typescript-eslint/no-explicit-any */
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};





var HttpCodes;
(function (HttpCodes) {
    HttpCodes[HttpCodes["OK"] = 200] = "OK";
    HttpCodes[HttpCodes["MultipleChoices"] = 300] = "MultipleChoices";
    HttpCodes[HttpCodes["MovedPermanently"] = 301] = "MovedPermanently";
    HttpCodes[HttpCodes["ResourceMoved"] = 302] = "ResourceMoved";
    HttpCodes[HttpCodes["SeeOther"] = 303] = "SeeOther";
    HttpCodes[HttpCodes["NotModified"] = 304] = "NotModified";
    HttpCodes[HttpCodes["UseProxy"] = 305] = "UseProxy";
    HttpCodes[HttpCodes["SwitchProxy"] = 306] = "SwitchProxy";
    HttpCodes[HttpCodes["TemporaryRedirect"] = 307] = "TemporaryRedirect";
    HttpCodes[HttpCodes["PermanentRedirect"] = 308] = "PermanentRedirect";
    HttpCodes[HttpCodes["BadRequest"] = 400] = "BadRequest";
    HttpCodes[HttpCodes["Unauthorized"] = 401] = "Unauthorized";
    HttpCodes[HttpCodes["PaymentRequired"] = 402] = "PaymentRequired";
    HttpCodes[HttpCodes["Forbidden"] = 403] = "Forbidden";
    HttpCodes[HttpCodes["NotFound"] = 404] = "NotFound";
    HttpCodes[HttpCodes["MethodNotAllowed"] = 405] = "MethodNotAllowed";
    HttpCodes[HttpCodes["NotAcceptable"] = 406] = "NotAcceptable";
    HttpCodes[HttpCodes["ProxyAuthenticationRequired"] = 407] = "ProxyAuthenticationRequired";
    HttpCodes[HttpCodes["RequestTimeout"] = 408] = "RequestTimeout";
    HttpCodes[HttpCodes["Conflict"] = 409] = "Conflict";
    HttpCodes[HttpCodes["Gone"] = 410] = "Gone";
    HttpCodes[HttpCodes["TooManyRequests"] = 429] = "TooManyRequests";
    HttpCodes[HttpCodes["InternalServerError"] = 500] = "InternalServerError";
    HttpCodes[HttpCodes["NotImplemented"] = 501] = "NotImplemented";
    HttpCodes[HttpCodes["BadGateway"] = 502] = "BadGateway";
    HttpCodes[HttpCodes["ServiceUnavailable"] = 503] = "ServiceUnavailable";
    HttpCodes[HttpCodes["GatewayTimeout"] = 504] = "GatewayTimeout";
})(HttpCodes || (HttpCodes = {}));
var Headers;
(function (Headers) {
    Headers["Accept"] = "accept";
    Headers["ContentType"] = "content-type";
})(Headers || (Headers = {}));
var MediaTypes;
(function (MediaTypes) {
    MediaTypes["ApplicationJson"] = "application/json";
})(MediaTypes || (MediaTypes = {}));
/**
 * Returns the proxy URL, depending upon the supplied url and proxy environment variables.
 * @param serverUrl  The server URL where the request will be sent. For example, https://api.github.com
 */
function getProxyUrl(serverUrl) {
    const proxyUrl = pm.getProxyUrl(new URL(serverUrl));
    return proxyUrl ? proxyUrl.href : '';
}
const HttpRedirectCodes = [
    HttpCodes.MovedPermanently,
    HttpCodes.ResourceMoved,
    HttpCodes.SeeOther,
    HttpCodes.TemporaryRedirect,
    HttpCodes.PermanentRedirect
];
const HttpResponseRetryCodes = [
    HttpCodes.BadGateway,
    HttpCodes.ServiceUnavailable,
    HttpCodes.GatewayTimeout
];
const RetryableHttpVerbs = ['OPTIONS', 'GET', 'DELETE', 'HEAD'];
const ExponentialBackoffCeiling = 10;
const ExponentialBackoffTimeSlice = 5;
class HttpClientError extends Error {
    constructor(message, statusCode) {
        super(message);
        this.name = 'HttpClientError';
        this.statusCode = statusCode;
        Object.setPrototypeOf(this, HttpClientError.prototype);
    }
}
class HttpClientResponse {
    constructor(message) {
        this.message = message;
    }
    readBody() {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve) => __awaiter(this, void 0, void 0, function* () {
                let output = Buffer.alloc(0);
                this.message.on('data', (chunk) => {
                    output = Buffer.concat([output, chunk]);
                });
                this.message.on('end', () => {
                    resolve(output.toString());
                });
            }));
        });
    }
    readBodyBuffer() {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve) => __awaiter(this, void 0, void 0, function* () {
                const chunks = [];
                this.message.on('data', (chunk) => {
                    chunks.push(chunk);
                });
                this.message.on('end', () => {
                    resolve(Buffer.concat(chunks));
                });
            }));
        });
    }
}
function isHttps(requestUrl) {
    const parsedUrl = new URL(requestUrl);
    return parsedUrl.protocol === 'https:';
}
class HttpClient {
    constructor(userAgent, handlers, requestOptions) {
        this._ignoreSslError = false;
        this._allowRedirects = true;
        this._allowRedirectDowngrade = false;
        this._maxRedirects = 50;
        this._allowRetries = false;
        this._maxRetries = 1;
        this._keepAlive = false;
        this._disposed = false;
        this.userAgent = this._getUserAgentWithOrchestrationId(userAgent);
        this.handlers = handlers || [];
        this.requestOptions = requestOptions;
        if (requestOptions) {
            if (requestOptions.ignoreSslError != null) {
                this._ignoreSslError = requestOptions.ignoreSslError;
            }
            this._socketTimeout = requestOptions.socketTimeout;
            if (requestOptions.allowRedirects != null) {
                this._allowRedirects = requestOptions.allowRedirects;
            }
            if (requestOptions.allowRedirectDowngrade != null) {
                this._allowRedirectDowngrade = requestOptions.allowRedirectDowngrade;
            }
            if (requestOptions.maxRedirects != null) {
                this._maxRedirects = Math.max(requestOptions.maxRedirects, 0);
            }
            if (requestOptions.keepAlive != null) {
                this._keepAlive = requestOptions.keepAlive;
            }
            if (requestOptions.allowRetries != null) {
                this._allowRetries = requestOptions.allowRetries;
            }
            if (requestOptions.maxRetries != null) {
                this._maxRetries = requestOptions.maxRetries;
            }
        }
    }
    options(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('OPTIONS', requestUrl, null, additionalHeaders || {});
        });
    }
    get(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('GET', requestUrl, null, additionalHeaders || {});
        });
    }
    del(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('DELETE', requestUrl, null, additionalHeaders || {});
        });
    }
    post(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('POST', requestUrl, data, additionalHeaders || {});
        });
    }
    patch(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('PATCH', requestUrl, data, additionalHeaders || {});
        });
    }
    put(requestUrl, data, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('PUT', requestUrl, data, additionalHeaders || {});
        });
    }
    head(requestUrl, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request('HEAD', requestUrl, null, additionalHeaders || {});
        });
    }
    sendStream(verb, requestUrl, stream, additionalHeaders) {
        return __awaiter(this, void 0, void 0, function* () {
            return this.request(verb, requestUrl, stream, additionalHeaders);
        });
    }
    /**
     * Gets a typed object from an endpoint
     * Be aware that not found returns a null.  Other errors (4xx, 5xx) reject the promise
     */
    getJson(requestUrl_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, additionalHeaders = {}) {
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            const res = yield this.get(requestUrl, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    postJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.post(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    putJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.put(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    patchJson(requestUrl_1, obj_1) {
        return __awaiter(this, arguments, void 0, function* (requestUrl, obj, additionalHeaders = {}) {
            const data = JSON.stringify(obj, null, 2);
            additionalHeaders[Headers.Accept] = this._getExistingOrDefaultHeader(additionalHeaders, Headers.Accept, MediaTypes.ApplicationJson);
            additionalHeaders[Headers.ContentType] =
                this._getExistingOrDefaultContentTypeHeader(additionalHeaders, MediaTypes.ApplicationJson);
            const res = yield this.patch(requestUrl, data, additionalHeaders);
            return this._processResponse(res, this.requestOptions);
        });
    }
    /**
     * Makes a raw http request.
     * All other methods such as get, post, patch, and request ultimately call this.
     * Prefer get, del, post and patch
     */
    request(verb, requestUrl, data, headers) {
        return __awaiter(this, void 0, void 0, function* () {
            if (this._disposed) {
                throw new Error('Client has already been disposed.');
            }
            const parsedUrl = new URL(requestUrl);
            let info = this._prepareRequest(verb, parsedUrl, headers);
            // Only perform retries on reads since writes may not be idempotent.
            const maxTries = this._allowRetries && RetryableHttpVerbs.includes(verb)
                ? this._maxRetries + 1
                : 1;
            let numTries = 0;
            let response;
            do {
                response = yield this.requestRaw(info, data);
                // Check if it's an authentication challenge
                if (response &&
                    response.message &&
                    response.message.statusCode === HttpCodes.Unauthorized) {
                    let authenticationHandler;
                    for (const handler of this.handlers) {
                        if (handler.canHandleAuthentication(response)) {
                            authenticationHandler = handler;
                            break;
                        }
                    }
                    if (authenticationHandler) {
                        return authenticationHandler.handleAuthentication(this, info, data);
                    }
                    else {
                        // We have received an unauthorized response but have no handlers to handle it.
                        // Let the response return to the caller.
                        return response;
                    }
                }
                let redirectsRemaining = this._maxRedirects;
                while (response.message.statusCode &&
                    HttpRedirectCodes.includes(response.message.statusCode) &&
                    this._allowRedirects &&
                    redirectsRemaining > 0) {
                    const redirectUrl = response.message.headers['location'];
                    if (!redirectUrl) {
                        // if there's no location to redirect to, we won't
                        break;
                    }
                    const parsedRedirectUrl = new URL(redirectUrl);
                    if (parsedUrl.protocol === 'https:' &&
                        parsedUrl.protocol !== parsedRedirectUrl.protocol &&
                        !this._allowRedirectDowngrade) {
                        throw new Error('Redirect from HTTPS to HTTP protocol. This downgrade is not allowed for security reasons. If you want to allow this behavior, set the allowRedirectDowngrade option to true.');
                    }
                    // we need to finish reading the response before reassigning response
                    // which will leak the open socket.
                    yield response.readBody();
                    // strip authorization header if redirected to a different hostname
                    if (parsedRedirectUrl.hostname !== parsedUrl.hostname) {
                        for (const header in headers) {
                            // header names are case insensitive
                            if (header.toLowerCase() === 'authorization') {
                                delete headers[header];
                            }
                        }
                    }
                    // let's make the request with the new redirectUrl
                    info = this._prepareRequest(verb, parsedRedirectUrl, headers);
                    response = yield this.requestRaw(info, data);
                    redirectsRemaining--;
                }
                if (!response.message.statusCode ||
                    !HttpResponseRetryCodes.includes(response.message.statusCode)) {
                    // If not a retry code, return immediately instead of retrying
                    return response;
                }
                numTries += 1;
                if (numTries < maxTries) {
                    yield response.readBody();
                    yield this._performExponentialBackoff(numTries);
                }
            } while (numTries < maxTries);
            return response;
        });
    }
    /**
     * Needs to be called if keepAlive is set to true in request options.
     */
    dispose() {
        if (this._agent) {
            this._agent.destroy();
        }
        this._disposed = true;
    }
    /**
     * Raw request.
     * @param info
     * @param data
     */
    requestRaw(info, data) {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve, reject) => {
                function callbackForResult(err, res) {
                    if (err) {
                        reject(err);
                    }
                    else if (!res) {
                        // If `err` is not passed, then `res` must be passed.
                        reject(new Error('Unknown error'));
                    }
                    else {
                        resolve(res);
                    }
                }
                this.requestRawWithCallback(info, data, callbackForResult);
            });
        });
    }
    /**
     * Raw request with callback.
     * @param info
     * @param data
     * @param onResult
     */
    requestRawWithCallback(info, data, onResult) {
        if (typeof data === 'string') {
            if (!info.options.headers) {
                info.options.headers = {};
            }
            info.options.headers['Content-Length'] = Buffer.byteLength(data, 'utf8');
        }
        let callbackCalled = false;
        function handleResult(err, res) {
            if (!callbackCalled) {
                callbackCalled = true;
                onResult(err, res);
            }
        }
        const req = info.httpModule.request(info.options, (msg) => {
            const res = new HttpClientResponse(msg);
            handleResult(undefined, res);
        });
        let socket;
        req.on('socket', sock => {
            socket = sock;
        });
        // If we ever get disconnected, we want the socket to timeout eventually
        req.setTimeout(this._socketTimeout || 3 * 60000, () => {
            if (socket) {
                socket.end();
            }
            handleResult(new Error(`Request timeout: ${info.options.path}`));
        });
        req.on('error', function (err) {
            // err has statusCode property
            // res should have headers
            handleResult(err);
        });
        if (data && typeof data === 'string') {
            req.write(data, 'utf8');
        }
        if (data && typeof data !== 'string') {
            data.on('close', function () {
                req.end();
            });
            data.pipe(req);
        }
        else {
            req.end();
        }
    }
    /**
     * Gets an http agent. This function is useful when you need an http agent that handles
     * routing through a proxy server - depending upon the url and proxy environment variables.
     * @param serverUrl  The server URL where the request will be sent. For example, https://api.github.com
     */
    getAgent(serverUrl) {
        const parsedUrl = new URL(serverUrl);
        return this._getAgent(parsedUrl);
    }
    getAgentDispatcher(serverUrl) {
        const parsedUrl = new URL(serverUrl);
        const proxyUrl = proxy/* getProxyUrl */.s(parsedUrl);
        const useProxy = proxyUrl && proxyUrl.hostname;
        if (!useProxy) {
            return;
        }
        return this._getProxyAgentDispatcher(parsedUrl, proxyUrl);
    }
    _prepareRequest(method, requestUrl, headers) {
        const info = {};
        info.parsedUrl = requestUrl;
        const usingSsl = info.parsedUrl.protocol === 'https:';
        info.httpModule = usingSsl ? external_https_namespaceObject_0 : external_http_namespaceObject_0;
        const defaultPort = usingSsl ? 443 : 80;
        info.options = {};
        info.options.host = info.parsedUrl.hostname;
        info.options.port = info.parsedUrl.port
            ? parseInt(info.parsedUrl.port)
            : defaultPort;
        info.options.path =
            (info.parsedUrl.pathname || '') + (info.parsedUrl.search || '');
        info.options.method = method;
        info.options.headers = this._mergeHeaders(headers);
        if (this.userAgent != null) {
            info.options.headers['user-agent'] = this.userAgent;
        }
        info.options.agent = this._getAgent(info.parsedUrl);
        // gives handlers an opportunity to participate
        if (this.handlers) {
            for (const handler of this.handlers) {
                handler.prepareRequest(info.options);
            }
        }
        return info;
    }
    _mergeHeaders(headers) {
        if (this.requestOptions && this.requestOptions.headers) {
            return Object.assign({}, lowercaseKeys(this.requestOptions.headers), lowercaseKeys(headers || {}));
        }
        return lowercaseKeys(headers || {});
    }
    /**
     * Gets an existing header value or returns a default.
     * Handles converting number header values to strings since HTTP headers must be strings.
     * Note: This returns string | string[] since some headers can have multiple values.
     * For headers that must always be a single string (like Content-Type), use the
     * specialized _getExistingOrDefaultContentTypeHeader method instead.
     */
    _getExistingOrDefaultHeader(additionalHeaders, header, _default) {
        let clientHeader;
        if (this.requestOptions && this.requestOptions.headers) {
            const headerValue = lowercaseKeys(this.requestOptions.headers)[header];
            if (headerValue) {
                clientHeader =
                    typeof headerValue === 'number' ? headerValue.toString() : headerValue;
            }
        }
        const additionalValue = additionalHeaders[header];
        if (additionalValue !== undefined) {
            return typeof additionalValue === 'number'
                ? additionalValue.toString()
                : additionalValue;
        }
        if (clientHeader !== undefined) {
            return clientHeader;
        }
        return _default;
    }
    /**
     * Specialized version of _getExistingOrDefaultHeader for Content-Type header.
     * Always returns a single string (not an array) since Content-Type should be a single value.
     * Converts arrays to comma-separated strings and numbers to strings to ensure type safety.
     * This was split from _getExistingOrDefaultHeader to provide stricter typing for callers
     * that assign the result to places expecting a string (e.g., additionalHeaders[Headers.ContentType]).
     */
    _getExistingOrDefaultContentTypeHeader(additionalHeaders, _default) {
        let clientHeader;
        if (this.requestOptions && this.requestOptions.headers) {
            const headerValue = lowercaseKeys(this.requestOptions.headers)[Headers.ContentType];
            if (headerValue) {
                if (typeof headerValue === 'number') {
                    clientHeader = String(headerValue);
                }
                else if (Array.isArray(headerValue)) {
                    clientHeader = headerValue.join(', ');
                }
                else {
                    clientHeader = headerValue;
                }
            }
        }
        const additionalValue = additionalHeaders[Headers.ContentType];
        // Return the first non-undefined value, converting numbers or arrays to strings if necessary
        if (additionalValue !== undefined) {
            if (typeof additionalValue === 'number') {
                return String(additionalValue);
            }
            else if (Array.isArray(additionalValue)) {
                return additionalValue.join(', ');
            }
            else {
                return additionalValue;
            }
        }
        if (clientHeader !== undefined) {
            return clientHeader;
        }
        return _default;
    }
    _getAgent(parsedUrl) {
        let agent;
        const proxyUrl = proxy/* getProxyUrl */.s(parsedUrl);
        const useProxy = proxyUrl && proxyUrl.hostname;
        if (this._keepAlive && useProxy) {
            agent = this._proxyAgent;
        }
        if (!useProxy) {
            agent = this._agent;
        }
        // if agent is already assigned use that agent.
        if (agent) {
            return agent;
        }
        const usingSsl = parsedUrl.protocol === 'https:';
        let maxSockets = 100;
        if (this.requestOptions) {
            maxSockets = this.requestOptions.maxSockets || external_http_namespaceObject.globalAgent.maxSockets;
        }
        // This is `useProxy` again, but we need to check `proxyURl` directly for TypeScripts's flow analysis.
        if (proxyUrl && proxyUrl.hostname) {
            const agentOptions = {
                maxSockets,
                keepAlive: this._keepAlive,
                proxy: Object.assign(Object.assign({}, ((proxyUrl.username || proxyUrl.password) && {
                    proxyAuth: `${proxyUrl.username}:${proxyUrl.password}`
                })), { host: proxyUrl.hostname, port: proxyUrl.port })
            };
            let tunnelAgent;
            const overHttps = proxyUrl.protocol === 'https:';
            if (usingSsl) {
                tunnelAgent = overHttps ? httpsOverHttps : httpsOverHttp;
            }
            else {
                tunnelAgent = overHttps ? httpOverHttps : httpOverHttp;
            }
            agent = tunnelAgent(agentOptions);
            this._proxyAgent = agent;
        }
        // if tunneling agent isn't assigned create a new agent
        if (!agent) {
            const options = { keepAlive: this._keepAlive, maxSockets };
            agent = usingSsl ? new external_https_namespaceObject.Agent(options) : new external_http_namespaceObject.Agent(options);
            this._agent = agent;
        }
        if (usingSsl && this._ignoreSslError) {
            // we don't want to set NODE_TLS_REJECT_UNAUTHORIZED=0 since that will affect request for entire process
            // http.RequestOptions doesn't expose a way to modify RequestOptions.agent.options
            // we have to cast it to any and change it directly
            agent.options = Object.assign(agent.options || {}, {
                rejectUnauthorized: false
            });
        }
        return agent;
    }
    _getProxyAgentDispatcher(parsedUrl, proxyUrl) {
        let proxyAgent;
        if (this._keepAlive) {
            proxyAgent = this._proxyAgentDispatcher;
        }
        // if agent is already assigned use that agent.
        if (proxyAgent) {
            return proxyAgent;
        }
        const usingSsl = parsedUrl.protocol === 'https:';
        proxyAgent = new ProxyAgent(Object.assign({ uri: proxyUrl.href, pipelining: !this._keepAlive ? 0 : 1 }, ((proxyUrl.username || proxyUrl.password) && {
            token: `Basic ${Buffer.from(`${proxyUrl.username}:${proxyUrl.password}`).toString('base64')}`
        })));
        this._proxyAgentDispatcher = proxyAgent;
        if (usingSsl && this._ignoreSslError) {
            // we don't want to set NODE_TLS_REJECT_UNAUTHORIZED=0 since that will affect request for entire process
            // http.RequestOptions doesn't expose a way to modify RequestOptions.agent.options
            // we have to cast it to any and change it directly
            proxyAgent.options = Object.assign(proxyAgent.options.requestTls || {}, {
                rejectUnauthorized: false
            });
        }
        return proxyAgent;
    }
    _getUserAgentWithOrchestrationId(userAgent) {
        const baseUserAgent = userAgent || 'actions/http-client';
        const orchId = process.env['ACTIONS_ORCHESTRATION_ID'];
        if (orchId) {
            // Sanitize the orchestration ID to ensure it contains only valid characters
            // Valid characters: 0-9, a-z, _, -, .
            const sanitizedId = orchId.replace(/[^a-z0-9_.-]/gi, '_');
            return `${baseUserAgent} actions_orchestration_id/${sanitizedId}`;
        }
        return baseUserAgent;
    }
    _performExponentialBackoff(retryNumber) {
        return __awaiter(this, void 0, void 0, function* () {
            retryNumber = Math.min(ExponentialBackoffCeiling, retryNumber);
            const ms = ExponentialBackoffTimeSlice * Math.pow(2, retryNumber);
            return new Promise(resolve => setTimeout(() => resolve(), ms));
        });
    }
    _processResponse(res, options) {
        return __awaiter(this, void 0, void 0, function* () {
            return new Promise((resolve, reject) => __awaiter(this, void 0, void 0, function* () {
                const statusCode = res.message.statusCode || 0;
                const response = {
                    statusCode,
                    result: null,
                    headers: {}
                };
                // not found leads to null obj returned
                if (statusCode === HttpCodes.NotFound) {
                    resolve(response);
                }
                // get the result from the body
                function dateTimeDeserializer(key, value) {
                    if (typeof value === 'string') {
                        const a = new Date(value);
                        if (!isNaN(a.valueOf())) {
                            return a;
                        }
                    }
                    return value;
                }
                let obj;
                let contents;
                try {
                    contents = yield res.readBody();
                    if (contents && contents.length > 0) {
                        if (options && options.deserializeDates) {
                            obj = JSON.parse(contents, dateTimeDeserializer);
                        }
                        else {
                            obj = JSON.parse(contents);
                        }
                        response.result = obj;
                    }
                    response.headers = res.message.headers;
                }
                catch (err) {
                    // Invalid resource (contents not json);  leaving result obj null
                }
                // note that 3xx redirects are handled by the http layer.
                if (statusCode > 299) {
                    let msg;
                    // if exception/error in body, attempt to get better error
                    if (obj && obj.message) {
                        msg = obj.message;
                    }
                    else if (contents && contents.length > 0) {
                        // it may be the case that the exception is in the body message as string
                        msg = contents;
                    }
                    else {
                        msg = `Failed request: (${statusCode})`;
                    }
                    const err = new HttpClientError(msg, statusCode);
                    err.result = response.result;
                    reject(err);
                }
                else {
                    resolve(response);
                }
            }));
        });
    }
}
const lowercaseKeys = (obj) => Object.keys(obj).reduce((c, k) => ((c[k.toLowerCase()] = obj[k]), c), {});
//# sourceMappingURL=index.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/http-client/lib/auth.js
var auth_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
class BasicCredentialHandler {
    constructor(username, password) {
        this.username = username;
        this.password = password;
    }
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return auth_awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class BearerCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Bearer ${this.token}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return auth_awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
class PersonalAccessTokenCredentialHandler {
    constructor(token) {
        this.token = token;
    }
    // currently implements pre-authorization
    // TODO: support preAuth = false where it hooks on 401
    prepareRequest(options) {
        if (!options.headers) {
            throw Error('The request has no headers');
        }
        options.headers['Authorization'] = `Basic ${Buffer.from(`PAT:${this.token}`).toString('base64')}`;
    }
    // This handler cannot handle 401
    canHandleAuthentication() {
        return false;
    }
    handleAuthentication() {
        return auth_awaiter(this, void 0, void 0, function* () {
            throw new Error('not implemented');
        });
    }
}
//# sourceMappingURL=auth.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/oidc-utils.js
var oidc_utils_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



class OidcClient {
    static createHttpClient(allowRetry = true, maxRetry = 10) {
        const requestOptions = {
            allowRetries: allowRetry,
            maxRetries: maxRetry
        };
        return new HttpClient('actions/oidc-client', [new BearerCredentialHandler(OidcClient.getRequestToken())], requestOptions);
    }
    static getRequestToken() {
        const token = process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
        if (!token) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable');
        }
        return token;
    }
    static getIDTokenUrl() {
        const runtimeUrl = process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
        if (!runtimeUrl) {
            throw new Error('Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable');
        }
        return runtimeUrl;
    }
    static getCall(id_token_url) {
        return oidc_utils_awaiter(this, void 0, void 0, function* () {
            var _a;
            const httpclient = OidcClient.createHttpClient();
            const res = yield httpclient
                .getJson(id_token_url)
                .catch(error => {
                throw new Error(`Failed to get ID Token. \n 
        Error Code : ${error.statusCode}\n 
        Error Message: ${error.message}`);
            });
            const id_token = (_a = res.result) === null || _a === void 0 ? void 0 : _a.value;
            if (!id_token) {
                throw new Error('Response json body do not have ID Token field');
            }
            return id_token;
        });
    }
    static getIDToken(audience) {
        return oidc_utils_awaiter(this, void 0, void 0, function* () {
            try {
                // New ID Token is requested from action service
                let id_token_url = OidcClient.getIDTokenUrl();
                if (audience) {
                    const encodedAudience = encodeURIComponent(audience);
                    id_token_url = `${id_token_url}&audience=${encodedAudience}`;
                }
                debug(`ID token url is ${id_token_url}`);
                const id_token = yield OidcClient.getCall(id_token_url);
                setSecret(id_token);
                return id_token;
            }
            catch (error) {
                throw new Error(`Error message: ${error.message}`);
            }
        });
    }
}
//# sourceMappingURL=oidc-utils.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/summary.js
var summary_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { access, appendFile, writeFile } = external_fs_namespaceObject.promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
const SUMMARY_DOCS_URL = 'https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return summary_awaiter(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, external_fs_namespaceObject.constants.R_OK | external_fs_namespaceObject.constants.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return summary_awaiter(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return summary_awaiter(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(external_os_namespaceObject.EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
/**
 * @deprecated use `core.summary`
 */
const markdownSummary = _summary;
const summary = _summary;
//# sourceMappingURL=summary.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/path-utils.js

/**
 * toPosixPath converts the given path to the posix form. On Windows, \\ will be
 * replaced with /.
 *
 * @param pth. Path to transform.
 * @return string Posix path.
 */
function toPosixPath(pth) {
    return pth.replace(/[\\]/g, '/');
}
/**
 * toWin32Path converts the given path to the win32 form. On Linux, / will be
 * replaced with \\.
 *
 * @param pth. Path to transform.
 * @return string Win32 path.
 */
function toWin32Path(pth) {
    return pth.replace(/[/]/g, '\\');
}
/**
 * toPlatformPath converts the given path to a platform-specific path. It does
 * this by replacing instances of / and \ with the platform-specific path
 * separator.
 *
 * @param pth The path to platformize.
 * @return string The platform-specific path.
 */
function toPlatformPath(pth) {
    return pth.replace(/[/\\]/g, external_path_namespaceObject.sep);
}
//# sourceMappingURL=path-utils.js.map
;// CONCATENATED MODULE: external "string_decoder"
const external_string_decoder_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");
;// CONCATENATED MODULE: external "events"
const external_events_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");
;// CONCATENATED MODULE: external "child_process"
const external_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");
;// CONCATENATED MODULE: external "assert"
const external_assert_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io-util.js
var io_util_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { chmod, copyFile, lstat, mkdir, open: io_util_open, readdir, rename, rm, rmdir, stat, symlink, unlink } = external_fs_namespaceObject.promises;
// export const {open} = 'fs'
const IS_WINDOWS = process.platform === 'win32';
/**
 * Custom implementation of readlink to ensure Windows junctions
 * maintain trailing backslash for backward compatibility with Node.js < 24
 *
 * In Node.js 20, Windows junctions (directory symlinks) always returned paths
 * with trailing backslashes. Node.js 24 removed this behavior, which breaks
 * code that relied on this format for path operations.
 *
 * This implementation restores the Node 20 behavior by adding a trailing
 * backslash to all junction results on Windows.
 */
function readlink(fsPath) {
    return io_util_awaiter(this, void 0, void 0, function* () {
        const result = yield fs.promises.readlink(fsPath);
        // On Windows, restore Node 20 behavior: add trailing backslash to all results
        // since junctions on Windows are always directory links
        if (IS_WINDOWS && !result.endsWith('\\')) {
            return `${result}\\`;
        }
        return result;
    });
}
// See https://github.com/nodejs/node/blob/d0153aee367422d0858105abec186da4dff0a0c5/deps/uv/include/uv/win.h#L691
const UV_FS_O_EXLOCK = 0x10000000;
const READONLY = external_fs_namespaceObject.constants.O_RDONLY;
function exists(fsPath) {
    return io_util_awaiter(this, void 0, void 0, function* () {
        try {
            yield stat(fsPath);
        }
        catch (err) {
            if (err.code === 'ENOENT') {
                return false;
            }
            throw err;
        }
        return true;
    });
}
function isDirectory(fsPath_1) {
    return io_util_awaiter(this, arguments, void 0, function* (fsPath, useStat = false) {
        const stats = useStat ? yield stat(fsPath) : yield lstat(fsPath);
        return stats.isDirectory();
    });
}
/**
 * On OSX/Linux, true if path starts with '/'. On Windows, true for paths like:
 * \, \hello, \\hello\share, C:, and C:\hello (and corresponding alternate separator cases).
 */
function isRooted(p) {
    p = normalizeSeparators(p);
    if (!p) {
        throw new Error('isRooted() parameter "p" cannot be empty');
    }
    if (IS_WINDOWS) {
        return (p.startsWith('\\') || /^[A-Z]:/i.test(p) // e.g. \ or \hello or \\hello
        ); // e.g. C: or C:\hello
    }
    return p.startsWith('/');
}
/**
 * Best effort attempt to determine whether a file exists and is executable.
 * @param filePath    file path to check
 * @param extensions  additional file extensions to try
 * @return if file exists and is executable, returns the file path. otherwise empty string.
 */
function tryGetExecutablePath(filePath, extensions) {
    return io_util_awaiter(this, void 0, void 0, function* () {
        let stats = undefined;
        try {
            // test file exists
            stats = yield stat(filePath);
        }
        catch (err) {
            if (err.code !== 'ENOENT') {
                // eslint-disable-next-line no-console
                console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
            }
        }
        if (stats && stats.isFile()) {
            if (IS_WINDOWS) {
                // on Windows, test for valid extension
                const upperExt = external_path_namespaceObject.extname(filePath).toUpperCase();
                if (extensions.some(validExt => validExt.toUpperCase() === upperExt)) {
                    return filePath;
                }
            }
            else {
                if (isUnixExecutable(stats)) {
                    return filePath;
                }
            }
        }
        // try each extension
        const originalFilePath = filePath;
        for (const extension of extensions) {
            filePath = originalFilePath + extension;
            stats = undefined;
            try {
                stats = yield stat(filePath);
            }
            catch (err) {
                if (err.code !== 'ENOENT') {
                    // eslint-disable-next-line no-console
                    console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
                }
            }
            if (stats && stats.isFile()) {
                if (IS_WINDOWS) {
                    // preserve the case of the actual file (since an extension was appended)
                    try {
                        const directory = external_path_namespaceObject.dirname(filePath);
                        const upperName = external_path_namespaceObject.basename(filePath).toUpperCase();
                        for (const actualName of yield readdir(directory)) {
                            if (upperName === actualName.toUpperCase()) {
                                filePath = external_path_namespaceObject.join(directory, actualName);
                                break;
                            }
                        }
                    }
                    catch (err) {
                        // eslint-disable-next-line no-console
                        console.log(`Unexpected error attempting to determine the actual case of the file '${filePath}': ${err}`);
                    }
                    return filePath;
                }
                else {
                    if (isUnixExecutable(stats)) {
                        return filePath;
                    }
                }
            }
        }
        return '';
    });
}
function normalizeSeparators(p) {
    p = p || '';
    if (IS_WINDOWS) {
        // convert slashes on Windows
        p = p.replace(/\//g, '\\');
        // remove redundant slashes
        return p.replace(/\\\\+/g, '\\');
    }
    // remove redundant slashes
    return p.replace(/\/\/+/g, '/');
}
// on Mac/Linux, test the execute bit
//     R   W  X  R  W X R W X
//   256 128 64 32 16 8 4 2 1
function isUnixExecutable(stats) {
    return ((stats.mode & 1) > 0 ||
        ((stats.mode & 8) > 0 &&
            process.getgid !== undefined &&
            stats.gid === process.getgid()) ||
        ((stats.mode & 64) > 0 &&
            process.getuid !== undefined &&
            stats.uid === process.getuid()));
}
// Get the path of cmd.exe in windows
function getCmdPath() {
    var _a;
    return (_a = process.env['COMSPEC']) !== null && _a !== void 0 ? _a : `cmd.exe`;
}
//# sourceMappingURL=io-util.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io.js
var io_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



/**
 * Copies a file or folder.
 * Based off of shelljs - https://github.com/shelljs/shelljs/blob/9237f66c52e5daa40458f94f9565e18e8132f5a6/src/cp.js
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See CopyOptions.
 */
function cp(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        const { force, recursive, copySourceDirectory } = readCopyOptions(options);
        const destStat = (yield ioUtil.exists(dest)) ? yield ioUtil.stat(dest) : null;
        // Dest is an existing file, but not forcing
        if (destStat && destStat.isFile() && !force) {
            return;
        }
        // If dest is an existing directory, should copy inside.
        const newDest = destStat && destStat.isDirectory() && copySourceDirectory
            ? path.join(dest, path.basename(source))
            : dest;
        if (!(yield ioUtil.exists(source))) {
            throw new Error(`no such file or directory: ${source}`);
        }
        const sourceStat = yield ioUtil.stat(source);
        if (sourceStat.isDirectory()) {
            if (!recursive) {
                throw new Error(`Failed to copy. ${source} is a directory, but tried to copy without recursive flag.`);
            }
            else {
                yield cpDirRecursive(source, newDest, 0, force);
            }
        }
        else {
            if (path.relative(source, newDest) === '') {
                // a file cannot be copied to itself
                throw new Error(`'${newDest}' and '${source}' are the same file`);
            }
            yield io_copyFile(source, newDest, force);
        }
    });
}
/**
 * Moves a path.
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See MoveOptions.
 */
function mv(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        if (yield ioUtil.exists(dest)) {
            let destExists = true;
            if (yield ioUtil.isDirectory(dest)) {
                // If dest is directory copy src into dest
                dest = path.join(dest, path.basename(source));
                destExists = yield ioUtil.exists(dest);
            }
            if (destExists) {
                if (options.force == null || options.force) {
                    yield rmRF(dest);
                }
                else {
                    throw new Error('Destination already exists');
                }
            }
        }
        yield mkdirP(path.dirname(dest));
        yield ioUtil.rename(source, dest);
    });
}
/**
 * Remove a path recursively with force
 *
 * @param inputPath path to remove
 */
function rmRF(inputPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (ioUtil.IS_WINDOWS) {
            // Check for invalid characters
            // https://docs.microsoft.com/en-us/windows/win32/fileio/naming-a-file
            if (/[*"<>|]/.test(inputPath)) {
                throw new Error('File path must not contain `*`, `"`, `<`, `>` or `|` on Windows');
            }
        }
        try {
            // note if path does not exist, error is silent
            yield ioUtil.rm(inputPath, {
                force: true,
                maxRetries: 3,
                recursive: true,
                retryDelay: 300
            });
        }
        catch (err) {
            throw new Error(`File was unable to be removed ${err}`);
        }
    });
}
/**
 * Make a directory.  Creates the full path with folders in between
 * Will throw if it fails
 *
 * @param   fsPath        path to create
 * @returns Promise<void>
 */
function mkdirP(fsPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        ok(fsPath, 'a path argument must be provided');
        yield ioUtil.mkdir(fsPath, { recursive: true });
    });
}
/**
 * Returns path of a tool had the tool actually been invoked.  Resolves via paths.
 * If you check and the tool does not exist, it will throw.
 *
 * @param     tool              name of the tool
 * @param     check             whether to check if tool exists
 * @returns   Promise<string>   path to tool
 */
function which(tool, check) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // recursive when check=true
        if (check) {
            const result = yield which(tool, false);
            if (!result) {
                if (IS_WINDOWS) {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also verify the file has a valid extension for an executable file.`);
                }
                else {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`);
                }
            }
            return result;
        }
        const matches = yield findInPath(tool);
        if (matches && matches.length > 0) {
            return matches[0];
        }
        return '';
    });
}
/**
 * Returns a list of all occurrences of the given tool on the system path.
 *
 * @returns   Promise<string[]>  the paths of the tool
 */
function findInPath(tool) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // build the list of extensions to try
        const extensions = [];
        if (IS_WINDOWS && process.env['PATHEXT']) {
            for (const extension of process.env['PATHEXT'].split(external_path_namespaceObject.delimiter)) {
                if (extension) {
                    extensions.push(extension);
                }
            }
        }
        // if it's rooted, return it if exists. otherwise return empty.
        if (isRooted(tool)) {
            const filePath = yield tryGetExecutablePath(tool, extensions);
            if (filePath) {
                return [filePath];
            }
            return [];
        }
        // if any path separators, return empty
        if (tool.includes(external_path_namespaceObject.sep)) {
            return [];
        }
        // build the list of directories
        //
        // Note, technically "where" checks the current directory on Windows. From a toolkit perspective,
        // it feels like we should not do this. Checking the current directory seems like more of a use
        // case of a shell, and the which() function exposed by the toolkit should strive for consistency
        // across platforms.
        const directories = [];
        if (process.env.PATH) {
            for (const p of process.env.PATH.split(external_path_namespaceObject.delimiter)) {
                if (p) {
                    directories.push(p);
                }
            }
        }
        // find all matches
        const matches = [];
        for (const directory of directories) {
            const filePath = yield tryGetExecutablePath(external_path_namespaceObject.join(directory, tool), extensions);
            if (filePath) {
                matches.push(filePath);
            }
        }
        return matches;
    });
}
function readCopyOptions(options) {
    const force = options.force == null ? true : options.force;
    const recursive = Boolean(options.recursive);
    const copySourceDirectory = options.copySourceDirectory == null
        ? true
        : Boolean(options.copySourceDirectory);
    return { force, recursive, copySourceDirectory };
}
function cpDirRecursive(sourceDir, destDir, currentDepth, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        // Ensure there is not a run away recursive copy
        if (currentDepth >= 255)
            return;
        currentDepth++;
        yield mkdirP(destDir);
        const files = yield ioUtil.readdir(sourceDir);
        for (const fileName of files) {
            const srcFile = `${sourceDir}/${fileName}`;
            const destFile = `${destDir}/${fileName}`;
            const srcFileStat = yield ioUtil.lstat(srcFile);
            if (srcFileStat.isDirectory()) {
                // Recurse
                yield cpDirRecursive(srcFile, destFile, currentDepth, force);
            }
            else {
                yield io_copyFile(srcFile, destFile, force);
            }
        }
        // Change the mode for the newly created directory
        yield ioUtil.chmod(destDir, (yield ioUtil.stat(sourceDir)).mode);
    });
}
// Buffered file copy
function io_copyFile(srcFile, destFile, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        if ((yield ioUtil.lstat(srcFile)).isSymbolicLink()) {
            // unlink/re-link it
            try {
                yield ioUtil.lstat(destFile);
                yield ioUtil.unlink(destFile);
            }
            catch (e) {
                // Try to override file permission
                if (e.code === 'EPERM') {
                    yield ioUtil.chmod(destFile, '0666');
                    yield ioUtil.unlink(destFile);
                }
                // other errors = it doesn't exist, no work to do
            }
            // Copy over symlink
            const symlinkFull = yield ioUtil.readlink(srcFile);
            yield ioUtil.symlink(symlinkFull, destFile, ioUtil.IS_WINDOWS ? 'junction' : null);
        }
        else if (!(yield ioUtil.exists(destFile)) || force) {
            yield ioUtil.copyFile(srcFile, destFile);
        }
    });
}
//# sourceMappingURL=io.js.map
;// CONCATENATED MODULE: external "timers"
const external_timers_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/toolrunner.js
var toolrunner_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};







/* eslint-disable @typescript-eslint/unbound-method */
const toolrunner_IS_WINDOWS = process.platform === 'win32';
/*
 * Class for running command line tools. Handles quoting and arg parsing in a platform agnostic way.
 */
class ToolRunner extends external_events_namespaceObject.EventEmitter {
    constructor(toolPath, args, options) {
        super();
        if (!toolPath) {
            throw new Error("Parameter 'toolPath' cannot be null or empty.");
        }
        this.toolPath = toolPath;
        this.args = args || [];
        this.options = options || {};
    }
    _debug(message) {
        if (this.options.listeners && this.options.listeners.debug) {
            this.options.listeners.debug(message);
        }
    }
    _getCommandString(options, noPrefix) {
        const toolPath = this._getSpawnFileName();
        const args = this._getSpawnArgs(options);
        let cmd = noPrefix ? '' : '[command]'; // omit prefix when piped to a second tool
        if (toolrunner_IS_WINDOWS) {
            // Windows + cmd file
            if (this._isCmdFile()) {
                cmd += toolPath;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows + verbatim
            else if (options.windowsVerbatimArguments) {
                cmd += `"${toolPath}"`;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows (regular)
            else {
                cmd += this._windowsQuoteCmdArg(toolPath);
                for (const a of args) {
                    cmd += ` ${this._windowsQuoteCmdArg(a)}`;
                }
            }
        }
        else {
            // OSX/Linux - this can likely be improved with some form of quoting.
            // creating processes on Unix is fundamentally different than Windows.
            // on Unix, execvp() takes an arg array.
            cmd += toolPath;
            for (const a of args) {
                cmd += ` ${a}`;
            }
        }
        return cmd;
    }
    _processLineBuffer(data, strBuffer, onLine) {
        try {
            let s = strBuffer + data.toString();
            let n = s.indexOf(external_os_namespaceObject.EOL);
            while (n > -1) {
                const line = s.substring(0, n);
                onLine(line);
                // the rest of the string ...
                s = s.substring(n + external_os_namespaceObject.EOL.length);
                n = s.indexOf(external_os_namespaceObject.EOL);
            }
            return s;
        }
        catch (err) {
            // streaming lines to console is best effort.  Don't fail a build.
            this._debug(`error processing line. Failed with error ${err}`);
            return '';
        }
    }
    _getSpawnFileName() {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                return process.env['COMSPEC'] || 'cmd.exe';
            }
        }
        return this.toolPath;
    }
    _getSpawnArgs(options) {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                let argline = `/D /S /C "${this._windowsQuoteCmdArg(this.toolPath)}`;
                for (const a of this.args) {
                    argline += ' ';
                    argline += options.windowsVerbatimArguments
                        ? a
                        : this._windowsQuoteCmdArg(a);
                }
                argline += '"';
                return [argline];
            }
        }
        return this.args;
    }
    _endsWith(str, end) {
        return str.endsWith(end);
    }
    _isCmdFile() {
        const upperToolPath = this.toolPath.toUpperCase();
        return (this._endsWith(upperToolPath, '.CMD') ||
            this._endsWith(upperToolPath, '.BAT'));
    }
    _windowsQuoteCmdArg(arg) {
        // for .exe, apply the normal quoting rules that libuv applies
        if (!this._isCmdFile()) {
            return this._uvQuoteCmdArg(arg);
        }
        // otherwise apply quoting rules specific to the cmd.exe command line parser.
        // the libuv rules are generic and are not designed specifically for cmd.exe
        // command line parser.
        //
        // for a detailed description of the cmd.exe command line parser, refer to
        // http://stackoverflow.com/questions/4094699/how-does-the-windows-command-interpreter-cmd-exe-parse-scripts/7970912#7970912
        // need quotes for empty arg
        if (!arg) {
            return '""';
        }
        // determine whether the arg needs to be quoted
        const cmdSpecialChars = [
            ' ',
            '\t',
            '&',
            '(',
            ')',
            '[',
            ']',
            '{',
            '}',
            '^',
            '=',
            ';',
            '!',
            "'",
            '+',
            ',',
            '`',
            '~',
            '|',
            '<',
            '>',
            '"'
        ];
        let needsQuotes = false;
        for (const char of arg) {
            if (cmdSpecialChars.some(x => x === char)) {
                needsQuotes = true;
                break;
            }
        }
        // short-circuit if quotes not needed
        if (!needsQuotes) {
            return arg;
        }
        // the following quoting rules are very similar to the rules that by libuv applies.
        //
        // 1) wrap the string in quotes
        //
        // 2) double-up quotes - i.e. " => ""
        //
        //    this is different from the libuv quoting rules. libuv replaces " with \", which unfortunately
        //    doesn't work well with a cmd.exe command line.
        //
        //    note, replacing " with "" also works well if the arg is passed to a downstream .NET console app.
        //    for example, the command line:
        //          foo.exe "myarg:""my val"""
        //    is parsed by a .NET console app into an arg array:
        //          [ "myarg:\"my val\"" ]
        //    which is the same end result when applying libuv quoting rules. although the actual
        //    command line from libuv quoting rules would look like:
        //          foo.exe "myarg:\"my val\""
        //
        // 3) double-up slashes that precede a quote,
        //    e.g.  hello \world    => "hello \world"
        //          hello\"world    => "hello\\""world"
        //          hello\\"world   => "hello\\\\""world"
        //          hello world\    => "hello world\\"
        //
        //    technically this is not required for a cmd.exe command line, or the batch argument parser.
        //    the reasons for including this as a .cmd quoting rule are:
        //
        //    a) this is optimized for the scenario where the argument is passed from the .cmd file to an
        //       external program. many programs (e.g. .NET console apps) rely on the slash-doubling rule.
        //
        //    b) it's what we've been doing previously (by deferring to node default behavior) and we
        //       haven't heard any complaints about that aspect.
        //
        // note, a weakness of the quoting rules chosen here, is that % is not escaped. in fact, % cannot be
        // escaped when used on the command line directly - even though within a .cmd file % can be escaped
        // by using %%.
        //
        // the saving grace is, on the command line, %var% is left as-is if var is not defined. this contrasts
        // the line parsing rules within a .cmd file, where if var is not defined it is replaced with nothing.
        //
        // one option that was explored was replacing % with ^% - i.e. %var% => ^%var^%. this hack would
        // often work, since it is unlikely that var^ would exist, and the ^ character is removed when the
        // variable is used. the problem, however, is that ^ is not removed when %* is used to pass the args
        // to an external program.
        //
        // an unexplored potential solution for the % escaping problem, is to create a wrapper .cmd file.
        // % can be escaped within a .cmd file.
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\'; // double the slash
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '"'; // double the quote
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _uvQuoteCmdArg(arg) {
        // Tool runner wraps child_process.spawn() and needs to apply the same quoting as
        // Node in certain cases where the undocumented spawn option windowsVerbatimArguments
        // is used.
        //
        // Since this function is a port of quote_cmd_arg from Node 4.x (technically, lib UV,
        // see https://github.com/nodejs/node/blob/v4.x/deps/uv/src/win/process.c for details),
        // pasting copyright notice from Node within this function:
        //
        //      Copyright Joyent, Inc. and other Node contributors. All rights reserved.
        //
        //      Permission is hereby granted, free of charge, to any person obtaining a copy
        //      of this software and associated documentation files (the "Software"), to
        //      deal in the Software without restriction, including without limitation the
        //      rights to use, copy, modify, merge, publish, distribute, sublicense, and/or
        //      sell copies of the Software, and to permit persons to whom the Software is
        //      furnished to do so, subject to the following conditions:
        //
        //      The above copyright notice and this permission notice shall be included in
        //      all copies or substantial portions of the Software.
        //
        //      THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        //      IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        //      FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        //      AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        //      LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
        //      FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
        //      IN THE SOFTWARE.
        if (!arg) {
            // Need double quotation for empty argument
            return '""';
        }
        if (!arg.includes(' ') && !arg.includes('\t') && !arg.includes('"')) {
            // No quotation needed
            return arg;
        }
        if (!arg.includes('"') && !arg.includes('\\')) {
            // No embedded double quotes or backslashes, so I can just wrap
            // quote marks around the whole thing.
            return `"${arg}"`;
        }
        // Expected input/output:
        //   input : hello"world
        //   output: "hello\"world"
        //   input : hello""world
        //   output: "hello\"\"world"
        //   input : hello\world
        //   output: hello\world
        //   input : hello\\world
        //   output: hello\\world
        //   input : hello\"world
        //   output: "hello\\\"world"
        //   input : hello\\"world
        //   output: "hello\\\\\"world"
        //   input : hello world\
        //   output: "hello world\\" - note the comment in libuv actually reads "hello world\"
        //                             but it appears the comment is wrong, it should be "hello world\\"
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\';
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '\\';
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _cloneExecOptions(options) {
        options = options || {};
        const result = {
            cwd: options.cwd || process.cwd(),
            env: options.env || process.env,
            silent: options.silent || false,
            windowsVerbatimArguments: options.windowsVerbatimArguments || false,
            failOnStdErr: options.failOnStdErr || false,
            ignoreReturnCode: options.ignoreReturnCode || false,
            delay: options.delay || 10000
        };
        result.outStream = options.outStream || process.stdout;
        result.errStream = options.errStream || process.stderr;
        return result;
    }
    _getSpawnOptions(options, toolPath) {
        options = options || {};
        const result = {};
        result.cwd = options.cwd;
        result.env = options.env;
        result['windowsVerbatimArguments'] =
            options.windowsVerbatimArguments || this._isCmdFile();
        if (options.windowsVerbatimArguments) {
            result.argv0 = `"${toolPath}"`;
        }
        return result;
    }
    /**
     * Exec a tool.
     * Output will be streamed to the live console.
     * Returns promise with return code
     *
     * @param     tool     path to tool to exec
     * @param     options  optional exec options.  See ExecOptions
     * @returns   number
     */
    exec() {
        return toolrunner_awaiter(this, void 0, void 0, function* () {
            // root the tool path if it is unrooted and contains relative pathing
            if (!isRooted(this.toolPath) &&
                (this.toolPath.includes('/') ||
                    (toolrunner_IS_WINDOWS && this.toolPath.includes('\\')))) {
                // prefer options.cwd if it is specified, however options.cwd may also need to be rooted
                this.toolPath = external_path_namespaceObject.resolve(process.cwd(), this.options.cwd || process.cwd(), this.toolPath);
            }
            // if the tool is only a file name, then resolve it from the PATH
            // otherwise verify it exists (add extension on Windows if necessary)
            this.toolPath = yield which(this.toolPath, true);
            return new Promise((resolve, reject) => toolrunner_awaiter(this, void 0, void 0, function* () {
                this._debug(`exec tool: ${this.toolPath}`);
                this._debug('arguments:');
                for (const arg of this.args) {
                    this._debug(`   ${arg}`);
                }
                const optionsNonNull = this._cloneExecOptions(this.options);
                if (!optionsNonNull.silent && optionsNonNull.outStream) {
                    optionsNonNull.outStream.write(this._getCommandString(optionsNonNull) + external_os_namespaceObject.EOL);
                }
                const state = new ExecState(optionsNonNull, this.toolPath);
                state.on('debug', (message) => {
                    this._debug(message);
                });
                if (this.options.cwd && !(yield exists(this.options.cwd))) {
                    return reject(new Error(`The cwd: ${this.options.cwd} does not exist!`));
                }
                const fileName = this._getSpawnFileName();
                const cp = external_child_process_namespaceObject.spawn(fileName, this._getSpawnArgs(optionsNonNull), this._getSpawnOptions(this.options, fileName));
                let stdbuffer = '';
                if (cp.stdout) {
                    cp.stdout.on('data', (data) => {
                        if (this.options.listeners && this.options.listeners.stdout) {
                            this.options.listeners.stdout(data);
                        }
                        if (!optionsNonNull.silent && optionsNonNull.outStream) {
                            optionsNonNull.outStream.write(data);
                        }
                        stdbuffer = this._processLineBuffer(data, stdbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.stdline) {
                                this.options.listeners.stdline(line);
                            }
                        });
                    });
                }
                let errbuffer = '';
                if (cp.stderr) {
                    cp.stderr.on('data', (data) => {
                        state.processStderr = true;
                        if (this.options.listeners && this.options.listeners.stderr) {
                            this.options.listeners.stderr(data);
                        }
                        if (!optionsNonNull.silent &&
                            optionsNonNull.errStream &&
                            optionsNonNull.outStream) {
                            const s = optionsNonNull.failOnStdErr
                                ? optionsNonNull.errStream
                                : optionsNonNull.outStream;
                            s.write(data);
                        }
                        errbuffer = this._processLineBuffer(data, errbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.errline) {
                                this.options.listeners.errline(line);
                            }
                        });
                    });
                }
                cp.on('error', (err) => {
                    state.processError = err.message;
                    state.processExited = true;
                    state.processClosed = true;
                    state.CheckComplete();
                });
                cp.on('exit', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    this._debug(`Exit code ${code} received from tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                cp.on('close', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    state.processClosed = true;
                    this._debug(`STDIO streams have closed for tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                state.on('done', (error, exitCode) => {
                    if (stdbuffer.length > 0) {
                        this.emit('stdline', stdbuffer);
                    }
                    if (errbuffer.length > 0) {
                        this.emit('errline', errbuffer);
                    }
                    cp.removeAllListeners();
                    if (error) {
                        reject(error);
                    }
                    else {
                        resolve(exitCode);
                    }
                });
                if (this.options.input) {
                    if (!cp.stdin) {
                        throw new Error('child process missing stdin');
                    }
                    cp.stdin.end(this.options.input);
                }
            }));
        });
    }
}
/**
 * Convert an arg string to an array of args. Handles escaping
 *
 * @param    argString   string of arguments
 * @returns  string[]    array of arguments
 */
function argStringToArray(argString) {
    const args = [];
    let inQuotes = false;
    let escaped = false;
    let arg = '';
    function append(c) {
        // we only escape double quotes.
        if (escaped && c !== '"') {
            arg += '\\';
        }
        arg += c;
        escaped = false;
    }
    for (let i = 0; i < argString.length; i++) {
        const c = argString.charAt(i);
        if (c === '"') {
            if (!escaped) {
                inQuotes = !inQuotes;
            }
            else {
                append(c);
            }
            continue;
        }
        if (c === '\\' && escaped) {
            append(c);
            continue;
        }
        if (c === '\\' && inQuotes) {
            escaped = true;
            continue;
        }
        if (c === ' ' && !inQuotes) {
            if (arg.length > 0) {
                args.push(arg);
                arg = '';
            }
            continue;
        }
        append(c);
    }
    if (arg.length > 0) {
        args.push(arg.trim());
    }
    return args;
}
class ExecState extends external_events_namespaceObject.EventEmitter {
    constructor(options, toolPath) {
        super();
        this.processClosed = false; // tracks whether the process has exited and stdio is closed
        this.processError = '';
        this.processExitCode = 0;
        this.processExited = false; // tracks whether the process has exited
        this.processStderr = false; // tracks whether stderr was written to
        this.delay = 10000; // 10 seconds
        this.done = false;
        this.timeout = null;
        if (!toolPath) {
            throw new Error('toolPath must not be empty');
        }
        this.options = options;
        this.toolPath = toolPath;
        if (options.delay) {
            this.delay = options.delay;
        }
    }
    CheckComplete() {
        if (this.done) {
            return;
        }
        if (this.processClosed) {
            this._setResult();
        }
        else if (this.processExited) {
            this.timeout = (0,external_timers_namespaceObject.setTimeout)(ExecState.HandleTimeout, this.delay, this);
        }
    }
    _debug(message) {
        this.emit('debug', message);
    }
    _setResult() {
        // determine whether there is an error
        let error;
        if (this.processExited) {
            if (this.processError) {
                error = new Error(`There was an error when attempting to execute the process '${this.toolPath}'. This may indicate the process failed to start. Error: ${this.processError}`);
            }
            else if (this.processExitCode !== 0 && !this.options.ignoreReturnCode) {
                error = new Error(`The process '${this.toolPath}' failed with exit code ${this.processExitCode}`);
            }
            else if (this.processStderr && this.options.failOnStdErr) {
                error = new Error(`The process '${this.toolPath}' failed because one or more lines were written to the STDERR stream`);
            }
        }
        // clear the timeout
        if (this.timeout) {
            clearTimeout(this.timeout);
            this.timeout = null;
        }
        this.done = true;
        this.emit('done', error, this.processExitCode);
    }
    static HandleTimeout(state) {
        if (state.done) {
            return;
        }
        if (!state.processClosed && state.processExited) {
            const message = `The STDIO streams did not close within ${state.delay / 1000} seconds of the exit event from process '${state.toolPath}'. This may indicate a child process inherited the STDIO streams and has not yet exited.`;
            state._debug(message);
        }
        state._setResult();
    }
}
//# sourceMappingURL=toolrunner.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/exec.js
var exec_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


/**
 * Exec a command.
 * Output will be streamed to the live console.
 * Returns promise with return code
 *
 * @param     commandLine        command to execute (can include additional args). Must be correctly escaped.
 * @param     args               optional arguments for tool. Escaping is handled by the lib.
 * @param     options            optional exec options.  See ExecOptions
 * @returns   Promise<number>    exit code
 */
function exec(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        const commandArgs = argStringToArray(commandLine);
        if (commandArgs.length === 0) {
            throw new Error(`Parameter 'commandLine' cannot be null or empty.`);
        }
        // Path to tool to execute should be first arg
        const toolPath = commandArgs[0];
        args = commandArgs.slice(1).concat(args || []);
        const runner = new ToolRunner(toolPath, args, options);
        return runner.exec();
    });
}
/**
 * Exec a command and get the output.
 * Output will be streamed to the live console.
 * Returns promise with the exit code and collected stdout and stderr
 *
 * @param     commandLine           command to execute (can include additional args). Must be correctly escaped.
 * @param     args                  optional arguments for tool. Escaping is handled by the lib.
 * @param     options               optional exec options.  See ExecOptions
 * @returns   Promise<ExecOutput>   exit code, stdout, and stderr
 */
function getExecOutput(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        var _a, _b;
        let stdout = '';
        let stderr = '';
        //Using string decoder covers the case where a mult-byte character is split
        const stdoutDecoder = new external_string_decoder_namespaceObject.StringDecoder('utf8');
        const stderrDecoder = new external_string_decoder_namespaceObject.StringDecoder('utf8');
        const originalStdoutListener = (_a = options === null || options === void 0 ? void 0 : options.listeners) === null || _a === void 0 ? void 0 : _a.stdout;
        const originalStdErrListener = (_b = options === null || options === void 0 ? void 0 : options.listeners) === null || _b === void 0 ? void 0 : _b.stderr;
        const stdErrListener = (data) => {
            stderr += stderrDecoder.write(data);
            if (originalStdErrListener) {
                originalStdErrListener(data);
            }
        };
        const stdOutListener = (data) => {
            stdout += stdoutDecoder.write(data);
            if (originalStdoutListener) {
                originalStdoutListener(data);
            }
        };
        const listeners = Object.assign(Object.assign({}, options === null || options === void 0 ? void 0 : options.listeners), { stdout: stdOutListener, stderr: stdErrListener });
        const exitCode = yield exec(commandLine, args, Object.assign(Object.assign({}, options), { listeners }));
        //flush any remaining characters
        stdout += stdoutDecoder.end();
        stderr += stderrDecoder.end();
        return {
            exitCode,
            stdout,
            stderr
        };
    });
}
//# sourceMappingURL=exec.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/platform.js
var platform_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const getWindowsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout: version } = yield getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Version"', undefined, {
        silent: true
    });
    const { stdout: name } = yield getExecOutput('powershell -command "(Get-CimInstance -ClassName Win32_OperatingSystem).Caption"', undefined, {
        silent: true
    });
    return {
        name: name.trim(),
        version: version.trim()
    };
});
const getMacOsInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    var _a, _b, _c, _d;
    const { stdout } = yield getExecOutput('sw_vers', undefined, {
        silent: true
    });
    const version = (_b = (_a = stdout.match(/ProductVersion:\s*(.+)/)) === null || _a === void 0 ? void 0 : _a[1]) !== null && _b !== void 0 ? _b : '';
    const name = (_d = (_c = stdout.match(/ProductName:\s*(.+)/)) === null || _c === void 0 ? void 0 : _c[1]) !== null && _d !== void 0 ? _d : '';
    return {
        name,
        version
    };
});
const getLinuxInfo = () => platform_awaiter(void 0, void 0, void 0, function* () {
    const { stdout } = yield getExecOutput('lsb_release', ['-i', '-r', '-s'], {
        silent: true
    });
    const [name, version] = stdout.trim().split('\n');
    return {
        name,
        version
    };
});
const platform = external_os_namespaceObject.platform();
const arch = external_os_namespaceObject.arch();
const isWindows = platform === 'win32';
const isMacOS = platform === 'darwin';
const isLinux = platform === 'linux';
function getDetails() {
    return platform_awaiter(this, void 0, void 0, function* () {
        return Object.assign(Object.assign({}, (yield (isWindows
            ? getWindowsInfo()
            : isMacOS
                ? getMacOsInfo()
                : getLinuxInfo()))), { platform,
            arch,
            isWindows,
            isMacOS,
            isLinux });
    });
}
//# sourceMappingURL=platform.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/core.js
var core_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};






/**
 * The code to exit an action
 */
var ExitCode;
(function (ExitCode) {
    /**
     * A code indicating that the action was successful
     */
    ExitCode[ExitCode["Success"] = 0] = "Success";
    /**
     * A code indicating that the action was a failure
     */
    ExitCode[ExitCode["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
//-----------------------------------------------------------------------
// Variables
//-----------------------------------------------------------------------
/**
 * Sets env variable for this action and future actions in the job
 * @param name the name of the variable to set
 * @param val the value of the variable. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function exportVariable(name, val) {
    const convertedVal = toCommandValue(val);
    process.env[name] = convertedVal;
    const filePath = process.env['GITHUB_ENV'] || '';
    if (filePath) {
        return issueFileCommand('ENV', prepareKeyValueMessage(name, val));
    }
    issueCommand('set-env', { name }, convertedVal);
}
/**
 * Registers a secret which will get masked from logs
 *
 * @param secret - Value of the secret to be masked
 * @remarks
 * This function instructs the Actions runner to mask the specified value in any
 * logs produced during the workflow run. Once registered, the secret value will
 * be replaced with asterisks (***) whenever it appears in console output, logs,
 * or error messages.
 *
 * This is useful for protecting sensitive information such as:
 * - API keys
 * - Access tokens
 * - Authentication credentials
 * - URL parameters containing signatures (SAS tokens)
 *
 * Note that masking only affects future logs; any previous appearances of the
 * secret in logs before calling this function will remain unmasked.
 *
 * @example
 * ```typescript
 * // Register an API token as a secret
 * const apiToken = "abc123xyz456";
 * setSecret(apiToken);
 *
 * // Now any logs containing this value will show *** instead
 * console.log(`Using token: ${apiToken}`); // Outputs: "Using token: ***"
 * ```
 */
function setSecret(secret) {
    issueCommand('add-mask', {}, secret);
}
/**
 * Prepends inputPath to the PATH (for this action and future actions)
 * @param inputPath
 */
function addPath(inputPath) {
    const filePath = process.env['GITHUB_PATH'] || '';
    if (filePath) {
        issueFileCommand('PATH', inputPath);
    }
    else {
        issueCommand('add-path', {}, inputPath);
    }
    process.env['PATH'] = `${inputPath}${external_path_namespaceObject.delimiter}${process.env['PATH']}`;
}
/**
 * Gets the value of an input.
 * Unless trimWhitespace is set to false in InputOptions, the value is also trimmed.
 * Returns an empty string if the value is not defined.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string
 */
function getInput(name, options) {
    const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
    if (options && options.required && !val) {
        throw new Error(`Input required and not supplied: ${name}`);
    }
    if (options && options.trimWhitespace === false) {
        return val;
    }
    return val.trim();
}
/**
 * Gets the values of an multiline input.  Each value is also trimmed.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string[]
 *
 */
function getMultilineInput(name, options) {
    const inputs = getInput(name, options)
        .split('\n')
        .filter(x => x !== '');
    if (options && options.trimWhitespace === false) {
        return inputs;
    }
    return inputs.map(input => input.trim());
}
/**
 * Gets the input value of the boolean type in the YAML 1.2 "core schema" specification.
 * Support boolean input list: `true | True | TRUE | false | False | FALSE` .
 * The return value is also in boolean type.
 * ref: https://yaml.org/spec/1.2/spec.html#id2804923
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   boolean
 */
function getBooleanInput(name, options) {
    const trueValue = ['true', 'True', 'TRUE'];
    const falseValue = ['false', 'False', 'FALSE'];
    const val = getInput(name, options);
    if (trueValue.includes(val))
        return true;
    if (falseValue.includes(val))
        return false;
    throw new TypeError(`Input does not meet YAML 1.2 "Core Schema" specification: ${name}\n` +
        `Support boolean input list: \`true | True | TRUE | false | False | FALSE\``);
}
/**
 * Sets the value of an output.
 *
 * @param     name     name of the output to set
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function setOutput(name, value) {
    const filePath = process.env['GITHUB_OUTPUT'] || '';
    if (filePath) {
        return issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
    }
    process.stdout.write(external_os_namespaceObject.EOL);
    issueCommand('set-output', { name }, toCommandValue(value));
}
/**
 * Enables or disables the echoing of commands into stdout for the rest of the step.
 * Echoing is disabled by default if ACTIONS_STEP_DEBUG is not set.
 *
 */
function setCommandEcho(enabled) {
    issue('echo', enabled ? 'on' : 'off');
}
//-----------------------------------------------------------------------
// Results
//-----------------------------------------------------------------------
/**
 * Sets the action status to failed.
 * When the action exits it will be with an exit code of 1
 * @param message add error issue message
 */
function setFailed(message) {
    process.exitCode = ExitCode.Failure;
    error(message);
}
//-----------------------------------------------------------------------
// Logging Commands
//-----------------------------------------------------------------------
/**
 * Gets whether Actions Step Debug is on or not
 */
function isDebug() {
    return process.env['RUNNER_DEBUG'] === '1';
}
/**
 * Writes debug message to user log
 * @param message debug message
 */
function debug(message) {
    issueCommand('debug', {}, message);
}
/**
 * Adds an error issue
 * @param message error issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function error(message, properties = {}) {
    issueCommand('error', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a warning issue
 * @param message warning issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function warning(message, properties = {}) {
    issueCommand('warning', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a notice issue
 * @param message notice issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function notice(message, properties = {}) {
    issueCommand('notice', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Writes info to log with console.log.
 * @param message info message
 */
function info(message) {
    process.stdout.write(message + external_os_namespaceObject.EOL);
}
/**
 * Begin an output group.
 *
 * Output until the next `groupEnd` will be foldable in this group
 *
 * @param name The name of the output group
 */
function startGroup(name) {
    issue('group', name);
}
/**
 * End an output group.
 */
function endGroup() {
    issue('endgroup');
}
/**
 * Wrap an asynchronous function call in a group.
 *
 * Returns the same type as the function itself.
 *
 * @param name The name of the group
 * @param fn The function to wrap in the group
 */
function group(name, fn) {
    return core_awaiter(this, void 0, void 0, function* () {
        startGroup(name);
        let result;
        try {
            result = yield fn();
        }
        finally {
            endGroup();
        }
        return result;
    });
}
//-----------------------------------------------------------------------
// Wrapper action state
//-----------------------------------------------------------------------
/**
 * Saves state for current action, the state can only be retrieved by this action's post job execution.
 *
 * @param     name     name of the state to store
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function saveState(name, value) {
    const filePath = process.env['GITHUB_STATE'] || '';
    if (filePath) {
        return issueFileCommand('STATE', prepareKeyValueMessage(name, value));
    }
    issueCommand('save-state', { name }, toCommandValue(value));
}
/**
 * Gets the value of an state set by this action's main execution.
 *
 * @param     name     name of the state to get
 * @returns   string
 */
function getState(name) {
    return process.env[`STATE_${name}`] || '';
}
function getIDToken(aud) {
    return core_awaiter(this, void 0, void 0, function* () {
        return yield OidcClient.getIDToken(aud);
    });
}
/**
 * Summary exports
 */

/**
 * @deprecated use core.summary
 */

/**
 * Path exports
 */

/**
 * Platform utilities exports
 */

//# sourceMappingURL=core.js.map
// EXTERNAL MODULE: ./src/http/transport.ts + 3 modules
var transport = __nccwpck_require__(693);
;// CONCATENATED MODULE: ./src/entry/deps.ts


const defaultDeps = {
    core: core_namespaceObject,
    env: process.env,
    send: transport/* send */.tN,
    sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
    now: Date.now,
    random: Math.random
};


/***/ }),

/***/ 402:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// EXTERNAL MODULE: ./src/agent/flag.ts + 1 modules
var flag = __nccwpck_require__(164);
// EXTERNAL MODULE: ./src/base/errors.ts
var errors = __nccwpck_require__(758);
// EXTERNAL MODULE: ./src/base/mask.ts
var mask = __nccwpck_require__(777);
// EXTERNAL MODULE: ./src/base/state.ts
var state = __nccwpck_require__(572);
// EXTERNAL MODULE: ./src/config/input-names.ts
var input_names = __nccwpck_require__(523);
// EXTERNAL MODULE: ./src/config/inputs.ts
var inputs = __nccwpck_require__(389);
// EXTERNAL MODULE: ./src/http/retry.ts
var retry = __nccwpck_require__(902);
// EXTERNAL MODULE: ./src/http/transport.ts + 3 modules
var transport = __nccwpck_require__(693);
// EXTERNAL MODULE: ./src/steps/attempt.ts
var attempt = __nccwpck_require__(854);
// EXTERNAL MODULE: ./src/steps/endpoints.ts
var steps_endpoints = __nccwpck_require__(661);
// EXTERNAL MODULE: ./src/steps/token.ts + 3 modules
var steps_token = __nccwpck_require__(802);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(598);
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

// EXTERNAL MODULE: ./src/entry/deps.ts + 26 modules
var entry_deps = __nccwpck_require__(790);
;// CONCATENATED MODULE: ./src/entry/main.ts













async function run(deps = entry_deps/* defaultDeps */.m) {
    const { core } = deps;
    // The same bundle runs as the post step; this marks the main step as done (as actions/checkout).
    core.saveState(state/* STATE */.c.isPost, 'true');
    // agent: true spawned the agent's node as the bundle started (agent/flag.ts); this wires it up.
    const agent = flag/* earlyAgent */.L3
        ? (await __nccwpck_require__.e(/* import() */ 276).then(__nccwpck_require__.bind(__nccwpck_require__, 276))).launchAgent(flag/* earlyAgent */.L3, dir => core.saveState(state/* STATE */.c.agentDir, dir))
        : undefined;
    try {
        // Once, before any connection: the variable turns checks off for others, not for us.
        if (deps.env.NODE_TLS_REJECT_UNAUTHORIZED === '0')
            core.warning(transport/* TLS_CHECKS_OFF_WARNING */.Lu);
        (0,input_names/* checkInputNames */.zU)(deps.env);
        const settings = (0,inputs/* readSettings */.sb)(name => core.getInput(name), deps.now());
        // Mask before anything can print: the secret, its Basic credential, the key, a subject token.
        const secrets = (0,attempt/* stepSecrets */.aw)(settings);
        (0,mask/* maskAll */.gh)(core, secrets.values);
        // One time budget for the whole step: discovery, keys, the GitHub ID token, the token request.
        const deadline = deps.now() + (0,retry/* stepBudgetMs */.ij)(settings.timeoutMs, settings.maxAttempts);
        const endpoints = await (0,steps_endpoints/* findEndpoints */.k)(settings, deadline, deps);
        const first = await (0,steps_token/* fetchToken */.e)(settings, endpoints, secrets, deadline, deps);
        const { token, requestedAt, verified, attempts } = first;
        publish(core, token, settings, new Date(requestedAt));
        // Before the agent starts: a token already published is revoked even if the agent fails.
        if (settings.revoke)
            saveRevocation(token, endpoints, deps);
        if (agent) {
            const started = await agent.start(first, settings, deps);
            core.setOutput('token-command', started);
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
        agent?.abandon();
        fail(error, core);
    }
}
/** Fails the step with the error's message, or only its kind when we did not expect it. */
function fail(error, core) {
    if (error instanceof errors/* ActionError */.l) {
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
    deps.core.saveState(state/* STATE */.c.revokeToken, token.accessToken);
}


/***/ }),

/***/ 520:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   a: () => (/* binding */ runPost)
/* harmony export */ });
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(758);
/* harmony import */ var _base_mask_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(777);
/* harmony import */ var _base_state_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(572);
/* harmony import */ var _base_untrusted_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(607);
/* harmony import */ var _config_inputs_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(389);
/* harmony import */ var _steps_attempt_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(854);
/* harmony import */ var _steps_revoke_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(817);
/* harmony import */ var _deps_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(790);








/**
 * The post step: stops the token agent if the main step started one (agent: true), then, with
 * `revoke: true`, revokes the token the main step got (RFC 7009) with the same client
 * authentication. It acts on its own inputs, not on saved state: state holds only the token,
 * checked like any token, and the agent's directory, checked against its own shape in
 * RUNNER_TEMP; the endpoints are derived again from the inputs (discovery included), so nothing
 * saved can send credentials elsewhere. A failure here is a warning.
 */
async function runPost(deps = _deps_js__WEBPACK_IMPORTED_MODULE_4__/* .defaultDeps */ .m) {
    const { core } = deps;
    const saved = core.getState(_base_state_js__WEBPACK_IMPORTED_MODULE_0__/* .STATE */ .c.revokeToken);
    const agentDir = core.getState(_base_state_js__WEBPACK_IMPORTED_MODULE_0__/* .STATE */ .c.agentDir);
    let settings;
    let unreadable;
    try {
        settings = (0,_config_inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .readSettings */ .sb)(name => core.getInput(name), deps.now());
    }
    catch (error) {
        unreadable = error;
    }
    // Whether or not the inputs still read, the agent stops; loaded only when there is one.
    if (agentDir)
        await (await __nccwpck_require__.e(/* import() */ 793).then(__nccwpck_require__.bind(__nccwpck_require__, 793))).stopAgent(agentDir, settings, deps);
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
        const token = (0,_base_untrusted_js__WEBPACK_IMPORTED_MODULE_5__/* .checkToken */ .SK)(saved, "The main step's saved state", 'token');
        const secrets = (0,_steps_attempt_js__WEBPACK_IMPORTED_MODULE_2__/* .stepSecrets */ .aw)(settings, token);
        (0,_base_mask_js__WEBPACK_IMPORTED_MODULE_6__/* .maskAll */ .gh)(core, secrets.values);
        await (0,_steps_revoke_js__WEBPACK_IMPORTED_MODULE_3__/* .revokeToken */ .w)(token, settings, secrets, deps);
        core.info('Revoked the access token.');
    }
    catch (error) {
        warnNotRevoked(core, reason(error));
    }
}
function reason(error) {
    return error instanceof _base_errors_js__WEBPACK_IMPORTED_MODULE_7__/* .ActionError */ .l ? error.message : 'Unexpected error.';
}
function warnNotRevoked(core, why) {
    core.warning(`The access token was not revoked. ${why} Note: many servers cannot revoke JWT access tokens; such a token stays valid until it expires.`);
}


/***/ }),

/***/ 434:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Sy: () => (/* binding */ GRANT_FORM_FIELDS),
  Gm: () => (/* binding */ grantDefinition),
  s$: () => (/* binding */ grantFields),
  KP: () => (/* binding */ grantSecrets),
  v7: () => (/* binding */ readGrant)
});

// UNUSED EXPORTS: GRANTS, GRANT_TYPES, grantRegistry

// EXTERNAL MODULE: ./src/base/errors.ts
var errors = __nccwpck_require__(758);
// EXTERNAL MODULE: ./src/base/input-rules.ts
var input_rules = __nccwpck_require__(251);
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

// EXTERNAL MODULE: ./src/oauth/github-id-token.ts
var github_id_token = __nccwpck_require__(48);
;// CONCATENATED MODULE: ./src/grants/subject.ts



function readSubject(getInput) {
    const source = (0,input_rules/* oneOf */.yL)(getInput, 'subject-token-source', ['github_oidc', 'input'], 'github_oidc');
    if (source === 'github_oidc')
        return { source, audience: getInput('oidc-audience') };
    const subject = (0,input_rules/* singleLine */.pF)(getInput, 'subject-token');
    if (!subject) {
        throw new errors/* ActionError */.l("Input 'subject-token' is required with subject-token-source: input. Pass the token to exchange from a secret or an earlier step's output.");
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
    const token = await (0,github_id_token/* githubIdToken */.eC)(subject.audience || context.tokenUrl.origin, context, `grant-type ${grantType} (subject-token-source github_oidc)`);
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

// EXTERNAL MODULE: ./src/base/untrusted.ts
var untrusted = __nccwpck_require__(607);
;// CONCATENATED MODULE: ./src/grants/token-exchange.ts




const token_exchange_URI = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 8693 §3: the type of a JWT subject token, such as GitHub's ID token. */
const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
/** A token type is a URI (RFC 8693 §3): one line of printable ASCII with a scheme. */
function uri(getInput, name) {
    const value = getInput(name);
    if (value && !untrusted/* TOKEN_TYPE_URI */.W1.test(value)) {
        throw new errors/* ActionError */.l(`Input '${name}' is not a token type URI, e.g. ${JWT_TOKEN_TYPE}.`);
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
        const actorToken = (0,input_rules/* singleLine */.pF)(getInput, 'actor-token');
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
                throw new errors/* ActionError */.l((0,input_rules/* unsupportedValue */.dq)('grant-type', value, values, `${names.join(', ')} (or their URNs)`));
            }
            return definition.read(getInput);
        }
    };
}
const REGISTRY = grantRegistry(GRANTS);
/** The grants, by the short name the input takes, to the grant_type they send. */
const GRANT_TYPES = Object.fromEntries(GRANTS.map(grant => [grant.type, grant.uri]));
const GRANT_FORM_FIELDS = REGISTRY.formFields;
function readGrant(getInput) {
    return REGISTRY.read(getInput);
}
function grantDefinition(grant) {
    return REGISTRY.definitionOf(grant.type);
}
/** A subject or actor token from the inputs, to mask first. */
function grantSecrets(grant) {
    return grantDefinition(grant).secrets(grant);
}
/** What one attempt's grant adds to the form, and the secrets it made for it. */
function grantFields(grant, context) {
    return grantDefinition(grant).fields(grant, context);
}


/***/ }),

/***/ 868:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   d: () => (/* binding */ parseJsonObject)
/* harmony export */ });
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


/***/ }),

/***/ 902:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
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

/***/ 693:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  Lu: () => (/* binding */ TLS_CHECKS_OFF_WARNING),
  tN: () => (/* binding */ send)
});

// UNUSED EXPORTS: MAX_BODY_BYTES, proxyFor, trustedCas

;// CONCATENATED MODULE: external "node:events"
const external_node_events_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");
;// CONCATENATED MODULE: external "node:http"
const external_node_http_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(30);
;// CONCATENATED MODULE: external "node:tls"
const external_node_tls_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");
// EXTERNAL MODULE: ./node_modules/@actions/http-client/lib/proxy.js
var lib_proxy = __nccwpck_require__(783);
// EXTERNAL MODULE: ./src/base/errors.ts
var errors = __nccwpck_require__(758);
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
        if (error instanceof errors/* ActionError */.l)
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
        throw new errors/* ActionError */.l(`${variable} is not a proxy URL: ${expected}.`);
    }
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
        throw new errors/* ActionError */.l(`${variable} names a ${proxy.protocol}// proxy; this action tunnels through http:// and https:// proxies: ${expected}.`);
    }
    if (!proxy.hostname)
        throw new errors/* ActionError */.l(`${variable} names no proxy host: ${expected}.`);
    let username;
    let password;
    try {
        username = decodeURIComponent(proxy.username);
        password = decodeURIComponent(proxy.password);
    }
    catch {
        throw new errors/* ActionError */.l(`${variable} has a user or password that is not URL-encoded: ${expected}.`);
    }
    return { url: proxy, username, password, address: `${proxy.hostname}:${portOf(proxy)}`, variable };
}
/**
 * The CAs a connection trusts: undefined for Node's default store (its bundled CAs and
 * NODE_EXTRA_CA_CERTS), else that store and `extra`, since `ca` replaces the default store.
 */
function trustedCas(extra) {
    return extra ? [...(0,external_node_tls_namespaceObject.getCACertificates)('default'), extra] : undefined;
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
    const ca = trustedCas(caCertificate);
    const secure = async (socket, peer, identity) => {
        const secured = track((0,external_node_tls_namespaceObject.connect)({
            ...tlsHost(peer),
            socket: socket,
            rejectUnauthorized: true,
            ...(ca ? { ca } : {}),
            ...(identity ? { cert: identity.cert, key: identity.key } : {})
        }));
        await (0,external_node_events_namespaceObject.once)(secured, 'secureConnect', { signal });
        return secured;
    };
    const target = proxy?.url ?? url;
    state.phase = proxy ? 'connecting to the proxy' : 'connecting';
    let socket = track((0,external_node_net_.connect)({ host: hostOf(target), port: portOf(target) }));
    await (0,external_node_events_namespaceObject.once)(socket, 'connect', { signal });
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
    for await (const [chunk] of (0,external_node_events_namespaceObject.on)(socket, 'data', { signal, close: ['end', 'close'] })) {
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
    const req = (0,external_node_http_namespaceObject.request)({
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
    const [message] = (await (0,external_node_events_namespaceObject.once)(req, 'response', { signal }));
    return message;
}
async function readCapped(request, message) {
    const chunks = [];
    let size = 0;
    for await (const chunk of message) {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
            throw new errors/* ActionError */.l(`The server at ${request.url.host} sent a response larger than ${MAX_BODY_BYTES / 1024} KiB (HTTP ${message.statusCode}) for ${request.url.pathname}; a token, discovery or key set response is a few KiB. Check the endpoint URL.`);
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


/***/ }),

/***/ 407:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _agent_flag_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(164);
/* harmony import */ var _entry_deps_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(790);
/* harmony import */ var _entry_main_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(402);
/* harmony import */ var _entry_post_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(520);
/* harmony import */ var _base_state_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(572);
// First: with agent: true it spawns the agent before the rest of the bundle is evaluated.





// One bundle for both steps, as actions/checkout: the main step leaves isPost in the state. The
// token agent (agent: true) is the same bundle too, started with a flag and loaded on demand.
await (process.argv[2] === _agent_flag_js__WEBPACK_IMPORTED_MODULE_0__/* .AGENT_FLAG */ .dk
    ? (await __nccwpck_require__.e(/* import() */ 343).then(__nccwpck_require__.bind(__nccwpck_require__, 343))).runAgent()
    : _entry_deps_js__WEBPACK_IMPORTED_MODULE_1__/* .defaultDeps */ .m.core.getState(_base_state_js__WEBPACK_IMPORTED_MODULE_4__/* .STATE */ .c.isPost)
        ? (0,_entry_post_js__WEBPACK_IMPORTED_MODULE_3__/* .runPost */ .a)()
        : (0,_entry_main_js__WEBPACK_IMPORTED_MODULE_2__/* .run */ .e)());

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 253:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   IM: () => (/* binding */ discoveredEndpoint),
/* harmony export */   Tn: () => (/* binding */ beforeWellKnown),
/* harmony export */   cu: () => (/* binding */ discoveryUrl),
/* harmony export */   iN: () => (/* binding */ parseDiscovery),
/* harmony export */   lM: () => (/* binding */ noDiscoveryHint)
/* harmony export */ });
/* unused harmony export ISSUER_SHAPES */
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(758);
/* harmony import */ var _base_input_rules_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(251);
/* harmony import */ var _http_json_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(868);



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
    const endpoint = (0,_base_input_rules_js__WEBPACK_IMPORTED_MODULE_0__/* .parseUrl */ .Dl)(value, `The discovery document's ${field}`);
    // The loopback exception is for a local test server as issuer, not for a remote https issuer
    // that would send the credentials to a local port in cleartext.
    if (endpoint.protocol === 'http:' && !plainIssuer) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`The discovery document's ${field} must use https://, as the issuer does (got http://${endpoint.host}); plain http:// endpoints are accepted only from an http:// loopback issuer in local tests. Hint: the server's discovery document must list https:// endpoints; or set token-url (and jwks-url, revocation-url) instead of issuer.`);
    }
    return endpoint;
}
/**
 * Reads a discovery document: its issuer must be exactly the one asked for (§4.3), and every
 * endpoint in it obeys the same rules as an input URL, and is https:// unless the issuer is not.
 */
function parseDiscovery(response, issuer, { mtls = false } = {}) {
    const fields = (0,_http_json_js__WEBPACK_IMPORTED_MODULE_2__/* .parseJsonObject */ .d)(response);
    const at = discoveryUrl(issuer);
    if (!fields) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`The discovery document at ${at.host}${at.pathname} (HTTP ${response.status}) is not a JSON object. Hint: ${noDiscoveryHint(at)}`);
    }
    if (typeof fields.issuer !== 'string') {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`The discovery document at ${at.host}${at.pathname} names no issuer, so it cannot be matched to the issuer input ('${issuer}') as OpenID Connect Discovery §4.3 requires. Hint: ${noDiscoveryHint(at)}`);
    }
    if (fields.issuer !== issuer) {
        // The server's issuer is not printed (it is the server's text); an input with or without a
        // trailing slash is ours.
        const slash = issuer.endsWith('/') ? issuer.slice(0, -1) : `${issuer}/`;
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`The discovery document names another issuer than the issuer input ('${issuer}'); the two must be equal, character for character (OpenID Connect Discovery §4.3). Hint: ${fields.issuer === slash ? `they differ only by a trailing slash: set issuer: ${slash}` : "set issuer to the issuer the server's discovery document names, trailing slash included."}`);
    }
    // The issuer passed parseUrl: http:// means a loopback test server.
    const plainIssuer = new URL(issuer).protocol === 'http:';
    const url = (name, from = fields) => {
        const value = from[name];
        if (value === undefined)
            return undefined;
        const field = from === fields ? name : `mtls_endpoint_aliases.${name}`;
        if (typeof value !== 'string') {
            throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`The discovery document's ${field} is not a string URL.`);
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


/***/ }),

/***/ 977:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ic: () => (/* binding */ describeFailure),
/* harmony export */   _6: () => (/* binding */ isHtml),
/* harmony export */   uV: () => (/* binding */ TOKEN_ENDPOINT)
/* harmony export */ });
/* harmony import */ var _base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(251);
/* harmony import */ var _base_mask_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(777);
/* harmony import */ var _base_untrusted_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(607);
/* harmony import */ var _http_json_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(868);
/* harmony import */ var _discovery_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(253);





const TOKEN_ENDPOINT = { label: 'The token endpoint', input: 'token-url' };
/**
 * The message for a response that is not a success: its status, the OAuth error code and sanitised
 * description (RFC 6749 §5.2) with every form of the secrets removed, and a hint. Never the body.
 */
function describeFailure(response, secrets, endpoint = TOKEN_ENDPOINT, url) {
    const status = `HTTP ${response.status}`;
    const json = (0,_http_json_js__WEBPACK_IMPORTED_MODULE_0__/* .parseJsonObject */ .d)(response);
    const code = typeof json?.error === 'string' ? (0,_base_untrusted_js__WEBPACK_IMPORTED_MODULE_1__/* .neutralise */ .$0)((0,_base_mask_js__WEBPACK_IMPORTED_MODULE_2__/* .redact */ .E$)(json.error, secrets), 64) : '';
    if (!code) {
        const discovery = typeof json?.token_endpoint === 'string';
        return `${endpoint.label} answered ${status}${response.body ? ` with ${isHtml(response) ? 'an HTML page' : discovery ? 'a discovery document' : 'a body that is not an OAuth error'}` : ''}. Hint: ${hintFor(response.status, undefined, endpoint, url, discovery)}`;
    }
    const description = typeof json?.error_description === 'string'
        ? (0,_base_untrusted_js__WEBPACK_IMPORTED_MODULE_1__/* .neutralise */ .$0)((0,_base_mask_js__WEBPACK_IMPORTED_MODULE_2__/* .redact */ .E$)(json.error_description, secrets), 300)
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
        return (0,_discovery_js__WEBPACK_IMPORTED_MODULE_3__/* .noDiscoveryHint */ .lM)(url);
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
            ? `check that token-url is the token endpoint, e.g. ${_base_input_rules_js__WEBPACK_IMPORTED_MODULE_4__/* .DEFAULT_TOKEN_URL */ ._T}.`
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


/***/ }),

/***/ 48:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   e9: () => (/* binding */ policyClaims),
/* harmony export */   eC: () => (/* binding */ githubIdToken)
/* harmony export */ });
/* unused harmony exports GITHUB_OIDC_ENDPOINT, githubIdTokenRequest, parseGitHubIdToken */
/* harmony import */ var _base_mask_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(777);
/* harmony import */ var _base_untrusted_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(607);
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(758);
/* harmony import */ var _base_input_rules_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(251);
/* harmony import */ var _http_json_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(868);
/* harmony import */ var _send_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(513);






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
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l(`${cause} needs the job to be allowed to request an OIDC token: add \`permissions: id-token: write\` to the job (or workflow). Jobs triggered from forks cannot have it.`);
    }
    let url;
    try {
        url = new URL(base);
    }
    catch {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l("The runner's ACTIONS_ID_TOKEN_REQUEST_URL is not a URL. Re-run the job; if it persists, report it to the runner's administrator.");
    }
    // The bearer goes only over TLS (http:// on loopback is for the runner's own test doubles).
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (0,_base_input_rules_js__WEBPACK_IMPORTED_MODULE_2__/* .isLoopback */ .U9)(url))) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .l("The runner's ACTIONS_ID_TOKEN_REQUEST_URL is not an https:// URL, so the job's ID token request bearer is not sent to it. Report it to the runner's administrator.");
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
    return (0,_base_untrusted_js__WEBPACK_IMPORTED_MODULE_3__/* .checkToken */ .SK)((0,_http_json_js__WEBPACK_IMPORTED_MODULE_4__/* .parseJsonObject */ .d)(response)?.value, "The GitHub OIDC token service's answer", 'value');
}
/**
 * The job's GitHub ID token for `audience`: one request under the deadline, made within an attempt
 * of the request it is for, which retries it (one attempt budget for both).
 */
async function githubIdToken(audience, context, cause) {
    const { deps } = context;
    const request = githubIdTokenRequest(deps.env, audience, cause);
    const bearer = (request.headers.authorization ?? '').slice('Bearer '.length);
    (0,_base_mask_js__WEBPACK_IMPORTED_MODULE_5__/* .maskAll */ .gh)(deps.core, [bearer]);
    const { response } = await (0,_send_js__WEBPACK_IMPORTED_MODULE_0__/* .sendWithRetries */ .HI)({
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
        return `${name} '${typeof value === 'string' ? (0,_base_untrusted_js__WEBPACK_IMPORTED_MODULE_3__/* .neutralise */ .$0)(value, 200) : '(none)'}'`;
    });
    return `The job's GitHub ID token has ${claims.join(', ')}; the server's trust policy (subject, repository, branch or environment conditions) must match them.`;
}


/***/ }),

/***/ 513:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   DY: () => (/* binding */ RequestFailed),
/* harmony export */   HI: () => (/* binding */ sendWithRetries),
/* harmony export */   YE: () => (/* binding */ getDocument)
/* harmony export */ });
/* unused harmony export BUDGET_HINT */
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(758);
/* harmony import */ var _http_retry_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(902);
/* harmony import */ var _failure_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(977);
/* harmony import */ var _token_request_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(690);




/** A request that failed for good: what its last attempt got, and from which endpoint. */
class RequestFailed extends _base_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .l {
    outcome;
    endpoint;
    constructor(message, outcome, endpoint) {
        super(message);
        this.outcome = outcome;
        this.endpoint = endpoint;
    }
}
/** How to give the step more time, for every message that says its budget ran out. */
const BUDGET_HINT = `To give the step more time, set timeout-seconds or max-attempts above its default: the budget is then max-attempts × timeout-seconds plus the backoff between attempts (${_http_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .DEFAULT_STEP_BUDGET_MS */ .qi / 1000} s with the defaults).`;
/**
 * Sends the request until it gets a 2xx, fails for good, runs out of attempts or out of the step's
 * time budget; retries follow http/retry.ts. Fails with a RequestFailed that says what the endpoint
 * answered last.
 */
async function sendWithRetries(x, deps) {
    const { core } = deps;
    // An attempt needs a second (or its whole timeout, if shorter) to be worth starting.
    const needed = Math.min(x.timeoutMs, _http_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .MIN_ATTEMPT_MS */ .iD);
    if (x.deadline - deps.now() < needed) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .l(`The step's time budget ran out before ${x.endpoint.label.replace(/^The /, 'the ')} could be tried: the requests before it used it up. ${BUDGET_HINT}`);
    }
    for (let attempt = 1;; attempt++) {
        const result = await attemptOnce(x, attempt, deps);
        if ('response' in result)
            return { ...result, attempts: attempt };
        const { outcome, endpoint, failure, what } = result;
        const plan = (0,_http_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .retryPlan */ .Iq)(attempt, x.maxAttempts, outcome, deps.now(), deps.random);
        if (plan === undefined) {
            throw new RequestFailed(attempt > 1 ? `Gave up after ${attempt} attempts. ${failure}` : failure, outcome, endpoint);
        }
        // A wait that would leave the next attempt too little time ends the retries now, not later.
        if (deps.now() + plan.delayMs + needed > x.deadline) {
            throw new RequestFailed(`Gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}: the step's time budget ran out before another could be made (the next was due in ${(plan.delayMs / 1000).toFixed(1)} s). ${failure} ${BUDGET_HINT}`, outcome, endpoint);
        }
        core.info(`Attempt ${attempt}/${x.maxAttempts} failed (${what}); retrying in ${(plan.delayMs / 1000).toFixed(1)} s${plan.cappedFromMs === undefined ? '' : ` (the server asked for ${plan.cappedFromMs / 1000} s; capped at ${_http_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .BACKOFF */ .hH.retryAfterCapMs / 1000} s)`}.`);
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
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .l(`${x.endpoint.label} is on ${request.url.origin}, another origin than the token endpoint's (${request.credentialsFor}), for which the client's credentials and the access token were made: nothing was sent there, as another origin could replay them. Set ${x.endpoint.input} to an endpoint on ${request.credentialsFor}.`);
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
        return (0,_failure_js__WEBPACK_IMPORTED_MODULE_1__/* .describeFailure */ .Ic)(outcome, x.secrets(), x.endpoint, url);
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
        request: async () => (0,_token_request_js__WEBPACK_IMPORTED_MODULE_2__/* .buildGetRequest */ .St)(url, budget.caCertificate),
        secrets: () => [],
        timeoutMs: budget.timeoutMs,
        maxAttempts: budget.maxAttempts,
        deadline: budget.deadline
    }, deps);
    return response;
}


/***/ }),

/***/ 690:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   St: () => (/* binding */ buildGetRequest),
/* harmony export */   Xl: () => (/* binding */ buildTokenRequest),
/* harmony export */   Y9: () => (/* binding */ buildRevocationRequest),
/* harmony export */   eh: () => (/* binding */ JWT_BEARER)
/* harmony export */ });
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


/***/ }),

/***/ 854:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Qg: () => (/* binding */ withPolicyClaims),
/* harmony export */   Tn: () => (/* binding */ attemptContext),
/* harmony export */   aw: () => (/* binding */ stepSecrets),
/* harmony export */   jE: () => (/* binding */ tokenRequest),
/* harmony export */   z3: () => (/* binding */ credentials)
/* harmony export */ });
/* unused harmony exports Secrets, tokenParameters */
/* harmony import */ var _auth_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(886);
/* harmony import */ var _base_mask_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(777);
/* harmony import */ var _grants_index_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(434);
/* harmony import */ var _oauth_github_id_token_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(48);
/* harmony import */ var _oauth_send_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(513);
/* harmony import */ var _oauth_failure_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(977);
/* harmony import */ var _oauth_token_request_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(690);







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
        (0,_base_mask_js__WEBPACK_IMPORTED_MODULE_6__/* .maskAll */ .gh)(core, fresh);
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
        ...(0,_auth_index_js__WEBPACK_IMPORTED_MODULE_0__/* .authSecrets */ .O6)(settings.auth, settings.clientId),
        ...(0,_grants_index_js__WEBPACK_IMPORTED_MODULE_1__/* .grantSecrets */ .KP)(settings.grant)
    ]);
}
/** The client's credentials for one attempt, made fresh each time, masked and kept. */
async function credentials(settings, context, secrets) {
    const made = await (0,_auth_index_js__WEBPACK_IMPORTED_MODULE_0__/* .authenticate */ .QF)(settings.auth, context);
    secrets.keep(made.fresh, context.deps.core);
    return made;
}
/** Stent's response_type only where the grant sends it. */
function tokenParameters(settings) {
    const { scope, audience, resources, extraParams, caCertificate } = settings;
    const responseType = (0,_grants_index_js__WEBPACK_IMPORTED_MODULE_1__/* .grantDefinition */ .Gm)(settings.grant).sendsResponseType
        ? settings.responseType
        : '';
    return { responseType, scope, audience, resources, extraParams, caCertificate };
}
/** One attempt's token request: the grant's fields and the credentials, fresh and masked. */
async function tokenRequest(settings, context, secrets) {
    const grant = await (0,_grants_index_js__WEBPACK_IMPORTED_MODULE_1__/* .grantFields */ .s$)(settings.grant, context);
    secrets.keep(grant.fresh, context.deps.core);
    const made = await credentials(settings, context, secrets);
    return (0,_oauth_token_request_js__WEBPACK_IMPORTED_MODULE_5__/* .buildTokenRequest */ .Xl)(context.tokenUrl, made, grant.form, tokenParameters(settings));
}
/**
 * A refusal of a request made with the job's GitHub ID token (a federation or token-exchange
 * trust policy that does not match) says which claims the token has; never the token.
 */
function withPolicyClaims(error, idToken) {
    if (!(error instanceof _oauth_send_js__WEBPACK_IMPORTED_MODULE_3__/* .RequestFailed */ .DY) || !idToken)
        return error;
    const { outcome, endpoint } = error;
    const refused = outcome.kind === 'response' && outcome.status >= 400 && outcome.status <= 403;
    if (!refused || endpoint !== _oauth_failure_js__WEBPACK_IMPORTED_MODULE_4__/* .TOKEN_ENDPOINT */ .uV.label)
        return error;
    return new _oauth_send_js__WEBPACK_IMPORTED_MODULE_3__/* .RequestFailed */ .DY(`${error.message} ${(0,_oauth_github_id_token_js__WEBPACK_IMPORTED_MODULE_2__/* .policyClaims */ .e9)(idToken)}`, outcome, endpoint);
}


/***/ }),

/***/ 661:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   k: () => (/* binding */ findEndpoints)
/* harmony export */ });
/* unused harmony export resolveEndpoints */
/* harmony import */ var _auth_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(886);
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(758);
/* harmony import */ var _base_input_rules_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(251);
/* harmony import */ var _oauth_discovery_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(253);
/* harmony import */ var _oauth_send_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(513);





/** The inputs' explicit endpoints win over discovered ones; the token endpoint must be known. */
function resolveEndpoints(settings, discovered) {
    const tokenUrl = settings.configuredTokenUrl ?? discovered.tokenUrl;
    if (!tokenUrl) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .l(`The discovery document lists no token_endpoint. Set token-url (it defaults to ${_base_input_rules_js__WEBPACK_IMPORTED_MODULE_3__/* .DEFAULT_TOKEN_URL */ ._T}).`);
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
    const url = (0,_oauth_discovery_js__WEBPACK_IMPORTED_MODULE_4__/* .discoveryUrl */ .cu)(settings.issuer);
    deps.core.info(`Discovering endpoints at ${url.host}${url.pathname}.`);
    const response = await (0,_oauth_send_js__WEBPACK_IMPORTED_MODULE_1__/* .getDocument */ .YE)(url, { label: 'The discovery endpoint', input: 'issuer' }, { ...settings, deadline }, deps);
    const mtls = (0,_auth_index_js__WEBPACK_IMPORTED_MODULE_0__/* .clientCertificateThumbprint */ .IC)(settings.auth) !== undefined;
    return resolveEndpoints(settings, (0,_oauth_discovery_js__WEBPACK_IMPORTED_MODULE_4__/* .parseDiscovery */ .iN)(response, settings.issuer, { mtls }));
}


/***/ }),

/***/ 817:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   w: () => (/* binding */ revokeToken)
/* harmony export */ });
/* harmony import */ var _auth_index_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(886);
/* harmony import */ var _base_errors_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(758);
/* harmony import */ var _http_retry_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(902);
/* harmony import */ var _oauth_send_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(513);
/* harmony import */ var _oauth_token_request_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(690);
/* harmony import */ var _attempt_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(854);
/* harmony import */ var _endpoints_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(661);







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
    const deadline = deps.now() + (0,_http_retry_js__WEBPACK_IMPORTED_MODULE_1__/* .stepBudgetMs */ .ij)(settings.timeoutMs, settings.maxAttempts);
    const endpoints = known ?? (await (0,_endpoints_js__WEBPACK_IMPORTED_MODULE_5__/* .findEndpoints */ .k)(settings, deadline, deps));
    const revocationUrl = endpoints.revocationUrl;
    if (!revocationUrl) {
        throw new _base_errors_js__WEBPACK_IMPORTED_MODULE_6__/* .ActionError */ .l('The discovery document lists no revocation_endpoint.');
    }
    deps.core.info(`Revoking the access token at ${revocationUrl.host}${revocationUrl.pathname}.`);
    await (0,_oauth_send_js__WEBPACK_IMPORTED_MODULE_2__/* .sendWithRetries */ .HI)({
        endpoint: {
            label: settings.revocationUrl
                ? 'The revocation endpoint'
                : "The discovery document's revocation_endpoint",
            input: 'revocation-url',
            hint: (0,_auth_index_js__WEBPACK_IMPORTED_MODULE_0__/* .refusalHint */ .ah)(settings.auth, settings.clientId)
        },
        request: async () => (0,_oauth_token_request_js__WEBPACK_IMPORTED_MODULE_3__/* .buildRevocationRequest */ .Y9)(revocationUrl, token, await (0,_attempt_js__WEBPACK_IMPORTED_MODULE_4__/* .credentials */ .z3)(settings, (0,_attempt_js__WEBPACK_IMPORTED_MODULE_4__/* .attemptContext */ .Tn)(settings, endpoints.tokenUrl, deadline, deps), secrets), settings.caCertificate),
        secrets: () => secrets.values,
        timeoutMs: settings.timeoutMs,
        maxAttempts: Math.min(settings.maxAttempts, 3),
        deadline
    }, deps);
}


/***/ }),

/***/ 802:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ fetchToken)
});

// EXTERNAL MODULE: ./src/auth/index.ts + 5 modules
var src_auth = __nccwpck_require__(886);
// EXTERNAL MODULE: ./src/base/mask.ts
var mask = __nccwpck_require__(777);
// EXTERNAL MODULE: ./src/grants/index.ts + 4 modules
var grants = __nccwpck_require__(434);
// EXTERNAL MODULE: ./src/http/json.ts
var http_json = __nccwpck_require__(868);
// EXTERNAL MODULE: ./src/oauth/failure.ts
var failure = __nccwpck_require__(977);
// EXTERNAL MODULE: ./src/oauth/send.ts
var send = __nccwpck_require__(513);
// EXTERNAL MODULE: ./src/base/errors.ts
var base_errors = __nccwpck_require__(758);
// EXTERNAL MODULE: ./src/base/input-rules.ts
var input_rules = __nccwpck_require__(251);
// EXTERNAL MODULE: ./src/base/untrusted.ts
var untrusted = __nccwpck_require__(607);
// EXTERNAL MODULE: ./src/oauth/discovery.ts
var discovery = __nccwpck_require__(253);
;// CONCATENATED MODULE: ./src/oauth/token-response.ts






/**
 * Parses a 2xx token response; anything not a usable Bearer token (or, from a token exchange, an
 * N_A one) is an ActionError. Every field is checked against its grammar (base/untrusted.ts) before
 * anything can print or publish it.
 */
function parseTokenResponse(response, rules = 'rfc6749', tokenUrl) {
    const json = (0,http_json/* parseJsonObject */.d)(response);
    if (!json) {
        throw new base_errors/* ActionError */.l(`${notJson(response)} Hint: ${(0,failure/* isHtml */._6)(response) ? 'an HTML page means token-url is not the token endpoint (e.g. a sign-in page); ' : ''}check that token-url is the token endpoint, e.g. ${input_rules/* DEFAULT_TOKEN_URL */._T}.`);
    }
    const discovery = json.access_token === undefined &&
        (typeof json.token_endpoint === 'string' || typeof json.issuer === 'string');
    if (discovery)
        throw new base_errors/* ActionError */.l(discoveryInstead(response, json, tokenUrl));
    const where = `The token response (HTTP ${response.status})`;
    const accessToken = (0,untrusted/* checkToken */.SK)(json.access_token, where, 'access_token');
    const tokenType = (0,untrusted/* checkTokenType */.qQ)(json.token_type, where, 'token_type');
    const exchange = rules === 'rfc8693';
    // RFC 8693 §2.2.1: N_A says the issued token is not an access token (an ID token, say).
    const notAccessToken = exchange && tokenType === 'N_A';
    if (tokenType.toLowerCase() !== 'bearer' && !notAccessToken) {
        throw new base_errors/* ActionError */.l(`${where} has token_type '${tokenType}'; this action supports Bearer tokens${exchange ? ' (and N_A from a token exchange)' : ''} only.`);
    }
    // An N_A token (an ID token, say) is not sent as a Bearer token: RFC 6749's VSCHAR rule only.
    if (!notAccessToken)
        (0,untrusted/* checkBearerToken */.RP)(accessToken, where, 'access_token');
    const issuedTokenType = (0,untrusted/* checkTokenTypeUri */.yd)(json.issued_token_type, where, 'issued_token_type');
    if (exchange && !issuedTokenType) {
        throw new base_errors/* ActionError */.l(`${where} has no issued_token_type, which a token exchange response must have (RFC 8693 §2.2.1). Check that token-url is a token exchange endpoint.`);
    }
    return {
        accessToken,
        tokenType: notAccessToken ? 'N_A' : 'Bearer',
        issuedTokenType,
        expiresIn: (0,untrusted/* checkExpiresIn */.Uq)(json.expires_in, where, 'expires_in'),
        scope: (0,untrusted/* checkScope */.DB)(json.scope, where, 'scope')
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
            const url = (0,discovery/* discoveredEndpoint */.IM)(json.token_endpoint, 'token_endpoint', tokenUrl?.protocol === 'http:');
            listed = `${url.host}${url.pathname}`;
        }
        catch {
            listed = undefined;
        }
    }
    const issuer = tokenUrl && (0,discovery/* beforeWellKnown */.Tn)(tokenUrl.href);
    return `The token endpoint answered HTTP ${response.status} with a discovery document, not a token response: token-url is the discovery document's URL. Set issuer${issuer ? `: ${issuer}` : ' to the URL before /.well-known/openid-configuration'} instead (the action then finds the token endpoint), or token-url to the token_endpoint it lists${listed && listed.length <= 200 ? ` (${listed})` : ''}.`;
}
function notJson(response) {
    const what = (0,failure/* isHtml */._6)(response)
        ? 'an HTML page'
        : response.body.trim()
            ? 'a body that is not a JSON object'
            : 'an empty body';
    return `The token endpoint answered HTTP ${response.status} with ${what} instead of a JSON token response.`;
}

// EXTERNAL MODULE: ./src/steps/attempt.ts
var attempt = __nccwpck_require__(854);
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
    const { createLocalJWKSet, jwtVerify, errors } = await __nccwpck_require__.e(/* import() */ 380).then(__nccwpck_require__.bind(__nccwpck_require__, 380));
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
    const ours = (0,src_auth/* clientCertificateThumbprint */.IC)(settings.auth);
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
    const context = (0,attempt/* attemptContext */.Tn)(settings, endpoints.tokenUrl, deadline, deps, token => (idToken = token));
    const { response, requestedAt, attempts } = await (0,send/* sendWithRetries */.HI)({
        endpoint: { ...failure/* TOKEN_ENDPOINT */.uV, hint: (0,src_auth/* refusalHint */.ah)(auth, clientId) },
        request: () => (0,attempt/* tokenRequest */.jE)(settings, context, secrets),
        secrets: () => secrets.values,
        timeoutMs: settings.timeoutMs,
        maxAttempts: settings.maxAttempts,
        deadline
    }, deps).catch((error) => {
        throw (0,attempt/* withPolicyClaims */.Qg)(error, idToken);
    });
    const token = parseTokenResponse(response, (0,grants/* grantDefinition */.Gm)(grant).response, endpoints.tokenUrl);
    (0,mask/* maskAll */.gh)(core, [token.accessToken]);
    const verified = await checkAccessToken(token, settings, {
        requestedAt,
        jwksUrl: endpoints.jwksUrl,
        fetchKeySet: async (url) => (0,http_json/* parseJsonObject */.d)(await (0,send/* getDocument */.YE)(url, { label: 'The key set endpoint', input: 'jwks-url' }, { ...settings, deadline }, deps)),
        log: core,
        now: deps.now
    });
    return { token, requestedAt, verified, attempts };
}


/***/ }),

/***/ 598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 24:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 30:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 783:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   H: () => (/* binding */ checkBypass),
/* harmony export */   s: () => (/* binding */ getProxyUrl)
/* harmony export */ });
function getProxyUrl(reqUrl) {
    const usingSsl = reqUrl.protocol === 'https:';
    if (checkBypass(reqUrl)) {
        return undefined;
    }
    const proxyVar = (() => {
        if (usingSsl) {
            return process.env['https_proxy'] || process.env['HTTPS_PROXY'];
        }
        else {
            return process.env['http_proxy'] || process.env['HTTP_PROXY'];
        }
    })();
    if (proxyVar) {
        try {
            return new DecodedURL(proxyVar);
        }
        catch (_a) {
            if (!proxyVar.startsWith('http://') && !proxyVar.startsWith('https://'))
                return new DecodedURL(`http://${proxyVar}`);
        }
    }
    else {
        return undefined;
    }
}
function checkBypass(reqUrl) {
    if (!reqUrl.hostname) {
        return false;
    }
    const reqHost = reqUrl.hostname;
    if (isLoopbackAddress(reqHost)) {
        return true;
    }
    const noProxy = process.env['no_proxy'] || process.env['NO_PROXY'] || '';
    if (!noProxy) {
        return false;
    }
    // Determine the request port
    let reqPort;
    if (reqUrl.port) {
        reqPort = Number(reqUrl.port);
    }
    else if (reqUrl.protocol === 'http:') {
        reqPort = 80;
    }
    else if (reqUrl.protocol === 'https:') {
        reqPort = 443;
    }
    // Format the request hostname and hostname with port
    const upperReqHosts = [reqUrl.hostname.toUpperCase()];
    if (typeof reqPort === 'number') {
        upperReqHosts.push(`${upperReqHosts[0]}:${reqPort}`);
    }
    // Compare request host against noproxy
    for (const upperNoProxyItem of noProxy
        .split(',')
        .map(x => x.trim().toUpperCase())
        .filter(x => x)) {
        if (upperNoProxyItem === '*' ||
            upperReqHosts.some(x => x === upperNoProxyItem ||
                x.endsWith(`.${upperNoProxyItem}`) ||
                (upperNoProxyItem.startsWith('.') &&
                    x.endsWith(`${upperNoProxyItem}`)))) {
            return true;
        }
    }
    return false;
}
function isLoopbackAddress(host) {
    const hostLower = host.toLowerCase();
    return (hostLower === 'localhost' ||
        hostLower.startsWith('127.') ||
        hostLower.startsWith('[::1]') ||
        hostLower.startsWith('[0:0:0:0:0:0:0:1]'));
}
class DecodedURL extends URL {
    constructor(url, base) {
        super(url, base);
        this._decodedUsername = decodeURIComponent(super.username);
        this._decodedPassword = decodeURIComponent(super.password);
    }
    get username() {
        return this._decodedUsername;
    }
    get password() {
        return this._decodedPassword;
    }
}
//# sourceMappingURL=proxy.js.map

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(407);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 

//# sourceMappingURL=index.js.map