import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { projectRoot } from '../../src/project-root';
import { TEST_SECRETS } from './cutover-config';

/** A cutover worker in its own process (`src/worker.ts` with a config file), so a test can SIGKILL it. */
export function spawnWorkerProcess(rawConfig: unknown, temporalAddress: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-worker-'));
  const configFile = path.join(dir, 'cutover.yaml');
  fs.writeFileSync(configFile, YAML.stringify(rawConfig));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'src', 'worker.ts'), configFile],
    {
      cwd: projectRoot,
      env: { ...process.env, ...TEST_SECRETS, TEMPORAL_ADDRESS: temporalAddress },
      stdio: 'ignore',
    },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return {
    async kill(): Promise<void> {
      child.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
