#!/usr/bin/env node
// corpus.js -- a generated folio site shaped like the reference concept
// page, for the build benchmarks (tests/bench/site-bench.js).
//
// Usage: node tests/bench/corpus.js [--pages N] [--out DIR] [--hugo DIR]
//                                   [--witnesses K] [--seed S] [--bare]
//
// Writes DIR/content/<domain>/<concept>.md (N pages, default 2000),
// DIR/content/site.yaml and DIR/sources/*.yaml (50 sources, 20 of them with a
// .txt snapshot).  Every page has the whole front matter of the authoring
// format (claims whose witnesses exist on the page, reviews carrying the
// claim's current pin, support quotes that occur in the snapshots) and a
// body of about 1,500 words with the four standard sections, inline and
// display math, a ```math id= block, K code witnesses (default 1) with their
// ```output blocks, a table, lists and a footnote.  The site passes
// `folio check --strict`.  Formulas carry page-specific constants, so a
// cold build typesets nearly every one of them afresh.
//
// --bare writes pages that hold their K witnesses and little else: the
// required front matter, the four standard sections with a sentence each,
// no math, claims or sources (the witness benchmark's corpus: what a check
// of K x N witnesses costs, apart from the rest of a concept page).
//
// --hugo DIR also writes the same Markdown bodies as a Hugo site (hugo.toml,
// minimal layouts, front matter with title/summary/date and the rest under
// `params`).  The same seed gives the same files.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

// ---- options

function parseArgs(argv) {
  const o = {pages: 2000, out: 'build/bench/corpus', hugo: null,
    witnesses: 1, seed: 20260508, bare: false};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = argv[i + 1];
    if (a === '--pages') o.pages = parseInt(v, 10), i++;
    else if (a === '--out') o.out = v, i++;
    else if (a === '--hugo') o.hugo = v, i++;
    else if (a === '--witnesses') o.witnesses = parseInt(v, 10), i++;
    else if (a === '--seed') o.seed = parseInt(v, 10), i++;
    else if (a === '--bare') o.bare = true;
    else {
      process.stderr.write(`corpus.js: unknown option ${a}\n` +
        'usage: corpus.js [--pages N] [--out DIR] [--hugo DIR] ' +
        '[--witnesses K] [--seed S] [--bare]\n');
      process.exit(2);
    }
  }
  if (!(o.pages >= 1) || !(o.witnesses >= 1) || !Number.isFinite(o.seed)) {
    process.stderr.write('corpus.js: --pages and --witnesses must be >= 1\n');
    process.exit(2);
  }
  return o;
}

// ---- seeded randomness (mulberry32)

function rngFrom(seed) {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  r.int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));   // inclusive
  r.pick = (xs) => xs[Math.floor(r() * xs.length)];
  r.num = (lo, hi, digits) => Number((lo + r() * (hi - lo)).toFixed(digits));
  r.shuffle = (xs) => {
    const v = xs.slice();
    for (let i = v.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [v[i], v[j]] = [v[j], v[i]];
    }
    return v;
  };
  r.sample = (xs, n) => r.shuffle(xs).slice(0, n);
  return r;
}

// ---- the pin (DESIGN.md): SHA-256 of T "\n" S "\n" W, 12 hex digits

function pin(text, sources, witnesses) {
  const T = text.replace(/[ \t\n\r\f\v]+/g, ' ').trim();
  const S = sources.slice().sort().join(',');
  const W = witnesses.slice().sort().join(',');
  return crypto.createHash('sha256').update(`${T}\n${S}\n${W}`, 'utf8')
    .digest('hex').slice(0, 12);
}

// ---- vocabulary

const DOMAINS = [
  ['Foundations', 'foundations', ['likelihood', 'estimator', 'expectation', 'variance', 'density']],
  ['Generative Models', 'generative-models', ['flow', 'decoder', 'latent code', 'sampler', 'prior']],
  ['Probability', 'probability', ['distribution', 'random variable', 'tail bound', 'moment', 'measure']],
  ['Optimization', 'optimization', ['gradient', 'step size', 'objective', 'constraint', 'minimiser']],
  ['Linear Algebra', 'linear-algebra', ['matrix', 'eigenvalue', 'basis', 'determinant', 'projection']],
  ['Information Theory', 'information-theory', ['entropy', 'code length', 'divergence', 'channel', 'mutual information']],
  ['Statistics', 'statistics', ['sample', 'confidence interval', 'test statistic', 'posterior', 'bias']],
  ['Signal Processing', 'signal-processing', ['filter', 'spectrum', 'sampling rate', 'impulse response', 'frequency']],
  ['Reinforcement Learning', 'reinforcement-learning', ['policy', 'value function', 'reward', 'return', 'transition']],
  ['Numerical Methods', 'numerical-methods', ['solver', 'step', 'round-off error', 'iteration', 'quadrature rule']],
];
const ADJ = ['Spectral', 'Stochastic', 'Conditional', 'Implicit', 'Residual',
  'Variational', 'Adaptive', 'Sparse', 'Robust', 'Bayesian', 'Continuous',
  'Discrete', 'Hierarchical', 'Amortized', 'Coupled', 'Local', 'Global',
  'Orthogonal', 'Monotone', 'Tempered', 'Annealed', 'Regularised',
  'Empirical', 'Recursive', 'Kernel', 'Low-Rank', 'Invertible', 'Smoothed'];
const NOUN = ['Estimators', 'Transforms', 'Bounds', 'Updates', 'Couplings',
  'Projections', 'Samplers', 'Objectives', 'Factorizations', 'Filters',
  'Divergences', 'Embeddings', 'Iterations', 'Expansions', 'Mixtures',
  'Operators', 'Scores', 'Gradients', 'Potentials', 'Encoders', 'Splines',
  'Kernels', 'Flows', 'Chains', 'Relaxations'];
const SUBTITLE = ['Exact Answers from Cheap Pieces', 'What the Bound Buys',
  'A Picture Before the Algebra', 'Keeping the Bookkeeping Honest',
  'From Intuition to a Checked Number', 'Where the Approximation Breaks',
  'Trading Flexibility for Tractability', 'One Invariant, Many Uses',
  'The Cost of Each Step', 'Reading the Update Rule'];
const FIRST = ['Ada', 'Bruno', 'Chiara', 'Dmitri', 'Elena', 'Farid', 'Grace',
  'Hiro', 'Ines', 'Jonas', 'Kavya', 'Lars', 'Mei', 'Nadia', 'Omar', 'Priya',
  'Quentin', 'Rosa', 'Sven', 'Tomoko', 'Uma', 'Viktor', 'Wen', 'Yusuf'];
const LAST = ['Abara', 'Bianchi', 'Castell', 'Dubois', 'Eriksen', 'Fujita',
  'Gallo', 'Haddad', 'Ivanova', 'Jansen', 'Kowalski', 'Lindqvist', 'Moreau',
  'Nakamura', 'Okafor', 'Petrov', 'Quispe', 'Rahman', 'Silva', 'Tanaka',
  'Ueda', 'Varga', 'Weber', 'Xu', 'Yilmaz', 'Zanetti'];
const VENUES = {paper: ['NeurIPS', 'ICML', 'ICLR', 'JMLR', 'AISTATS', 'COLT', 'UAI'],
  book: ['MIT Press', 'Cambridge University Press', 'Springer', 'SIAM'],
  article: ['Distill', 'The Gradient', 'Quanta'],
  docs: ['Project documentation'], code: ['GitHub'], video: ['Lecture series']};

// Words for the prose generator.
const P = {
  subj: ['the map', 'this layer', 'the estimator', 'the update', 'the model',
    'each step', 'the correction term', 'the base density', 'the objective',
    'the transform', 'a single sample', 'the bound', 'the solver',
    'the inverse', 'the Jacobian', 'the scale factor', 'the stack of layers'],
  verb: ['stretches', 'moves', 'rescales', 'pulls back', 'spreads',
    'concentrates', 'redistributes', 'tracks', 'preserves', 'bounds',
    'approximates', 'summarises', 'balances', 'exposes', 'hides'],
  obj: ['probability mass', 'the volume of a small cell', 'the error',
    'the curvature of the loss', 'every coordinate', 'the tail of the data',
    'the mean and the spread', 'the cost of evaluation', 'the signal',
    'the gap between the two sides', 'the contribution of each term',
    'the direction of steepest descent', 'the shape of the level sets'],
  adv: ['without tearing anything', 'one coordinate at a time',
    'at every point of the domain', 'in a single pass', 'near the mode',
    'far from the data', 'as the scale shrinks', 'when the step is small',
    'for every admissible input', 'exactly, not approximately',
    'at a cost linear in the dimension', 'under mild assumptions'],
  adj: ['cheap', 'exact', 'stable', 'invertible', 'smooth', 'monotone',
    'tractable', 'unbiased', 'bounded', 'well-conditioned', 'local',
    'expensive', 'noisy', 'sharp'],
  reader: ['you', 'a reader', 'the practitioner', 'a careful student'],
  action: ['write down the two terms separately', 'draw the grid before and after',
    'predict the sign before computing it', 'compare the two sides numerically',
    'shrink the step and watch the error', 'change one parameter at a time',
    'check the units of each term', 'run the witness with a new constant'],
};

function cap(s) { return s.charAt(0).toUpperCase() + s.slice(1); }

// ---- formulas: every one carries page-specific symbols or constants

function symbolsFor(r) {
  return {
    x: r.pick(['x', 'y', 'u', 'v', 'w']),
    z: r.pick(['z', 'h', 's', '\\xi', '\\eta']),
    th: r.pick(['\\theta', '\\phi', '\\psi', '\\lambda', '\\omega']),
    f: r.pick(['f', 'g', 'T', 'F', '\\Phi']),
    k: r.pick(['k', 'i', 'j', 'n', 'm']),
    N: r.pick(['K', 'N', 'M', 'L', 'D']),
    A: r.pick(['A', 'B', 'W', 'M', 'S']),
  };
}

function displayFormula(r, s, which) {
  const c = () => r.num(0.05, 3.95, 2);
  switch (which % 18) {
  case 0: return `p_{X}(${s.x}) = p_{Z}\\big(${s.f}^{-1}(${s.x})\\big)\\,\\left\\lvert \\det \\frac{\\partial ${s.f}^{-1}(${s.x})}{\\partial ${s.x}} \\right\\rvert^{${c()}}`;
  case 1: return `\\log p_{${s.th}}(${s.x}) = \\log \\mathcal{N}\\big(${s.A}^{-1}(${s.x} - b);\\, 0, ${c()}\\, I\\big) - \\log \\lvert \\det ${s.A} \\rvert`;
  case 2: return `${s.th}_{t+1} = ${s.th}_t - ${c()}\\,\\nabla_{${s.th}} \\mathcal{L}(${s.th}_t)`;
  case 3: return `\\mathcal{L}(${s.th}) = \\frac{1}{${s.N}}\\sum_{${s.k}=1}^{${s.N}} \\log p_{${s.th}}(${s.x}_{${s.k}}) - ${c()}\\,\\lVert ${s.th} \\rVert_2^2`;
  case 4: { const a = c(), b = c(), m = c(), n = c();
    return `D_{\\mathrm{KL}}\\big(\\mathcal{N}(${m}, ${a}^2) \\,\\Vert\\, \\mathcal{N}(${n}, ${b}^2)\\big) = \\log\\frac{${b}}{${a}} + \\frac{${a}^2 + (${m} - ${n})^2}{2 \\cdot ${b}^2} - \\frac{1}{2}`; }
  case 5: { const a = c(), b = c();
    return `\\int_{0}^{${a}} e^{-${b} t}\\,\\mathrm{d}t = \\frac{1 - e^{-${(a * b).toFixed(4)}}}{${b}}`; }
  case 6: { const a = c(), b = r.num(-0.9, 0.9, 2), cc = r.num(-0.9, 0.9, 2), d = c();
    return `${s.A} = \\begin{pmatrix} ${a} & ${b} \\\\ ${cc} & ${d} \\end{pmatrix}, \\qquad \\det ${s.A} = ${(a * d - b * cc).toFixed(4)}`; }
  case 7: return `\\operatorname{softmax}(${s.x})_{${s.k}} = \\frac{e^{${s.x}_{${s.k}}/${c()}}}{\\sum_{j=1}^{${s.N}} e^{${s.x}_j/${c()}}}`;
  case 8: { const n = r.int(2, 4096);
    return `H(p) = -\\sum_{${s.k}=1}^{${n}} p_{${s.k}} \\log_2 p_{${s.k}} \\le \\log_2 ${n} \\approx ${Math.log2(n).toFixed(3)}`; }
  case 9: return `\\mathbb{E}_{${s.z} \\sim q_{${s.th}}}\\big[\\log p(${s.x}, ${s.z}) - \\log q_{${s.th}}(${s.z})\\big] = \\log p(${s.x}) - D_{\\mathrm{KL}}\\big(q_{${s.th}}(${s.z}) \\,\\Vert\\, p(${s.z} \\mid ${s.x})\\big)`;
  case 10: return `\\hat{${s.x}}(\\omega) = \\int_{-\\infty}^{\\infty} ${s.x}(t)\\, e^{-2\\pi i \\omega t}\\,\\mathrm{d}t, \\qquad \\lvert \\omega \\rvert \\le ${c()}`;
  case 11: { const a = c();
    return `\\sigma(${s.x}) = \\frac{1}{1 + e^{-${a} ${s.x}}}, \\qquad \\sigma'(${s.x}) = ${a}\\,\\sigma(${s.x})\\big(1 - \\sigma(${s.x})\\big)`; }
  case 12: { const mu = c(), L = (mu + c()).toFixed(2);
    return `\\lVert ${s.x}_t - ${s.x}^\\star \\rVert \\le \\Big(1 - \\frac{${mu}}{${L}}\\Big)^{t} \\lVert ${s.x}_0 - ${s.x}^\\star \\rVert`; }
  case 13: return `Q(s, a) \\leftarrow Q(s, a) + ${r.num(0.01, 0.5, 3)}\\big(r + ${r.num(0.8, 0.999, 3)} \\max_{a'} Q(s', a') - Q(s, a)\\big)`;
  case 14: { const e = r.num(0.01, 0.3, 3), n = r.int(10, 5000);
    return `\\Pr\\big(\\lvert \\bar{${s.x}}_{${n}} - \\mu \\rvert \\ge ${e}\\big) \\le 2\\exp\\!\\big(-2 \\cdot ${n} \\cdot ${e}^2\\big) \\approx ${(2 * Math.exp(-2 * n * e * e)).toExponential(3).replace(/e([+-]\d+)/, ' \\times 10^{$1}')}`; }
  case 15: { const d = r.int(2, 512);
    return `\\log \\left\\lvert \\det J_{${s.f}} \\right\\rvert = \\sum_{${s.k}=1}^{${d}} ${s.z}_{${s.k}}, \\qquad ${s.z} \\in \\R^{${d}}`; }
  case 16: return `\\frac{\\mathrm{d}${s.z}(t)}{\\mathrm{d}t} = v_{${s.th}}\\big(${s.z}(t), t\\big), \\quad t \\in [0, ${c()}]`;
  default: { const b = r.num(0.0001, 0.05, 4), T = r.int(50, 2000);
    return `${s.x}_{t} = \\sqrt{\\bar\\alpha_t}\\, ${s.x}_0 + \\sqrt{1 - \\bar\\alpha_t}\\,\\varepsilon, \\quad \\bar\\alpha_t = \\prod_{\\tau=1}^{t} \\Big(1 - ${b}\\,\\frac{\\tau}{${T}}\\Big)`; }
  }
}

function inlineFormula(r, s, which) {
  const c = () => r.num(0.05, 3.95, 2);
  switch (which % 14) {
  case 0: { const t = r.int(1, 999); return `${s.x}_{${t}} = ${s.f}(${s.z}_{${t}})`; }
  case 1: return `${s.z} \\sim \\mathcal{N}(0, ${c()}\\, I)`;
  case 2: return `\\det ${s.A} = ${c()}`;
  case 3: return `${s.th} \\in \\R^{${r.int(2, 4096)}}`;
  case 4: return `O(${s.N}^{${r.int(2, 3)}} \\log ${s.N})`;
  case 5: return `\\lvert \\det J \\rvert > ${c()}`;
  case 6: return `${s.k} = 1, \\dots, ${r.int(3, 99)}`;
  case 7: return `\\alpha = ${r.num(0.001, 0.9, 3)}`;
  case 8: return `e^{-${c()}} \\approx ${Math.exp(-c()).toFixed(3)}`;
  case 9: return `${s.f}^{-1}(${s.x})\\big\\rvert_{${s.x} = ${c()}}`;
  case 10: return `\\log p_{${s.th}}(${s.x}_{1:${r.int(2, 999)}})`;
  case 11: return `\\sum_{${s.k}} ${s.z}_{${s.k}}^2 \\le ${c()}`;
  case 12: return `\\nabla_{${s.th}} \\mathcal{L}(${s.th}_{${r.int(1, 999)}})`;
  default: return `${s.x}_{${s.k}} \\mapsto ${c()}\\, ${s.x}_{${s.k}} + ${r.num(-2, 2, 2)}`;
  }
}

// ---- prose

function sentence(r, math) {
  const t = r.int(0, 11);
  const m = math ? ` $${math}$` : '';
  switch (t) {
  case 0: return `${cap(r.pick(P.subj))} ${r.pick(P.verb)} ${r.pick(P.obj)} ${r.pick(P.adv)}.`;
  case 1: return `When ${r.pick(P.subj)} is ${r.pick(P.adj)}, ${r.pick(P.subj)} ${r.pick(P.verb)} ${r.pick(P.obj)}${m ? ',' + m + ',' : ''} ${r.pick(P.adv)}.`;
  case 2: return `A useful habit is to ${r.pick(P.action)}: ${r.pick(P.subj)} ${r.pick(P.verb)} ${r.pick(P.obj)}, and ${r.pick(P.subj)} has to account for it.`;
  case 3: return `Nothing here is ${r.pick(P.adj)} by accident; the design asks that ${r.pick(P.subj)} stay ${r.pick(P.adj)} while ${r.pick(P.subj)} ${r.pick(P.verb)} ${r.pick(P.obj)}.`;
  case 4: return m ? `In symbols,${m}; read it as a statement about ${r.pick(P.obj)}.`
    : `Read the next step as a statement about ${r.pick(P.obj)}, not about ${r.pick(P.obj)}.`;
  case 5: return `If ${r.pick(P.reader.slice(1))} ${r.pick(['forgets', 'drops', 'misplaces', 'doubles'])} ${r.pick(P.obj)}, the result is no longer ${r.pick(P.adj)}, and ${r.pick(P.subj)} ${r.pick(P.verb)} ${r.pick(P.obj)} in the wrong direction.`;
  case 6: return `It helps to ${r.pick(P.action)} and to notice that ${r.pick(P.subj)} ${r.pick(P.verb)} ${r.pick(P.obj)}${m ? ' as' + m + ' says' : ''}.`;
  case 7: return `The price is paid elsewhere: ${r.pick(P.subj)} must remain ${r.pick(P.adj)}, which rules out many otherwise ${r.pick(P.adj)} choices.`;
  case 8: return `Compare this with ${r.pick(P.subj)}, which ${r.pick(P.verb)} ${r.pick(P.obj)} but is only ${r.pick(P.adj)} ${r.pick(P.adv)}.`;
  case 9: return `${cap(r.pick(P.reader))} can check the claim by hand: ${r.pick(P.action)}, then ${r.pick(P.action)}.`;
  case 10: return `Most of the engineering goes into keeping ${r.pick(P.obj)} ${r.pick(P.adj)} and ${r.pick(P.obj)} ${r.pick(P.adj)} at the same time.`;
  default: return `The two views agree${m ? ' because' + m + ' holds' : ''}: ${r.pick(P.subj)} ${r.pick(P.verb)} ${r.pick(P.obj)}, and the bookkeeping records by how much.`;
  }
}

// A paragraph of n sentences; about one in three carries inline math.
function paragraph(r, s, n, mathBudget) {
  const out = [];
  for (let i = 0; i < n; i++) {
    let math = null;
    if (mathBudget.left > 0 && r() < 0.35) {
      math = inlineFormula(r, s, mathBudget.next++);
      mathBudget.left--;
    }
    out.push(sentence(r, math));
  }
  return wrap(out.join(' '));
}

// Wraps text at 76 columns without breaking inside $..$.
function wrap(text) {
  const words = [];
  let cur = '', inMath = false;
  for (const ch of text) {
    if (ch === '$') inMath = !inMath;
    if (ch === ' ' && !inMath) { if (cur) words.push(cur); cur = ''; }
    else cur += ch;
  }
  if (cur) words.push(cur);
  const lines = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > 76) { lines.push(line); line = w; }
    else line = line ? line + ' ' + w : w;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

// ---- code witnesses: programs whose exact output we compute here

const fix = (v, n) => v.toFixed(n);

function witnessProgram(r, kind, name) {
  const LOG2PI = Math.log(2 * Math.PI);
  if (kind === 0) {   // a 2-D linear flow x = A z + b
    const a = r.num(0.6, 2.0, 2), b = r.num(-0.5, 0.5, 2),
      c = r.num(-0.5, 0.5, 2), d = r.num(0.6, 2.0, 2);
    const b0 = r.num(-1, 1, 2), b1 = r.num(-1, 1, 2);
    const x0 = r.num(-2, 2, 2), x1 = r.num(-2, 2, 2);
    const det = a * d - b * c;
    const y0 = x0 - b0, y1 = x1 - b1;
    const z0 = (d * y0 - b * y1) / det, z1 = (-c * y0 + a * y1) / det;
    const lp = -0.5 * (z0 * z0 + z1 * z1) - LOG2PI - Math.log(Math.abs(det));
    const code = `#include <stdio.h>
#include <flow.h>

/* ${name}: a 2-D linear flow x = A z + b over a standard normal. */
int main(void)
{
	double A[4] = {${a}, ${b},
	               ${c}, ${d}};
	double b[2] = {${b0}, ${b1}};
	double arena[256];
	struct flow f;
	flow_init(&f, 2, arena, 256);
	flow_add_affine(&f, A, b);

	double x[2] = {${x0}, ${x1}}, z[2], inv_logdet, log_px;
	flow_inverse(&f, x, z, &inv_logdet, 1);
	flow_log_prob(&f, x, &log_px, 1);

	printf("det(A): %.6f\\n", flow_exp(-inv_logdet));
	printf("z: [%.6f, %.6f]\\n", z[0], z[1]);
	printf("log p_x(x): %.6f\\n", log_px);
	return 0;
}`;
    const out = `det(A): ${fix(Math.abs(det), 6)}\nz: [${fix(z0, 6)}, ${fix(z1, 6)}]\nlog p_x(x): ${fix(lp, 6)}`;
    return {code, out, tol: '1e-5'};
  }
  if (kind === 1) {   // elementwise affine, forward
    const d = r.int(2, 4);
    const s = [], t = [], z = [];
    for (let i = 0; i < d; i++) {
      s.push(r.num(-1, 1, 2)); t.push(r.num(-1, 1, 2)); z.push(r.num(-2, 2, 2));
    }
    const x = z.map((v, i) => v * Math.exp(s[i]) + t[i]);
    const ld = s.reduce((p, v) => p + v, 0);
    const code = `#include <stdio.h>
#include <flow.h>

/* ${name}: an elementwise affine layer, x = z * exp(s) + t. */
int main(void)
{
	double s[${d}] = {${s.join(', ')}};
	double t[${d}] = {${t.join(', ')}};
	double z[${d}] = {${z.join(', ')}}, x[${d}], logdet;
	double arena[256];
	struct flow f;
	flow_init(&f, ${d}, arena, 256);
	flow_add_elementwise(&f, s, t);
	flow_forward(&f, z, x, &logdet, 1);
	for (int i = 0; i < ${d}; i++)
		printf("x[%d] = %.6f\\n", i, x[i]);
	printf("log det = %.6f\\n", logdet);
	return 0;
}`;
    const out = x.map((v, i) => `x[${i}] = ${fix(v, 6)}`).join('\n') +
      `\nlog det = ${fix(ld, 6)}`;
    return {code, out, tol: '1e-5'};
  }
  if (kind === 2) {   // integer arithmetic, exact, with a "..." wildcard
    const n = r.int(8, 30), m = r.int(1000, 99999);
    const rows = [];
    let c = 1;
    for (let k = 0; k <= n; k++) {
      rows.push(`C(${n},${k}) mod ${m} = ${c % m}`);
      c = c * (n - k) / (k + 1);
    }
    const code = `#include <stdio.h>

/* ${name}: one row of Pascal's triangle, reduced modulo m. */
int main(void)
{
	const int n = ${n};
	const long m = ${m};
	long long c = 1;
	printf("row %d of Pascal's triangle\\n", n);
	for (int k = 0; k <= n; k++) {
		printf("C(%d,%d) mod %ld = %lld\\n", n, k, m, c % m);
		c = c * (n - k) / (k + 1);
	}
	return 0;
}`;
    const out = [`row ${n} of Pascal's triangle`, rows[0], '...',
      rows[rows.length - 1]].join('\n');
    return {code, out, tol: null};
  }
  // kind 3: a Gaussian log density by hand and from the library
  const d = r.int(2, 6);
  const z = [];
  for (let i = 0; i < d; i++) z.push(r.num(-2.5, 2.5, 3));
  let ss = 0;
  for (const v of z) ss += v * v;
  const lp = -0.5 * ss - 0.5 * d * LOG2PI;
  const code = `#include <stdio.h>
#include <flow.h>

/* ${name}: the standard normal log density in ${d} dimensions. */
int main(void)
{
	double z[${d}] = {${z.join(', ')}};
	double ss = 0;
	for (int i = 0; i < ${d}; i++)
		ss += z[i] * z[i];
	printf("squared norm: %.6f\\n", ss);
	printf("log N(z; 0, I): %.6f\\n", flow_normal_log_prob(z, ${d}));
	return 0;
}`;
  const out = `squared norm: ${fix(ss, 6)}\nlog N(z; 0, I): ${fix(lp, 6)}`;
  return {code, out, tol: '1e-5'};
}

// ---- sources

function makeSources(r, count) {
  const kinds = ['paper', 'paper', 'paper', 'book', 'article', 'docs', 'code', 'video'];
  const topics = ['flows', 'diffusion', 'variational-bounds', 'optimisation',
    'sampling', 'entropy', 'spectra', 'kernels', 'estimation', 'control'];
  const out = [];
  for (let i = 0; i < count; i++) {
    const last = r.pick(LAST), year = r.int(1990, 2025);
    const topic = topics[i % topics.length];
    const id = `${last.toLowerCase()}-${year}-${topic}-${i + 1}`;
    const kind = r.pick(kinds);
    const nauth = r.int(1, 4);
    const authors = [`${r.pick(FIRST)} ${last}`];
    while (authors.length < nauth) authors.push(`${r.pick(FIRST)} ${r.pick(LAST)}`);
    const title = `${r.pick(ADJ)} ${r.pick(NOUN)} for ${cap(topic.replace(/-/g, ' '))}`;
    const src = {id, kind, title, authors, year, venue: r.pick(VENUES[kind]),
      url: `https://example.org/${kind}/${id}`, quotes: [], snapshot: null};
    if (i % 5 < 2) {   // 20 of 50 have a local snapshot
      const paras = [];
      for (let p = 0; p < 6; p++) {
        const sents = [];
        for (let k = 0; k < 5; k++) {
          const q = `${cap(r.pick(P.subj))} ${r.pick(P.verb)} ${r.pick(P.obj)} ${r.pick(P.adv)}, and ${r.pick(P.subj)} stays ${r.pick(P.adj)} (result ${i + 1}.${p + 1}.${k + 1})`;
          src.quotes.push(q);
          sents.push(q + '.');
        }
        paras.push(wrap(sents.join(' ')));
      }
      src.snapshot = `Local snapshot of ${title} (${year}), generated for the folio build benchmark.\n\n` +
        paras.join('\n\n') + '\n';
    }
    out.push(src);
  }
  return out;
}

// ---- YAML helpers: JSON strings are valid YAML double-quoted scalars

const q = (s) => JSON.stringify(s);
const flow = (xs) => `[${xs.map(q).join(', ')}]`;

// ---- one page

function makePages(r, n, witnessesPerPage) {
  // Ids first, so that links can point anywhere.
  const pages = [];
  const used = new Set();
  for (let i = 0; i < n; i++) {
    const dom = DOMAINS[r.int(0, DOMAINS.length - 1)];
    let base, slug;
    do {
      base = `${r.pick(ADJ)} ${r.pick(NOUN)}`;
      slug = `${dom[1]}/${base.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${i + 1}`;
    } while (used.has(slug));
    used.add(slug);
    pages.push({i, dom, base, id: slug,
      title: `${base}: ${r.pick(SUBTITLE)}`});
  }
  return pages;
}

function pageText(r, pg, pages, sources, K) {
  const s = symbolsFor(r);
  const n = pages.length, i = pg.i;
  const topic = r.pick(pg.dom[2]);
  const budget = {left: 12, next: r.int(0, 13)};
  const fnext = {v: r.int(0, 17)};
  const disp = () => displayFormula(r, s, fnext.v++);

  // Graph: prerequisites point back, next points forward (no cycles).
  const back = [], fwd = [];
  for (let k = 0; k < r.int(0, 2) && i > 0; k++)
    back.push(pages[r.int(Math.max(0, i - 150), i - 1)].id);
  for (let k = 0; k < r.int(0, 2) && i < n - 1; k++)
    fwd.push(pages[r.int(i + 1, Math.min(n - 1, i + 150))].id);
  const prereq = [...new Set(back)], next = [...new Set(fwd)];

  // Sources: the page's own share of the 50, so every source is used.
  const srcIdx = [...new Set([i % sources.length,
    r.int(0, sources.length - 1), r.int(0, sources.length - 1)])]
    .slice(0, r.int(1, 3));
  const srcs = srcIdx.map((k) => sources[k]);

  const status = r() < 0.7 ? 'published' : r.pick(['review', 'draft']);
  const eqMain = `eq-${pg.i + 1}-main`, eqAux = `eq-${pg.i + 1}-aux`;
  const demoId = `demo-${pg.i + 1}`;
  const wnames = [];
  for (let k = 0; k < K; k++) wnames.push(`w${pg.i + 1}-${k + 1}`);

  // Claims: witnesses that exist on this page, sources the page lists.
  const nclaims = r.int(2, 3);
  const claims = [];
  for (let c = 0; c < nclaims; c++) {
    const cs = r.sample(srcs, r.int(1, srcs.length)).map((x) => x.id);
    const ws = [[`eq:${eqMain}`, `code:${wnames[0]}`, `demo:${demoId}`],
      [`eq:${eqAux}`, `code:${wnames[wnames.length - 1]}`],
      [`eq:${eqMain}`, `demo:${demoId}`]][c];
    const text = `${cap(r.pick(P.subj))} ${r.pick(P.verb)} ${r.pick(P.obj)} ${r.pick(P.adv)}; when it is ${r.pick(P.adj)}, ${r.pick(P.subj)} ${r.pick(P.verb)} ${r.pick(P.obj)}, and the ${topic} is ${r.pick(P.adj)} (claim ${c + 1} of page ${pg.i + 1}).`;
    const support = [];
    for (const sid of cs) {
      const src = sources.find((x) => x.id === sid);
      if (src.snapshot && r() < 0.8) {
        let quote = r.pick(src.quotes);
        // Quote a part of the sentence, sometimes with its white space
        // re-flowed (the check folds white space).
        const words = quote.split(' ');
        const from = r.int(0, Math.max(0, words.length - 8));
        quote = words.slice(from).join(r() < 0.5 ? ' ' : '  ');
        support.push({source: sid, quote, locator: `Sec. ${r.int(1, 6)}`});
      }
    }
    claims.push({id: `claim-${c + 1}`, text, sources: cs, witnesses: ws,
      scope: wrap(`${sentence(r)} ${sentence(r)}`).replace(/\n/g, ' '),
      support});
  }
  // Reviews: every claim on a published page; some elsewhere.
  const reviews = [];
  for (const c of claims) {
    if (status !== 'published' && r() < 0.5) continue;
    reviews.push({claim: c.id, level: r.pick(['substantive', 'source-checked', 'metadata']),
      reviewer: `${r.pick(FIRST)} ${r.pick(LAST)}`,
      date: `2026-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}`,
      summary: `${sentence(r)} ${sentence(r)}`,
      pin: pin(c.text, c.sources, c.witnesses)});
  }

  // ---- front matter (folio's authoring format)
  const fm = [];
  fm.push(`title: ${q(pg.title)}`);
  fm.push(`domain: ${pg.dom[0]}`);
  const summary = `${sentence(r)} ${sentence(r)}`;
  fm.push(`summary: ${q(summary)}`);
  fm.push(`status: ${status}`);
  fm.push(`importance: ${r.pick(['core', 'important', 'supplementary'])}`);
  const difficulty = r.int(1, 5);
  fm.push(`difficulty: ${difficulty}`);
  fm.push(`math: ${r.pick(['high-school', 'undergraduate', 'undergraduate', 'graduate'])}`);
  if (r() < 0.3)
    fm.push(`hero: {image: hero.svg, alt: ${q(`A grid before and after the ${topic} acts on it; one cell grows and one shrinks.`)}}`);
  fm.push(`prerequisites: ${flow(prereq)}`);
  fm.push(`next: ${flow(next)}`);
  fm.push('related:');
  fm.push(`  - {title: ${q(`${r.pick(LAST)} and ${r.pick(LAST)}, notes on ${topic}`)}, url: ${q(`https://example.org/notes/${pg.i + 1}`)}}`);
  fm.push(`  - ${pages[r.int(0, n - 1)].id}`);
  fm.push('bridge:');
  fm.push(`  carry_in: ${q(sentence(r) + ' ' + sentence(r))}`);
  fm.push(`  work_here: ${q(sentence(r) + ' ' + sentence(r))}`);
  fm.push(`  carry_out: ${q(sentence(r) + ' ' + sentence(r))}`);
  fm.push('sources:');
  for (const x of srcs)
    fm.push(`  - {id: ${x.id}, grounds: ${q(`Grounds the ${topic} and ${r.pick(P.obj)}: ${sentence(r)}`)}}`);
  fm.push('claims:');
  for (const c of claims) {
    fm.push(`  - id: ${c.id}`);
    fm.push(`    text: ${q(c.text)}`);
    fm.push(`    sources: ${flow(c.sources)}`);
    fm.push(`    witnesses: ${flow(c.witnesses)}`);
    fm.push(`    scope: ${q(c.scope)}`);
    if (c.support.length) {
      fm.push('    support:');
      for (const u of c.support)
        fm.push(`      - {source: ${u.source}, quote: ${q(u.quote)}, locator: ${q(u.locator)}}`);
    }
  }
  if (reviews.length) {
    fm.push('reviews:');
    for (const v of reviews) {
      fm.push(`  - claim: ${v.claim}`);
      fm.push(`    level: ${v.level}`);
      fm.push(`    reviewer: ${q(v.reviewer)}`);
      fm.push(`    date: ${v.date}`);
      fm.push(`    summary: ${q(v.summary)}`);
      fm.push(`    pin: ${v.pin}`);
    }
  }
  fm.push('misconceptions:');
  for (let k = 0; k < r.int(2, 3); k++) {
    fm.push(`  - id: misconception-${k + 1}`);
    fm.push(`    text: ${q(sentence(r))}`);
    fm.push(`    correction: ${q(sentence(r) + ' ' + sentence(r))}`);
  }
  fm.push('practice:');
  fm.push(`  predict: ${q(`Before running anything, ${r.pick(P.action)} and predict whether ${r.pick(P.subj)} ${r.pick(P.verb)} ${r.pick(P.obj)}.`)}`);
  fm.push('  hints:');
  for (let k = 0; k < 3; k++) fm.push(`    - ${q(sentence(r))}`);
  fm.push('research:');
  fm.push(`  question: ${q(`What is the smallest example in which ${r.pick(P.subj)} ${r.pick(P.verb)} ${r.pick(P.obj)} ${r.pick(P.adv)}?`)}`);
  fm.push(`  evidence: ${flow([`The equation eq:${eqMain}`, `The code witness code:${wnames[0]} and its output`, `One state of the demo demo:${demoId}`])}`);
  fm.push(`  resolves: ${flow([sentence(r), sentence(r)])}`);
  const A = [[r.num(0.5, 2, 2), r.num(-0.5, 0.5, 2)], [r.num(-0.5, 0.5, 2), r.num(0.5, 2, 2)]];
  fm.push('demo:');
  fm.push(`  id: ${demoId}`);
  fm.push('  map: affine');
  fm.push('  dim: 2');
  fm.push('  base: standard-normal');
  fm.push(`  A: [[${A[0].join(', ')}], [${A[1].join(', ')}]]`);
  fm.push(`  b: [${r.num(-1, 1, 2)}, ${r.num(-1, 1, 2)}]`);
  fm.push(`  probe: [${r.num(-2, 2, 2)}, ${r.num(-2, 2, 2)}]`);
  fm.push(`  grid: {extent: ${r.int(2, 4)}, lines: ${r.int(5, 13)}}`);
  fm.push('  controls:');
  fm.push('    - {param: "A[0][0]", min: 0.2, max: 2.0, step: 0.05}');
  fm.push('    - {param: "A[1][1]", min: 0.2, max: 2.0, step: 0.05}');
  fm.push('  show: [base-log-density, log-det-correction, log-density]');

  // ---- body
  const b = [];
  const para = (k) => b.push(paragraph(r, s, k, budget), '');
  b.push('## Intuition', '');
  para(r.int(5, 7));
  para(r.int(5, 7));
  for (let k = 0; k < 3; k++)
    b.push(`- **${cap(r.pick(P.adj))} ${r.pick(['step', 'view', 'case', 'limit'])}**: ${sentence(r, inlineFormula(r, s, budget.next++))}`);
  b.push('');
  para(r.int(4, 6));

  b.push('## Math', '', `### ${cap(topic)} in symbols`, '');
  para(r.int(4, 6));
  b.push(`\`\`\`math id=${eqMain}`, disp(), '```', '');
  para(r.int(3, 5));
  b.push('$$', disp(), '$$', '');
  b.push(paragraph(r, s, r.int(3, 5), budget) + `[^n${pg.i + 1}]`, '');
  b.push(`### ${cap(r.pick(P.adj))} cases`, '');
  b.push('| case | formula | cost | note |', '| --- | --- | --- | --- |');
  for (let k = 0; k < 4; k++)
    b.push(`| ${r.pick(ADJ).toLowerCase()} ${topic} | $${inlineFormula(r, s, budget.next++)}$ | $O(${s.N}^{${k + 1}})$ | ${r.pick(P.adj)}, ${r.pick(P.adv)} |`);
  b.push('');
  para(r.int(3, 5));
  b.push(`\`\`\`math id=${eqAux}`, disp(), '```', '');
  para(r.int(3, 4));
  b.push('$$', disp(), '$$', '');
  for (let k = 0; k < 3; k++) b.push(`${k + 1}. ${sentence(r)}`);
  b.push('');

  b.push('## Code', '');
  para(r.int(3, 5));
  for (let k = 0; k < K; k++) {
    const w = witnessProgram(r, (pg.i + k) % 4, wnames[k]);
    b.push(`\`\`\`c witness=${wnames[k]}`, w.code, '```', '');
    b.push(w.tol ? `\`\`\`output tol=${w.tol}` : '```output', w.out, '```', '');
    if (k + 1 < K) b.push(wrap(sentence(r) + ' ' + sentence(r)), '');
  }
  b.push('The same computation in a few lines of Python, shown and not run:', '');
  b.push('```python', 'import numpy as np', '',
    `A = np.array([[${A[0].join(', ')}], [${A[1].join(', ')}]])`,
    'z = np.linalg.solve(A, np.array([1.0, 0.0]))',
    'print(np.round(z, 3), np.log(abs(np.linalg.det(A))))', '```', '');
  para(r.int(3, 4));

  b.push('## Interactive Demo', '');
  para(r.int(4, 6));
  para(r.int(4, 6));
  b.push(`- [x] ${sentence(r)}`, `- [ ] ${sentence(r)}`, '');

  b.push('## Pitfalls', '');
  para(r.int(4, 6));
  b.push(`[^n${pg.i + 1}]: ${sentence(r)} See ${srcs[0].title} (${srcs[0].year}).`, '');

  return {fm: fm.join('\n') + '\n', body: b.join('\n'), title: pg.title,
    summary, status, difficulty, domain: pg.dom[0], prereq, next};
}

// A page of --bare: its witnesses, and the least else a page must have.
function barePage(r, pg, K) {
  const fm = [`title: ${q(pg.title)}`, `domain: ${pg.dom[0]}`,
    `summary: ${q(sentence(r))}`, 'status: published', 'difficulty: 2',
    'math: none'];
  const b = ['## Intuition', '', wrap(sentence(r)), '', '## Math', '',
    wrap(sentence(r)), '', '## Code', ''];
  for (let k = 0; k < K; k++) {
    const w = witnessProgram(r, (pg.i + k) % 4, `w${pg.i + 1}-${k + 1}`);
    b.push(`\`\`\`c witness=w${pg.i + 1}-${k + 1}`, w.code, '```', '');
    b.push(w.tol ? `\`\`\`output tol=${w.tol}` : '```output', w.out, '```', '');
  }
  b.push('## Interactive Demo', '', wrap(sentence(r)), '');
  return `---\n${fm.join('\n')}\n---\n\n${b.join('\n')}`;
}

// ---- output

const HERO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60">
<path d="M10 10h40v40h-40zM70 8l44 6-6 40-42-4z" fill="none" stroke="#333"/>
</svg>
`;

const SITE_YAML = `# Generated by tests/bench/corpus.js for the build benchmarks.
title: folio bench corpus
base_url: ""
description: A generated reading room for the build benchmarks.
katex:
  macros:
    "\\\\R": "\\\\mathbb{R}"
    "\\\\E": "\\\\mathbb{E}"
witness:
  timeout_ms: 2000
  cpu_s: 2
  memory_mb: 256
  output_kb: 64
`;

const HUGO_TOML = `# Generated by tests/bench/corpus.js: the corpus's Markdown for Hugo.
baseURL = "http://localhost/"
title = "folio bench corpus"
disableKinds = ["taxonomy", "term"]
[markup.goldmark.renderer]
unsafe = false
`;

const HUGO_BASEOF = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify }}"></head>
<body>
<header><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
`;

const HUGO_SINGLE = `{{ define "main" }}
<article>
<p class="domain">{{ .Params.params.domain }}</p>
<h1>{{ .Title }}</h1>
<p class="summary">{{ .Params.summary }}</p>
<ul class="badges">
<li>status: {{ .Params.params.status }}</li>
<li>importance: {{ .Params.params.importance }}</li>
<li>difficulty {{ .Params.params.difficulty }}/5</li>
<li>math: {{ .Params.params.math }}</li>
<li>read: {{ .ReadingTime }}m</li>
</ul>
<nav class="map">
<p>Before: {{ range .Params.params.prerequisites }}<a href="{{ relURL . }}/">{{ . }}</a> {{ end }}</p>
<p>Next: {{ range .Params.params.next }}<a href="{{ relURL . }}/">{{ . }}</a> {{ end }}</p>
</nav>
{{ with .Params.params.bridge }}<section class="bridge">
<p>{{ .carry_in }}</p><p>{{ .work_here }}</p><p>{{ .carry_out }}</p></section>{{ end }}
{{ .TableOfContents }}
{{ .Content }}
<section class="sources"><h2>Sources</h2><ul>
{{ range .Params.params.sources }}<li>{{ .id }}: {{ .grounds }}</li>{{ end }}
</ul></section>
<section class="claims"><h2>Claims</h2>
{{ range .Params.params.claims }}<div id="claim-{{ .id }}"><p>{{ .text }}</p>
<p>{{ delimit .sources ", " }} &middot; {{ delimit .witnesses ", " }}</p><p>{{ .scope }}</p></div>{{ end }}
{{ range .Params.params.reviews }}<p>{{ .claim }}: {{ .level }}, {{ .reviewer }}, {{ .date }}: {{ .summary }} ({{ .pin }})</p>{{ end }}
</section>
<section class="practice">{{ with .Params.params.practice }}<p>{{ .predict }}</p>
{{ range .hints }}<details><summary>Hint</summary>{{ . }}</details>{{ end }}{{ end }}</section>
<section class="misconceptions">{{ range .Params.params.misconceptions }}<p>{{ .text }} {{ .correction }}</p>{{ end }}</section>
<section class="research">{{ with .Params.params.research }}<p>{{ .question }}</p>
<ul>{{ range .evidence }}<li>{{ . }}</li>{{ end }}</ul><ul>{{ range .resolves }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}</section>
</article>
{{ end }}
`;

const HUGO_LIST = `{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>: {{ .Params.summary }}</li>{{ end }}</ul>
{{ end }}
`;

function writeFile(file, text) {
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, text);
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const r = rngFrom(o.seed);
  // 50 sources, fewer for a small corpus: every source must be used.
  const sources = makeSources(r, Math.min(50, o.pages));
  const pages = makePages(r, o.pages, o.witnesses);

  fs.rmSync(path.join(o.out, 'content'), {recursive: true, force: true});
  fs.rmSync(path.join(o.out, 'sources'), {recursive: true, force: true});
  if (o.hugo) {
    for (const sub of ['content', 'layouts', 'public', 'resources'])
      fs.rmSync(path.join(o.hugo, sub), {recursive: true, force: true});
    writeFile(path.join(o.hugo, 'hugo.toml'), HUGO_TOML);
    writeFile(path.join(o.hugo, 'layouts/_default/baseof.html'), HUGO_BASEOF);
    writeFile(path.join(o.hugo, 'layouts/_default/single.html'), HUGO_SINGLE);
    writeFile(path.join(o.hugo, 'layouts/_default/list.html'), HUGO_LIST);
  }
  writeFile(path.join(o.out, 'content/site.yaml'), SITE_YAML);
  if (o.bare) {
    for (const pg of pages)
      writeFile(path.join(o.out, 'content', pg.id + '.md'), barePage(r, pg, o.witnesses));
    writeFile(path.join(o.out, 'corpus.json'), JSON.stringify({pages: pages.length,
      seed: o.seed, bare: true, witnesses: pages.length * o.witnesses}, null, 2) + '\n');
    process.stdout.write(`corpus: ${pages.length} bare pages, ` +
      `${pages.length * o.witnesses} witnesses into ${o.out}\n`);
    return;
  }
  for (const d of DOMAINS)
    writeFile(path.join(o.out, 'content', d[1], 'hero.svg'), HERO_SVG);
  for (const s of sources) {
    writeFile(path.join(o.out, 'sources', s.id + '.yaml'),
      `kind: ${s.kind}\ntitle: ${q(s.title)}\nauthors: ${flow(s.authors)}\n` +
      `year: ${s.year}\nvenue: ${q(s.venue)}\nurl: ${s.url}\n`);
    if (s.snapshot) writeFile(path.join(o.out, 'sources', s.id + '.txt'), s.snapshot);
  }
  let words = 0, formulas = 0;
  const distinct = new Set();
  for (const pg of pages) {
    const t = pageText(r, pg, pages, sources, o.witnesses);
    let rest = t.body.replace(/```math id=\S+\n([\s\S]*?)\n```/g, (m, f) => {
      formulas++; distinct.add(f); return ' ';
    }).replace(/```[\s\S]*?```/g, ' ');
    rest = rest.replace(/\$\$\n([\s\S]*?)\n\$\$/g, (m, f) => {
      formulas++; distinct.add(f); return ' ';
    });
    rest.replace(/\$([^$\n]+)\$/g, (m, f) => { formulas++; distinct.add(f); });
    words += rest.split(/\s+/).filter(Boolean).length;
    writeFile(path.join(o.out, 'content', pg.id + '.md'), `---\n${t.fm}---\n\n${t.body}`);
    if (o.hugo) {
      // Hugo: title/summary/date at the top, every other field under params.
      const params = t.fm.split('\n').filter((l) => l &&
        !/^(title|summary): /.test(l)).map((l) => '  ' + l).join('\n');
      writeFile(path.join(o.hugo, 'content', pg.id + '.md'),
        `---\ntitle: ${q(t.title)}\nsummary: ${q(t.summary)}\ndate: 2026-05-08\nparams:\n${params}\n---\n\n${t.body}`);
    }
  }
  const stats = {pages: pages.length, seed: o.seed,
    body_words_per_page: Math.round(words / pages.length),
    sources: sources.length, snapshots: sources.filter((x) => x.snapshot).length,
    witnesses: pages.length * o.witnesses, formulas,
    distinct_formulas: distinct.size};
  writeFile(path.join(o.out, 'corpus.json'), JSON.stringify(stats, null, 2) + '\n');
  process.stdout.write(`corpus: ${pages.length} pages (${Math.round(words / pages.length)} words of body each, code excluded), ` +
    `${sources.length} sources (${sources.filter((s) => s.snapshot).length} snapshots), ` +
    `${pages.length * o.witnesses} witnesses, ${formulas} formulas (${distinct.size} distinct) into ${o.out}${o.hugo ? ' and ' + o.hugo : ''}\n`);
}

main();
