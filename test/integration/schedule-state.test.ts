/**
 * Schedule state belongs to whoever changed it last: cutover's own writes to
 * a schedule (an unpause's fresh failure count, a run's outcome, `sync`)
 * never put back a pause, an unpause or a note made around them. Many
 * schedules at once keep the server's scheduler busy, which is when a
 * whole-schedule read-modify-write lost the pause that followed it.
 */
import { randomUUID } from 'node:crypto';
import type { ScheduleHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createIngestionActivities } from '../../src/activities/ingestion';
import type { RemoteClients } from '../../src/activities/remote-clients';
import { Redactor, SecretResolver } from '../../src/config/secrets';
import { unpauseIngestionSchedule } from '../../src/runs/ingestion';
import { CutoverItemsFailed, CutoverLastStatus } from '../../src/visibility/search-attributes';
import { useTemporalEnvironment } from '../support/temporal-env';

const env = useTemporalEnvironment();
const SCHEDULES = 30;
const PAUSE_NOTE = 'paused right after the unpause';

async function pausedScheduleWithFailures(failuresInARow: number): Promise<ScheduleHandle> {
  return env().client.schedule.create({
    scheduleId: `ingestion/state-${randomUUID()}`,
    spec: { intervals: [{ every: '1 hour' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledIngestionWorkflow',
      taskQueue: `nobody-${randomUUID()}`,
      args: [],
    },
    state: { paused: true, note: 'paused before the test' },
    typedSearchAttributes: [
      { key: CutoverLastStatus, value: 'failed' },
      { key: CutoverItemsFailed, value: failuresInARow },
    ],
  });
}

/** Every schedule as the test left it, in the state given; then they are deleted. */
async function expectEvery(handles: ScheduleHandle[], state: Record<string, unknown>) {
  const states = await Promise.all(
    handles.map(async (handle) => {
      const description = await handle.describe();
      return {
        paused: description.state.paused,
        note: description.state.note,
        failuresInARow: description.typedSearchAttributes.get(CutoverItemsFailed),
        lastStatus: description.typedSearchAttributes.get(CutoverLastStatus),
      };
    }),
  );
  expect(states).toEqual(handles.map(() => state));
  await Promise.all(handles.map((handle) => handle.delete()));
}

const activities = () =>
  createIngestionActivities({
    clients: {} as RemoteClients,
    secrets: new SecretResolver({}, new Redactor()),
    schedules: () => env().client.schedule,
  });

describe('schedule state under concurrent changes', () => {
  it('ends paused whenever a pause follows an unpause, and the unpause still resets the failure count', async () => {
    const handles = await Promise.all(Array.from({ length: SCHEDULES }, () => pausedScheduleWithFailures(3)));
    await Promise.all(
      handles.map(async (handle) => {
        await unpauseIngestionSchedule(env().client, handle.scheduleId, 'unpaused by the test');
        await handle.pause(PAUSE_NOTE);
      }),
    );
    await expectEvery(handles, { paused: true, note: PAUSE_NOTE, failuresInARow: 0, lastStatus: 'failed' });
  });

  it('records a run outcome without undoing a pause made meanwhile', async () => {
    const handles = await Promise.all(Array.from({ length: SCHEDULES }, () => pausedScheduleWithFailures(1)));
    await Promise.all(handles.map((handle) => handle.unpause('running again')));
    await Promise.all(
      handles.map((handle) =>
        Promise.all([
          activities().recordScheduleOutcome({
            scheduleId: handle.scheduleId,
            status: 'success',
            detail: '1 window(s) ingested',
          }),
          handle.pause(PAUSE_NOTE),
        ]),
      ),
    );
    await expectEvery(handles, { paused: true, note: PAUSE_NOTE, failuresInARow: 0, lastStatus: 'success' });
  });
});
