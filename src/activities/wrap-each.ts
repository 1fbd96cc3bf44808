export type AsyncFunction = (...args: never[]) => Promise<unknown>;

/** Wraps every activity of a factory's record in the same `around` step, keeping names and types. */
export function wrapEach<T extends Record<string, AsyncFunction>>(
  activities: T,
  around: (run: () => Promise<unknown>) => Promise<unknown>,
): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      (...args: never[]) => around(() => activity(...args)),
    ]),
  ) as T;
}
