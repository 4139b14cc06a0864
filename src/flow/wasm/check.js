// Loads build/flow.wasm and checks it against the native library: the
// witness example of issue 4, and a short seeded training run whose loss
// and samples must hash to the same bits as the native build's
// (FNV-1a over 4 sampled points and the final loss).
// Usage: node src/flow/wasm/check.js build/flow.wasm
const fs = require('fs');
const NATIVE_HASH = 'b243fd5dcd5bea43';
const instance = new WebAssembly.Instance(
  new WebAssembly.Module(fs.readFileSync(process.argv[2])), {});
const e = instance.exports;
const mem = () => new DataView(e.memory.buffer);
let top = (e.__heap_base.value + 15) & ~15;
const alloc = (bytes) => { const p = top; top += (bytes + 15) & ~15; return p; };
const put = (p, a) => a.forEach((v, i) => mem().setFloat64(p + 8 * i, v, true));
const get = (p, n) => Array.from({ length: n }, (_, i) => mem().getFloat64(p + 8 * i, true));
const ints = (a) => { const p = alloc(4 * a.length); a.forEach((v, i) => mem().setInt32(p + 4 * i, v, true)); return p; };

// witness: A = [[1.2, .3], [.1, .9]], b = [.5, -.2], x = [1, 0]
let f = alloc(1 << 16), arena = alloc(8 * 4096);
const A = alloc(32), b = alloc(16), x = alloc(16), z = alloc(16), ld = alloc(8), lp = alloc(8);
put(A, [1.2, 0.3, 0.1, 0.9]); put(b, [0.5, -0.2]); put(x, [1, 0]);
e.flow_init(f, 2, arena, 4096);
e.flow_add_affine(f, A, b);
e.flow_inverse(f, x, z, ld, 1);
e.flow_log_prob(f, x, lp, 1);
const det = e.flow_exp(-get(ld, 1)[0]), zz = get(z, 2), l = get(lp, 1)[0];
const ok1 = Math.abs(det - 1.05) < 1e-12 && Math.abs(zz[0] - 0.39 / 1.05) < 1e-12
  && Math.abs(l + 1.972) < 5e-4;
console.log(`flow.wasm: det ${det.toFixed(3)} z [${zz.map((v) => v.toFixed(3))}] log p ${l.toFixed(3)}`);

// seeded training run, as in the native build
const N = 1 << 18;
f = alloc(1 << 16); arena = alloc(8 * N);
const rng = alloc(64), opt = alloc(128), xs = alloc(8 * 128), nll = alloc(8), s = alloc(64);
const m0 = ints([1, 0]), m1 = ints([0, 1]);
const name = alloc(8); new Uint8Array(e.memory.buffer, name, 6).set(Buffer.from('moons\0'));
e.flow_init(f, 2, arena, N); e.flow_seed(f, 5n);
e.flow_add_coupling(f, m0, 16); e.flow_add_spline_coupling(f, m1, 16, 4, 3.0);
e.flow_add_planar(f, 0, 0, 0.1);
e.flow_adam_init(f, opt, 1e-2); e.flow_rng_seed(rng, 11n);
for (let i = 0; i < 20; i++) { e.flow_toy_sample(name, rng, xs, 64); e.flow_train_step(f, opt, xs, 64, nll); }
e.flow_sample(f, rng, s, 4);
let h = 1469598103934665603n;
const bytes = [...new Uint8Array(e.memory.buffer, s, 64), ...new Uint8Array(e.memory.buffer, nll, 8)];
for (const c of bytes) { h ^= BigInt(c); h = (h * 1099511628211n) & 0xffffffffffffffffn; }
const hash = h.toString(16).padStart(16, '0');
console.log(`flow.wasm: training loss ${get(nll, 1)[0]}, hash ${hash} (native ${NATIVE_HASH})`);
if (!ok1 || hash !== NATIVE_HASH) { console.error('flow.wasm: MISMATCH with native'); process.exit(1); }
