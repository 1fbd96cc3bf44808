import type { SeedOptions } from '../core/module';
import { DEMO_ORG_ID, DEMO_SANDBOXES } from '../seeds/demo-catalog';

/** The organisations and sandboxes a seed creates; every Adobe module seeds from this one list. */
export function seededSandboxes(options: SeedOptions): Array<{ orgId: string; sandbox: string }> {
  if (options.profile === 'empty') return [];
  const names =
    options.profile === 'large'
      ? ['prod', ...Array.from({ length: (options.sandboxes ?? 10) - 1 }, (_, index) => `dev-${index + 1}`)]
      : [...DEMO_SANDBOXES];
  return names.map((sandbox) => ({ orgId: DEMO_ORG_ID, sandbox }));
}
