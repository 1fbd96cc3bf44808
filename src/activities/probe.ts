import type { CutoverConfig } from '../config/schema';
import { blocker, messageOf, ok, warning, type ProbeFinding } from '../domain/probe';
import {
  marketoRunSpecs,
  SFMC_RUN_SPECS,
  SPEC_CATALOGUE,
  SPEC_KEYS,
  specConfigKey,
  type SpecKey,
} from '../domain/specs';
import { createMarketoMigrationActivities } from './marketo-migration';
import type { RemoteClients } from './remote-clients';
import { createSfmcMigrationActivities } from './sfmc-migration';

/** Which config section needs a spec: a spec no configured run uses is only worth a warning. */
function neededBy(config: CutoverConfig, key: SpecKey): string | undefined {
  if (config.sfmc && SFMC_RUN_SPECS.includes(key)) return 'sfmc';
  if (!config.marketo || !marketoRunSpecs(config.marketo.target).includes(key)) return undefined;
  return key === config.marketo.target ? 'marketo.target' : 'marketo';
}

/** A read that proves a permission; one answer is enough. */
async function firstOf(items: AsyncIterable<unknown>): Promise<void> {
  for await (const _item of items) return;
}

/**
 * `cutover probe`: every read a migration depends on, tried once against the
 * organisation before anything changes. Nothing here writes: only GETs and
 * token requests leave this machine.
 */
export function createProbeActivities({
  clients,
  config,
}: {
  clients: RemoteClients;
  config: CutoverConfig;
}) {
  const sandbox = config.adobe.sandboxes[0]!.name;

  async function adobeToken(): Promise<ProbeFinding[]> {
    try {
      await clients.adobeToken();
      return [ok('Adobe IMS token', `issued for client ${config.adobe.clientId}`)];
    } catch (error) {
      return [
        blocker(
          'Adobe IMS token',
          messageOf(error),
          'Check adobe.clientId, adobe.clientSecret and adobe.scopes (Developer Console > OAuth Server-to-Server).',
        ),
      ];
    }
  }

  async function specs(): Promise<ProbeFinding[]> {
    const flowService = clients.flowService(sandbox);
    return Promise.all(
      SPEC_KEYS.map(async (key) => {
        const check = `spec ${key} (${SPEC_CATALOGUE[key].title})`;
        const match = await clients.specs.resolve(flowService, key).catch((error: unknown) => ({
          ok: false as const,
          problem: messageOf(error),
        }));
        if (match.ok) return ok(check, `${match.id} (${match.how})`);
        const section = neededBy(config, key);
        return section
          ? blocker(check, match.problem, `Set ${specConfigKey(key)} (needed by ${section}).`)
          : warning(
              check,
              match.problem,
              `Set ${specConfigKey(key)} before configuring a run that needs it.`,
            );
      }),
    );
  }

  async function permissions(): Promise<ProbeFinding[]> {
    const reads = config.adobe.sandboxes.flatMap(({ name }) => {
      const flowService = clients.flowService(name);
      return [
        { what: 'base connections', read: () => firstOf(flowService.connections.list()) },
        { what: 'source connections', read: () => firstOf(flowService.sourceConnections.list()) },
        { what: 'target connections', read: () => firstOf(flowService.targetConnections.list()) },
        { what: 'dataflows', read: () => firstOf(flowService.flows.list()) },
        {
          what: 'Data Prep mapping sets',
          read: () => clients.dataPrep(name).findMappingSetsByName('cutover-probe', 1),
        },
      ].map((entry) => ({ ...entry, sandbox: name }));
    });
    return Promise.all(
      reads.map(async ({ what, read, sandbox: name }) => {
        const check = `read ${what} in ${name}`;
        try {
          await read();
          return ok(check, 'allowed');
        } catch (error) {
          return blocker(
            check,
            messageOf(error),
            'Grant the product profile of the API credential the permission named (Admin Console > Experience Platform > Permissions), and this sandbox.',
          );
        }
      }),
    );
  }

  async function sfmc(): Promise<ProbeFinding[]> {
    if (!config.sfmc) return [];
    try {
      const { scopes } = await createSfmcMigrationActivities({ clients }).verifySfmcV2Access();
      return [
        ok('SFMC V2 token and Data Extensions: Read', `scopes: ${scopes.join(' ')}`),
        await sfmcSearch(),
      ];
    } catch (error) {
      return [
        blocker(
          'SFMC V2 token and Data Extensions: Read',
          messageOf(error),
          'Fix sfmc.clientId / sfmc.clientSecret / sfmc.baseEndpoint, or add Data Extensions: Read to the Installed Package.',
        ),
      ];
    }
  }

  /** Whether the tenant wants `$search` on data-extension lists: informs, never blocks (discovery always sends it). */
  async function sfmcSearch(): Promise<ProbeFinding> {
    const check = 'SFMC data extensions: $search';
    try {
      const required = await (await clients.sfmc())!.searchRequired();
      return ok(
        check,
        required
          ? 'required by this tenant; discovery lists data extensions through searches'
          : 'not required; discovery sends it anyway',
      );
    } catch (error) {
      return blocker(
        check,
        messageOf(error),
        'Check the SFMC credentials and the Data Extensions: Read scope.',
      );
    }
  }

  async function marketo(): Promise<ProbeFinding[]> {
    if (!config.marketo) return [];
    try {
      await createMarketoMigrationActivities({ clients }).verifyMarketoCredentials();
      const client = await clients.marketo();
      const fields = (await client?.describeLeadFields()) ?? [];
      return [ok('Marketo identity token and Describe Lead', `${fields.length} lead fields`)];
    } catch (error) {
      return [
        blocker(
          'Marketo identity token and Describe Lead',
          messageOf(error),
          'Fix marketo.munchkinId / marketo.clientId / marketo.clientSecret (Marketo Admin > LaunchPoint); the API user needs Read-Only Lead.',
        ),
      ];
    }
  }

  async function salesConnect(): Promise<ProbeFinding[]> {
    if (!config.salesConnect) return [];
    const gateway = await clients.salesConnect();
    if (!gateway) return [ok('Sales Connect bridge', 'manual steps: no bridge to reach')];
    try {
      await gateway.getSalesforceConnection(config.salesConnect.instanceId);
      return [ok('Sales Connect bridge contract v1', `instance ${config.salesConnect.instanceId} answers`)];
    } catch (error) {
      return [
        blocker(
          'Sales Connect bridge contract v1',
          messageOf(error),
          'Check salesConnect.gateway.baseUrl, salesConnect.gateway.apiKey and salesConnect.instanceId.',
        ),
      ];
    }
  }

  return {
    /** Every check, each caught into its finding: one failure never hides the others. */
    async probeOrganisation(): Promise<ProbeFinding[]> {
      const token = await adobeToken();
      const adobe = token[0]!.result === 'ok' ? await Promise.all([specs(), permissions()]) : [];
      const others = await Promise.all([sfmc(), marketo(), salesConnect()]);
      return [...token, ...adobe.flat(), ...others.flat()];
    },
  };
}
