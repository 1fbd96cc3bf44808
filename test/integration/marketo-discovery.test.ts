import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createMarketoMigrationActivities } from '../../src/activities/marketo-migration';
import { createRemoteClients } from '../../src/activities/remote-clients';
import { parseConfig } from '../../src/config/load';
import { planMarketoMigration } from '../../src/domain/marketo/plan';
import { rawSimulatorConfig, testSecrets } from '../support/cutover-config';
import { useSimulator } from '../support/simulator';

const simulator = useSimulator();

function activities(mutate: (config: ReturnType<typeof rawSimulatorConfig>) => void = () => {}) {
  const raw = rawSimulatorConfig(simulator(), 'marketo-discovery');
  mutate(raw);
  return createMarketoMigrationActivities({
    clients: createRemoteClients(parseConfig(raw, 'test.yaml'), testSecrets()),
  });
}

describe('Marketo V1 destination discovery', () => {
  it('reads audiences, mapping ids, identities and attributes, and feeds the planner', async () => {
    const { flows, fields, existingDestinationsInSandbox } = await activities().discoverMarketoSandbox({
      sandbox: 'prod',
    });
    expect(existingDestinationsInSandbox).toBe(3);
    expect(fields?.map((field) => field.restName)).toEqual(
      expect.arrayContaining(['email', 'firstName', 'lastName', 'company']),
    );
    const newsletter = flows.find((flow) => flow.name === 'Marketo V1 - Newsletter audiences');
    expect(newsletter).toMatchObject({
      state: 'enabled',
      audiences: [
        { id: 'a1b2c3d4-0001-4000-8000-000000000001', name: 'Newsletter subscribers', mappingId: '1001' },
        { id: 'a1b2c3d4-0002-4000-8000-000000000002', name: 'Trial users', mappingId: '1002' },
      ],
      identities: [{ namespace: 'Email', source: 'personalEmail.address', primary: true }],
      attributes: [
        { source: 'person.name.firstName', destination: 'firstName' },
        { source: 'person.name.lastName', destination: 'lastName' },
        { source: 'b2b.companyName', destination: 'companyName' },
      ],
    });

    const plan = planMarketoMigration('prod', flows, fields, { existingDestinationsInSandbox });
    expect(
      Object.fromEntries(
        plan.items.map((item) => [item.v1.name, item.action === 'skip' ? item.reason : item.action]),
      ),
    ).toEqual({
      'Marketo V1 - Newsletter audiences': 'migrate',
      'Marketo V1 - Web visitors': 'migrate',
      'Marketo V1 - Legacy import (no identity)': 'no-identity',
    });
  });

  it('proves the Marketo credentials, and names the field when one is malformed', async () => {
    expect(await activities().verifyMarketoCredentials()).toEqual({ verified: true });
    const failure = await activities((raw) => {
      raw.marketo.munchkinId = '123 ABC 456';
    })
      .verifyMarketoCredentials()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: 'MarketoCredentialsInvalid' });
    expect((failure as Error).message).toMatch(/^marketo\.munchkinId: /);
  });
});
