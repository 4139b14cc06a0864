// math-baseline.js -- the peer of the math pool benchmark: KaTeX's own
// renderToString over the whole corpus in this one Node process, with the
// options the workers use.  Prints {"cold_s":..,"best_s":..,"n":..,"errors":..}
// where cold_s is the first pass and best_s the best of PASSES passes.
// Usage: node math-baseline.js KATEX_DIR CORPUS [PASSES]
'use strict';
const fs = require('fs');
const path = require('path');
const katex = require(path.resolve(process.argv[2]));
const corpus = fs.readFileSync(process.argv[3], 'utf8').split('\n').filter((l) => l);
const passes = Number(process.argv[4] || 3);

let errors = 0;
let bestCpu = Infinity;
function pass() {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  errors = 0;
  for (let i = 0; i < corpus.length; i++) {
    try {
      katex.renderToString(corpus[i], {
        displayMode: i % 4 === 0, output: 'htmlAndMathml', throwOnError: true,
        strict: 'ignore', trust: false, macros: {},
      });
    } catch (e) {
      errors++;
    }
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  bestCpu = Math.min(bestCpu, (c.user + c.system) / 1e6);
  return wall;
}

const cold = pass();
let best = cold;
for (let k = 1; k < passes; k++) best = Math.min(best, pass());
console.log(JSON.stringify({cold_s: cold, best_s: best, best_cpu_s: bestCpu,
  n: corpus.length, errors}));
