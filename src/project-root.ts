import path from 'node:path';

/** The repository (or installed package) root; `src/` and `dist/` sit at the same depth below it. */
export const projectRoot = path.resolve(__dirname, '..');
