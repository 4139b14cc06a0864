// harness.js -- what the browser tests share: failing with a message the
// make log shows, waiting for folio serve to say it serves, and running
// the steps with a cleanup that always runs.
'use strict';
const fs = require('fs');

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

// Runs a test's steps (an async function) and then its cleanup (an async
// function, run whatever happened): a step that throws fails the test,
// saying why unless fail already did.
function run(steps, cleanup) {
  return steps().catch((e) => {
    if (!process.exitCode) console.log(`browser: FAIL ${e && e.message}`);
    process.exitCode = 1;
  }).finally(cleanup);
}

module.exports = {fail, serveStarted, run};
