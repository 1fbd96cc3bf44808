import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const STATE_VERSION = 1;

const persistedStateSchema = z.object({
  version: z.literal(STATE_VERSION),
  savedAt: z.string(),
  clock: z.object({ now: z.number(), speed: z.number().positive() }),
  modules: z.record(z.string(), z.unknown()),
});

export type PersistedState = z.output<typeof persistedStateSchema>;

/**
 * Writes the simulator's state to one JSON file, atomically (fsynced temp
 * file + rename), within `debounceMs` of a change and on close, so a restart
 * keeps what clients were told happened.
 */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    private readonly snapshot: () => PersistedState,
    private readonly debounceMs = 25,
  ) {}

  load(): PersistedState | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const parsed = persistedStateSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new Error(
        `Simulator state file ${this.file} is not a version ${STATE_VERSION} state (${parsed.error.issues[0]?.message}); delete it or pass another --state file.`,
      );
    }
    return parsed.data;
  }

  scheduleSave(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      try {
        this.saveNow();
      } catch (error) {
        // A full disk must not take the simulator down; the next change tries again.
        console.error(`simulator: could not save state to ${this.file}: ${(error as Error).message}`);
      }
    }, this.debounceMs);
  }

  saveNow(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    const descriptor = fs.openSync(temp, 'w');
    try {
      fs.writeFileSync(descriptor, JSON.stringify(this.snapshot()));
      fs.fsyncSync(descriptor);
    } finally {
      fs.closeSync(descriptor);
    }
    fs.renameSync(temp, this.file);
  }
}

export function stateVersion(): number {
  return STATE_VERSION;
}
