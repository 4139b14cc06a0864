// math-corpus.js -- writes a corpus of distinct, realistic TeX formulas for
// the math benchmark, one per line, to stdout.  The same seed gives the same
// corpus.  Usage: node math-corpus.js [COUNT]   (default 2400)
'use strict';

const count = Number(process.argv[2] || 2400);
let seed = 20260508;
function rnd(n) {            // xorshift32, deterministic
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed % n;
}
const pick = (a) => a[rnd(a.length)];

const greek = ['\\alpha', '\\beta', '\\gamma', '\\theta', '\\lambda', '\\mu',
  '\\sigma', '\\phi', '\\psi', '\\omega', '\\epsilon', '\\eta', '\\tau'];
const latin = ['x', 'y', 'z', 'u', 'v', 'w', 'a', 'b', 'c', 'k', 'n', 't'];
const fns = ['f', 'g', 'h', 'p', 'q', 'T', 'F'];
const ops = ['+', '-', '\\cdot', '\\times', '\\circ'];
const rels = ['=', '\\le', '\\ge', '\\approx', '\\propto', '\\sim'];

function sym() {
  const s = rnd(2) ? pick(greek) : pick(latin);
  switch (rnd(4)) {
    case 0: return s + '_{' + pick(latin) + '}';
    case 1: return s + '^{' + (rnd(4) + 2) + '}';
    case 2: return '\\mathbf{' + pick(latin) + '}';
    default: return s;
  }
}

function term(depth) {
  if (depth <= 0) return sym();
  switch (rnd(12)) {
    case 0: return '\\frac{' + term(depth - 1) + '}{' + term(depth - 1) + '}';
    case 1: return '\\sqrt{' + term(depth - 1) + '}';
    case 2: return pick(fns) + '(' + term(depth - 1) + ')';
    case 3: return '\\log ' + pick(fns) + '_{' + pick(greek) + '}(' + sym() + ')';
    case 4: return '\\left|\\det \\frac{\\partial ' + pick(fns) + '}{\\partial ' + sym() + '}\\right|';
    case 5: return '\\sum_{' + pick(latin) + '=1}^{' + pick(['n', 'N', 'K', 'T']) + '} ' + term(depth - 1);
    case 6: return '\\int_{' + pick(['0', '-\\infty', 'a']) + '}^{' + pick(['1', '\\infty', 'b']) + '} ' + term(depth - 1) + '\\,d' + pick(latin);
    case 7: return '\\mathbb{E}_{' + sym() + '\\sim ' + pick(['p', 'q', '\\pi']) + '}\\left[' + term(depth - 1) + '\\right]';
    case 8: return '\\lVert ' + term(depth - 1) + '\\rVert_{' + (rnd(2) + 1) + '}';
    case 9: return '\\begin{pmatrix}' + sym() + ' & ' + sym() + '\\\\ ' + sym() + ' & ' + sym() + '\\end{pmatrix}';
    case 10: return '\\exp\\left(-\\frac{' + term(depth - 1) + '}{2' + pick(greek) + '^2}\\right)';
    default: return term(depth - 1) + ' ' + pick(ops) + ' ' + term(depth - 1);
  }
}

const seen = new Set();
const out = [];
while (out.length < count) {
  const depth = 1 + rnd(3);
  let f = term(depth);
  if (rnd(3) === 0) f = sym() + ' ' + pick(rels) + ' ' + f;
  if (rnd(5) === 0) f = 'p_{' + pick(latin) + '}(' + sym() + ') = ' + f;
  if (seen.has(f)) continue;
  seen.add(f);
  out.push(f);
}
process.stdout.write(out.join('\n') + '\n');
