#!/usr/bin/env node
// A tiny jq stand-in for selftest.sh (and C tests), so the fixture needs no
// extra package. Reads stdin, parses it as JSON when it can, and evaluates
// JavaScript expressions over it.
//
//   jsonq.js EXPR...      print each value (strings raw, others as JSON)
//   jsonq.js -e EXPR...   check: every EXPR must be truthy; the failing ones
//                         are named on stderr and the exit status is 1
//
// In EXPR:  j      the parsed input (undefined when it is not JSON)
//           raw    the input text
//           jwt(t) {header, payload} of a compact JWS (unverified)
//           verify(t, jwks)  true when t's signature checks out with the key
//                  named by its kid in jwks (RS256/384/512, ES256/384)
//           file(p) the parsed JSON file p
//           env    process.env (pass shell values without quoting trouble)
//
//   jsonq.js --serve      co-process mode for scripts, see below

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

const args = process.argv.slice(2);
const b64json = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

function jwt(t) {
  const [h, p] = String(t).split('.');
  return { header: b64json(h), payload: b64json(p) };
}

function verify(t, jwks) {
  const [h, p, s] = String(t).split('.');
  const header = b64json(h);
  const jwk = (jwks.keys || []).find((k) => k.kid === header.kid);
  if (!jwk) return false;
  const hash = { 256: 'sha256', 384: 'sha384', 512: 'sha512' }[header.alg.slice(2)];
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  if (header.alg.startsWith('RS')) return crypto.verify(hash, data, key, sig);
  if (header.alg.startsWith('ES')) {
    return crypto.verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
  }
  return false;
}

const file = (path) => JSON.parse(fs.readFileSync(path, 'utf8'));

function evaluate(expr, raw) {
  let j;
  try {
    j = JSON.parse(raw);
  } catch {
    j = undefined;
  }
  // eslint-disable-next-line no-new-func
  return new Function('j', 'raw', 'jwt', 'verify', 'file', 'env', `return (${expr});`)(j, raw, jwt, verify, file, process.env);
}

function show(v) {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

if (args[0] === '--serve') {
  // Co-process mode for shell scripts (one node start for a whole run).
  // Each request is one line: MODE \x1f BODY-FILE \x1f EXPR [\x1f EXPR...]
  // with MODE 'e' (check) or 'p' (print the first EXPR); 's' NAME VALUE sets
  // env.NAME for later expressions. The answer is one
  // line: 'ok', or 'fail ' and the reasons; for 'p', 'ok ' and the value
  // (newlines escaped as \n), or 'fail ' and why.
  const rl = (await import('node:readline')).createInterface({ input: process.stdin });
  for await (const line of rl) {
    const [mode, path, ...exprs] = line.split('\x1f');
    if (mode === 's') { // s \x1f NAME \x1f VALUE: set env.NAME
      process.env[path] = exprs.join('\x1f');
      process.stdout.write('ok\n');
      continue; // eslint-disable-line no-continue
    }
    let raw = '';
    try {
      raw = fs.readFileSync(path, 'utf8');
    } catch {
      raw = '';
    }
    const problems = [];
    let value;
    for (const expr of exprs) {
      try {
        const v = evaluate(expr, raw);
        if (mode === 'p') {
          value = v;
          break;
        }
        if (!v) problems.push(`not true: ${expr}`);
      } catch (err) {
        problems.push(`${expr}: ${err.message}`);
      }
    }
    let out;
    if (problems.length) out = `fail ${problems.join('; ')}`;
    else if (mode === 'p') out = value === undefined ? 'fail undefined' : `ok ${show(value)}`;
    else out = 'ok';
    process.stdout.write(`${out.replace(/\n/g, '\\n')}\n`);
  }
  process.exit(0);
}

const check = args[0] === '-e';
const exprs = check ? args.slice(1) : args;
if (exprs.length === 0) {
  process.stderr.write('usage: jsonq.js [-e] EXPR... | jsonq.js --serve\n');
  process.exit(2);
}
const input = fs.readFileSync(0, 'utf8');
let status = 0;
for (const expr of exprs) {
  let v;
  try {
    v = evaluate(expr, input);
  } catch (err) {
    process.stderr.write(`${expr}: ${err.message}\n`);
    status = 1;
    continue;
  }
  if (check) {
    if (!v) {
      process.stderr.write(`not true: ${expr}\n`);
      status = 1;
    }
  } else if (v !== undefined) {
    process.stdout.write(`${show(v)}\n`);
  } else {
    status = 1;
  }
}
process.exit(status);
