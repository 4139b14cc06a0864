// katex-worker.js -- renders TeX with KaTeX for folio's math pool.
//
// Usage: node katex-worker.js KATEX_DIR [MACROS_JSON]
//
// Protocol (stdin -> stdout, byte-counted frames, so TeX and HTML may hold
// any bytes, newlines included):
//   hello     K <version>\n                  written once at start-up, or
//             X <len>\n<message>\0            when KaTeX cannot be loaded
//   request   R <id> <display 0|1> <len>\n<tex: len bytes of UTF-8>
//   success   O <id> <len>\n<html: len bytes>\0
//   failure   E <id> <offset> <len>\n<message: len bytes>\0
// (the NUL after each text lets the builder use it where it was read).
// <offset> is the byte offset in the TeX of the character KaTeX blames
// (ParseError.position counts UTF-16 units; it is converted here).  The
// worker writes an answer's <len> with leading zeros (see emit below).
// Requests are answered in order; the worker exits when stdin closes.
//
// The HTML is renderToString's, byte for byte, written by katex-markup.js
// from KaTeX's tree in two thirds of the time KaTeX's own toMarkup takes.
//
// KaTeX options: output 'htmlAndMathml', throwOnError true, strict 'ignore'
// (LaTeX-incompatible input that KaTeX can render is accepted silently, so
// stderr stays quiet during a build), trust false, and a fresh copy of the
// site macros for every formula (so that \gdef in one formula cannot leak
// into another, which would make cached output depend on build order).
'use strict';

// The worker reads and writes with blocking system calls (fs.readSync and
// fs.writeSync on descriptors 0 and 1), not through Node's streams and
// event loop: it has nothing else to wait for, and a write that finds the
// answer pipe full simply waits until the builder has read.  bench-math,
// ten runs side by side against the same worker on streams: the pool's
// CPU per formula 108-137 us against 116-148 us (lower in nine), the
// pool 0.81-0.87 times as fast as the pair in quiet runs against
// 0.77-0.83.  (Without an event loop, V8's idle-time collection never
// runs: by hand, a worker's memory settles at about 124 MB instead of
// 104 MB, the same after 115,000 formulas as after 230,000.)
//
// Each answer is encoded to UTF-8 as soon as it is rendered (its markup is
// a rope of strings, one or more per node of KaTeX's tree, cheapest to
// flatten while it is fresh in the cache), straight into one 1 MiB
// buffer, which goes out in writes of about 256 KiB (about sixty
// formulas; the builder makes the answer pipe 1 MiB) and at the end of
// each input chunk: each write wakes the builder, and on a machine with
// as many cores as workers every wake-up takes a core from a worker.  (A
// Buffer per answer and a new one per write cost about 9% more CPU, by
// hand: this worker alone rendering half the bench-math corpus twelve
// times, six runs of each side by side.)
const fs = require('fs');
const BUF_BYTES = 1 << 20;
const FLUSH_BYTES = 262144;
const buf = Buffer.allocUnsafeSlow(BUF_BYTES);
let used = 0;

function writeAll(b) {
  for (let off = 0; off < b.length;) {
    try {
      off += fs.writeSync(1, b, off, b.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

function flush() {
  if (used === 0) return;
  writeAll(buf.subarray(0, used));
  used = 0;
}

// An answer's body is encoded first, at a place that leaves room for its
// head, and the head is written after it with the length as LEN_DIGITS
// zero-padded digits: so the worker never measures the UTF-8 length of the
// body apart from encoding it (Buffer.byteLength walks the whole string
// once more).  By hand, two pools in one process, their passes
// alternating, 40 pairs: the pool 1.5% and 5% faster in two runs.
const LEN_DIGITS = 10;
const NUL = Buffer.alloc(1);

function emit(head, body) {
  const headBytes = head.length + LEN_DIGITS + 2;     // head, ' ', len, '\n'
  const most = headBytes + 3 * body.length + 1;  // UTF-8: <= 3 bytes a unit
  if (used + most > BUF_BYTES) flush();
  if (most > BUF_BYTES) {                    // may not fit in the buffer
    const b = Buffer.from(body, 'utf8');
    writeAll(Buffer.from(head + ' ' + b.length + '\n', 'latin1'));
    writeAll(b);
    writeAll(NUL);
    return;
  }
  const n = buf.utf8Write(body, used + headBytes);
  buf.latin1Write(head + ' ' + String(n).padStart(LEN_DIGITS, '0') + '\n',
      used);
  buf[used + headBytes + n] = 0;
  used += headBytes + n + 1;
  if (used >= FLUSH_BYTES) flush();
}

let katex, renderToString;
let macros = {};
try {
  katex = require(require('path').resolve(process.argv[2]));
  renderToString = require('./katex-markup.js')(katex);
  if (process.argv[3]) macros = JSON.parse(process.argv[3]);
  if (macros === null || typeof macros !== 'object' || Array.isArray(macros))
    throw new Error('macros must be a JSON object');
} catch (e) {
  emit('X', String(e && e.message || e).split('\n')[0]);
  flush();
  process.exitCode = 1;
  return;
}
writeAll(Buffer.from('K ' + katex.version + '\n', 'latin1'));

// Commands KaTeX renders only when trusted (links, images, HTML
// attributes).  With trust off it does not throw for them: it quietly
// shows the command's name in red.  folio turns that into an error, since
// a formula that does not typeset as written is a TeX error to the author.
// The trust callback sees every such command, also one a macro produced.
// KaTeX refuses a URL with a strange scheme before it asks, so a formula
// that uses such a command (not in \verb) and shows KaTeX's error colour
// (#cc0000, the default errorColor) is refused too; the use gives the
// place.  The pattern keeps the scan for uses off the common path.
const UNTRUSTED = /\\(?:href|url|includegraphics|html(?:Class|Id|Style|Data))(?![A-Za-z])/;
const UNTRUSTED_NAMES = new Set(['\\href', '\\url', '\\includegraphics',
  '\\htmlClass', '\\htmlId', '\\htmlStyle', '\\htmlData']);
let untrusted = null;
function refuseTrust(context) {
  if (untrusted === null) untrusted = context.command;
  return false;
}

// The quote of the input that KaTeX puts at the end of a ParseError's
// message (see its ParseError constructor): the place, then up to 15
// units either side of the offending text, which is underlined.
function quote(input, start, end) {
  const at = start === input.length ? ' at end of input: ' :
      ' at position ' + (start + 1) + ': ';
  const left = start > 15 ? '\u2026' + input.slice(start - 15, start) :
      input.slice(0, start);
  const right = end + 15 < input.length ?
      input.slice(end, end + 15) + '\u2026' : input.slice(end);
  return at + left + input.slice(start, end).replace(/[^]/g, '$&\u0332') +
      right;
}

// Where in the formula (in UTF-16 units) a ParseError points, and what to
// add to its message.  ParseError.position counts in the text the error
// was found in: the formula, or the definition of a site macro the
// formula used (a macro's arguments and macros the formula defines keep
// their places in the formula).  KaTeX does not say which, but its
// message quotes that text, so the quote decides.  An error inside a site
// macro is reported where the formula uses the macro, naming it.
function blame(e, tex) {
  if (!(e instanceof katex.ParseError) || typeof e.position !== 'number')
    return {at: 0, note: ''};
  const end = e.position + (e.length || 0);
  if (e.message.endsWith(quote(tex, e.position, end)))
    return {at: e.position, note: ''};
  const site = siteMacro(tex, (body) =>
      e.message.endsWith(quote(body, e.position, end)));
  return site || {at: 0, note: ''};
}

// The control sequences a TeX text names, in order, with their places.
// A backslash pair (\\) is a line break, not the start of a name, and
// \verb's argument is text, so neither is taken for a use of a command.
function commands(tex) {
  const found = [];
  for (let i = 0; i < tex.length;) {
    if (tex[i] !== '\\') {
      i++;
      continue;
    }
    let j = i + 1;
    if (/[A-Za-z]/.test(tex[j] || '')) {
      while (j < tex.length && /[A-Za-z]/.test(tex[j])) j++;
    } else {
      j++;
    }
    const name = tex.slice(i, j);
    if (name === '\\verb') {
      const at = tex[j] === '*' ? j + 1 : j;
      const end = at < tex.length ? tex.indexOf(tex[at], at + 1) : -1;
      i = end < 0 ? tex.length : end + 1;
      continue;
    }
    found.push({name, at: i});
    i = j;
  }
  return found;
}

// Where the formula uses the site macro `name`: directly, or through the
// site macros whose definitions use it.  -1 when it does not.
function useOf(tex, name, seen = new Set()) {
  const direct = commands(tex).find((c) => c.name === name);
  if (direct) return direct.at;
  seen.add(name);
  for (const outer of Object.keys(macros)) {
    const body = macros[outer];
    if (seen.has(outer) || typeof body !== 'string' ||
        !commands(body).some((c) => c.name === name))
      continue;
    const at = useOf(tex, outer, seen);
    if (at >= 0) return at;
  }
  return -1;
}

// The first site macro whose definition passes the test and which the
// formula uses: where it uses it, and a note naming the macro.
function siteMacro(tex, test) {
  for (const name of Object.keys(macros)) {
    const body = macros[name];
    if (typeof body !== 'string' || !test(body))
      continue;
    const at = useOf(tex, name);
    if (at >= 0)
      return {at, note: ' (in the definition of ' + name + ' in site.yaml)'};
  }
  return null;
}

function render(id, display, tex) {
  untrusted = null;
  try {
    const html = renderToString(tex, {
      displayMode: display,
      output: 'htmlAndMathml',
      throwOnError: true,
      strict: 'ignore',
      trust: refuseTrust,
      macros: Object.assign({}, macros),
    });
    let command = untrusted;
    const named = !UNTRUSTED.test(tex) ? undefined :
        commands(tex).find((c) => UNTRUSTED_NAMES.has(c.name));
    if (command === null && named && html.includes('color:#cc0000'))
      command = named.name;          // refused before KaTeX asked
    if (command !== null) {
      const site = named && named.name === command ? null :
          siteMacro(tex, (body) =>
            commands(body).some((c) => c.name === command));
      const at = site ? site.at : named && named.name === command ?
          named.at : 0;
      emit('E ' + id + ' ' + Buffer.byteLength(tex.slice(0, at), 'utf8'),
          command + ' is not allowed in formulas: folio typesets them ' +
          'with KaTeX\'s trust option off, so without links, images or ' +
          'HTML' +
          (site ? site.note : ''));
      return;
    }
    emit('O ' + id, html);
  } catch (e) {
    let msg = String(e && (e.rawMessage || e.message) || e);
    if (!(e instanceof katex.ParseError))
      msg = 'internal KaTeX error: ' + msg;
    const where = blame(e, tex);
    emit('E ' + id + ' ' +
        Buffer.byteLength(tex.slice(0, where.at), 'utf8'),
        msg.split('\n')[0] + where.note);
  }
}

// Requests, as they come: each chunk read is parsed for whole requests,
// which are rendered in order; the rest waits for the next chunk.
const input = Buffer.allocUnsafeSlow(1 << 16);
let pending = Buffer.alloc(0);
for (;;) {
  let got;
  try {
    got = fs.readSync(0, input, 0, input.length, null);
  } catch (e) {
    if (e.code === 'EAGAIN') continue;
    if (e.code === 'EOF') break;
    throw e;
  }
  if (got === 0) break;                  // the builder closed our input
  const chunk = Buffer.from(input.subarray(0, got));
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
}
flush();
