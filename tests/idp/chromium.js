#!/usr/bin/env node
// SPDX-License-Identifier: BSD-2-Clause
//
// chromium.js: a real browser for the browser login tests.  Runs Debian's
// headless chromium, drives it over the DevTools protocol (CDP) and plays
// the user at the fixture's devInteractions pages:
//
//   node chromium.js [--login NAME] [--deny] [--timeout S] [--pid-file F] URL
//
// URL is an authorization request; its redirect_uri (a loopback
// http://127.0.0.1:PORT/callback) is where the walk ends.  On the login
// page it types NAME (default alice) and a password and submits; on the
// consent page it submits; with --deny it presses "[ Cancel ]" instead
// (oidc-provider's abort link, which ends at the redirect_uri with
// error=access_denied).  When the redirect_uri's page has loaded, it
// prints one JSON line on stdout,
//
//   {"url": "http://127.0.0.1:PORT/callback", "text": "<body innerText>"}
//
// (the URL without its query: the code stays out of the logs) and exits 0.
// It exits 1 with a message on stderr after the timeout (default 30 s),
// when chromium dies or shows its own error page; 2 on a usage error.
// Chromium is killed and its temp dir (profile, TMPDIR) removed in every case,
// SIGTERM and SIGINT included.  --pid-file F: F gets "DRIVER CHROMIUM",
// the pids of this process and of chromium (the leader of its process
// group), for a test's cleanup; it is removed last, when chromium is gone
// and the outcome written.
//
// No npm package: CDP over the pipe that --remote-debugging-pipe opens
// (fd 3 to chromium, fd 4 from it; each message is JSON followed by a NUL
// byte), and the page is polled rather than followed through events.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const USAGE = 'usage: node chromium.js [--login NAME] [--deny] [--timeout S] '
  + '[--pid-file FILE] URL';
const me = 'chromium.js';

function parseArgs(argv) {
  const o = {
    login: 'alice', deny: false, timeout: 30, pidFile: null, url: null,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const more = i + 1 < argv.length;
    if (a === '--deny') o.deny = true;
    else if (a === '--login' && more) o.login = argv[++i];
    else if (a === '--timeout' && more) o.timeout = Number(argv[++i]);
    else if (a === '--pid-file' && more) o.pidFile = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-') || o.url !== null) {
      usageError(`unexpected argument '${a}'`);
    } else o.url = a;
  }
  if (o.url === null) usageError('no URL');
  if (!(o.timeout > 0)) usageError('--timeout wants a number of seconds > 0');
  let redirect;
  try {
    redirect = new URL(new URL(o.url).searchParams.get('redirect_uri'));
  } catch {
    usageError(`${o.url}: not an authorization URL with a redirect_uri`);
  }
  o.target = redirect.origin + redirect.pathname;
  return o;
}

function usageError(msg) {
  process.stderr.write(`${me}: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

// The page without its query and fragment (a callback's query holds the
// authorization code).
function bare(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:'
      ? u.origin + u.pathname : url.replace(/[?#].*/, '');
  } catch {
    return String(url).replace(/[?#].*/, '');
  }
}

// --- CDP over the pipe -----------------------------------------------------

class Cdp {
  constructor(to, from) {
    this.to = to;
    this.next = 1;
    this.pending = new Map();
    this.buf = Buffer.alloc(0);
    from.on('data', (chunk) => this.feed(chunk));
  }

  feed(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (let nul = this.buf.indexOf(0); nul >= 0; nul = this.buf.indexOf(0)) {
      const msg = JSON.parse(this.buf.subarray(0, nul).toString('utf8'));
      this.buf = this.buf.subarray(nul + 1);
      const p = msg.id !== undefined && this.pending.get(msg.id);
      if (!p) continue; // an event: this driver polls instead
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.next;
    this.next += 1;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    this.to.write(`${JSON.stringify(msg)}\0`);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
    });
  }
}

// --- the page's side -------------------------------------------------------

// Run in the page at every poll: says where the page is and, once per
// loaded document (the __pbActed mark dies with the document), does the
// user's part: 'login', 'consent', 'cancel', or 'no-cancel' (--deny on a
// page without oidc-provider's abort link).
function pageScript(login, deny) {
  return `((login, deny) => {
  const s = { url: location.href, ready: document.readyState,
    text: document.body ? document.body.innerText : '', did: '' };
  if (s.ready !== 'complete' || window.__pbActed) return JSON.stringify(s);
  const user = document.querySelector('form input[name="login"]');
  const consent = document.querySelector(
    'form input[name="prompt"][value="consent"]');
  if (!user && !consent) return JSON.stringify(s);
  window.__pbActed = true;
  if (deny) {
    const cancel = document.querySelector('a[href$="/abort"]');
    s.did = cancel ? 'cancel' : 'no-cancel';
    if (cancel) cancel.click();
  } else if (user) {
    user.value = login;
    user.form.querySelector('input[name="password"]').value = 'any password';
    user.form.querySelector('[type="submit"]').click();
    s.did = 'login';
  } else {
    consent.form.querySelector('[type="submit"]').click();
    s.did = 'consent';
  }
  return JSON.stringify(s);
})(${JSON.stringify(login)}, ${deny ? 'true' : 'false'})`;
}

// --- chromium --------------------------------------------------------------

const opts = parseArgs(process.argv.slice(2));
// A fresh temp dir: the profile, and chromium's own TMPDIR (where it puts
// the directory of its singleton socket, which a killed chromium leaves).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-chromium.'));
const profile = path.join(dir, 'profile');
fs.mkdirSync(profile);
fs.mkdirSync(path.join(dir, 'tmp'));
const args = [
  '--headless=new', '--remote-debugging-pipe', `--user-data-dir=${profile}`,
  '--no-first-run', '--no-default-browser-check', '--disable-gpu',
  '--disable-extensions', '--disable-background-networking', '--disable-sync',
  '--metrics-recording-only',
  // Only the fixture and the callback are wanted: no proxy from the
  // environment for 127.0.0.1, no name resolved (the pages' web fonts).
  '--no-proxy-server',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];
// Chromium refuses to start as root with its sandbox on ("Running as root
// without --no-sandbox is not supported"): the tests run as root in
// containers and CI.  As any other user the sandbox stays on.
if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
args.push('about:blank');

// detached: chromium leads its own process group, so that one kill stops
// it and every process it forked (renderer, zygote, GPU and network
// utilities).
const child = spawn('chromium', args, {
  stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  env: { ...process.env, TMPDIR: path.join(dir, 'tmp') },
  detached: true,
});
if (opts.pidFile && child.pid) {
  fs.writeFileSync(opts.pidFile, `${process.pid} ${child.pid}\n`);
}
let stderrTail = '';
// Its last lines on stderr, for the message when it dies (without the
// D-Bus complaints every run without a session bus has).
child.stderr.on('data', (c) => {
  stderrTail = (stderrTail + c).split('\n').filter((l) => !/dbus/i.test(l))
    .slice(-10).join('\n');
});
child.stdio[4].on('error', () => {});
child.stdio[3].on('error', () => {});
let finishing = false;
const exited = new Promise((resolve) => {
  child.on('exit', (code, sig) => {
    resolve();
    if (!finishing) {
      finish(1, `chromium exited (${sig || `status ${code}`}) before `
        + `the callback:\n${stderrTail}`);
    }
  });
  child.on('error', (e) => {
    resolve();
    finish(1, `cannot run chromium: ${e.message} (apt-get install chromium)`);
  });
});

// finish STATUS MESSAGE: kill chromium's process group (SIGKILL: the
// profile is thrown away, nothing to save), wait for it, remove the
// temp dir, print (stdout when STATUS is 0, else stderr), remove the pid
// file and exit.
async function finish(status, message) {
  if (finishing) return;
  finishing = true;
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone already */ }
  await Promise.race([exited, new Promise((r) => { setTimeout(r, 5000); })]);
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  } catch (e) {
    process.stderr.write(`${me}: cannot remove ${dir}: ${e.message}\n`);
  }
  if (status === 0) fs.writeSync(1, `${message}\n`);
  else fs.writeSync(2, `${me}: ${message}\n`);
  // Last: a pid file gone means the line above is written.
  if (opts.pidFile) fs.rmSync(opts.pidFile, { force: true });
  process.exit(status);
}
process.on('SIGTERM', () => finish(143, 'terminated'));
process.on('SIGINT', () => finish(130, 'interrupted'));
process.on('SIGHUP', () => finish(129, 'hung up'));

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

// Where the walk is, for the timeout's message.
let last = { url: opts.url, text: '' };
setTimeout(() => finish(1, `timed out after ${opts.timeout} s at `
  + `${bare(last.url)}: `
  + `${String(last.text).trim().replace(/\s+/g, ' ').slice(0, 300)}`),
opts.timeout * 1000);

// The walk: a new page, the URL, then poll the page every 200 ms and act.
async function walk() {
  const cdp = new Cdp(child.stdio[3], child.stdio[4]);
  const { targetId } = await cdp.send('Target.createTarget',
    { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget',
    { targetId, flatten: true });
  await cdp.send('Page.enable', {}, sessionId);
  const nav = await cdp.send('Page.navigate', { url: opts.url }, sessionId);
  if (nav.errorText) {
    throw new Error(`chromium cannot load ${bare(opts.url)}: ${nav.errorText}`);
  }
  const script = pageScript(opts.login, opts.deny);
  for (;;) {
    let s = null;
    try {
      const r = await cdp.send('Runtime.evaluate',
        { expression: script, returnByValue: true }, sessionId);
      if (r.result && typeof r.result.value === 'string') {
        s = JSON.parse(r.result.value);
      }
    } catch {
      // the document went away under the evaluation (a navigation): poll again
    }
    if (s && s.url.startsWith('chrome-error:')) {
      throw new Error(`chromium shows its error page after ${bare(last.url)}`);
    }
    if (s) {
      last = s;
      if (bare(s.url) === opts.target && s.ready === 'complete') {
        return JSON.stringify({ url: bare(s.url), text: s.text });
      }
      if (s.did === 'no-cancel') {
        throw new Error('--deny is not supported here: no cancel link at '
          + `${bare(s.url)}`);
      }
      if (s.did) process.stderr.write(`${me}: ${s.did} at ${bare(s.url)}\n`);
    }
    await sleep(200);
  }
}

walk().then((line) => finish(0, line), (e) => finish(1, e.message));
