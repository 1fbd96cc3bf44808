import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { COMMANDS } from '../../src/cli/main';
import { loadConfigFile } from '../../src/config/load';
import { projectRoot } from '../../src/project-root';
import { SHARED_WITH_COMPOSE, TEMPORAL_SERVER_VERSION } from '../cluster/temporal-server';

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  entrypoint?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  ports?: string[];
}

// No Docker engine runs here, so the file is held to the invariants `docker compose config` would need.
const compose = YAML.parse(fs.readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
const services = compose.services;

describe('docker-compose.yml', () => {
  it('runs PostgreSQL-backed Temporal, its UI, the worker and the simulator', () => {
    expect(Object.keys(services)).toEqual(
      expect.arrayContaining([
        'postgresql',
        'temporal-schema',
        'temporal',
        'temporal-ui',
        'worker',
        'simulator',
      ]),
    );
    expect(services.temporal?.environment?.DB).toBe('postgres12');
    expect(services['temporal-ui']?.environment).toHaveProperty('TEMPORAL_CODEC_ENDPOINT');
    expect(services.worker?.deploy?.replicas).toBeGreaterThan(1);
  });

  it('pins every third-party image to an exact version', () => {
    for (const [name, service] of Object.entries(services)) {
      const image = service.image ?? '';
      if (image === 'cutover:local') continue;
      expect(image, name).toMatch(/^[\w./-]+:[\w.-]*\d[\w.-]*$/);
      expect(image, name).not.toMatch(/:latest$/);
    }
  });

  it('refers only to files, services, volumes and CLI commands that exist', () => {
    const servicesWithBuild = Object.values(services).filter((service) => service.build);
    for (const service of servicesWithBuild) {
      expect(fs.existsSync(path.join(projectRoot, service.build!, 'Dockerfile'))).toBe(true);
    }
    for (const [name, service] of Object.entries(services)) {
      for (const dependency of Object.keys(service.depends_on ?? {}))
        expect(services, name).toHaveProperty(dependency);
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./'))
          expect(fs.existsSync(path.join(projectRoot, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: ${source}`).toHaveProperty(source);
      }
      if (service.image === 'cutover:local' && !service.entrypoint)
        expect(Object.keys(COMMANDS), name).toContain(service.command?.[0]);
    }
  });

  it('publishes the simulator (and so its admin API) on the host’s loopback only', () => {
    expect(services.simulator?.ports).toEqual(['127.0.0.1:4010:4010']);
  });

  it("runs the codec server with the workers' keys and points the UI at it", () => {
    const config = loadConfigFile(path.join(projectRoot, 'deploy', 'cutover.compose.yaml'));
    const codecServer = services['codec-server'];
    expect(codecServer?.command).toEqual(['codec-server']);
    // The browser calls the codec server, so the UI is given its address on the host.
    const published = codecServer?.ports?.map((port) => port.split(':'));
    expect(published).toEqual([
      ['127.0.0.1', `${config.codec?.server.port}`, `${config.codec?.server.port}`],
    ]);
    expect(services['temporal-ui']?.environment?.TEMPORAL_CODEC_ENDPOINT).toBe(
      `\${TEMPORAL_CODEC_ENDPOINT:-http://localhost:${config.codec?.server.port}}`,
    );
    const uiPort = services['temporal-ui']?.ports?.[0]?.split(':').at(-1);
    expect(config.codec?.server.corsOrigins).toContain(`http://localhost:${uiPort}`);
    expect(config.codec?.server.host).toBe('0.0.0.0');
    // Every process that reads or writes payloads mounts the same key.
    const keyFile = config.codec?.keys[0]?.key.replace(/^file:/, '') ?? '';
    for (const name of ['worker', 'codec-server', 'cutover-init', 'codec-key']) {
      const mounted = services[name]?.volumes?.some((volume) => keyFile.startsWith(volume.split(':')[1]!));
      expect(mounted, name).toBe(true);
    }
    expect(config.secrets.allowFilesIn).toContain(path.dirname(keyFile));
  });

  it('ships a cutover config the worker accepts', () => {
    const config = loadConfigFile(path.join(projectRoot, 'deploy', 'cutover.compose.yaml'));
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.worker.metricsAddress).toBe('0.0.0.0:9464');
  });

  it('runs the Temporal Server `npm run test:cluster` builds, set up by the same scripts and dynamic config', () => {
    for (const name of ['temporal', 'temporal-schema', 'temporal-namespace'])
      expect(services[name]?.image, name).toMatch(
        new RegExp(`:${TEMPORAL_SERVER_VERSION.replaceAll('.', '\\.')}$`),
      );
    const deployMount = (name: string) =>
      services[name]?.volumes?.find((volume) => volume.startsWith('./deploy/temporal'))?.split(':')[1];
    expect(services['temporal-schema']?.entrypoint).toEqual([
      '/bin/sh',
      `${deployMount('temporal-schema')}/${SHARED_WITH_COMPOSE.schemaScript}`,
    ]);
    expect(services['temporal-namespace']?.entrypoint).toEqual([
      '/bin/sh',
      `${deployMount('temporal-namespace')}/${SHARED_WITH_COMPOSE.namespaceScript}`,
    ]);
    // The server image reads dynamic config relative to /etc/temporal, where compose mounts deploy/temporal/dynamicconfig.
    const dynamicConfigDir = services.temporal?.volumes?.find((volume) =>
      volume.startsWith('./deploy/temporal/dynamicconfig'),
    );
    expect(dynamicConfigDir).toBe('./deploy/temporal/dynamicconfig:/etc/temporal/config/dynamicconfig:ro');
    expect(`deploy/temporal/${SHARED_WITH_COMPOSE.dynamicConfig}`).toBe(
      `deploy/temporal/dynamicconfig/${path.basename(services.temporal?.environment?.DYNAMIC_CONFIG_FILE_PATH ?? '')}`,
    );
    // The schema script takes the database's address from the same variables compose gives it.
    expect(services['temporal-schema']?.environment).toMatchObject({
      POSTGRES_SEEDS: 'postgresql',
      DB_PORT: '5432',
    });
    // Both register the project's search attributes with `cutover search-attributes`.
    expect(services['cutover-init']?.command).toEqual(['search-attributes']);
  });
});
