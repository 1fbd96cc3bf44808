import { expect } from 'vitest';
import { DEMO_MARKETO, DEMO_SFMC } from '../../src/simulator/seeds/demo-catalog';
import type { RunningSimulator } from '../../src/simulator/server';
import { rawSalesConnectConfig } from './cutover-config';
import type { CorruptingProxy } from './corrupting-proxy';
import { secretSpellings } from './secret-spellings';

/** The full config (every section) with every remote reached through the corrupting proxy. */
export function proxiedConfig(
  simulator: RunningSimulator,
  proxy: CorruptingProxy,
  temporal: { taskQueue: string; address: string },
): Record<string, unknown> {
  const sections = rawSalesConnectConfig(simulator, temporal.taskQueue, {
    users: [{ email: 'ben.seller@demo.example' }],
  });
  const via = proxy.baseUrl;
  return {
    ...sections,
    temporal,
    adobe: { ...sections.adobe, imsUrl: `${via}/ims`, platformUrl: `${via}/platform` },
    sfmc: { ...sections.sfmc, authBaseUrl: `${via}/sfmc/${DEMO_SFMC.subdomain}/auth` },
    marketo: { ...sections.marketo, baseUrl: `${via}/marketo/${DEMO_MARKETO.munchkinId}` },
    salesConnect: {
      ...sections.salesConnect,
      gateway: { type: 'http', baseUrl: `${via}/sales-connect`, simulated: true },
    },
  };
}

/** What a corpus case expects of a command that must refuse: its exit code and the named cause. */
export interface Refusal {
  code: 0 | 1 | 2;
  says: RegExp;
}

/**
 * The corpus promise for one bad input: the exit code, a message naming the
 * cause, no stack frame, no "fault in cutover" for a person's mistake, and no
 * secret in any spelling (nor a marker that survives every escape).
 */
export function expectExplained(
  result: { code: number; out: string; err: string },
  refusal: Refusal,
  secrets: readonly string[],
  markers: readonly string[] = [],
): void {
  const text = `${result.err}\n${result.out}`;
  expect(result.code, text).toBe(refusal.code);
  expect(text).toMatch(refusal.says);
  expect(text, 'no stack frame').not.toMatch(/\n\s+at \S+ \(|\n\s+at (async )?\S+:\d+:\d+/);
  expect(text, 'an operator mistake called a fault').not.toContain('fault in cutover');
  const leaked = [...secrets.flatMap((secret) => secretSpellings(secret)), ...markers].filter((spelling) =>
    text.includes(spelling),
  );
  expect(leaked, 'secrets in the output').toEqual([]);
}

/** Requests that could change something: not reads, not token requests, not the test's own admin calls. */
export function remoteWrites(simulator: RunningSimulator): string[] {
  return simulator.requests
    .list()
    .filter((entry) => !['GET', 'HEAD'].includes(entry.method) && !/\/token|\/oauth|__admin/.test(entry.path))
    .map((entry) => `${entry.method} ${entry.path}`);
}
