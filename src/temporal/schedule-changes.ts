import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { isGrpcServiceError, type ScheduleClient, type ScheduleOptions } from '@temporalio/client';
import {
  compileScheduleOptions,
  encodeScheduleAction,
  encodeSchedulePolicies,
  encodeScheduleSpec,
} from '@temporalio/client/lib/schedule-helpers';
import type { SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
import {
  decodeTypedSearchAttributes,
  encodeUnifiedSearchAttributes,
} from '@temporalio/common/lib/converter/payload-search-attributes';
import type { temporal } from '@temporalio/proto';

type Described = temporal.api.workflowservice.v1.IDescribeScheduleResponse;
type Definition = Pick<temporal.api.schedule.v1.ISchedule, 'spec' | 'action' | 'policies'>;

/** A schedule as a change is computed from. */
export interface ScheduleNow {
  attributes: TypedSearchAttributes;
  paused: boolean;
  described: Described;
}

/** What to change; whatever is absent stays as it is. */
export interface ScheduleChange {
  definition?: Definition;
  attributes?: SearchAttributeUpdatePair[];
  /** Pause, with this note. */
  pause?: string;
}

/** How many times a change is tried against a schedule that keeps changing under it. */
const ATTEMPTS = 20;
/** How long to wait for the scheduler to take in a change before reading it again. */
const SETTLE_MS = 30_000;
const LOOK_AGAIN_MS = 100;
/** gRPC's FAILED_PRECONDITION: how the newer scheduler refuses a stale update. */
const FAILED_PRECONDITION = 9;

/**
 * Changes a schedule only as it was when the change was computed. Temporal
 * replaces a schedule's whole definition on update, its state (paused, note)
 * included, and its workflow-backed scheduler applies a pause that arrived
 * later *before* an update that arrived earlier: an update built from a
 * description read before that pause put the schedule back as it was. Sent
 * with the description's conflict token, the update is dropped (or refused)
 * when anything changed in between, and is then computed again from a fresh
 * description; the state written is the state read (paused at most), so a
 * pause, an unpause or a note made meanwhile is never undone. Returns what
 * the change was computed from.
 */
export async function changeSchedule(
  schedules: ScheduleClient,
  scheduleId: string,
  plan: (now: ScheduleNow) => Promise<ScheduleChange> | ScheduleChange,
): Promise<ScheduleNow & { change: ScheduleChange }> {
  const namespace = schedules.options.namespace;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    const described = await consistentDescription(schedules, scheduleId);
    const now: ScheduleNow = {
      attributes: decodeTypedSearchAttributes(described.searchAttributes?.indexedFields),
      paused: Boolean(described.schedule?.state?.paused),
      described,
    };
    const change = await plan(now);
    const wanted = { ...change, attributes: now.attributes.updateCopy(change.attributes ?? []) };
    if (isIn(described, wanted)) return { ...now, change };
    try {
      await schedules.workflowService.updateSchedule({
        namespace,
        scheduleId,
        schedule: {
          ...described.schedule,
          ...change.definition,
          state: change.pause
            ? { ...described.schedule?.state, paused: true, notes: change.pause }
            : described.schedule?.state,
        },
        conflictToken: described.conflictToken,
        searchAttributes: { indexedFields: encodeUnifiedSearchAttributes(undefined, wanted.attributes) },
        identity: schedules.options.identity,
        requestId: randomUUID(),
      });
    } catch (error) {
      if (isGrpcServiceError(error) && error.code === FAILED_PRECONDITION) continue;
      throw error;
    }
    if (isIn(await takenIn(schedules, scheduleId, described.conflictToken), wanted))
      return { ...now, change };
  }
  throw new Error(
    `schedule ${scheduleId} changed ${ATTEMPTS} times while cutover was changing it; try again once it is quiet`,
  );
}

/**
 * A description whose search attributes and state belong together. The
 * workflow-backed scheduler's description reads the attributes first and
 * the state (with its conflict token) after, so a change taken in between
 * pairs old attributes with a new token: computed from those, a change
 * would pass the conflict check and write over the one it missed. Two
 * descriptions in a row with the same token show a pair that belongs
 * together; the second one's attributes were read after the first's state.
 */
async function consistentDescription(schedules: ScheduleClient, scheduleId: string): Promise<Described> {
  const describe = () =>
    schedules.workflowService.describeSchedule({ namespace: schedules.options.namespace, scheduleId });
  let previous = await describe();
  for (;;) {
    const next = await describe();
    if (sameBytes(next.conflictToken, previous.conflictToken)) return next;
    previous = next;
  }
}

/** The schedule once its scheduler has taken in whatever was sent after `token` was read. */
async function takenIn(
  schedules: ScheduleClient,
  scheduleId: string,
  token: Uint8Array | null | undefined,
): Promise<Described> {
  const until = Date.now() + SETTLE_MS;
  for (;;) {
    const after = await consistentDescription(schedules, scheduleId);
    if (!sameBytes(after.conflictToken, token) || Date.now() > until) return after;
    await delay(LOOK_AGAIN_MS);
  }
}

/** Whether the schedule shows the change (an update's payloads are compared byte for byte). */
function isIn(
  described: Described,
  wanted: Omit<ScheduleChange, 'attributes'> & { attributes: TypedSearchAttributes },
): boolean {
  const actual = decodeTypedSearchAttributes(described.searchAttributes?.indexedFields);
  const inputOf = (definition: Definition | null | undefined) =>
    definition?.action?.startWorkflow?.input?.payloads?.[0]?.data;
  return (
    wanted.attributes
      .getAll()
      .every(({ key, value }) => JSON.stringify(actual.get(key)) === JSON.stringify(value)) &&
    (!wanted.pause ||
      (Boolean(described.schedule?.state?.paused) && described.schedule?.state?.notes === wanted.pause)) &&
    (!wanted.definition || sameBytes(inputOf(described.schedule), inputOf(wanted.definition)))
  );
}

function sameBytes(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  return Buffer.from(a ?? []).equals(Buffer.from(b ?? []));
}

/** Sets some of a schedule's search attributes, computed from their current values, and nothing else. */
export async function updateScheduleSearchAttributes(
  schedules: ScheduleClient,
  scheduleId: string,
  updates: (current: TypedSearchAttributes) => SearchAttributeUpdatePair[],
): Promise<void> {
  await changeSchedule(schedules, scheduleId, ({ attributes }) => ({ attributes: updates(attributes) }));
}

/** Replaces what a schedule does and when (spec, action, policies); its state and search attributes stay. */
export async function replaceScheduleDefinition(
  schedules: ScheduleClient,
  options: Pick<ScheduleOptions, 'scheduleId' | 'spec' | 'action' | 'policies'>,
): Promise<void> {
  const compiled = compileScheduleOptions({ ...options } as ScheduleOptions);
  await changeSchedule(schedules, options.scheduleId, async ({ described }) => ({
    definition: {
      spec: encodeScheduleSpec(compiled.spec),
      action: await encodeScheduleAction(
        schedules.options.loadedDataConverter,
        schedules.options.namespace,
        compiled.action,
        described.schedule?.action?.startWorkflow?.header?.fields ?? {},
      ),
      policies: encodeSchedulePolicies(compiled.policies),
    },
  }));
}
