// serve-live.js -- folio serve's live reload in a real browser (Debian's
// Chromium driven by playwright-core): a page open in the browser reloads
// when its file is saved, shows a failed rebuild's diagnostics over itself
// as text (markup in them stays text), and reloads when the next rebuild
// succeeds, the panel gone; a hidden tab, shown again after the site
// moved, reloads.
//
// Usage: node tests/browser/serve-live.js build/folio   (make browser)
// The site is a copy of tests/fixtures/serve-preview in a scratch folder.
'use strict';
const {chromium} = require('playwright-core');
const {fail, startServe, launchChromium, stopAll, run} = require('./harness');
const {spawnSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const folio = path.resolve(process.argv[2] || 'build/folio');
const fixture = path.join(__dirname, '..', 'fixtures', 'serve-preview');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'folio-browser-'));
const port = 20000 + (process.pid % 20000);
let server = null, browser = null;

run(async () => {
  spawnSync('cp', ['-R', path.join(fixture, 'content'),
    path.join(fixture, 'sources'), scratch]);
  server = startServe(folio, scratch, port);
  await server.started;
  browser = await launchChromium(chromium);
  const page = await browser.newPage();
  const file = path.join(scratch, 'content', 't', 'a.md');
  const good = fs.readFileSync(file, 'utf8');
  await page.goto(`http://127.0.0.1:${port}/t/a/`);
  if (!(await page.content()).includes('A page')) fail('no page');

  // A saved edit reloads the page.
  let loaded = page.waitForEvent('load', {timeout: 20000});
  fs.appendFileSync(file, '\nSaved while open.\n');
  await loaded;
  if (!(await page.content()).includes('Saved while open.'))
    fail('the reloaded page lacks the edit');

  // A failed rebuild: the panel, as text, and no reload.
  let loads = 0;
  page.on('load', () => loads++);
  fs.writeFileSync(file, good.replace('difficulty: 2\n',
      'difficulty: 2\n"<img src=x onerror=alert(1)>": red\n'));
  await page.waitForSelector('#folio-build-failed', {timeout: 20000});
  const panel = await page.textContent('#folio-build-failed');
  const want = 'folio: the build failed; what you see is from the last ' +
    'build that succeeded, if any.\n\ncontent/t/a.md:7:1: error: page: ' +
    'unknown key ' +
    '`<img src=x onerror=alert(1)>` in front matter\n';
  if (panel !== want) fail(`panel: ${JSON.stringify(panel)}`);
  if (await page.$$eval('#folio-build-failed *', (l) => l.length))
    fail('markup inside the panel');
  if (loads) fail('the page reloaded after a failed rebuild');
  if (!(await page.content()).includes('Saved while open.'))
    fail('the last good build is not shown under the panel');

  // The fix: a reload, without the panel.
  loaded = page.waitForEvent('load', {timeout: 20000});
  fs.writeFileSync(file, good);
  await loaded;
  if (await page.$('#folio-build-failed')) fail('the panel stayed');

  // A hidden tab asks again when shown, and reloads if the site moved.
  loads = 0;
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', {value: true, configurable: true});
    document.dispatchEvent(new Event('visibilitychange'));
  });
  fs.appendFileSync(file, '\nSaved while hidden.\n');
  await new Promise((ok) => setTimeout(ok, 1500));
  if (loads) fail('a hidden tab reloaded');
  loaded = page.waitForEvent('load', {timeout: 20000});
  await page.evaluate(() => {
    Object.defineProperty(document, 'hidden', {value: false, configurable: true});
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await loaded;
  if (!(await page.content()).includes('Saved while hidden.'))
    fail('the tab shown again lacks the edit');
  console.log('browser: serve-live passed (reload, failure panel, fix, hidden tab)');
}, () => stopAll(browser, server, scratch));
