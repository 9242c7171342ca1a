#!/usr/bin/env node
// pam-bearer IdP test fixture: oidc-provider on 127.0.0.1 with the device flow
// (RFC 8628), refresh token rotation, revocation (RFC 7009), introspection
// (RFC 7662) and JWT access tokens (RFC 9068), plus a control API under
// /__control for tests (counters, config, fault injection, scripted approval).
// See README.md in this directory.
//
// usage: node server.js [--issuer-path /realms/test] [--port N] [--config JSON]
// env:   IDP_ISSUER_PATH, IDP_PORT, IDP_CONFIG (same meaning; flags win)
//        IDP_MACHINE_KEYS: PEM key files (public or private; only the public
//        half is used), separated by ':', registered as the JWKS of the
//        private_key_jwt client 'bearer-machine' (client_credentials only)
//
// When ready it prints exactly one JSON line on stdout:
//   {"issuer":"http://127.0.0.1:N/realms/test","port":N,"control":"http://127.0.0.1:N/__control"}
// and keeps running until SIGTERM or SIGINT (exit status 0).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as util from 'node:util';

import { approve } from './approve.js';

// Until the server listens, SIGTERM/SIGINT just end the process (status 0).
let shutdown = () => process.exit(0);
process.on('SIGTERM', () => shutdown());
process.on('SIGINT', () => shutdown());

// oidc-provider prints notices with console.info (stdout). Keep stdout for
// the single ready line: every library message goes to stderr.
console.log = (...a) => console.error(...a); // eslint-disable-line no-console
console.info = (...a) => console.error(...a); // eslint-disable-line no-console

// Key generation runs in the thread pool while oidc-provider loads.
const keysReady = makeKeys(); // eslint-disable-line no-use-before-define
const { default: Provider, errors } = await import('oidc-provider');

// ---------------------------------------------------------------- options

function parseArgs(argv) {
  const out = {
    issuerPath: process.env.IDP_ISSUER_PATH || '',
    port: Number(process.env.IDP_PORT || 0),
    config: process.env.IDP_CONFIG || '',
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const val = () => {
      const eq = a.indexOf('=');
      if (eq > 0) return a.slice(eq + 1);
      i += 1;
      if (i >= argv.length) throw new Error(`${a} needs a value`);
      return argv[i];
    };
    if (a.startsWith('--issuer-path')) out.issuerPath = val();
    else if (a.startsWith('--port')) out.port = Number(val());
    else if (a.startsWith('--config')) out.config = val();
    else if (a === '--help' || a === '-h') {
      process.stderr.write('usage: server.js [--issuer-path /realms/test] [--port N] [--config JSON]\n');
      process.exit(0);
    } else throw new Error(`unknown argument: ${a}`);
  }
  if (out.issuerPath) {
    if (!out.issuerPath.startsWith('/')) out.issuerPath = `/${out.issuerPath}`;
    out.issuerPath = out.issuerPath.replace(/\/+$/, '');
    if (out.issuerPath === '/__control' || out.issuerPath.startsWith('/__control/')) {
      throw new Error('issuer path may not be under /__control');
    }
  }
  if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error('bad --port');
  return out;
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`server.js: ${err.message}\n`);
  process.exit(2);
}

// --------------------------------------------------------- mutable config

const RESOURCE = 'urn:pam-bearer:ssh';

const DEFAULTS = Object.freeze({
  interval: null, // number: sent as "interval" in the device authorization response; null: omitted
  slow_down: 0, // answer slow_down to the next K device_code polls
  enforce_interval: false, // answer slow_down (and add 5 s) when a device_code is polled too fast
  access_ttl: 300,
  refresh_ttl: 86400,
  device_ttl: 600,
  audience: 'ssh', // string, or array of strings (the JWT then carries the array)
  username: 'alice', // account id (sub) the approver signs in as unless told otherwise
  groups: ['users', 'ssh-users'],
  fat_groups: false, // true (64 groups) or a number of extra groups: token > 2500 bytes
  alg: 'RS256', // access token signing alg: RS256 or ES256
  scope: 'openid profile email offline_access ssh', // scopes the resource server knows
  extra_claims: {}, // merged last into the access token payload; null deletes a claim
  auto_approve: null, // null, 'approve' or 'deny': act on every new device code
  auto_approve_delay_ms: 200,
  dpop: true, // read at start: oidc-provider's DPoP (RFC 9449); false: an IdP without it
  dpop_nonce: false, // the token endpoint requires a DPoP nonce (use_dpop_nonce first)
  device_flow: true, // false: discovery lists no device endpoint nor grant (an IdP without it)
});

const CONFIG_CHECKS = {
  interval: (v) => v === null || (Number.isInteger(v) && v >= 0),
  slow_down: (v) => Number.isInteger(v) && v >= 0,
  enforce_interval: (v) => typeof v === 'boolean',
  access_ttl: (v) => Number.isInteger(v) && v > 0,
  refresh_ttl: (v) => Number.isInteger(v) && v > 0,
  device_ttl: (v) => Number.isInteger(v) && v > 0,
  audience: (v) => (typeof v === 'string' && v !== '')
    || (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s !== '')),
  username: (v) => typeof v === 'string' && v !== '',
  groups: (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
  fat_groups: (v) => typeof v === 'boolean' || (Number.isInteger(v) && v >= 0),
  alg: (v) => v === 'RS256' || v === 'ES256',
  scope: (v) => typeof v === 'string',
  extra_claims: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
  auto_approve: (v) => v === null || v === 'approve' || v === 'deny',
  auto_approve_delay_ms: (v) => Number.isInteger(v) && v >= 0,
  dpop: (v) => typeof v === 'boolean',
  dpop_nonce: (v) => typeof v === 'boolean',
  device_flow: (v) => typeof v === 'boolean',
};

function mergeConfig(base, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new Error('config must be a JSON object');
  }
  const next = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in CONFIG_CHECKS)) throw new Error(`unknown config key: ${k}`);
    if (!CONFIG_CHECKS[k](v)) throw new Error(`bad value for ${k}: ${JSON.stringify(v)}`);
    next[k] = v;
  }
  return next;
}

let START_CONFIG;
try {
  START_CONFIG = Object.freeze(mergeConfig(DEFAULTS, opts.config ? JSON.parse(opts.config) : {}));
} catch (err) {
  process.stderr.write(`server.js: --config: ${err.message}\n`);
  process.exit(2);
}

const state = {
  cfg: { ...START_CONFIG },
  slowDownLeft: START_CONFIG.slow_down,
  counters: {},
  polls: [], // {t, device_code}
  requests: [], // {endpoint, authorization, form_keys}: never values
  faults: {}, // endpoint -> {mode, remaining, grant_type, delay_ms}
  deviceCodes: [], // {user_code, created, state, error}
  pollState: new Map(), // device_code -> {last, interval}
};

const COUNTER_KEYS = [
  'discovery', 'jwks', 'device_authorization', 'token', 'token_device_code',
  'token_refresh_token', 'token_client_credentials', 'token_other', 'revocation', 'introspection',
  'device_verification', 'interaction', 'userinfo', 'other', 'control',
];

function resetState() {
  state.cfg = { ...START_CONFIG };
  state.slowDownLeft = START_CONFIG.slow_down;
  state.counters = Object.fromEntries(COUNTER_KEYS.map((k) => [k, 0]));
  state.polls = [];
  state.requests = [];
  state.faults = {};
  state.pollState.clear();
  releaseHung(); // eslint-disable-line no-use-before-define
}

// ------------------------------------------------------------------- keys

// Signing keys (RS256 and ES256, new at every start), and a JWKS whose every
// key is broken for the 'bad-jwks' fault: RSA e=1 (verifies forgeries), RSA
// with a 512-bit modulus, RSA with an even exponent, an EC point off its curve.
// Also the published set as oidc-provider serves it, for the 'shuffle-jwks'
// fault (the same keys, keys and members in reverse order, as LemonLDAP::NG
// varies them), the 'nokid-jwks' fault (the same keys without kid, as
// LemonLDAP::NG publishes by default) and the 'enc-jwks' fault (the same
// keys plus an RSA-OAEP "use":"enc" key, as Keycloak's certs endpoint serves).
async function makeKeys() {
  const genKeyPair = util.promisify(crypto.generateKeyPair);
  const [rsa, ec, bigPub, smallPub, ecPub, encPair] = await Promise.all([
    genKeyPair('rsa', { modulusLength: 2048 }),
    genKeyPair('ec', { namedCurve: 'P-256' }),
    genKeyPair('rsa', { modulusLength: 2048 }),
    genKeyPair('rsa', { modulusLength: 512 }),
    genKeyPair('ec', { namedCurve: 'P-256' }),
    genKeyPair('rsa', { modulusLength: 2048 }),
  ]);
  const suffix = crypto.randomBytes(4).toString('hex');
  const signing = [
    {
      ...rsa.privateKey.export({ format: 'jwk' }), kid: `rsa-${suffix}`, alg: 'RS256', use: 'sig',
    },
    {
      ...ec.privateKey.export({ format: 'jwk' }), kid: `ec-${suffix}`, alg: 'ES256', use: 'sig',
    },
  ];
  const big = bigPub.publicKey.export({ format: 'jwk' });
  const small = smallPub.publicKey.export({ format: 'jwk' });
  const bad = ecPub.publicKey.export({ format: 'jwk' });
  const y = Buffer.from(bad.y, 'base64url');
  y[y.length - 1] ^= 1; // off the curve
  const badJwks = {
    keys: [
      {
        kty: 'RSA', kid: 'bad-rsa-e1', use: 'sig', alg: 'RS256', n: big.n, e: 'AQ',
      },
      {
        kty: 'RSA', kid: 'bad-rsa-512', use: 'sig', alg: 'RS256', n: small.n, e: small.e,
      },
      {
        kty: 'RSA', kid: 'bad-rsa-even-e', use: 'sig', alg: 'RS256', n: big.n, e: 'AQAC',
      },
      {
        kty: 'EC', kid: 'bad-ec-offcurve', use: 'sig', alg: 'ES256', crv: 'P-256', x: bad.x, y: y.toString('base64url'),
      },
    ],
  };
  const published = [rsa, ec].map((pair, i) => {
    const { kty, ...pub } = pair.publicKey.export({ format: 'jwk' });
    return {
      kty, use: 'sig', kid: signing[i].kid, alg: signing[i].alg, ...pub,
    };
  });
  const reversed = (o) => Object.fromEntries(Object.entries(o).reverse());
  const shuffleJwks = { keys: published.map(reversed).reverse() };
  const nokidJwks = {
    keys: published.map((k) => {
      const o = { ...k };
      delete o.kid;
      return o;
    }),
  };
  const encPub = encPair.publicKey.export({ format: 'jwk' });
  const encJwks = {
    keys: [...published, {
      kty: 'RSA', use: 'enc', kid: `enc-${suffix}`, alg: 'RSA-OAEP', e: encPub.e, n: encPub.n,
    }],
  };
  return {
    signing,
    badJwks: JSON.stringify(badJwks),
    shuffleJwks: JSON.stringify(shuffleJwks),
    nokidJwks: JSON.stringify(nokidJwks),
    encJwks: JSON.stringify(encJwks),
  };
}

const {
  signing: SIGNING_KEYS, badJwks: BAD_JWKS, shuffleJwks: SHUFFLE_JWKS, nokidJwks: NOKID_JWKS,
  encJwks: ENC_JWKS,
} = await keysReady;

// --------------------------------------------------------------- helpers

function groupsFor() {
  const groups = [...state.cfg.groups];
  const fat = state.cfg.fat_groups === true ? 64 : Number(state.cfg.fat_groups || 0);
  for (let i = 0; i < fat; i += 1) {
    groups.push(`cn=fat-group-${String(i).padStart(3, '0')},ou=groups,dc=example,dc=org`);
  }
  return groups;
}

function sendJson(res, status, obj, extraHeaders = {}) {
  const body = JSON.stringify(obj);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...extraHeaders,
  });
  res.end(body);
}

function readBody(req, limit = 64 * 1024) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function classify(path) {
  switch (path) {
    case '/.well-known/openid-configuration': return 'discovery';
    case '/jwks': return 'jwks';
    case '/device/auth': return 'device_authorization';
    case '/token': return 'token';
    case '/token/revocation': return 'revocation';
    case '/token/introspection': return 'introspection';
    case '/me': return 'userinfo';
    default:
      if (path === '/device' || path.startsWith('/device/')) return 'device_verification';
      if (path.startsWith('/interaction/')) return 'interaction';
      return 'other';
  }
}

// Endpoints whose requests GET /__control/requests describes: how the client
// authenticated and which form fields it sent, never a value.
const LOGGED_ENDPOINTS = new Set(['device_authorization', 'token', 'revocation']);

function authKind(header) {
  if (header === undefined) return 'none';
  const scheme = String(header).trim().split(/\s+/)[0].toLowerCase();
  return ['basic', 'bearer', 'dpop'].includes(scheme) ? scheme : 'other';
}

const FAULT_ENDPOINTS = {
  token: 'token',
  device: 'device_authorization',
  device_authorization: 'device_authorization',
  discovery: 'discovery',
  jwks: 'jwks',
  revocation: 'revocation',
  introspection: 'introspection',
};

// Requests held open by the 'hang' fault; released by reset and at exit.
const hung = new Set();
function releaseHung() {
  for (const res of hung) res.socket?.destroy();
  hung.clear();
}

// ------------------------------------------------------------- provider

// Machine clients (grant client_credentials): one with client_secret_basic,
// and, when IDP_MACHINE_KEYS names key files, one with private_key_jwt whose
// JWKS is their public halves.
function machineClients() {
  const out = [{
    client_id: 'bearer-machine-secret',
    client_secret: 'bearer-machine-secret-value',
    client_name: 'bearer-token (machine, client_secret_basic)',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  }];
  const files = (process.env.IDP_MACHINE_KEYS || '').split(':').filter((f) => f);
  if (files.length === 0) return out;
  const keys = files.map((f) => crypto.createPublicKey(fs.readFileSync(f)).export({ format: 'jwk' }));
  out.push({
    client_id: 'bearer-machine',
    client_name: 'bearer-token (machine, private_key_jwt)',
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    jwks: { keys },
  });
  return out;
}

function buildProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: [
      ...machineClients(),
      {
        client_id: 'bearer-cli',
        client_name: 'bearer-token (public)',
        token_endpoint_auth_method: 'none',
        // A native app (RFC 8252): the browser login's loopback redirect
        // matches on any port (section 7.3).
        application_type: 'native',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code',
          'authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/callback'],
      },
      {
        client_id: 'bearer-conf',
        client_secret: 'bearer-conf-secret',
        client_name: 'bearer-token (confidential)',
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
      {
        client_id: 'bearer-conf-post',
        client_secret: 'bearer-conf-secret',
        client_name: 'bearer-token (confidential, client_secret_post)',
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: SIGNING_KEYS },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, preferred_username: sub, groups: groupsFor() };
        },
      };
    },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      clientCredentials: { enabled: true },
      // DPoP-bound tokens (RFC 9449): a token request with a DPoP proof
      // gets token_type DPoP, cnf.jkt in the JWT access token and, for the
      // public client, a refresh token bound to the same key.
      dPoP: {
        enabled: START_CONFIG.dpop,
        nonceSecret: crypto.randomBytes(32),
        requireNonce: () => state.cfg.dpop_nonce,
      },
      revocation: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async () => true },
      resourceIndicators: {
        enabled: true,
        async defaultResource(ctx, client, oneOf) {
          if (oneOf) return oneOf.length ? oneOf[0] : RESOURCE;
          return RESOURCE;
        },
        async useGrantedResource() {
          return true;
        },
        async getResourceServerInfo(ctx, indicator) {
          if (indicator !== RESOURCE) throw new errors.InvalidTarget();
          const aud = state.cfg.audience;
          return {
            scope: state.cfg.scope,
            audience: Array.isArray(aud) ? aud[0] : aud,
            accessTokenTTL: state.cfg.access_ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: state.cfg.alg } },
          };
        },
      },
    },
    async extraTokenClaims(ctx, token) {
      if (!token.accountId) return undefined;
      return { preferred_username: token.accountId, groups: groupsFor() };
    },
    formats: {
      customizers: {
        async jwt(ctx, token, jwt) {
          const { audience, extra_claims: extra } = state.cfg;
          if (Array.isArray(audience)) jwt.payload.aud = [...audience];
          for (const [k, v] of Object.entries(extra)) {
            if (v === null) delete jwt.payload[k];
            else jwt.payload[k] = v;
          }
        },
      },
    },
    async issueRefreshToken(ctx, client) {
      return client.grantTypeAllowed('refresh_token');
    },
    rotateRefreshToken: true,
    async expiresWithSession() {
      return false;
    },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: () => state.cfg.access_ttl,
      RefreshToken: () => state.cfg.refresh_ttl,
      DeviceCode: () => state.cfg.device_ttl,
      IdToken: 3600,
      Grant: 14 * 86400,
      Session: 14 * 86400,
      Interaction: 3600,
    },
  });
  provider.proxy = false;

  // Add "interval" to the device authorization response, and remember the
  // user codes for /__control/approve and auto-approval.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route === 'discovery' && !state.cfg.device_flow
        && ctx.body && typeof ctx.body === 'object') {
      delete ctx.body.device_authorization_endpoint;
      ctx.body.grant_types_supported = (ctx.body.grant_types_supported || [])
        .filter((g) => g !== 'urn:ietf:params:oauth:grant-type:device_code');
    }
    if (ctx.oidc?.route === 'device_authorization' && ctx.status === 200
        && ctx.body && typeof ctx.body === 'object') {
      if (state.cfg.interval !== null) ctx.body.interval = state.cfg.interval;
      const entry = {
        user_code: ctx.body.user_code, created: Date.now(), state: 'pending',
      };
      state.deviceCodes.push(entry);
      if (state.deviceCodes.length > 100) state.deviceCodes.shift();
      if (state.cfg.auto_approve) {
        const action = state.cfg.auto_approve;
        setTimeout(() => {
          runApproval(entry, action, state.cfg.username); // eslint-disable-line no-use-before-define
        }, state.cfg.auto_approve_delay_ms).unref();
      }
    }
  });

  provider.on('server_error', (ctx, err) => {
    process.stderr.write(`idp: server_error: ${err.stack || err}\n`);
  });
  return provider;
}

// ------------------------------------------------------------ approval

let ISSUER;

async function runApproval(entry, action, login) {
  try {
    const r = await approve({
      issuer: ISSUER, userCode: entry.user_code, action, login,
    });
    entry.state = r.ok ? (action === 'deny' ? 'denied' : 'approved') : 'failed';
    if (!r.ok) entry.error = r.error;
    return r;
  } catch (err) {
    entry.state = 'failed';
    entry.error = String(err.message || err);
    return { ok: false, action, error: entry.error };
  }
}

// --------------------------------------------------------- control API

async function control(req, res, url) {
  state.counters.control += 1;
  const ra = req.socket.remoteAddress || '';
  if (!(ra.startsWith('127.') || ra === '::1' || ra === '::ffff:127.0.0.1')) {
    return sendJson(res, 403, { error: 'loopback only' });
  }
  const route = `${req.method} ${url.pathname.replace(/\/+$/, '')}`;
  let body = {};
  if (req.method === 'POST') {
    const raw = (await readBody(req)).toString('utf8').trim();
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { error: 'body is not JSON' });
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        return sendJson(res, 400, { error: 'body must be a JSON object' });
      }
    }
  }

  switch (route) {
    case 'GET /__control':
      return sendJson(res, 200, {
        issuer: ISSUER,
        resource: RESOURCE,
        clients: {
          public: 'bearer-cli',
          confidential_basic: { client_id: 'bearer-conf', client_secret: 'bearer-conf-secret' },
          confidential_post: { client_id: 'bearer-conf-post', client_secret: 'bearer-conf-secret' },
          machine_basic: { client_id: 'bearer-machine-secret', client_secret: 'bearer-machine-secret-value' },
          machine_jwt: 'bearer-machine',
        },
        kids: SIGNING_KEYS.map((k) => k.kid),
        routes: [
          'GET /__control/counters', 'POST /__control/reset', 'GET|POST /__control/config',
          'GET|POST /__control/fault', 'GET /__control/polls', 'GET /__control/device_codes',
          'GET /__control/requests', 'POST /__control/approve',
        ],
      });
    case 'GET /__control/counters':
      return sendJson(res, 200, state.counters);
    case 'POST /__control/reset':
      resetState();
      return sendJson(res, 200, { ok: true, config: state.cfg });
    case 'GET /__control/config':
      return sendJson(res, 200, { ...state.cfg, slow_down: state.slowDownLeft });
    case 'POST /__control/config': {
      try {
        state.cfg = mergeConfig(state.cfg, body);
      } catch (err) {
        return sendJson(res, 400, { error: err.message });
      }
      if ('slow_down' in body) state.slowDownLeft = body.slow_down;
      return sendJson(res, 200, { ...state.cfg, slow_down: state.slowDownLeft });
    }
    case 'GET /__control/fault':
    case 'GET /__control/faults':
      return sendJson(res, 200, Object.fromEntries(Object.entries(state.faults)
        .map(([k, f]) => [k, { ...f, remaining: f.remaining === Infinity ? -1 : f.remaining }])));
    case 'POST /__control/fault': {
      const ep = FAULT_ENDPOINTS[body.endpoint];
      if (!ep) return sendJson(res, 400, { error: `endpoint must be one of ${Object.keys(FAULT_ENDPOINTS).join(', ')}` });
      const mode = String(body.mode ?? '');
      if (mode === 'none' || mode === 'off') {
        delete state.faults[ep];
        return sendJson(res, 200, { ok: true, endpoint: ep, mode: 'none' });
      }
      const statusMode = /^[1-5][0-9][0-9]$/.test(mode);
      const jwksModes = ['bad-jwks', 'empty-jwks', 'shuffle-jwks', 'nokid-jwks', 'enc-jwks'];
      const modes = ['garbage', 'hang', 'reset', 'delay', 'hold', 'answer', 'bare', 'expires_in', 'access_token', ...jwksModes];
      if (!statusMode && !modes.includes(mode)) {
        return sendJson(res, 400, { error: `mode must be 500 (or any HTTP status), ${modes.join(', ')} or none` });
      }
      const status = body.status === undefined ? (mode === 'answer' ? 200 : 400) : body.status;
      if ((mode === 'answer' || mode === 'bare') && !(Number.isInteger(status) && status >= 100 && status <= 599)) {
        return sendJson(res, 400, { error: 'status must be an HTTP status' });
      }
      if (mode === 'answer' && (typeof body.answer !== 'object' || body.answer === null)) {
        return sendJson(res, 400, { error: 'answer must be a JSON object' });
      }
      if (mode === 'expires_in' && (ep !== 'token' || !Number.isInteger(body.expires_in))) {
        return sendJson(res, 400, { error: 'expires_in applies to the token endpoint and needs an integer expires_in' });
      }
      if (mode === 'access_token' && (ep !== 'token' || typeof body.access_token !== 'string')) {
        return sendJson(res, 400, { error: 'access_token applies to the token endpoint and needs a string access_token' });
      }
      if (jwksModes.includes(mode) && ep !== 'jwks') {
        return sendJson(res, 400, { error: `${mode} applies to the jwks endpoint only` });
      }
      const count = body.count === undefined ? 1 : body.count;
      if (!Number.isInteger(count) || count === 0 || count < -1) {
        return sendJson(res, 400, { error: 'count must be a positive integer, or -1 for every request' });
      }
      if (body.grant_type !== undefined && (ep !== 'token' || typeof body.grant_type !== 'string')) {
        return sendJson(res, 400, { error: 'grant_type applies to the token endpoint only' });
      }
      const delayMs = body.delay_ms === undefined ? 3000 : body.delay_ms;
      if (!Number.isInteger(delayMs) || delayMs < 0) return sendJson(res, 400, { error: 'bad delay_ms' });
      state.faults[ep] = {
        mode,
        remaining: count === -1 ? Infinity : count,
        ...(body.grant_type ? { grant_type: body.grant_type } : {}),
        ...(mode === 'delay' || mode === 'hold' ? { delay_ms: delayMs } : {}),
        ...(mode === 'answer' || mode === 'bare' ? { status } : {}),
        ...(mode === 'answer' ? { answer: body.answer } : {}),
        ...(mode === 'expires_in' ? { expires_in: body.expires_in } : {}),
        ...(mode === 'access_token' ? { access_token: body.access_token } : {}),
      };
      return sendJson(res, 200, { ok: true, endpoint: ep, mode, count });
    }
    case 'GET /__control/polls':
      return sendJson(res, 200, state.polls.map((p) => p.t));
    case 'GET /__control/device_codes':
      return sendJson(res, 200, state.deviceCodes);
    case 'GET /__control/requests':
      return sendJson(res, 200, state.requests);
    case 'POST /__control/approve': {
      const action = body.action === undefined ? 'approve' : body.action;
      if (action !== 'approve' && action !== 'deny') {
        return sendJson(res, 400, { error: "action must be 'approve' or 'deny'" });
      }
      const login = body.login === undefined ? state.cfg.username : body.login;
      if (typeof login !== 'string' || !login) return sendJson(res, 400, { error: 'bad login' });
      let entry;
      if (body.user_code !== undefined) {
        if (typeof body.user_code !== 'string') return sendJson(res, 400, { error: 'bad user_code' });
        entry = state.deviceCodes.find((e) => e.user_code === body.user_code);
        if (!entry) {
          // a code we did not see issued (or mistyped): let the IdP judge it
          entry = { user_code: body.user_code, created: Date.now(), state: 'pending' };
        }
      } else {
        entry = [...state.deviceCodes].reverse().find((e) => e.state === 'pending');
        if (!entry) return sendJson(res, 404, { ok: false, error: 'no pending device code' });
      }
      const r = await runApproval(entry, action, login);
      return sendJson(res, r.ok ? 200 : 409, { ...r, user_code: entry.user_code, login });
    }
    default:
      return sendJson(res, 404, { error: `no such control route: ${route}` });
  }
}

// ------------------------------------------------------------- faults

function applyFault(fault, req, res) {
  const { mode } = fault;
  if (/^[0-9]{3}$/.test(mode)) {
    sendJson(res, Number(mode), { error: 'server_error', error_description: `injected fault: HTTP ${mode}` });
  } else if (mode === 'garbage') {
    const body = '<html><body>this is not JSON {"access_token": ';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else if (mode === 'hang') {
    hung.add(res);
    res.on('close', () => hung.delete(res));
  } else if (mode === 'reset') {
    const s = req.socket;
    if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else s.destroy();
  } else if (mode === 'bad-jwks') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(BAD_JWKS) });
    res.end(BAD_JWKS);
  } else if (mode === 'empty-jwks') {
    sendJson(res, 200, { keys: [] });
  } else if (mode === 'shuffle-jwks' || mode === 'nokid-jwks' || mode === 'enc-jwks') {
    const body = { 'shuffle-jwks': SHUFFLE_JWKS, 'nokid-jwks': NOKID_JWKS, 'enc-jwks': ENC_JWKS }[mode];
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  } else if (mode === 'answer') {
    sendJson(res, fault.status, fault.answer);
  } else if (mode === 'bare') {
    res.writeHead(fault.status, { 'content-length': 0 });
    res.end();
  }
}

// The 'hold' fault: the provider's own answer (a refresh token already
// rotated), sent delay_ms late: the window in which a client that dies
// loses the session.
function holdAnswer(res, ms) {
  const end = res.end.bind(res);
  res.end = (...args) => {
    const t = setTimeout(() => end(...args), ms);
    res.on('close', () => clearTimeout(t));
    return res;
  };
}

// The 'expires_in' and 'access_token' faults: the provider's own answer
// (a refresh token already rotated) with one member replaced: expires_in
// (a token endpoint whose expires_in disagrees with the JWT's exp), or
// access_token (one the client must refuse, after keeping the rotated
// refresh token).
function rewriteMember(res, name, value) {
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    try {
      const doc = JSON.parse(Buffer.from(chunk).toString('utf8'));
      if (doc && typeof doc === 'object' && 'access_token' in doc) {
        doc[name] = value;
        const body = JSON.stringify(doc);
        if (!res.headersSent) res.setHeader('content-length', Buffer.byteLength(body));
        return end(body, ...rest);
      }
    } catch {
      // not JSON: pass it on
    }
    return end(chunk, ...rest);
  };
}

// ------------------------------------------------------------- server

let callback;

async function handle(req, res) {
  let url;
  try {
    url = new URL(req.url, 'http://127.0.0.1');
  } catch {
    return sendJson(res, 400, { error: 'bad request line' });
  }
  if (url.pathname === '/__control' || url.pathname.startsWith('/__control/')) {
    return control(req, res, url);
  }

  let path = url.pathname;
  const prefix = opts.issuerPath;
  if (prefix) {
    if (path !== prefix && !path.startsWith(`${prefix}/`) && !path.startsWith(`${prefix}?`)) {
      state.counters.other += 1;
      return sendJson(res, 404, { error: 'not_found', error_description: `outside the issuer path ${prefix}` });
    }
    // oidc-provider derives its mount path from req.originalUrl minus req.url
    req.originalUrl = req.url;
    req.url = req.url.slice(prefix.length) || '/';
    if (req.url.startsWith('?')) req.url = `/${req.url}`;
    path = path.slice(prefix.length) || '/';
  }

  const ep = classify(path);
  state.counters[ep] += 1;

  let grantType;
  let deviceCode;
  if (LOGGED_ENDPOINTS.has(ep) && req.method === 'POST') {
    let raw;
    try {
      raw = await readBody(req);
    } catch {
      return sendJson(res, 413, { error: 'invalid_request', error_description: 'body too large' });
    }
    req.body = raw; // oidc-provider reads req.body when the stream is consumed
    let params = new URLSearchParams();
    if (/^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] || '')) {
      params = new URLSearchParams(raw.toString('utf8'));
    }
    state.requests.push({
      endpoint: ep,
      authorization: authKind(req.headers.authorization),
      form_keys: [...params.keys()],
      dpop: req.headers.dpop !== undefined, // a DPoP proof header came (never its value)
    });
    if (state.requests.length > 1000) state.requests.shift();
    if (ep === 'token') {
      grantType = params.get('grant_type') || undefined;
      deviceCode = params.get('device_code') || undefined;
    }
  }
  if (ep === 'token' && req.method === 'POST') {
    if (grantType === 'urn:ietf:params:oauth:grant-type:device_code') {
      state.counters.token_device_code += 1;
      state.polls.push({ t: Date.now(), device_code: deviceCode });
      if (state.polls.length > 10000) state.polls.shift();
    } else if (grantType === 'refresh_token') {
      state.counters.token_refresh_token += 1;
    } else if (grantType === 'client_credentials') {
      state.counters.token_client_credentials += 1;
    } else {
      state.counters.token_other += 1;
    }
  }

  const fault = state.faults[ep];
  if (fault && fault.remaining > 0
      && (!fault.grant_type || fault.grant_type === grantType
        || (fault.grant_type === 'device_code' && grantType === 'urn:ietf:params:oauth:grant-type:device_code'))) {
    fault.remaining -= 1;
    if (fault.remaining <= 0) delete state.faults[ep];
    if (fault.mode === 'delay') {
      await new Promise((r) => { setTimeout(r, fault.delay_ms); });
    } else if (fault.mode === 'hold') {
      holdAnswer(res, fault.delay_ms);
    } else if (fault.mode === 'expires_in') {
      rewriteMember(res, 'expires_in', fault.expires_in);
    } else if (fault.mode === 'access_token') {
      rewriteMember(res, 'access_token', fault.access_token);
    } else {
      return applyFault(fault, req, res);
    }
  }

  if (grantType === 'urn:ietf:params:oauth:grant-type:device_code') {
    const slow = () => sendJson(res, 400, {
      error: 'slow_down',
      error_description: 'you are polling too quickly and should back off at a reasonable rate',
    });
    if (state.slowDownLeft > 0) {
      state.slowDownLeft -= 1;
      return slow();
    }
    if (state.cfg.enforce_interval && deviceCode) {
      const now = Date.now();
      let ps = state.pollState.get(deviceCode);
      if (!ps) {
        ps = { last: 0, interval: state.cfg.interval ?? 5 };
        state.pollState.set(deviceCode, ps);
      }
      const early = ps.last && now - ps.last < ps.interval * 1000 - 250;
      ps.last = now;
      if (early) {
        ps.interval += 5;
        return slow();
      }
    }
  }

  return callback(req, res);
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((err) => {
    process.stderr.write(`idp: ${err.stack || err}\n`);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
    else res.destroy();
  });
});
server.keepAliveTimeout = 2000;

resetState();

server.listen(opts.port, '127.0.0.1', () => {
  const { port } = server.address();
  ISSUER = `http://127.0.0.1:${port}${opts.issuerPath}`;
  const provider = buildProvider(ISSUER);
  callback = provider.callback();
  process.stdout.write(`${JSON.stringify({ issuer: ISSUER, port, control: `http://127.0.0.1:${port}/__control` })}\n`);
});

server.on('error', (err) => {
  process.stderr.write(`idp: ${err.message}\n`);
  process.exit(1);
});

shutdown = () => {
  releaseHung();
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 1000).unref();
};
