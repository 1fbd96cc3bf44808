import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every cutover workflow may set, so runs can be
 * filtered in the Temporal UI. Values are identifiers and counts, never secrets:
 * search attributes are not encrypted by payload codecs.
 */
export const CutoverKind = defineSearchAttributeKey('CutoverKind', SearchAttributeType.KEYWORD);
export const CutoverOrg = defineSearchAttributeKey('CutoverOrg', SearchAttributeType.KEYWORD);
export const CutoverSandboxes = defineSearchAttributeKey(
  'CutoverSandboxes',
  SearchAttributeType.KEYWORD_LIST,
);
export const CutoverPhase = defineSearchAttributeKey('CutoverPhase', SearchAttributeType.KEYWORD);
export const CutoverFlowGroup = defineSearchAttributeKey('CutoverFlowGroup', SearchAttributeType.KEYWORD);
export const CutoverLastStatus = defineSearchAttributeKey('CutoverLastStatus', SearchAttributeType.KEYWORD);
export const CutoverItemsTotal = defineSearchAttributeKey('CutoverItemsTotal', SearchAttributeType.INT);
export const CutoverItemsDone = defineSearchAttributeKey('CutoverItemsDone', SearchAttributeType.INT);
export const CutoverItemsFailed = defineSearchAttributeKey('CutoverItemsFailed', SearchAttributeType.INT);

/** The remote APIs a run waits for during their outage, each as "<api> since <ISO time>"; absent while none. */
export const CutoverWaitingFor = defineSearchAttributeKey(
  'CutoverWaitingFor',
  SearchAttributeType.KEYWORD_LIST,
);

export const cutoverSearchAttributes = [
  CutoverKind,
  CutoverOrg,
  CutoverSandboxes,
  CutoverPhase,
  CutoverFlowGroup,
  CutoverLastStatus,
  CutoverItemsTotal,
  CutoverItemsDone,
  CutoverItemsFailed,
  CutoverWaitingFor,
] as const;
