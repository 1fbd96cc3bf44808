import { describe, expect, it } from 'vitest';
import { candidateOf, createSpecResolver } from '../../src/activities/spec-resolver';
import type { FlowServiceClient } from '../../src/integrations/flow-service/flow-service-client';
import { type ConfigError, parseConfig } from '../../src/config/load';
import {
  matchSpecByLabel,
  SPEC_CATALOGUE,
  SPEC_KEYS,
  type CatalogueSpec,
  type SpecCandidate,
} from '../../src/domain/specs';

const card = (id: string, ...labels: string[]): SpecCandidate => ({ id, name: `name-${id}`, labels });

describe('spec catalogue', () => {
  it('gives Adobe documented ids only where Adobe documents them, each with its source', () => {
    const documented = Object.fromEntries(
      SPEC_KEYS.flatMap((key) => {
        const spec: CatalogueSpec = SPEC_CATALOGUE[key];
        return spec.documented ? [[key, spec.documented.id]] : [];
      }),
    );
    expect(documented).toStrictEqual({
      sfmcV1: 'ea1c2a08-b722-11eb-8529-0242ac130003',
      dataLake: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c',
      profileSource: '8a9c3494-9708-43d7-ae3f-cda01e5030e1',
      crmToAep: '14518937-270c-4525-bdec-c2ba7cce3860',
      profileToDestination: '71471eba-b620-49e4-90fd-23f1fa0174d8',
    });
  });
});

describe('matchSpecByLabel', () => {
  it('takes the one card carrying a known label, whatever its case and spacing', () => {
    const listed = [card('a', 'Salesforce Marketing Cloud'), card('b', ' (v2)  salesforce marketing cloud ')];
    expect(matchSpecByLabel('sfmcV2', listed)).toStrictEqual({ ok: true, id: 'b', how: 'label' });
  });

  it('refuses to guess between two cards with a known label, listing both and the config key', () => {
    const listed = [card('a', '(V2) Salesforce Marketing Cloud'), card('b', 'Salesforce Marketing Cloud V2')];
    const match = matchSpecByLabel('sfmcV2', listed);
    expect(match.ok).toBe(false);
    if (match.ok) return;
    expect(match.candidates.map((candidate) => candidate.id)).toStrictEqual(['a', 'b']);
    expect(match.problem).toBe(
      '2 connection specs carry a label of the Salesforce Marketing Cloud V2 source ("(V2) Salesforce Marketing Cloud", "Salesforce Marketing Cloud V2"), so cutover cannot tell which to use. Candidates: a ((V2) Salesforce Marketing Cloud); b (Salesforce Marketing Cloud V2). Set adobe.specIds.sfmcV2 to the right id.',
    );
  });

  it('with no known label, lists the cards that look alike and says where to pin the id', () => {
    const listed = [card('m', 'Marketo Engage Destination (new)'), card('g', 'Google Ads')];
    const match = matchSpecByLabel('marketoV2', listed);
    expect(match).toMatchObject({ ok: false, candidates: [listed[0]] });
    if (match.ok) return;
    expect(match.problem).toContain(
      'no connection spec carries a label of the Marketo V2 destination (legacy card)',
    );
    expect(match.problem).toContain('Candidates: m (Marketo Engage Destination (new)).');
    expect(match.problem).toContain('Set adobe.specIds.marketoV2 to its id');
  });

  it('says so when nothing in the catalogue looks like the card', () => {
    const match = matchSpecByLabel('marketoEngage', [card('g', 'Google Ads')]);
    expect(match).toMatchObject({ ok: false, candidates: [] });
    if (!match.ok) expect(match.problem).toContain('No card in the catalogue looks like it.');
  });
});

describe('candidateOf', () => {
  it("reads a card's label where Adobe's examples put it, and skips translation keys", () => {
    const spec = {
      id: 'x',
      name: 'not-a-label',
      attributes: { connectorName: 'Salesforce Marketing Cloud' },
      sourceSpec: { attributes: { uiAttributes: { label: { key: 'sfmcLabel' } } } },
      targetSpec: { attributes: { uiAttributes: { label: 'Marketo Engage' } } },
    };
    expect(candidateOf(spec, 'connection')).toStrictEqual({
      id: 'x',
      name: 'not-a-label',
      labels: ['Salesforce Marketing Cloud', 'Marketo Engage'],
    });
    expect(candidateOf({ id: 'f', name: 'CRMToAEP' }, 'flow').labels).toStrictEqual(['CRMToAEP']);
  });
});

describe('adobe.specIds', () => {
  const adobe = {
    orgId: 'ABC123@AdobeOrg',
    clientId: 'client',
    clientSecret: 'env:ADOBE_SECRET',
    scopes: ['openid'],
    sandboxes: [{ name: 'prod' }],
  };
  const problemsOf = (specIds: unknown) => {
    try {
      parseConfig({ adobe: { ...adobe, specIds } }, 'cutover.yaml');
      return [];
    } catch (error) {
      return (error as ConfigError).problems;
    }
  };

  it('pins a spec by its catalogue key', () => {
    const config = parseConfig(
      { adobe: { ...adobe, specIds: { sfmcV2: 'C8BE98DE-99DC-49F8-B989-DBB941284AEE' } } },
      'cutover.yaml',
    );
    expect(config.adobe.specIds).toStrictEqual({ sfmcV2: 'C8BE98DE-99DC-49F8-B989-DBB941284AEE' });
  });

  it('names a misspelt key and an id that is not one', () => {
    expect(problemsOf({ sfmc: 'c8be98de-99dc-49f8-b989-dbb941284aee' }).join('\n')).toMatch(
      /adobe\.specIds.*sfmc/,
    );
    expect(problemsOf({ marketoEngage: 'marketo-engage' }).join('\n')).toMatch(
      /adobe\.specIds\.marketoEngage: expected a spec id/,
    );
  });
});

describe('createSpecResolver', () => {
  /** A catalogue that fails its first list, then lists the three Marketo cards; it counts its lists. */
  function flakyCatalogue() {
    let lists = 0;
    const cards = [
      { id: 'v1', name: 'a', attributes: { connectorName: 'Marketo V1' } },
      { id: 'v2', name: 'b', attributes: { connectorName: '(Legacy) (V2) Marketo Engage' } },
      { id: 'engage', name: 'c', attributes: { connectorName: 'Marketo Engage' } },
    ];
    const flowService = {
      async *listConnectionSpecs() {
        lists += 1;
        if (lists === 1) throw new Error('connection reset');
        yield* cards;
      },
    } as unknown as FlowServiceClient;
    return { flowService, lists: () => lists };
  }

  it('forgets a lookup that failed, and lists the catalogue once for every card after that', async () => {
    const resolver = createSpecResolver();
    const catalogue = flakyCatalogue();
    await expect(resolver.id(catalogue.flowService, 'marketoV2')).rejects.toThrow('connection reset');
    expect(
      await Promise.all(
        (['marketoV1', 'marketoV2', 'marketoEngage'] as const).map((key) =>
          resolver.id(catalogue.flowService, key),
        ),
      ),
    ).toEqual(['v1', 'v2', 'engage']);
    expect(catalogue.lists()).toBe(2);
  });
});
