import { ApplicationFailure } from '@temporalio/common';
import {
  matchSpecByLabel,
  SPEC_CATALOGUE,
  specConfigKey,
  type CatalogueSpec,
  type SpecCandidate,
  type SpecKey,
  type SpecMatch,
} from '../domain/specs';
import type { FlowServiceClient } from '../integrations/flow-service/flow-service-client';
import type { ConnectionSpec, FlowSpec } from '../integrations/flow-service/schemas';
import { collect } from './flow-service-lookup';

/** Finds the ids of cutover's specs in an organisation's catalogue, once per worker. */
export interface SpecResolver {
  /** The spec's id, or a non-retryable `SpecNotResolved` failure listing the candidates and the config key. */
  id(flowService: FlowServiceClient, key: SpecKey): Promise<string>;
  /** How the spec resolves, without failing: what `cutover probe` and the preflight report. */
  resolve(flowService: FlowServiceClient, key: SpecKey): Promise<SpecMatch>;
}

type Label = string | { value?: unknown; key?: unknown } | undefined;
interface UiAttributes {
  label?: Label;
  uiAttributes?: { label?: Label };
  connectorName?: string;
}

function labelText(label: Label): string[] {
  if (typeof label === 'string') return [label];
  return typeof label?.value === 'string' ? [label.value] : [];
}

/**
 * Every label a listed spec carries. Adobe's examples put the card's label in
 * `attributes.connectorName` and in `sourceSpec`/`targetSpec`
 * `.attributes.uiAttributes.label` (sometimes only a translation key); a flow
 * spec has no card, so its name is its label.
 */
export function candidateOf(spec: ConnectionSpec | FlowSpec, kind: CatalogueSpec['kind']): SpecCandidate {
  const record = spec as Record<string, unknown>;
  const attributes = (record.attributes ?? {}) as UiAttributes;
  const nested = ['sourceSpec', 'targetSpec'].map(
    (side) => ((record[side] as { attributes?: UiAttributes } | undefined)?.attributes ?? {}) as UiAttributes,
  );
  const labels = [
    ...(kind === 'flow' ? [spec.name] : []),
    ...(attributes.connectorName ? [attributes.connectorName] : []),
    ...labelText(attributes.label),
    ...labelText(attributes.uiAttributes?.label),
    ...nested.flatMap((side) => labelText(side.uiAttributes?.label)),
  ];
  return { id: spec.id, name: spec.name, labels: [...new Set(labels)] };
}

export function createSpecResolver(overrides: Partial<Record<SpecKey, string>> = {}): SpecResolver {
  // Specs are the same in every sandbox and change with Adobe's releases, not
  // during a run: one answer per key (and one catalogue list per kind) serves
  // the worker. A failed lookup is forgotten, so the next attempt asks again.
  const matches = new Map<SpecKey, Promise<SpecMatch>>();
  const catalogues = new Map<CatalogueSpec['kind'], Promise<SpecCandidate[]>>();

  const remembered = <K, V>(
    cache: Map<K, Promise<V>>,
    key: K,
    load: () => Promise<V>,
    keep: (value: V) => boolean,
  ) => {
    const cached = cache.get(key);
    if (cached) return cached;
    const loading = load();
    cache.set(key, loading);
    loading.then(
      (value) => keep(value) || cache.delete(key),
      () => cache.delete(key),
    );
    return loading;
  };

  const catalogue = (flowService: FlowServiceClient, kind: CatalogueSpec['kind']) =>
    remembered(
      catalogues,
      kind,
      async () =>
        (kind === 'connection'
          ? await collect(flowService.listConnectionSpecs())
          : await collect(flowService.listFlowSpecs())
        ).map((item) => candidateOf(item, kind)),
      () => true,
    );

  async function lookUp(flowService: FlowServiceClient, key: SpecKey): Promise<SpecMatch> {
    const spec: CatalogueSpec = SPEC_CATALOGUE[key];
    const pinned = overrides[key] ?? spec.documented?.id;
    if (!pinned) return matchSpecByLabel(key, await catalogue(flowService, spec.kind));
    const found =
      spec.kind === 'connection'
        ? await flowService.getConnectionSpec(pinned)
        : await flowService.getFlowSpec(pinned);
    if (found) return { ok: true, id: found.id, how: overrides[key] ? 'config' : 'documented' };
    const whose = overrides[key] ? `set in ${specConfigKey(key)}` : 'Adobe documents';
    return {
      ok: false,
      problem: `the ${spec.title} id ${whose} (${pinned}) is not in this organisation's ${spec.kind} catalogue; set ${specConfigKey(key)} to the id the catalogue shows.`,
      candidates: [],
    };
  }

  const resolve = (flowService: FlowServiceClient, key: SpecKey) =>
    remembered(
      matches,
      key,
      () => lookUp(flowService, key),
      (match) => match.ok,
    );

  return {
    resolve,
    async id(flowService, key) {
      const match = await resolve(flowService, key);
      if (!match.ok) throw ApplicationFailure.nonRetryable(match.problem, 'SpecNotResolved');
      return match.id;
    },
  };
}
