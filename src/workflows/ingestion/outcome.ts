import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { IngestionActivities } from '../../activities/ingestion';
import { REPORT } from '../activity-options';

/** How every ingestion run tells others its outcome: on its schedule, and to the failure webhook. */
export const scheduleOutcome = proxyActivities<Pick<IngestionActivities, 'recordScheduleOutcome'>>({
  ...REPORT,
  summary: 'Record the outcome on the schedule (and pause it after too many failures)',
});

export const failureWebhook = proxyActivities<Pick<IngestionActivities, 'notifyIngestionFailure'>>({
  ...REPORT,
  summary: 'Tell the failure webhook which windows failed',
});

/** The time a schedule started the run for, which Temporal sets on the runs it starts. */
export const ScheduledStartTime = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

/** The schedule that started the run; absent on a run started by hand. */
export const ScheduledById = defineSearchAttributeKey('TemporalScheduledById', SearchAttributeType.KEYWORD);
