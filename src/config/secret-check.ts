import type { CutoverConfig } from './schema';
import { describeSecretRef, type SecretRef } from './secret-ref';
import type { SecretSource } from './secrets';

/** Whether one secret reference of a config resolves, and if not, why (never the value). */
export interface SecretCheck {
  field: string;
  reference: string;
  resolvable: boolean;
  problem?: string;
}

function secretRefsIn(value: unknown, at: string): Array<{ field: string; ref: SecretRef }> {
  if (typeof value === 'string' && /^(env|file):/.test(value))
    return [{ field: at, ref: value as SecretRef }];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, child]) => secretRefsIn(child, at ? `${at}.${key}` : key));
  return [];
}

/** Resolves every secret reference of the config with `secrets` and says which fail. */
export async function checkSecretReferences(
  config: CutoverConfig,
  secrets: SecretSource,
): Promise<SecretCheck[]> {
  return Promise.all(
    secretRefsIn(config, '').map(async ({ field, ref }): Promise<SecretCheck> => {
      try {
        await secrets.resolve(ref);
        return { field, reference: describeSecretRef(ref), resolvable: true };
      } catch (error) {
        return {
          field,
          reference: describeSecretRef(ref),
          resolvable: false,
          problem: (error as Error).message,
        };
      }
    }),
  );
}
