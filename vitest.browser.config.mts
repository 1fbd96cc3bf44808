import { defineConfig } from 'vitest/config';
import base from './vitest.config.mts';

/** The browser tests, run on their own after the rest of `npm test`, so Chromium competes with nothing. */
export default defineConfig({ test: { ...base.test, include: ['test/browser/**/*.test.ts'], exclude: [] } });
