// demo-live.js -- a concept page's live demo and local drafts in a real
// browser (Debian's Chromium driven by playwright-core), through folio
// serve: the 2-D grid warp and the 1-D Gaussian fit of content/ draw an SVG
// and their numbers from static/flow.wasm with no page error, moving a
// range input changes a shown number, and a typed prediction and research
// draft survive a reload.  A page whose site lacks flow.wasm says so.
//
// Usage: node tests/browser/demo-live.js build/folio   (make browser, after
// make wasm: build/flow.wasm must be beside build/folio)
'use strict';
const {chromium} = require('playwright-core');
const {fail, startServe, launchChromium, stopAll, run} = require('./harness');
const {spawnSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const folio = path.resolve(process.argv[2] || 'build/folio');
const repo = path.join(__dirname, '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-demo-'));
const port = 20000 + ((process.pid + 7919) % 20000);
let server = null, browser = null;

// Opens url, waits for the demo, and returns the page and its page errors.
async function openDemo(url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(url);
  await page.waitForSelector('#demo[data-ready="true"] svg', {state: 'attached', timeout: 20000})
    .catch(async () => fail(`${url}: the demo did not run: ` +
      JSON.stringify(await page.textContent('#demo'))));
  return {page, errors};
}

async function value(page, name) {
  return (await page.textContent(`#demo-value-${name}`)).trim();
}

// Sets a range input as a reader would, firing its input event.
async function slide(page, sel, v) {
  await page.$eval(sel, (el, x) => {
    el.value = String(x);
    el.dispatchEvent(new Event('input', {bubbles: true}));
  }, v);
}

run(async () => {
  if (!fs.existsSync(path.join(path.dirname(folio), 'flow.wasm')))
    fail('no flow.wasm beside the executable (run make wasm)');
  for (const d of ['content', 'sources'])
    spawnSync('cp', ['-R', path.join(repo, d), scratch]);
  server = startServe(folio, scratch, port);
  await server.started;
  browser = await launchChromium(chromium);
  const base = `http://127.0.0.1:${port}`;

  // The 2-D grid warp: the grid's image, the probe and three numbers.
  let {page, errors} = await openDemo(`${base}/generative-models/normalizing-flows/`);
  if (await page.$('#demo .demo-fallback')) fail('the fallback text stayed');
  const box = await (await page.$('#demo svg')).boundingBox();
  if (!box || box.width < 100) fail(`the SVG is ${JSON.stringify(box)}`);
  // A picture for a person to look at (DEMO_SHOT=file.png).
  if (process.env.DEMO_SHOT)
    await (await page.$('#demo')).screenshot({path: process.env.DEMO_SHOT});
  const lines = await page.$$eval('#demo svg .demo-grid-line', (l) => l.length);
  if (lines !== 18) fail(`grid lines: ${lines}, expected 18`);
  if (!(await page.$('#demo svg .demo-probe'))) fail('no probe point');
  // A = [[1.2, .3], [.1, .9]], b = [.5, -.2], x = [1, 0]: log p = -1.972
  // (the witness of src/flow/wasm/check.js), log det dz/dx = -log 1.05.
  const lp = Number(await value(page, 'log-density'));
  const ld = Number(await value(page, 'log-det-correction'));
  const bl = Number(await value(page, 'base-log-density'));
  if (Math.abs(lp + 1.972) > 5e-4) fail(`log density ${lp}`);
  if (Math.abs(ld + Math.log(1.05)) > 1e-4) fail(`log-det correction ${ld}`);
  if (Math.abs(bl + ld - lp) > 2e-4) fail(`base ${bl} + correction ${ld} != ${lp}`);
  const labels = await page.$$eval('#demo label', (l) => l.map((x) => x.textContent));
  if (labels.join() !== 'A[0][0],A[0][1],A[1][1]') fail(`labels ${labels}`);
  await slide(page, '#demo-control-0', 2.0);
  const ld2 = Number(await value(page, 'log-det-correction'));
  // det [[2, .3], [.1, .9]] = 1.77
  if (Math.abs(ld2 + Math.log(1.77)) > 1e-4) fail(`after the slide: ${ld2}`);

  // The drafts survive a reload.
  await page.fill('#demo-prediction', 'The cells grow.');
  await page.fill('#research-draft', 'Next: check the sign.');
  const saved = await page.textContent('#research-draft-status');
  if (!saved.includes('saved')) fail(`draft status: ${saved}`);
  await page.reload();
  await page.waitForSelector('#demo[data-ready="true"] svg', {state: 'attached', timeout: 20000});
  if (await page.inputValue('#demo-prediction') !== 'The cells grow.')
    fail('the prediction was lost on reload');
  if (await page.inputValue('#research-draft') !== 'Next: check the sign.')
    fail('the research draft was lost on reload');
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  await page.close();

  // The 1-D Gaussian fit: a curve, the data, the log-likelihood.
  ({page, errors} = await openDemo(`${base}/foundations/maximum-likelihood/`));
  if (!(await page.$('#demo svg .demo-curve'))) fail('no density curve');
  const pts = await page.$$eval('#demo svg .demo-point', (l) => l.length);
  if (pts !== 5) fail(`data points: ${pts}`);
  const ll0 = Number(await value(page, 'log-likelihood'));
  // shift 0, scale 1 over [2, 3, 3, 4, 8]: -(5 log(2 pi) + 4 + 9 + 9 + 16 + 64) / 2
  const want0 = -(5 * Math.log(2 * Math.PI) + 102) / 2;
  if (Math.abs(ll0 - want0) > 1e-3) fail(`log-likelihood ${ll0}, expected ${want0}`);
  await slide(page, '#demo-control-0', 4);
  const ll1 = Number(await value(page, 'log-likelihood'));
  if (!(ll1 > ll0)) fail(`moving the shift to 4 did not raise the log-likelihood: ${ll1}`);
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  await page.close();

  // The noising path: alpha-bar falls as t grows.
  ({page, errors} = await openDemo(`${base}/generative-models/diffusion-and-flow-matching/`));
  // The page's witness table: t 250, alpha_bar 0.524085, mean 2.1718,
  // variance 0.6069 (std 0.7790).
  const ab0 = Number(await value(page, 'alpha-bar'));
  await slide(page, '#demo-control-0', 250);
  const ab1 = Number(await value(page, 'alpha-bar'));
  const marginal = await value(page, 'marginal-density');
  if (ab0 !== 1 || Math.abs(ab1 - 0.524085) > 1e-4)
    fail(`alpha-bar ${ab0} -> ${ab1}`);
  if (!/^N\(2\.171[78], 0\.779[01]\u00b2\)$/.test(marginal))
    fail(`marginal at t 250: ${marginal}`);
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  await page.close();

  // Without flow.wasm the panel says the file is missing.
  fs.rmSync(path.join(scratch, 'build', 'site', 'static', 'flow.wasm'));
  page = await browser.newPage();
  await page.goto(`${base}/foundations/maximum-likelihood/`);
  await page.waitForFunction(() =>
    document.querySelector('#demo').textContent.includes('missing'), null,
  {timeout: 20000});
  await page.close();
  console.log('browser: demo-live passed (grid warp, Gaussian fit, noising ' +
    'path, controls, drafts across a reload, missing wasm)');
}, () => stopAll(browser, server, scratch));
