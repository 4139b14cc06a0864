#!/usr/bin/env node
// site-bench.js -- folio's build benchmarks, side by side with Hugo in the
// same run.  Run by `make bench-site` (tests/bench/module.mk).
//
// Usage: node tests/bench/site-bench.js FOLIO OUTDIR [--pages N]
//             [--rounds R] [--hugo PATH|none]
//
// 1. full build: a generated corpus of N pages (tests/bench/corpus.js,
//    default 2000) built by folio cold (no build/ folder: every formula
//    typeset with KaTeX, every witness compiled and run), by Hugo
//    (`hugo --quiet`, Markdown only) and by folio warm (build/folio.db hot,
//    the like-for-like comparison with Hugo), interleaved, R rounds
//    (default 3), median wall time and peak RSS (/usr/bin/time %M).
// 2. math: the same warm site rebuilt after emptying the math_cache table
//    of build/folio.db, so that only the math is cold: its extra time over
//    the warm build is the cost of typesetting every formula, and the
//    cold/warm ratio of whole builds is reported beside it.
// 3. witnesses: 500 (100 pages x 5), `folio check` cold (no build/),
//    with only the witnesses cold, and warm (cached), median of R and of
//    11, on pages that hold only their witnesses and on concept pages.
//
// Writes OUTDIR/site.json and prints a table.  Exit status 1 when folio
// fails on the corpus (the diagnostics are printed), 2 on usage errors.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const {spawnSync} = require('child_process');

const args = process.argv.slice(2);
if (args.length < 2) {
  process.stderr.write('usage: site-bench.js FOLIO OUTDIR [--pages N] [--rounds R] [--hugo PATH|none]\n');
  process.exit(2);
}
const FOLIO = path.resolve(args[0]);
const OUT = path.resolve(args[1]);
let PAGES = 2000, ROUNDS = 3, HUGO = null;
for (let i = 2; i < args.length; i++) {
  if (args[i] === '--pages') PAGES = parseInt(args[++i], 10);
  else if (args[i] === '--rounds') ROUNDS = parseInt(args[++i], 10);
  else if (args[i] === '--hugo') HUGO = args[++i];
  else { process.stderr.write(`site-bench.js: unknown option ${args[i]}\n`); process.exit(2); }
}
const HERE = __dirname;
const SITE = path.join(OUT, 'site-corpus');
const HSITE = path.join(OUT, 'site-hugo');
const WSITE = path.join(OUT, 'witness-corpus');
const TIMEFILE = path.join(OUT, 'site-bench.time');
const t0 = Date.now();

function log(s) { process.stdout.write(s + '\n'); }

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], {encoding: 'utf8'});
  return r.status === 0 ? r.stdout.trim() : null;
}

function aptInstall(pkg) {
  if (process.getuid && process.getuid() !== 0) return false;
  log(`bench-site: installing ${pkg} with apt-get`);
  const env = Object.assign({}, process.env, {DEBIAN_FRONTEND: 'noninteractive'});
  let r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg],
    {stdio: ['ignore', 'ignore', 'inherit'], env});
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], {stdio: 'ignore', env});
    r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg],
      {stdio: ['ignore', 'ignore', 'inherit'], env});
  }
  return r.status === 0;
}

// GNU time for the peak RSS; wall time is taken here, with nanoseconds.
let GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
if (!GNU_TIME && aptInstall('time') && fs.existsSync('/usr/bin/time'))
  GNU_TIME = '/usr/bin/time';
if (!GNU_TIME) log('bench-site: /usr/bin/time is missing and could not be installed: no memory figures');

// Runs cmd in cwd; returns {s: wall seconds, rss_mb, status, stderr}.
function run(cmd, argv, cwd) {
  const full = GNU_TIME ? [GNU_TIME, ['-f', '%e %M', '-o', TIMEFILE, cmd, ...argv]] : [cmd, argv];
  const a = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], {cwd, encoding: 'utf8', maxBuffer: 1 << 28});
  const s = Number(process.hrtime.bigint() - a) / 1e9;
  let rss = null;
  if (GNU_TIME) {
    const line = fs.readFileSync(TIMEFILE, 'utf8').trim().split('\n').pop();
    const m = /^[\d.]+ (\d+)$/.exec(line);
    if (m) rss = Number(m[1]) / 1024;
  }
  return {s, rss_mb: rss, status: r.status, stderr: r.stderr || '', stdout: r.stdout || ''};
}

function must(what, res) {
  if (res.status === 0) return res;
  process.stderr.write(`bench-site: ${what} failed (exit ${res.status}):\n` +
    res.stderr.split('\n').slice(0, 40).join('\n') + '\n');
  process.exit(1);
}

const median = (xs) => {
  const v = xs.slice().sort((a, b) => a - b);
  const n = v.length;
  return n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
};
const round = (x, d) => (x === null || x === undefined || !Number.isFinite(x)) ? null : Number(x.toFixed(d));
function summary(runs) {
  const rss = runs.map((r) => r.rss_mb).filter((x) => x !== null);
  return {runs_s: runs.map((r) => round(r.s, 3)), median_s: round(median(runs.map((r) => r.s)), 3),
    best_s: round(Math.min(...runs.map((r) => r.s)), 3),
    peak_rss_mb: rss.length ? round(median(rss), 1) : null};
}

// The wall time of one step from `folio ... --timings` ("math 41.7 ms").
function stepMs(res, step) {
  const m = new RegExp(`[:,;] ${step} ([0-9.]+) ms`).exec(res.stderr);
  return m ? Number(m[1]) : null;
}
const medianOf = (runs, step) => {
  const xs = runs.map((r) => stepMs(r, step)).filter((x) => x !== null);
  return xs.length ? round(median(xs), 1) : null;
};

function sql(db, query) {
  const r = spawnSync('sqlite3', [db, query], {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
  return r.stdout.trim();
}

function gen(argv) {
  must('corpus.js', run('node', [path.join(HERE, 'corpus.js'), ...argv], process.cwd()));
}

// ---- Hugo: installed when missing, skipped when it cannot be
if (HUGO === 'none') HUGO = null;
else if (!HUGO) {
  HUGO = which('hugo');
  if (!HUGO && aptInstall('hugo')) HUGO = which('hugo');
  if (!HUGO) log('bench-site: hugo is not installed and apt-get could not install it: Hugo\'s side is skipped');
}
let hugoVersion = null;
if (HUGO) hugoVersion = spawnSync(HUGO, ['version'], {encoding: 'utf8'}).stdout.trim();

fs.mkdirSync(OUT, {recursive: true});
const folioVersion = spawnSync(FOLIO, ['--version'], {encoding: 'utf8'}).stdout.trim();
const load0 = os.loadavg()[0];

// ---- 1. full build
log(`bench-site: generating ${PAGES} pages`);
gen(['--pages', String(PAGES), '--out', SITE, ...(HUGO ? ['--hugo', HSITE] : [])]);
const corpus = JSON.parse(fs.readFileSync(path.join(SITE, 'corpus.json'), 'utf8'));
const cold = [], warm = [], hugo = [], mathCold = [];
let witnessMs = null, mathRows = null, strict = null;
const db = path.join(SITE, 'build', 'folio.db');
for (let r = 1; r <= ROUNDS; r++) {
  fs.rmSync(path.join(SITE, 'build'), {recursive: true, force: true});
  cold.push(must('folio build (cold)', run(FOLIO, ['build', '--quiet'], SITE)));
  log(`  round ${r}: folio cold ${cold.at(-1).s.toFixed(2)} s`);
  if (r === 1) {
    // The content passes the strict check (warm: the caches are hot).
    const c = run(FOLIO, ['check', '--strict'], SITE);
    strict = {status: c.status, summary: c.stderr.trim().split('\n').pop()};
    must('folio check --strict', c);
    const w = sql(db, 'SELECT count(*), sum(ms) FROM witness_runs').split('|');
    witnessMs = {count: Number(w[0]), sum_ms: round(Number(w[1]), 1)};
    mathRows = Number(sql(db, 'SELECT count(*) FROM math_cache'));
  }
  if (HUGO) {
    for (const sub of ['public', 'resources'])
      fs.rmSync(path.join(HSITE, sub), {recursive: true, force: true});
    hugo.push(must('hugo', run(HUGO, ['--quiet'], HSITE)));
    log(`  round ${r}: hugo ${hugo.at(-1).s.toFixed(2)} s`);
  }
  warm.push(must('folio build (warm)', run(FOLIO, ['build', '--quiet', '--timings'], SITE)));
  log(`  round ${r}: folio warm ${warm.at(-1).s.toFixed(2)} s`);
  // ---- 2. math: only the math cache emptied
  sql(db, 'DELETE FROM math_cache');
  mathCold.push(must('folio build (math cold)', run(FOLIO, ['build', '--quiet', '--timings'], SITE)));
  log(`  round ${r}: folio math-cold ${mathCold.at(-1).s.toFixed(2)} s`);
}
const C = summary(cold), W = summary(warm), H = HUGO ? summary(hugo) : null, M = summary(mathCold);
const ratio = (a, b) => (a === null || b === null || !b) ? null : round(a / b, 3);
const full = {
  pages: PAGES, rounds: ROUNDS, hugo_version: hugoVersion,
  folio_cold: C, folio_warm: W, hugo: H,
  ratios: H ? {
    cold_time_folio_over_hugo: ratio(C.median_s, H.median_s),
    cold_memory_folio_over_hugo: ratio(C.peak_rss_mb, H.peak_rss_mb),
    warm_time_folio_over_hugo: ratio(W.median_s, H.median_s),
    warm_memory_folio_over_hugo: ratio(W.peak_rss_mb, H.peak_rss_mb),
  } : null,
  targets: 'faster than Hugo (time ratio < 1) and a third of its memory (memory ratio <= 0.333)',
  note: 'folio cold typesets every formula with KaTeX and compiles and runs every witness; Hugo does neither. ' +
    'folio warm (build/folio.db hot) is the like-for-like comparison with Hugo\'s Markdown rendering.',
};
const math = {
  formulas: corpus.formulas, distinct_formulas: corpus.distinct_formulas, math_cache_rows: mathRows,
  math_cold_build: M, warm_build: W,
  math_cold_cost_s: round(M.median_s - W.median_s, 3),
  math_step_cold_ms: medianOf(mathCold, 'math'),
  math_step_warm_ms: medianOf(warm, 'math'),
  math_step_cold_over_warm: ratio(medianOf(mathCold, 'math'), medianOf(warm, 'math')),
  math_step_target: 'warm at least 100x faster than cold',
  math_cold_over_warm_build: ratio(M.median_s, W.median_s),
  cold_build_over_warm_build: ratio(C.median_s, W.median_s),
  cold_minus_warm_s: round(C.median_s - W.median_s, 3),
  witness_runs: witnessMs,
  note: 'math_cold_build: the warm site rebuilt with the math_cache table emptied, so only the math is cold; ' +
    'math_cold_cost_s (its extra time over the warm build) is the cost of typesetting every distinct formula. ' +
    'math_step_* are the math step alone, from folio build --timings (the warm step hashes every formula and ' +
    'reads the cache\'s keys; the page writers then read each formula\'s HTML from the cache). ' +
    'cold_minus_warm_s is the math plus the witnesses; witness_runs.sum_ms is the run time folio recorded per witness (summed over parallel jobs).',
};

// ---- 3. witnesses: 500 (100 pages x 5), on two corpora: pages that hold
// only their witnesses (corpus.js --bare: what the witnesses cost) and
// concept pages (each also ~20 KB of front matter, prose, math and claims
// to load and check).  Beside them, the harness's own floor: /bin/true
// spawned the same way.
function witnessRuns(dir, genArgs) {
  log(`bench-site: generating ${genArgs.join(' ')}`);
  gen([...genArgs, '--out', dir]);
  const corpusInfo = JSON.parse(fs.readFileSync(path.join(dir, 'corpus.json'), 'utf8'));
  const cold = [], warm = [], wcold = [];
  const db = path.join(dir, 'build', 'folio.db');
  for (let r = 1; r <= ROUNDS; r++) {
    fs.rmSync(path.join(dir, 'build'), {recursive: true, force: true});
    cold.push(must('folio check (cold)', run(FOLIO, ['check', '--strict'], dir)));
    // Only the witness runs cold: the math cache stays hot.
    sql(db, 'DELETE FROM witness_runs');
    wcold.push(must('folio check (witnesses cold)', run(FOLIO, ['check', '--strict', '--timings'], dir)));
    log(`  round ${r}: folio check cold ${cold.at(-1).s.toFixed(2)} s, witnesses cold ${wcold.at(-1).s.toFixed(2)} s`);
  }
  for (let r = 1; r <= 11; r++)
    warm.push(must('folio check (warm)', run(FOLIO, ['check', '--strict', '--timings'], dir)));
  const sums = sql(db, 'SELECT count(*), sum(ms) FROM witness_runs').split('|');
  const C = summary(cold), W = summary(warm), O = summary(wcold);
  return {
    pages: corpusInfo.pages, witnesses: corpusInfo.witnesses, formulas: corpusInfo.formulas || 0,
    check_cold: C, check_witnesses_cold: O, check_warm: W,
    witness_cold_cost_s: round(O.median_s - W.median_s, 3),
    witness_step_cold_ms: medianOf(wcold, 'witnesses'),
    witness_step_warm_ms: medianOf(warm, 'witnesses'),
    load_warm_ms: medianOf(warm, 'load'),
    total_warm_ms: medianOf(warm, 'total'),
    cold_over_warm: ratio(C.median_s, W.median_s),
    witness_runs: {count: Number(sums[0]), sum_ms: round(Number(sums[1]), 1)},
    summary_line: warm.at(-1).stderr.trim().split('\n').pop(),
  };
}
const floor = [];
for (let r = 1; r <= 11; r++) floor.push(run('/bin/true', [], OUT));
const bare = witnessRuns(path.join(OUT, 'witness-bare'), ['--pages', '100', '--witnesses', '5', '--bare']);
const concept = witnessRuns(WSITE, ['--pages', '100', '--witnesses', '5']);
const witnesses = {
  bare_pages: bare, concept_pages: concept,
  spawn_floor_s: summary(floor).median_s,
  target: 'warm check of 500 witnesses under 50 ms',
  warm_under_50ms: bare.check_warm.median_s < 0.05,
  concept_warm_under_50ms: concept.check_warm.median_s < 0.05,
  note: 'check_cold: no build/ folder (math and witnesses cold); check_witnesses_cold: math cache hot, ' +
    'witness_runs emptied; check_warm: everything cached, median of 11.  Each figure is the whole command, ' +
    'from spawning folio (under /usr/bin/time, for the peak RSS) to its exit; spawn_floor_s is /bin/true ' +
    'spawned the same way.  bare_pages: pages that hold only their witnesses (corpus.js --bare), the reading ' +
    'of the target; concept_pages: the same number of witnesses on concept pages, whose front matter, prose, ' +
    'math and claims are loaded and checked too.  load_warm_ms and total_warm_ms are from --timings.',
};

const result = {
  machine: {cpus: os.cpus().length, loadavg_at_start: round(load0, 2), loadavg_at_end: round(os.loadavg()[0], 2)},
  folio_version: folioVersion, corpus, strict_check: strict,
  full_build: full, math, witnesses,
  wall_s: round((Date.now() - t0) / 1000, 1),
};
fs.writeFileSync(path.join(OUT, 'site.json'), JSON.stringify(result, null, 2) + '\n');
fs.rmSync(TIMEFILE, {force: true});

// ---- the table
const f = (x, d = 2) => x === null || x === undefined ? '-' : Number(x).toFixed(d);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
log('');
log(`bench-site: ${PAGES} pages, ${corpus.body_words_per_page} words each, ${corpus.formulas} formulas ` +
  `(${corpus.distinct_formulas} distinct), ${corpus.witnesses} witnesses; median of ${ROUNDS}, ` +
  `${os.cpus().length} CPUs, load ${f(load0)}`);
log(`${pad('full build', 34)}${lpad('time s', 9)}${lpad('peak MB', 9)}${lpad('t/hugo', 8)}${lpad('mem/hugo', 9)}`);
const row = (name, S) => log(`${pad(name, 34)}${lpad(f(S.median_s), 9)}${lpad(f(S.peak_rss_mb, 0), 9)}` +
  `${lpad(H ? f(S.median_s / H.median_s) : '-', 8)}${lpad(H && S.peak_rss_mb && H.peak_rss_mb ? f(S.peak_rss_mb / H.peak_rss_mb) : '-', 9)}`);
if (H) row('hugo --quiet (Markdown only)', H);
row('folio cold (KaTeX + witnesses)', C);
row('folio warm (folio.db hot)', W);
log(`${pad('math', 34)}`);
log(`${pad('  build, math cache emptied', 34)}${lpad(f(M.median_s), 9)}   -> math costs ${f(math.math_cold_cost_s)} s cold ` +
  `for ${mathRows} formulas; whole build ${f(math.math_cold_over_warm_build)}x the warm one`);
log(`${pad('  math step cold / warm', 34)}${lpad(f(math.math_step_cold_over_warm, 1) + 'x', 9)}   ` +
  `(${f(math.math_step_cold_ms, 1)} ms / ${f(math.math_step_warm_ms, 1)} ms, from --timings; target >= 100x)`);
log(`${pad('  cold build / warm build', 34)}${lpad(f(math.cold_build_over_warm_build) + 'x', 9)}   (cold - warm = ${f(math.cold_minus_warm_s)} s: math + witnesses)`);
log(`witnesses: ${bare.witnesses} on ${bare.pages} pages (warm: median of 11; spawning /bin/true the same way: ` +
  `${(witnesses.spawn_floor_s * 1000).toFixed(1)} ms)`);
for (const [name, X] of [['pages with witnesses only', bare], ['concept pages', concept]]) {
  log(`  ${name}`);
  log(`${pad('    folio check cold', 34)}${lpad(f(X.check_cold.median_s, 3), 9)}${lpad(f(X.check_cold.peak_rss_mb, 0), 9)}`);
  log(`${pad('    folio check, witnesses cold', 34)}${lpad(f(X.check_witnesses_cold.median_s, 3), 9)}` +
    `${lpad(f(X.check_witnesses_cold.peak_rss_mb, 0), 9)}   (witness step ${f(X.witness_step_cold_ms, 1)} ms)`);
  log(`${pad('    folio check warm', 34)}${lpad(f(X.check_warm.median_s, 3), 9)}${lpad(f(X.check_warm.peak_rss_mb, 0), 9)}   ` +
    `(${(X.check_warm.median_s * 1000).toFixed(0)} ms; load ${f(X.load_warm_ms, 1)} ms, witness step ` +
    `${f(X.witness_step_warm_ms, 1)} ms, in all ${f(X.total_warm_ms, 1)} ms from --timings)`);
}
log(`  target: a warm check of 500 witnesses under 50 ms: ${witnesses.warm_under_50ms ? 'met' : 'not met'} ` +
  `(${(bare.check_warm.median_s * 1000).toFixed(0)} ms); on concept pages ` +
  `${(concept.check_warm.median_s * 1000).toFixed(0)} ms`);
log(`bench-site: wrote ${path.join(OUT, 'site.json')} in ${f(result.wall_s, 0)} s`);
