import type { MarketoInstanceRecord } from './state';

const centralDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Chicago',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day in US Central time (YYYY-MM-DD): Marketo's daily quota resets at 12:00 AM there. */
export function quotaDay(epochMs: number): string {
  return centralDate.format(new Date(epochMs));
}

/** Calls made so far on the instance's current quota day. */
export function callsToday(instance: MarketoInstanceRecord, now: number): number {
  return instance.usage.day === quotaDay(now) ? instance.usage.calls : 0;
}

/** Counts one REST call against the daily quota; false when the quota is already used up. */
export function takeDailyCall(instance: MarketoInstanceRecord, now: number): boolean {
  const day = quotaDay(now);
  if (instance.usage.day !== day) instance.usage = { day, calls: 0 };
  if (instance.usage.calls >= instance.dailyQuota) return false;
  instance.usage.calls += 1;
  return true;
}
