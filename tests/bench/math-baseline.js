// math-baseline.js -- the peer of the math pool benchmark: KaTeX's own
// renderToString over the whole corpus in this one Node process, with the
// options the workers use.
//
// Usage: node math-baseline.js KATEX_DIR CORPUS
// The line "digest" renders the corpus once (untimed) and answers with
// {"sha256":..}: SHA-256 over every formula's HTML, each followed by a NUL,
// so that the benchmark can check that the pool's answers are these, byte
// for byte.  A formula KaTeX refuses counts as the bytes 01 00, and so
// does one that uses a command KaTeX renders only when trusted (\href,
// \url, ...), which folio's workers refuse (with trust off KaTeX shows
// such a command in red); the messages of refused formulas are not
// compared (the workers add folio's placing to KaTeX's).
// Each line "pass" on stdin runs one pass over the corpus and answers with
// one line {"wall_s":..,"cpu_s":..,"n":..,"errors":..}, where cpu_s counts
// every thread of this process (V8's compiler and collector threads too).
// "pass K N" renders only the formulas whose index is K modulo N (each with
// the display mode it has in a whole pass), so that N of these processes
// can share a pass as N workers would.  The process stays up between
// passes, so that the benchmark can take turns with the pool pass by pass
// and every side keeps its JIT warm.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const readline = require('readline');
const katex = require(path.resolve(process.argv[2]));
const corpus = fs.readFileSync(process.argv[3], 'utf8').split('\n').filter((l) => l);

// Whether KaTeX asked to trust a command in the formula rendered last:
// the workers refuse such a formula, so here it counts as an error too.
let asked = false;
function refuseTrust() {
  asked = true;
  return false;
}

// The workers' options for formula i of the corpus.
function options(i) {
  return {displayMode: i % 4 === 0, output: 'htmlAndMathml',
    throwOnError: true, strict: 'ignore', trust: refuseTrust, macros: {}};
}

function pass(share, shares) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let errors = 0, n = 0;
  for (let i = share; i < corpus.length; i += shares) {
    n++;
    asked = false;
    try {
      katex.renderToString(corpus[i], options(i));
      errors += asked;
    } catch (e) {
      errors++;
    }
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return {wall_s: wall, cpu_s: (c.user + c.system) / 1e6, n, errors};
}

function digest() {
  const hash = crypto.createHash('sha256');
  corpus.forEach((tex, i) => {
    asked = false;
    try {
      const html = katex.renderToString(tex, options(i));
      hash.update(asked ? '\x01' : html);
      hash.update('\0');
    } catch (e) {
      hash.update('\x01\0');
    }
  });
  return {sha256: hash.digest('hex')};
}

readline.createInterface({input: process.stdin}).on('line', (line) => {
  if (line.trim() === 'digest') {
    process.stdout.write(JSON.stringify(digest()) + '\n');
    return;
  }
  const w = line.trim().split(/ +/);
  const share = w.length === 3 ? Number(w[1]) : 0;
  const shares = w.length === 3 ? Number(w[2]) : 1;
  if (w[0] !== 'pass' || (w.length !== 1 && w.length !== 3) ||
      !(Number.isInteger(share) && Number.isInteger(shares) && shares >= 1 &&
        share >= 0 && share < shares)) {
    process.stderr.write('math-baseline: bad request: ' + line + '\n');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(pass(share, shares)) + '\n');
});
