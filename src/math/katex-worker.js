// katex-worker.js -- renders TeX with KaTeX for folio's math pool.
//
// Usage: node katex-worker.js KATEX_DIR [MACROS_JSON]
//
// Protocol (stdin -> stdout, byte-counted frames, so TeX and HTML may hold
// any bytes, newlines included):
//   hello     K <version>\n                  written once at start-up, or
//             X <len>\n<message>              when KaTeX cannot be loaded
//   request   R <id> <display 0|1> <len>\n<tex: len bytes of UTF-8>
//   success   O <id> <len>\n<html: len bytes>
//   failure   E <id> <offset> <len>\n<message: len bytes>
// <offset> is the byte offset in the TeX of the character KaTeX blames
// (ParseError.position counts UTF-16 units; it is converted here).
// Requests are answered in order; the worker exits when stdin closes.
//
// KaTeX options: output 'htmlAndMathml', throwOnError true, strict 'ignore'
// (LaTeX-incompatible input that KaTeX can render is accepted silently, so
// stderr stays quiet during a build), trust false, and a fresh copy of the
// site macros for every formula (so that \gdef in one formula cannot leak
// into another, which would make cached output depend on build order).
'use strict';

// Each answer is encoded to UTF-8 as soon as it is rendered (KaTeX builds
// its markup as a deep rope of small strings, cheapest to flatten while it
// is fresh in the cache), straight into a 1 MiB buffer.  Answers go out in
// writes of about 256 KiB (about sixty formulas; the builder makes the
// answer pipe 1 MiB), and at the end of each input chunk: each write wakes
// the builder, and on a machine with as many cores as workers every
// wake-up takes a core from a worker.  Buffers are reused: one goes back
// to `spare` when its write has completed (a write the pipe cannot take
// at once is queued, and keeps its buffer), and a new one is made only
// when no spare is left.  Before, each answer was encoded into a Buffer of
// its own and each write concatenated them into a new one.  By hand, this
// worker alone rendering half the bench-math corpus twelve times, six runs
// of each side by side: about 9% less CPU (median of the paired ratios)
// and 17,000 page faults instead of 20,500.  (bench-math's CPU per formula
// of the whole pool varies by more than that from run to run.)
const BUF_BYTES = 1 << 20;
const FLUSH_BYTES = 262144;
const spare = [];
let buf = Buffer.allocUnsafeSlow(BUF_BYTES);
let used = 0;

function flush() {
  if (used === 0) return;
  const full = buf;
  process.stdout.write(full.subarray(0, used), () => spare.push(full));
  buf = spare.length ? spare.pop() : Buffer.allocUnsafeSlow(BUF_BYTES);
  used = 0;
}

function emit(head, body) {
  const n = Buffer.byteLength(body, 'utf8');
  const h = head + ' ' + n + '\n';
  if (used + h.length + n > BUF_BYTES) flush();
  if (h.length + n > BUF_BYTES) {        // one answer larger than a buffer
    process.stdout.write(h + body);
    return;
  }
  used += buf.latin1Write(h, used);
  used += buf.utf8Write(body, used);
  if (used >= FLUSH_BYTES) flush();
}

let katex;
let macros = {};
try {
  katex = require(require('path').resolve(process.argv[2]));
  if (process.argv[3]) macros = JSON.parse(process.argv[3]);
  if (macros === null || typeof macros !== 'object' || Array.isArray(macros))
    throw new Error('macros must be a JSON object');
} catch (e) {
  emit('X', String(e && e.message || e).split('\n')[0]);
  flush();
  process.exitCode = 1;
  return;
}
process.stdout.write('K ' + katex.version + '\n');

function render(id, display, tex) {
  try {
    const html = katex.renderToString(tex, {
      displayMode: display,
      output: 'htmlAndMathml',
      throwOnError: true,
      strict: 'ignore',
      trust: false,
      macros: Object.assign({}, macros),
    });
    emit('O ' + id, html);
  } catch (e) {
    let msg = String(e && (e.rawMessage || e.message) || e);
    let pos = 0;
    if (e instanceof katex.ParseError && typeof e.position === 'number')
      pos = Buffer.byteLength(tex.slice(0, e.position), 'utf8');
    else if (!(e instanceof katex.ParseError))
      msg = 'internal KaTeX error: ' + msg;
    emit('E ' + id + ' ' + pos, msg.split('\n')[0]);
  }
}

let pending = Buffer.alloc(0);

process.stdin.on('data', (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  let at = 0;
  for (;;) {
    const nl = pending.indexOf(10, at);
    if (nl < 0) break;
    const head = pending.toString('latin1', at, nl).split(' ');
    const len = Number(head[3]);
    if (head[0] !== 'R' || head.length !== 4 || !(len >= 0)) {
      process.stderr.write('katex-worker: bad request\n');
      process.exit(2);
    }
    if (pending.length < nl + 1 + len) break;
    render(head[1], head[2] === '1', pending.toString('utf8', nl + 1, nl + 1 + len));
    at = nl + 1 + len;
  }
  pending = pending.subarray(at);
  flush();
});
process.stdin.on('end', () => flush());
