import { createDoctorActivities, type DoctorDependencies } from './doctor';

export type ActivityDependencies = DoctorDependencies;

/** Every activity the cutover worker registers, built once over injected dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createDoctorActivities(deps),
  };
}

export type CutoverActivities = ReturnType<typeof createActivities>;
