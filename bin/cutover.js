#!/usr/bin/env node
'use strict';
// Runs the compiled CLI when built, otherwise the TypeScript sources through tsx.
const fs = require('node:fs');
const path = require('node:path');

const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
const entry = fs.existsSync(compiled)
  ? compiled
  : (require('tsx/cjs'), path.join(__dirname, '..', 'src', 'cli', 'main.ts'));
require(entry)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
