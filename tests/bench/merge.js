// Merges every <name>.json of a folder into one object keyed by name.
// Usage: node merge.js build/bench build/bench.json
const fs = require('fs');
const path = require('path');
const [dir, out] = process.argv.slice(2);
const all = {};
for (const f of fs.readdirSync(dir).sort())
  if (f.endsWith('.json'))
    all[f.slice(0, -5)] = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
fs.writeFileSync(out, JSON.stringify(all, null, 2) + '\n');
console.log(`bench: wrote ${out}`);
