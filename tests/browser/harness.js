// harness.js -- what the browser tests share: failing with a message the
// make log shows, starting folio serve and waiting for it to say it
// serves, launching Chromium, and running the steps with a cleanup that
// always runs.
'use strict';
const {spawn} = require('child_process');
const fs = require('fs');
const path = require('path');

// Fails the test: the message on standard output, exit status 1, and an
// exception that ends the test's steps.
function fail(msg) {
  console.log(`browser: FAIL ${msg}`);
  process.exitCode = 1;
  throw new Error(msg);
}

// Resolves once folio serve's standard error (the file err) says it
// serves; fails after 60 s.
async function serveStarted(err) {
  for (let i = 0; i < 600; i++) {
    if (fs.readFileSync(err, 'utf8').includes('serving')) return;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  fail(`folio serve did not start: ${fs.readFileSync(err, 'utf8')}`);
}

// Starts `folio serve` on the site folder site at port, its standard
// error in site/serve.err; returns the process at once (so that a
// cleanup can stop it), with .started resolving once it serves.
function startServe(folio, site, port) {
  const err = path.join(site, 'serve.err');
  const server = spawn(folio, ['serve', '-C', site, '--port', String(port)],
      {stdio: ['ignore', 'ignore', fs.openSync(err, 'w')]});
  server.started = serveStarted(err);
  return server;
}

// Debian's Chromium, through playwright-core's chromium.
function launchChromium(chromium) {
  return chromium.launch({executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox']});
}

// The usual cleanup: closes the browser, stops serve and removes the
// scratch folder (browser and server may be unset if a step failed
// before they started).
async function stopAll(browser, server, scratch) {
  if (browser) await browser.close();
  if (server) server.kill();
  fs.rmSync(scratch, {recursive: true, force: true});
}

// Runs a test's steps (an async function) and then its cleanup (an async
// function, run whatever happened): a step that throws fails the test,
// saying why unless fail already did.
function run(steps, cleanup) {
  return steps().catch((e) => {
    if (!process.exitCode) console.log(`browser: FAIL ${e && e.message}`);
    process.exitCode = 1;
  }).finally(cleanup);
}

module.exports = {fail, serveStarted, startServe, launchChromium, stopAll,
  run};
