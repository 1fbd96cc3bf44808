import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The simulator stands in for Adobe, SFMC, Marketo and the Sales Connect
 * bridge. If it imported the clients' catalogue, schemas or builders, a
 * client with a wrong id or field would meet a simulator with the same
 * mistake and every contract test would still pass. So it may import only
 * its own files, Node built-ins and npm packages.
 */
const SIMULATOR_ROOT = path.resolve(__dirname, '../../src/simulator');

function simulatorSources(): string[] {
  return fs
    .readdirSync(SIMULATOR_ROOT, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(SIMULATOR_ROOT, file));
}

/** Every module a file names: static and dynamic imports, re-exports, `import x = require(…)`. */
function importSpecifiers(file: string): string[] {
  const { importedFiles, referencedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return [...importedFiles, ...referencedFiles].map((reference) => reference.fileName);
}

function staysInsideSimulator(file: string, specifier: string): boolean {
  if (path.isAbsolute(specifier)) return false;
  if (!specifier.startsWith('.')) return specifier !== 'cutover' && !specifier.startsWith('cutover/');
  const relative = path.relative(SIMULATOR_ROOT, path.resolve(path.dirname(file), specifier));
  return relative.split(path.sep)[0] !== '..' && !path.isAbsolute(relative);
}

describe('the simulator', () => {
  it('imports nothing from the production code it simulates the remote side for', () => {
    const sources = simulatorSources();
    const imports = sources.flatMap((file) =>
      importSpecifiers(file).map((specifier) => ({
        file: path.relative(SIMULATOR_ROOT, file),
        specifier,
        inside: staysInsideSimulator(file, specifier),
      })),
    );

    // A wrong root or a parser that finds nothing would pass the real check vacuously.
    expect(sources.length).toBeGreaterThan(20);
    expect(imports.some((entry) => entry.specifier.startsWith('./'))).toBe(true);
    expect(imports.some((entry) => entry.specifier.startsWith('../'))).toBe(true);

    const escaping = imports
      .filter((entry) => !entry.inside)
      .map((entry) => `${entry.file} imports ${entry.specifier}`);
    expect(escaping).toEqual([]);
  });
});
