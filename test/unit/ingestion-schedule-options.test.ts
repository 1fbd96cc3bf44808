import { scheduledIngestionWorkflow } from '../../src/workflows/ingestion/ingestion';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import type { IngestionScheduleConfig } from '../../src/config/schema';
import { CutoverFlowGroup, CutoverKind, CutoverSandboxes } from '../../src/visibility/search-attributes';
import { ingestionSettingsFor, scheduleOptionsFor } from '../../src/runs/ingestion';

const config = parseConfig(
  {
    temporal: { taskQueue: 'cutover' },
    adobe: {
      orgId: 'ABC@AdobeOrg',
      clientId: 'id',
      clientSecret: 'env:X',
      scopes: ['openid'],
      sandboxes: [{ name: 'prod' }],
    },
    ingestion: {
      schedules: [
        { name: 'hourly', flows: { sandbox: 'prod' }, interval: '1 hour' },
        {
          name: 'nightly',
          flows: { sandbox: 'prod' },
          interval: '1 day',
          cron: ['30 2 * * *'],
          paused: true,
        },
      ],
    },
  },
  'c.yaml',
);
const [hourly, nightly] = config.ingestion!.schedules as [IngestionScheduleConfig, IngestionScheduleConfig];
const flows = [{ sandbox: 'prod', flowId: 'f-1', name: 'Subscribers' }];

describe('ingestion schedule options', () => {
  it('turn a configured interval into windows, an interval spec, overlap SKIP and a catch-up window', () => {
    const settings = ingestionSettingsFor(hourly, flows);
    expect(settings).toMatchObject({ windowSeconds: 3600, maxWindowsPerRun: 24, attemptsPerWindow: 3 });
    const options = scheduleOptionsFor(config, settings);
    expect(options.scheduleId).toBe('ingestion/hourly');
    expect(options.spec).toEqual({ intervals: [{ every: '1 hour' }] });
    expect(options.policies).toEqual({
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: '1 day',
      pauseOnFailure: false,
    });
    expect(options.action).toMatchObject({
      workflowType: scheduledIngestionWorkflow,
      taskQueue: 'cutover',
      args: [settings],
    });
    expect(options.typedSearchAttributes).toEqual(
      expect.arrayContaining([
        { key: CutoverKind, value: 'ingestion-schedule' },
        { key: CutoverFlowGroup, value: 'hourly' },
        { key: CutoverSandboxes, value: ['prod'] },
      ]),
    );
  });

  it('use cron expressions for when runs start, while windows stay the interval long', () => {
    const settings = ingestionSettingsFor(nightly, flows);
    expect(settings.windowSeconds).toBe(86_400);
    expect(scheduleOptionsFor(config, settings).spec).toEqual({ cronExpressions: ['30 2 * * *'] });
  });

  it('refuse two schedules with the same name', () => {
    expect(() =>
      parseConfig(
        {
          adobe: config.adobe,
          ingestion: { schedules: [hourly, { ...hourly }] },
        },
        'c.yaml',
      ),
    ).toThrow(/ingestion\.schedules\[1\]\.name: schedule "hourly" is listed twice \(also at \[0\]\)/);
  });
});
