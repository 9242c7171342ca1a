#!/usr/bin/env node
// Scripted approver for the oidc-provider device flow (RFC 8628) with
// devInteractions: plays the user's browser with plain HTTP form posts and a
// cookie jar.
//
//   GET  /device                      read the xsrf field
//   POST /device  user_code           confirmation page
//   POST /device  confirm=yes         (abort=yes denies) -> /interaction/<uid>
//   POST /interaction/<uid> prompt=login login=... password=...
//   follow redirects -> /interaction/<uid2>
//   POST /interaction/<uid2> prompt=consent
//   follow redirects -> device success page
//
// Used as a module by server.js (POST /__control/approve) and as a command:
//   node approve.js ISSUER USER_CODE [approve|deny] [LOGIN]
// prints one JSON line with the outcome; exit status 0 on success.
//
// The same browser for the authorization code login (a scripted browser):
//   node approve.js --browser AUTHORIZATION_URL [approve|deny] [LOGIN]
// GETs the URL, signs in and consents (deny: cancels at the consent page),
// follows the IdP's redirects up to the one to the client's
// http://127.0.0.1:PORT/callback, GETs that and prints one JSON line:
// {"ok":true,"action":...,"status":HTTP status,"text":the page's text,
// "steps":[...]}; exit status 0 when the callback answered.

import * as http from 'node:http';
import { pathToFileURL } from 'node:url';

class CookieJar {
  constructor() {
    this.cookies = []; // {name, value, path}
  }

  store(setCookieHeaders) {
    for (const line of setCookieHeaders || []) {
      const parts = line.split(';').map((s) => s.trim());
      const eq = parts[0].indexOf('=');
      if (eq <= 0) continue;
      const name = parts[0].slice(0, eq);
      const value = parts[0].slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attr of parts.slice(1)) {
        const [k, v = ''] = attr.split('=');
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      if (!expired) this.cookies.push({ name, value, path });
    }
  }

  header(pathname) {
    const matching = this.cookies.filter((c) => pathname === c.path
      || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`));
    // longer paths first, as browsers do
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

function request(jar, method, url, form) {
  const u = new URL(url);
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const headers = { accept: 'text/html' };
  const cookie = jar.header(u.pathname);
  if (cookie) headers.cookie = cookie;
  if (body !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    headers['content-length'] = Buffer.byteLength(body);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      method,
      headers,
      agent: false,
      timeout: 10000,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        jar.store(res.headers['set-cookie']);
        resolve({
          status: res.statusCode,
          location: res.headers.location ? new URL(res.headers.location, url).href : undefined,
          url,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${method} ${u.pathname}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// GET/POST and follow redirects (303/302 become GET), at most 10 hops.
async function navigate(jar, method, url, form) {
  let res = await request(jar, method, url, form);
  for (let hops = 0; res.status >= 300 && res.status < 400 && res.location; hops += 1) {
    if (hops >= 10) throw new Error('too many redirects');
    res = await request(jar, 'GET', res.location);
  }
  return res;
}

function field(html, name) {
  const re = new RegExp(`name="${name}"\\s+value="([^"]*)"`);
  const m = html.match(re);
  return m ? m[1] : undefined;
}

function formAction(html, base) {
  const m = html.match(/<form[^>]*action="([^"]+)"[^>]*method="post"/);
  return m ? new URL(m[1].replace(/&amp;/g, '&'), base).href : undefined;
}

function pageError(res) {
  const m = res.body.match(/<p class="red">([^<]*)<\/p>/)
    || res.body.match(/<pre>([^<]*)<\/pre>/)
    || res.body.match(/<title>([^<]*)<\/title>/);
  return `HTTP ${res.status} at ${new URL(res.url).pathname}: ${m ? m[1].trim() : 'unexpected page'}`;
}

/**
 * Approve or deny a pending device authorization.
 * @param {object} o
 * @param {string} o.issuer     issuer URL (the device page is at ISSUER/device)
 * @param {string} o.userCode   user_code as shown to the user (any case/dashes)
 * @param {string} [o.action]   'approve' (default) or 'deny'
 * @param {string} [o.login]    account id to sign in as (default 'alice')
 * @returns {Promise<{ok: boolean, action: string, error?: string, steps: string[]}>}
 */
export async function approve({
  issuer, userCode, action = 'approve', login = 'alice',
}) {
  const jar = new CookieJar();
  const steps = [];
  const base = issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
  const devicePage = `${base}/device`;
  const fail = (msg) => ({
    ok: false, action, error: msg, steps,
  });

  let res = await navigate(jar, 'GET', devicePage);
  steps.push(`GET /device ${res.status}`);
  const xsrf = field(res.body, 'xsrf');
  if (res.status !== 200 || !xsrf) return fail(`no xsrf field: ${pageError(res)}`);

  res = await navigate(jar, 'POST', devicePage, { xsrf, user_code: userCode });
  steps.push(`POST user_code ${res.status}`);
  if (res.status !== 200 || !/name="confirm"/.test(res.body)) {
    return fail(`user_code not accepted: ${pageError(res)}`);
  }
  const xsrf2 = field(res.body, 'xsrf') || xsrf;

  if (action === 'deny') {
    res = await navigate(jar, 'POST', devicePage, { xsrf: xsrf2, user_code: userCode, abort: 'yes' });
    steps.push(`POST abort=yes ${res.status}`);
    if (!/interrupted/.test(res.body)) return fail(`abort not acknowledged: ${pageError(res)}`);
    return { ok: true, action, steps };
  }

  res = await navigate(jar, 'POST', devicePage, { xsrf: xsrf2, user_code: userCode, confirm: 'yes' });
  steps.push(`POST confirm=yes ${res.status} ${new URL(res.url).pathname}`);

  // At most a login and a consent prompt; loop in case the policy asks less.
  for (let i = 0; i < 4; i += 1) {
    if (/Sign-in Success/.test(res.body)) {
      return { ok: true, action, steps };
    }
    const target = formAction(res.body, res.url);
    const prompt = field(res.body, 'prompt');
    if (res.status !== 200 || !target || !prompt) return fail(pageError(res));
    const form = prompt === 'login'
      ? { prompt: 'login', login, password: 'password' }
      : { prompt };
    res = await navigate(jar, 'POST', target, form);
    steps.push(`POST prompt=${prompt} ${res.status} ${new URL(res.url).pathname}`);
  }
  return fail(`no success page: ${pageError(res)}`);
}

// The text of an HTML page: tags dropped, entities of the five kinds
// decoded, white space collapsed.
function pageText(html) {
  return html.replace(/<(script|style|title)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

// The redirect to the client's loopback callback (another origin than the
// IdP's, path /callback), which the browser login's listener answers.
function isCallback(location, idpUrl) {
  if (!location) return false;
  const u = new URL(location);
  return u.pathname === '/callback' && u.origin !== new URL(idpUrl).origin;
}

// GET/POST and follow redirects within the IdP, at most 10 hops; a
// redirect to the callback stops there: { res, callback }.
async function browseTo(jar, method, url, form) {
  let res = await request(jar, method, url, form);
  for (let hops = 0; res.status >= 300 && res.status < 400 && res.location; hops += 1) {
    if (isCallback(res.location, res.url)) return { res, callback: res.location };
    if (hops >= 10) throw new Error('too many redirects');
    res = await request(jar, 'GET', res.location);
  }
  return { res, callback: undefined };
}

function abortLink(html, base) {
  const m = html.match(/<a href="([^"]*\/abort)"/);
  return m ? new URL(m[1].replace(/&amp;/g, '&'), base).href : undefined;
}

/**
 * Play the user's browser in an authorization code login: GET the
 * authorization URL, sign in and consent (or cancel at the consent page),
 * then GET the callback the IdP redirects to, as a browser would.
 * @param {object} o
 * @param {string} o.url        the authorization URL
 * @param {string} [o.action]   'approve' (default) or 'deny'
 * @param {string} [o.login]    account id to sign in as (default 'alice')
 * @returns {Promise<{ok: boolean, action: string, status?: number,
 *   text?: string, error?: string, steps: string[]}>}
 */
export async function browse({ url, action = 'approve', login = 'alice' }) {
  const jar = new CookieJar();
  const steps = [];
  const fail = (msg) => ({
    ok: false, action, error: msg, steps,
  });
  let { res, callback } = await browseTo(jar, 'GET', url);
  steps.push(`GET authorization ${res.status}`);
  for (let i = 0; i < 4 && !callback; i += 1) {
    const target = formAction(res.body, res.url);
    const prompt = field(res.body, 'prompt');
    if (res.status !== 200 || !target || !prompt) return fail(pageError(res));
    if (prompt === 'consent' && action === 'deny') {
      const abort = abortLink(res.body, res.url);
      if (!abort) return fail(`no cancel link: ${pageError(res)}`);
      ({ res, callback } = await browseTo(jar, 'GET', abort));
      steps.push(`GET abort ${res.status}`);
      break;
    }
    const form = prompt === 'login'
      ? { prompt: 'login', login, password: 'password' }
      : { prompt };
    ({ res, callback } = await browseTo(jar, 'POST', target, form));
    steps.push(`POST prompt=${prompt} ${res.status}`);
  }
  if (!callback) return fail(`no redirect to the callback: ${pageError(res)}`);
  // The listener is the client's: no cookies of the IdP go there.
  const cb = await request(new CookieJar(), 'GET', callback);
  steps.push(`GET /callback ${cb.status}`);
  return {
    ok: true, action, status: cb.status, text: pageText(cb.body), steps,
  };
}

async function browseMain(argv) {
  const [url, action = 'approve', login = 'alice'] = argv;
  if (!url || !['approve', 'deny'].includes(action)) {
    process.stderr.write('usage: approve.js --browser URL [approve|deny] [LOGIN]\n');
    return 2;
  }
  try {
    const r = await browse({ url, action, login });
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return r.ok ? 0 : 1;
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, action, error: String(err.message || err) })}\n`);
    return 1;
  }
}

async function main(argv) {
  if (argv[0] === '--browser') return browseMain(argv.slice(1));
  const [issuer, userCode, action = 'approve', login = 'alice'] = argv;
  if (!issuer || !userCode || !['approve', 'deny'].includes(action)) {
    process.stderr.write('usage: approve.js ISSUER USER_CODE [approve|deny] [LOGIN]\n');
    return 2;
  }
  try {
    const r = await approve({
      issuer, userCode, action, login,
    });
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return r.ok ? 0 : 1;
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, action, error: String(err.message || err) })}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
