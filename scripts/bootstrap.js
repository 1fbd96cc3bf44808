#!/usr/bin/env node
// Makes the README's commands work on a fresh clone: installs npm packages when
// they are missing and the pinned Temporal binaries when they are absent.
// Plain Node with no dependencies, because it runs before `npm ci`.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 3)) {
  console.error(`cutover needs Node.js >= 20.3 (found ${process.versions.node}).`);
  process.exit(1);
}

function step(what, cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return !result.error && result.status === 0;
}

const lockInstalled = path.join(root, 'node_modules', '.package-lock.json');
if (!fs.existsSync(lockInstalled)) {
  console.log('bootstrap: node_modules is missing, running npm ci');
  if (!step('npm ci', 'npm', ['ci', '--no-audit', '--no-fund'])) {
    console.error('bootstrap: npm ci failed; fix the error above and run it again.');
    process.exit(1);
  }
}

const explicitBinaries = process.env.TEMPORAL_CLI_PATH && process.env.TEMPORAL_TEST_SERVER_PATH;
if (
  !explicitBinaries &&
  !step('setup:temporal', process.execPath, [path.join(__dirname, 'setup-temporal.js')])
) {
  // Not fatal: the binary resolver still tries PATH and the SDK's own download.
  console.warn(
    'bootstrap: the pinned Temporal binaries could not be installed; continuing with PATH or SDK download.',
  );
}
