// research-live.js -- a concept page's research room and practice loop in
// a real browser (Debian's Chromium driven by playwright-core), through
// folio serve: picking a claim or an equation re-anchors the shown object
// and the hand-off (its first line names the object's key, the rest as
// served); the copy button puts the hand-off on the clipboard and says
// "Copied"; the readiness counter goes 0/3, 1/3 after a prediction, and
// survives a reload, as does the next local action (the draft's first
// line); at 375 px the page does not scroll sideways; and without
// JavaScript the room is the served one, anchored on the concept, with no
// picker, next action or readiness showing.
//
// Usage: node tests/browser/research-live.js build/folio   (make browser,
// after make wasm: the demo's control needs build/flow.wasm)
'use strict';
const {chromium} = require('playwright-core');
const {fail, startServe, launchChromium, stopAll, run} = require('./harness');
const {spawnSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const folio = path.resolve(process.argv[2] || 'build/folio');
const repo = path.join(__dirname, '..', '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-research-'));
const port = 20000 + ((process.pid + 15485) % 20000);
const pageId = 'generative-models/normalizing-flows';
let server = null, browser = null;

// The hand-off's first line and the rest.
function split(text) {
  const n = text.indexOf('\n');
  return n < 0 ? [text, ''] : [text.slice(0, n), text.slice(n)];
}

async function text(page, sel) {
  return (await page.textContent(sel)).trim();
}

// Waits until sel's text is want, failing with what it is instead.
async function waitText(page, sel, want, what) {
  await page.waitForFunction(([s, w]) => {
    const el = document.querySelector(s);
    return el && el.textContent.trim() === w;
  }, [sel, want], {timeout: 10000}).catch(async () =>
    fail(`${what}: ${JSON.stringify(await text(page, sel))}, expected ${JSON.stringify(want)}`));
}

run(async () => {
  for (const d of ['content', 'sources'])
    spawnSync('cp', ['-R', path.join(repo, d), scratch]);
  server = startServe(folio, scratch, port);
  await server.started;
  browser = await launchChromium(chromium);
  const base = `http://127.0.0.1:${port}`;
  const url = `${base}/${pageId}/`;

  // ---- with JavaScript
  const context = await browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: base});
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForSelector('#research-picker', {state: 'visible', timeout: 10000})
    .catch(() => fail('the object picker did not show'));
  const served = await page.$eval('#handoff', (t) => t.defaultValue);
  const [servedHead, servedRest] = split(served);
  if (!servedHead.includes(`(key concept:${pageId}, domain Generative Models)`))
    fail(`served hand-off head: ${servedHead}`);
  if (await page.inputValue('#handoff') !== served)
    fail('before any choice the hand-off is not the served one');
  const keys = await page.$$eval('#research-object option', (l) => l.map((o) => o.value));
  const want = [`concept:${pageId}`, 'eq:change-of-variables', 'eq:composition',
    'code:linear-flow', 'claim:exact-density',
    'source:rezende-2015-normalizing-flows', 'misconception:any-network',
    'misconception:determinant-direction', 'misconception:dimension-reduction',
    'demo:grid-warp'];
  if (keys.join() !== want.join()) fail(`picker options: ${keys}`);

  // Picking a claim: the shown object, its link, and the hand-off.
  await page.selectOption('#research-object', 'claim:exact-density');
  let [head, rest] = split(await page.inputValue('#handoff'));
  if (!head.startsWith('I am reading folio reading room. Object: claim "A normalizing flow pushes') ||
      !head.endsWith(`(key claim:exact-density on concept:${pageId}, domain Generative Models).`))
    fail(`hand-off head for the claim: ${head}`);
  if (rest !== servedRest) fail('the hand-off after its first line changed with the claim');
  if (await text(page, '#research-anchor .object-kind') !== 'claim' ||
      await text(page, '#research-anchor .object-key') !== 'claim:exact-density')
    fail(`shown object: ${await text(page, '#research-anchor')}`);
  if (!(await text(page, '#research-anchor .object-facts')).startsWith('A normalizing flow pushes'))
    fail(`shown object's title: ${await text(page, '#research-anchor .object-facts')}`);
  const goto = await page.getAttribute('#research-anchor .object-goto', 'href');
  if (goto !== '#claim-exact-density' || !(await page.$(goto)))
    fail(`the link to the claim: ${goto}`);

  // Picking an equation; then the copy button.
  await page.selectOption('#research-object', 'eq:change-of-variables');
  const eqText = await page.inputValue('#handoff');
  [head, rest] = split(eqText);
  if (!head.includes('Object: equation "p_x(x) = p_z') ||
      !head.includes(`(key eq:change-of-variables on concept:${pageId},`))
    fail(`hand-off head for the equation: ${head}`);
  if (rest !== servedRest) fail('the hand-off after its first line changed with the equation');
  await page.click('#handoff-copy');
  await waitText(page, '#handoff-copy-status', 'Copied', 'copy status');
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  if (clip !== eqText) fail(`clipboard: ${JSON.stringify(clip.slice(0, 120))}`);
  // Back to the concept: the served text again.
  await page.selectOption('#research-object', `concept:${pageId}`);
  if (await page.inputValue('#handoff') !== served)
    fail('choosing the concept again did not restore the served hand-off');

  // The readiness counter and the next local action.
  await page.waitForSelector('#practice-readiness', {state: 'visible', timeout: 10000})
    .catch(() => fail('the readiness counter did not show'));
  await waitText(page, '#practice-readiness-count', '0/3', 'readiness at first');
  await waitText(page, '#research-next-text', 'No local draft saved yet', 'next action at first');
  await page.fill('#demo-prediction', 'The grid cells grow, so the density falls.');
  await waitText(page, '#practice-readiness-count', '1/3', 'readiness after a prediction');
  if (await text(page, '#practice-readiness li[data-check="prediction"] .readiness-state') !== 'done')
    fail('the prediction check is not marked done');
  await page.reload();
  await page.waitForSelector('#practice-readiness', {state: 'visible', timeout: 10000});
  await waitText(page, '#practice-readiness-count', '1/3', 'readiness after a reload');
  await page.waitForSelector('#demo[data-ready="true"] svg', {state: 'attached', timeout: 20000})
    .catch(async () => fail(`the demo did not run: ${await text(page, '#demo')}`));
  await page.$eval('#demo-control-0', (el) => {
    el.value = '1.5';
    el.dispatchEvent(new Event('input', {bubbles: true}));
  });
  await waitText(page, '#practice-readiness-count', '2/3', 'readiness after moving a control');
  await page.fill('#research-draft', '\n  Check the sign of the log det.\nThen try A = 2I.');
  await waitText(page, '#research-next-text', 'Check the sign of the log det.', 'next action after a draft');
  await waitText(page, '#practice-readiness-count', '3/3', 'readiness after a draft');
  await page.reload();
  await waitText(page, '#research-next-text', 'Check the sign of the log det.', 'next action after a reload');
  await waitText(page, '#practice-readiness-count', '3/3', 'readiness after the second reload');
  await page.fill('#research-draft', '');
  await waitText(page, '#research-next-text', 'No local draft saved yet', 'next action after clearing the draft');
  await waitText(page, '#practice-readiness-count', '2/3', 'readiness after clearing the draft');

  // A phone's width: nothing scrolls sideways, the longest object shown.
  await page.setViewportSize({width: 375, height: 800});
  await page.selectOption('#research-object', 'claim:exact-density');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > 375) fail(`at 375 px the page is ${wide} px wide`);
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);
  await context.close();

  // ---- without JavaScript: the room as served.
  const plain = await browser.newContext({javaScriptEnabled: false});
  const p2 = await plain.newPage();
  await p2.goto(url);
  for (const sel of ['#research-picker', '#research-next', '#practice-readiness'])
    if (await p2.isVisible(sel)) fail(`${sel} shows without JavaScript`);
  if (await p2.$('#handoff-copy')) fail('a copy button without JavaScript');
  if (await p2.inputValue('#handoff') !== served) fail('the hand-off without JavaScript differs');
  if (await text(p2, '#research-anchor .object-key') !== `concept:${pageId}`)
    fail('without JavaScript the room is not anchored on the concept');
  await plain.close();
  console.log('browser: research-live passed (object picker, hand-off, copy, ' +
    'readiness and next action across reloads, 375 px, without JavaScript)');
}, () => stopAll(browser, server, scratch));
