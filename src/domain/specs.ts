/**
 * The connection and flow specs cutover works with, as Adobe's catalogue
 * knows them. A spec whose id Adobe documents is used by that id; the others
 * have no public id, so they are found by the label Adobe's catalogue shows
 * for the card, and a config can pin any of them (`adobe.specIds.<key>`).
 * Names such as `salesforce-marketing-cloud` were never published and are
 * not used for lookups.
 */
export interface CatalogueSpec {
  kind: 'connection' | 'flow';
  /** Adobe's id, where Adobe documents it (with where). */
  documented?: { id: string; source: string };
  /**
   * Labels the catalogue may show for this card, compared without case or
   * extra spaces. Ours unless a source says otherwise: Adobe's pages name the
   * cards, but no published spec lists their labels.
   */
  labels: readonly string[];
  /** What a person calls it, in messages. */
  title: string;
}

export const SPEC_CATALOGUE = {
  sfmcV1: {
    kind: 'connection',
    documented: {
      id: 'ea1c2a08-b722-11eb-8529-0242ac130003',
      source: 'Experience League, sources API tutorial "Salesforce Marketing Cloud"',
    },
    labels: ['Salesforce Marketing Cloud'],
    title: 'Salesforce Marketing Cloud V1 source',
  },
  sfmcV2: {
    kind: 'connection',
    labels: ['(V2) Salesforce Marketing Cloud', 'Salesforce Marketing Cloud V2'],
    title: 'Salesforce Marketing Cloud V2 source',
  },
  marketoV1: {
    kind: 'connection',
    labels: ['Marketo V1', '(V1) Marketo Engage', 'Marketo Engage V1'],
    title: 'Marketo V1 destination',
  },
  marketoV2: {
    kind: 'connection',
    labels: ['(Legacy) (V2) Marketo Engage', '(V2) Marketo Engage', 'Marketo V2'],
    title: 'Marketo V2 destination (legacy card)',
  },
  marketoEngage: {
    kind: 'connection',
    labels: ['Marketo Engage'],
    title: 'Marketo Engage destination (current card)',
  },
  dataLake: {
    kind: 'connection',
    documented: {
      id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c',
      source: 'Experience League, "Collect marketing automation data" API tutorial (data lake target)',
    },
    labels: ['Data Lake'],
    title: 'Experience Platform data lake target',
  },
  profileSource: {
    kind: 'connection',
    documented: {
      id: '8a9c3494-9708-43d7-ae3f-cda01e5030e1',
      source: 'Experience League, "Activate audiences to streaming destinations" API tutorial',
    },
    labels: ['Profile Store', 'Unified Profile'],
    title: 'Real-Time Customer Profile source of destination dataflows',
  },
  crmToAep: {
    kind: 'flow',
    documented: {
      id: '14518937-270c-4525-bdec-c2ba7cce3860',
      source: 'Experience League, "Collect marketing automation data" API tutorial (CRMToAEP)',
    },
    labels: ['CRMToAEP'],
    title: 'CRMToAEP flow spec (marketing-automation sources to the data lake)',
  },
  profileToDestination: {
    kind: 'flow',
    documented: {
      id: '71471eba-b620-49e4-90fd-23f1fa0174d8',
      source: 'Experience League, "Activate audiences to streaming destinations" API tutorial',
    },
    labels: ['Profile-based streaming destinations'],
    title: 'streaming segment-export flow spec',
  },
} as const satisfies Record<string, CatalogueSpec>;

export type SpecKey = keyof typeof SPEC_CATALOGUE;
export const SPEC_KEYS = Object.keys(SPEC_CATALOGUE) as SpecKey[];

/** The specs an SFMC migration reads and writes through. */
export const SFMC_RUN_SPECS: SpecKey[] = ['sfmcV1', 'sfmcV2', 'dataLake', 'crmToAep'];

/** The specs a Marketo destination migration to this card reads and writes through. */
export const marketoRunSpecs = (target: 'marketoV2' | 'marketoEngage'): SpecKey[] => [
  'marketoV1',
  target,
  'profileSource',
  'profileToDestination',
];

/** A spec as a catalogue list shows it: its id, its name and every label it carries. */
export interface SpecCandidate {
  id: string;
  name: string;
  labels: string[];
}

export type SpecMatch =
  | { ok: true; id: string; how: 'documented' | 'config' | 'label' }
  | { ok: false; problem: string; candidates: SpecCandidate[] };

const normalised = (label: string) => label.trim().replace(/\s+/g, ' ').toLowerCase();

/** Words of a card's labels worth finding in other cards, so a near miss is listed for the person. */
function keywordsOf(spec: CatalogueSpec): string[] {
  const words = spec.labels.flatMap((label) => normalised(label).split(/[^a-z0-9]+/));
  return [...new Set(words.filter((word) => word.length > 3 && !['engage', 'legacy'].includes(word)))];
}

/** Where to pin the id when the catalogue cannot say. */
export const specConfigKey = (key: SpecKey) => `adobe.specIds.${key}`;

/**
 * Picks a spec without a documented id among what the catalogue lists: the
 * one card whose label is one of ours. None or several is a problem naming
 * the labels looked for, the candidates, and the config key that settles it.
 */
export function matchSpecByLabel(key: SpecKey, listed: SpecCandidate[]): SpecMatch {
  const spec: CatalogueSpec = SPEC_CATALOGUE[key];
  const wanted = new Set(spec.labels.map(normalised));
  const matches = listed.filter((candidate) =>
    candidate.labels.some((label) => wanted.has(normalised(label))),
  );
  if (matches.length === 1) return { ok: true, id: matches[0]!.id, how: 'label' };
  const keywords = keywordsOf(spec);
  const candidates = matches.length
    ? matches
    : listed.filter((candidate) =>
        candidate.labels.some((label) => keywords.some((word) => normalised(label).includes(word))),
      );
  const looked = spec.labels.map((label) => `"${label}"`).join(', ');
  const listedAs = candidates.length
    ? ` Candidates: ${candidates
        .slice(0, 10)
        .map((candidate) => `${candidate.id} (${candidate.labels.join(' / ') || candidate.name})`)
        .join('; ')}.`
    : ' No card in the catalogue looks like it.';
  return {
    ok: false,
    problem:
      matches.length > 1
        ? `${matches.length} ${spec.kind} specs carry a label of the ${spec.title} (${looked}), so cutover cannot tell which to use.${listedAs} Set ${specConfigKey(key)} to the right id.`
        : `no ${spec.kind} spec carries a label of the ${spec.title} (${looked}).${listedAs} Set ${specConfigKey(key)} to its id (Experience Platform > Sources or Destinations catalogue, or GET /${spec.kind}Specs).`,
    candidates,
  };
}
