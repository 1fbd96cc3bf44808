/**
 * The operator-mistake corpus: every bad input a person (or a broken remote)
 * can give the CLI, each asserting the exit code, a message that names the
 * field or object and what to do, no stack trace, no secret in any spelling,
 * and no write reaching the simulator.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { DEMO_MARKETO, DEMO_SFMC } from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { TEST_SECRETS } from '../support/cutover-config';
import { proxiedConfig, remoteWrites } from '../support/corpus';
import { runCli } from '../support/cli';
import { secretSpellings } from '../support/secret-spellings';
import {
  startCorruptingProxy,
  type CorruptedAnswer,
  type CorruptingProxy,
} from '../support/corrupting-proxy';
import { useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';
import { doctorWorkflow } from '../../src/workflows/doctor';

const env = useTemporalEnvironment();
/** A secret with every character that URL and form encodings spell differently. */
const TRICKY_SECRET = "adobe s3cr!t(x)~'y +z/=?&";
const SECRETS = { ...TEST_SECRETS, CUTOVER_TEST_ADOBE_SECRET: TRICKY_SECRET };
let simulator: RunningSimulator;
let proxy: CorruptingProxy;
let dir: string;
let terminatedRun: string;
const taskQueue = uniqueTaskQueue('corpus');

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  proxy = await startCorruptingProxy(simulator.baseUrl);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-corpus-'));
  fs.writeFileSync(path.join(dir, 'empty-secret'), '  \n');
  fs.mkdirSync(path.join(dir, 'a-folder'));
  fs.writeFileSync(
    path.join(path.dirname(dir), `${path.basename(dir)}-outside`),
    'root:x:0:0:outside-contents',
  );
  fs.symlinkSync(path.join(path.dirname(dir), `${path.basename(dir)}-outside`), path.join(dir, 'link'));
  // A run that has ended, for the commands that only make sense while one waits.
  const handle = await env().client.workflow.start(doctorWorkflow, {
    taskQueue: uniqueTaskQueue('corpus-ended'),
    workflowId: `corpus-ended-${Date.now()}`,
  });
  await handle.terminate('ended for the corpus');
  terminatedRun = handle.workflowId;
});
afterAll(async () => {
  await proxy.close();
  await simulator.close();
});

type Raw = Record<string, unknown>;

const baseConfig = (): Raw => proxiedConfig(simulator, proxy, { taskQueue, address: env().address });

let files = 0;
/** Writes a config file (YAML unless the name says otherwise) and returns its path. */
function write(content: string, name = `config-${++files}.yaml`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
const config = (change: (raw: Raw) => void = () => {}) => {
  const raw = structuredClone(baseConfig());
  change(raw);
  return write(YAML.stringify(raw));
};
const adobe = (raw: Raw) => raw.adobe as Record<string, unknown>;
const section = (raw: Raw, name: string) => raw[name] as Record<string, unknown>;
const schedule = (entry: Record<string, unknown>) => (raw: Raw) => {
  raw.ingestion = {
    schedules: [{ name: 'prod-sfmc', flows: { sandbox: 'prod' }, interval: '1 hour', ...entry }],
  };
};

interface Case {
  kind: 'config' | 'secret' | 'usage' | 'temporal' | 'remote';
  name: string;
  argv: () => string[];
  code: 0 | 1 | 2;
  /** What the person must read (stderr, or stdout for a report): the field or object, and the fix. */
  says: RegExp;
  answers?: CorruptedAnswer[];
  env?: Record<string, string>;
}

const plan = (file: string, kind = 'sfmc') => [kind, 'plan', '--config', file];
const ims = /\/ims\/token\/v3$/;
const flowService = (route: string) => new RegExp(`/flowservice/${route}$`);

const CASES: Case[] = [
  // --- config files -----------------------------------------------------------------------------
  {
    kind: 'config',
    name: 'an empty file',
    argv: () => plan(write('')),
    code: 2,
    says: /the file is empty: write a YAML mapping with at least an adobe section/,
  },
  {
    kind: 'config',
    name: 'a file holding one word',
    argv: () => plan(write('hello\n')),
    code: 2,
    says: /the file holds a single string \("hello"\), not settings/,
  },
  {
    kind: 'config',
    name: 'a file holding a list',
    argv: () => plan(write('- adobe\n')),
    code: 2,
    says: /the file holds a list, not settings: write a YAML mapping/,
  },
  {
    kind: 'config',
    name: 'YAML that does not parse',
    argv: () => plan(write('adobe: [\n')),
    code: 2,
    says: /not valid YAML/,
  },
  {
    kind: 'config',
    name: 'JSON that does not parse',
    argv: () => plan(write('{"adobe": ', 'broken.json')),
    code: 2,
    says: /not valid JSON/,
  },
  {
    kind: 'config',
    name: 'a file that does not exist',
    argv: () => plan(path.join(dir, 'missing.yaml')),
    code: 2,
    says: /cannot read the file \(ENOENT\); pass an existing file with --config or CUTOVER_CONFIG/,
  },
  {
    kind: 'config',
    name: 'a config folder instead of a file',
    argv: () => plan(dir),
    code: 2,
    says: /cannot read the file \(EISDIR\)/,
  },
  {
    kind: 'config',
    name: 'an unknown top-level field',
    argv: () => plan(config((raw) => void (raw.temporl = {}))),
    code: 2,
    says: /\(top level\): unknown field\(s\) "temporl"; remove them or check the spelling/,
  },
  {
    kind: 'config',
    name: 'an unknown field in adobe',
    argv: () => plan(config((raw) => void (adobe(raw).orgid = 'x'))),
    code: 2,
    says: /adobe: unknown field\(s\) "orgid"/,
  },
  {
    kind: 'config',
    name: 'no adobe section',
    argv: () => plan(config((raw) => void delete (raw as Record<string, unknown>).adobe)),
    code: 2,
    says: /adobe: the adobe section is required: orgId, clientId, clientSecret/,
  },
  {
    kind: 'config',
    name: 'a malformed organisation id',
    argv: () => plan(config((raw) => void (adobe(raw).orgId = 'ACME'))),
    code: 2,
    says: /adobe\.orgId: expected an IMS organisation id such as 0123456789ABCDEF@AdobeOrg/,
  },
  {
    kind: 'config',
    name: 'a client secret written in clear',
    argv: () => plan(config((raw) => void (adobe(raw).clientSecret = 'p4ssw0rd'))),
    code: 2,
    says: /adobe\.clientSecret: expected a secret reference .*secret values themselves are not accepted/,
  },
  {
    kind: 'config',
    name: 'an env: reference with a bad name',
    argv: () => plan(config((raw) => void (adobe(raw).clientSecret = 'env:1BAD'))),
    code: 2,
    says: /adobe\.clientSecret: expected a secret reference \(env:VARIABLE_NAME or file:PATH\)/,
  },
  {
    kind: 'config',
    name: 'no sandboxes',
    argv: () => plan(config((raw) => void (adobe(raw).sandboxes = []))),
    code: 2,
    says: /adobe\.sandboxes: list at least one sandbox/,
  },
  {
    kind: 'config',
    name: 'sandboxes that are not a list',
    argv: () => plan(config((raw) => void (adobe(raw).sandboxes = 'prod'))),
    code: 2,
    says: /adobe\.sandboxes: list the sandboxes to migrate, e\.g\. \[\{name: prod\}\]/,
  },
  {
    kind: 'config',
    name: 'an upper-case sandbox name',
    argv: () => plan(config((raw) => void (adobe(raw).sandboxes = [{ name: 'Prod' }]))),
    code: 2,
    says: /adobe\.sandboxes\[0\]\.name: expected a lower-case AEP sandbox name/,
  },
  {
    kind: 'config',
    name: 'a sandbox listed twice',
    argv: () =>
      plan(
        config(
          (raw) => void (adobe(raw).sandboxes = [{ name: 'prod' }, { name: 'prod', autoApprove: true }]),
        ),
      ),
    code: 2,
    says: /adobe\.sandboxes\[1\]\.name: sandbox "prod" is listed twice \(also at \[0\]\); keep one entry/,
  },
  {
    kind: 'config',
    name: 'a retention that is not a duration',
    argv: () => plan(config((raw) => void (adobe(raw).sandboxes = [{ name: 'prod', retention: 'forever' }]))),
    code: 2,
    says: /adobe\.sandboxes\[0\]\.retention: expected a duration such as "30s", "10 minutes" or "2 days"/,
  },
  {
    kind: 'config',
    name: 'an IMS URL that is not a URL',
    argv: () => plan(config((raw) => void (adobe(raw).imsUrl = 'ims-na1'))),
    code: 2,
    says: /adobe\.imsUrl: expected an http\(s\) URL such as https:\/\/platform\.adobe\.io/,
  },
  {
    kind: 'config',
    name: 'an ftp platform URL',
    argv: () => plan(config((raw) => void (adobe(raw).platformUrl = 'ftp://platform.adobe.io'))),
    code: 2,
    says: /adobe\.platformUrl: expected an http\(s\) URL/,
  },
  {
    kind: 'config',
    name: 'no scopes',
    argv: () => plan(config((raw) => void (adobe(raw).scopes = []))),
    code: 2,
    says: /adobe\.scopes: expected at least one OAuth scope/,
  },
  {
    kind: 'config',
    name: 'a list visibility window that is not a duration',
    argv: () => plan(config((raw) => void (adobe(raw).listVisibilityWindow = 'soon'))),
    code: 2,
    says: /adobe\.listVisibilityWindow: expected a duration/,
  },
  {
    kind: 'config',
    name: 'an SFMC concurrency of 0',
    argv: () => plan(config((raw) => void (section(raw, 'sfmc').concurrency = 0))),
    code: 2,
    says: /sfmc\.concurrency: Too small: expected number to be >=1/,
  },
  {
    kind: 'config',
    name: 'an SFMC concurrency of 50,000',
    argv: () => plan(config((raw) => void (section(raw, 'sfmc').concurrency = 50_000))),
    code: 2,
    says: /sfmc\.concurrency: Too big: expected number to be <=10000/,
  },
  {
    kind: 'config',
    name: 'an SFMC first-run timeout that is not a duration',
    argv: () => plan(config((raw) => void (section(raw, 'sfmc').firstRunTimeout = 'two hours please'))),
    code: 2,
    says: /sfmc\.firstRunTimeout: expected a duration/,
  },
  {
    kind: 'config',
    name: 'the SFMC REST URI as base endpoint',
    argv: () =>
      plan(
        config(
          (raw) =>
            void (section(raw, 'sfmc').baseEndpoint =
              `https://${DEMO_SFMC.subdomain}.rest.marketingcloudapis.com/`),
        ),
      ),
    code: 2,
    says: /Fix the config first:\n\s+- sfmc\.baseEndpoint ".*" is not the authentication base URI: use the one ending in \.auth\.marketingcloudapis\.com/,
  },
  {
    kind: 'config',
    name: 'an SFMC base endpoint that is no prefix',
    argv: () => plan(config((raw) => void (section(raw, 'sfmc').baseEndpoint = 'x'))),
    code: 2,
    says: /sfmc\.baseEndpoint "x" does not contain a valid prefix/,
  },
  {
    kind: 'config',
    name: 'an unknown Marketo target card',
    argv: () =>
      plan(
        config((raw) => void (section(raw, 'marketo').target = 'marketoV3')),
        'marketo',
      ),
    code: 2,
    says: /marketo\.target: Invalid option: expected one of "marketoV2"\|"marketoEngage"/,
  },
  {
    kind: 'config',
    name: 'an unknown person-creation mode',
    argv: () =>
      plan(
        config((raw) => void (section(raw, 'marketo').personCreation = 'always')),
        'marketo',
      ),
    code: 2,
    says: /marketo\.personCreation: Invalid option: expected one of "match-only"\|"create-missing"/,
  },
  {
    kind: 'config',
    name: 'an additional attribute without a destination',
    argv: () =>
      plan(
        config((raw) => void (section(raw, 'marketo').additionalAttributes = [{ source: 'person.title' }])),
        'marketo',
      ),
    code: 2,
    says: /marketo\.additionalAttributes\[0\]\.destination: Invalid input: expected string/,
  },
  {
    kind: 'config',
    name: 'a malformed Munchkin ID',
    argv: () =>
      plan(
        config((raw) => void (section(raw, 'marketo').munchkinId = '123ABC456')),
        'marketo',
      ),
    code: 2,
    says: /marketo\.munchkinId: .*123-ABC-456/,
  },
  {
    kind: 'config',
    name: 'a Marketo client id with a space inside',
    argv: () =>
      plan(
        config((raw) => void (section(raw, 'marketo').clientId = 'abc def')),
        'marketo',
      ),
    code: 2,
    says: /marketo\.clientId: .*space/,
  },
  {
    kind: 'config',
    name: 'no marketo section for a Marketo plan',
    argv: () =>
      plan(
        config((raw) => void delete (raw as Record<string, unknown>).marketo),
        'marketo',
      ),
    code: 2,
    says: /marketo: the section is missing; add munchkinId, clientId and clientSecret/,
  },
  {
    kind: 'config',
    name: 'a Sales Connect instance id with spaces',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config((raw) => void (section(raw, 'salesConnect').instanceId = 'sc demo')),
    ],
    code: 2,
    says: /salesConnect\.instanceId: expected the instance id as the gateway names it/,
  },
  {
    kind: 'config',
    name: 'an unknown Sales Connect gateway type',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config((raw) => void (section(raw, 'salesConnect').gateway = { type: 'soap' })),
    ],
    code: 2,
    says: /salesConnect\.gateway(\.type)?: expected \{type: http, baseUrl: https:\/\/…, apiKey\?: env:NAME\} \(a bridge\) or \{type: manual\}/,
  },
  {
    kind: 'config',
    name: 'a one-minute wait against a real bridge',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config(
        (raw) =>
          void Object.assign(section(raw, 'salesConnect'), {
            gateway: { type: 'http', baseUrl: 'https://bridge.example.com' },
            provisioningDelay: '1 minute',
          }),
      ),
    ],
    code: 2,
    says: /salesConnect\.provisioningDelay: Adobe asks for at least 10 minutes/,
  },
  {
    kind: 'config',
    name: 'a remote bridge marked simulated',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config(
        (raw) =>
          void (section(raw, 'salesConnect').gateway = {
            type: 'http',
            baseUrl: 'https://bridge.example.com',
            simulated: true,
          }),
      ),
    ],
    code: 2,
    says: /salesConnect\.gateway\.simulated: only the simulator on this machine .* may be marked simulated/,
  },
  {
    kind: 'config',
    name: 'a user without a valid e-mail',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config((raw) => void (section(raw, 'salesConnect').users = [{ email: 'ben' }])),
    ],
    code: 2,
    says: /salesConnect\.users\[0\]\.email: expected an e-mail address/,
  },
  {
    kind: 'config',
    name: 'a user listed twice in different case',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config(
        (raw) =>
          void (section(raw, 'salesConnect').users = [
            { email: 'ben.seller@demo.example' },
            { email: 'Ben.Seller@demo.example', workspace: 'EMEA' },
          ]),
      ),
    ],
    code: 2,
    says: /salesConnect\.users\[1\]\.email: user "Ben\.Seller@demo\.example" is listed twice/,
  },
  {
    kind: 'config',
    name: 'an invitation batch of 500',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config((raw) => void (section(raw, 'salesConnect').batchSize = 500)),
    ],
    code: 2,
    says: /salesConnect\.batchSize: Too big: expected number to be <=100/,
  },
  {
    kind: 'config',
    name: 'Salesforce facts without isProduction',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config((raw) => void delete section(raw, 'salesforce').isProduction),
    ],
    code: 2,
    says: /salesforce\.isProduction: Invalid input: expected boolean/,
  },
  {
    kind: 'config',
    name: 'no salesConnect section for a Sales Connect plan',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config((raw) => void delete (raw as Record<string, unknown>).salesConnect),
    ],
    code: 2,
    says: /salesConnect: the section is missing; add instanceId and gateway/,
  },
  {
    kind: 'config',
    name: 'a cron expression with six stars too many',
    argv: () => [
      'ingestion',
      'sync',
      '--dry-run',
      '--config',
      config(schedule({ cron: ['* * * * * * * * * * * *'] })),
    ],
    code: 2,
    says: /ingestion\.schedules\[0\]\.cron\[0\]: schedule "prod-sfmc": cron "\* \* .*" is not one Temporal accepts: it has 12 field\(s\)/,
  },
  {
    kind: 'config',
    name: 'a cron minute of 61',
    argv: () => ['ingestion', 'sync', '--dry-run', '--config', config(schedule({ cron: ['61 * * * *'] }))],
    code: 2,
    says: /schedule "prod-sfmc": cron "61 \* \* \* \*" is not one Temporal accepts: minute "61": 61 is outside 0-59/,
  },
  {
    kind: 'config',
    name: 'a 0s interval',
    argv: () => ['ingestion', 'sync', '--dry-run', '--config', config(schedule({ interval: '0s' }))],
    code: 2,
    says: /ingestion\.schedules\[0\]\.interval: schedule "prod-sfmc": the interval is both the window length and how often runs start, so it must be at least 1 second/,
  },
  {
    kind: 'config',
    name: 'flows naming a sandbox and a migration',
    argv: () => [
      'ingestion',
      'sync',
      '--dry-run',
      '--config',
      config(schedule({ flows: { sandbox: 'prod', migration: 'sfmc-migration/x' } })),
    ],
    code: 2,
    says: /ingestion\.schedules\[0\]\.flows: give sandbox or migration, not both: write either \{sandbox: prod\}/,
  },
  {
    kind: 'config',
    name: 'flow ids without their sandbox',
    argv: () => [
      'ingestion',
      'sync',
      '--dry-run',
      '--config',
      config(schedule({ flows: { flowIds: ['f-1'] } })),
    ],
    code: 2,
    says: /ingestion\.schedules\[0\]\.flows: say which dataflows: write either \{sandbox: prod\}/,
  },
  {
    kind: 'config',
    name: 'no flows at all',
    argv: () => ['ingestion', 'sync', '--dry-run', '--config', config(schedule({ flows: {} }))],
    code: 2,
    says: /flows: say which dataflows/,
  },
  {
    kind: 'config',
    name: 'two schedules with one name',
    argv: () => [
      'ingestion',
      'sync',
      '--dry-run',
      '--config',
      config(
        (raw) =>
          void (raw.ingestion = {
            schedules: [
              { name: 'hourly', flows: { sandbox: 'prod' }, interval: '1 hour' },
              { name: 'hourly', flows: { sandbox: 'dev' }, interval: '1 hour' },
            ],
          }),
      ),
    ],
    code: 2,
    says: /ingestion\.schedules\[1\]\.name: schedule "hourly" is listed twice/,
  },
  {
    kind: 'config',
    name: 'an upper-case schedule name',
    argv: () => ['ingestion', 'sync', '--dry-run', '--config', config(schedule({ name: 'Prod' }))],
    code: 2,
    says: /ingestion\.schedules\[0\]\.name: expected a lower-case name such as "prod-sfmc"/,
  },
  {
    kind: 'config',
    name: 'a Temporal address without a port',
    argv: () => [
      'status',
      '--config',
      config((raw) => void (raw.temporal = { address: 'temporal.example.com' })),
    ],
    code: 2,
    says: /temporal\.address: expected host:port, e\.g\. 127\.0\.0\.1:9464/,
  },
  {
    kind: 'config',
    name: 'a client certificate without its key',
    argv: () => [
      'status',
      '--config',
      config((raw) => void (raw.temporal = { tls: { clientCert: 'file:client.pem' } })),
    ],
    code: 2,
    says: /temporal\.tls: clientCert and clientKey must be given together for mTLS/,
  },
  {
    kind: 'config',
    name: 'an unknown log level',
    argv: () => plan(config((raw) => void (raw.worker = { logLevel: 'LOUD' }))),
    code: 2,
    says: /worker\.logLevel: Invalid option: expected one of "TRACE"\|"DEBUG"\|"INFO"\|"WARN"\|"ERROR"/,
  },
  {
    kind: 'config',
    name: 'a metrics address without a port',
    argv: () => plan(config((raw) => void (raw.worker = { metricsAddress: '0.0.0.0' }))),
    code: 2,
    says: /worker\.metricsAddress: expected host:port/,
  },
  {
    kind: 'config',
    name: 'an allow-list that is not a list',
    argv: () => plan(config((raw) => void (raw.secrets = { allowFilesIn: '/etc' }))),
    code: 2,
    says: /secrets\.allowFilesIn: Invalid input: expected array, received string/,
  },

  // --- secret references ------------------------------------------------------------------------
  {
    kind: 'secret',
    name: 'an environment variable this shell lacks',
    argv: () => plan(config((raw) => void (adobe(raw).clientSecret = 'env:CUTOVER_CORPUS_UNSET'))),
    code: 2,
    says: /env:CUTOVER_CORPUS_UNSET points to an environment variable that is not set in this shell \(the cutover CLI resolves it for this command\)\. Set CUTOVER_CORPUS_UNSET before running cutover/,
  },
  {
    kind: 'secret',
    name: 'a file: reference to a missing file',
    argv: () => plan(config((raw) => void (adobe(raw).clientSecret = 'file:no-such-secret'))),
    code: 2,
    says: /file:.*no-such-secret cannot be read in this shell .* \(ENOENT\)\. Create the file or fix the path/,
  },
  {
    kind: 'secret',
    name: 'a file: reference outside the config folder',
    argv: () =>
      plan(config((raw) => void (adobe(raw).clientSecret = `file:../${path.basename(dir)}-outside`))),
    code: 2,
    says: /points outside the config file's folder .*, so it was not read\. Keep secret files next to the config, or list their folder in secrets\.allowFilesIn/,
  },
  {
    kind: 'secret',
    name: 'a symbolic link out of the config folder',
    argv: () => plan(config((raw) => void (adobe(raw).clientSecret = 'file:link'))),
    code: 2,
    says: /file:.*link points outside the config file's folder/,
  },
  {
    kind: 'secret',
    name: 'an empty secret file',
    argv: () => plan(config((raw) => void (adobe(raw).clientSecret = 'file:empty-secret'))),
    code: 2,
    says: /The secret in file .*empty-secret is empty/,
  },
  {
    kind: 'secret',
    name: 'a file: reference to a folder',
    argv: () => plan(config((raw) => void (adobe(raw).clientSecret = 'file:a-folder'))),
    code: 2,
    says: /file:.*a-folder cannot be read in this shell .* \(EISDIR\)/,
  },
  {
    kind: 'secret',
    name: 'an empty environment variable',
    argv: () => plan(config()),
    env: { CUTOVER_TEST_ADOBE_SECRET: '   ' },
    code: 2,
    says: /The secret in environment variable CUTOVER_TEST_ADOBE_SECRET is empty/,
  },
  {
    kind: 'secret',
    name: 'a Marketo secret this shell lacks',
    argv: () =>
      plan(
        config((raw) => void (section(raw, 'marketo').clientSecret = 'env:CUTOVER_CORPUS_NO_MARKETO')),
        'marketo',
      ),
    code: 2,
    says: /env:CUTOVER_CORPUS_NO_MARKETO .* not set in this shell/,
  },

  // --- command-line usage -----------------------------------------------------------------------
  {
    kind: 'usage',
    name: 'an unknown command',
    argv: () => ['migrate'],
    code: 2,
    says: /cutover: unknown command "migrate"/,
  },
  { kind: 'usage', name: 'no command at all', argv: () => [], code: 2, says: /Usage: cutover <command>/ },
  {
    kind: 'usage',
    name: 'sfmc without plan or run',
    argv: () => ['sfmc'],
    code: 2,
    says: /cutover sfmc: expected "plan" or "run", got ""/,
  },
  {
    kind: 'usage',
    name: 'marketo with an unknown subcommand',
    argv: () => ['marketo', 'apply'],
    code: 2,
    says: /cutover marketo: expected "plan" or "run", got "apply"/,
  },
  {
    kind: 'usage',
    name: 'an unknown flag',
    argv: () => ['sfmc', 'plan', '--sandboxes', 'prod'],
    code: 2,
    says: /cutover sfmc plan: Unknown option '--sandboxes'/,
  },
  {
    kind: 'usage',
    name: 'a sandbox the config does not list',
    argv: () => ['sfmc', 'plan', '--config', config(), '--sandbox', 'staging'],
    code: 2,
    says: /--sandbox staging: not in adobe\.sandboxes \(prod, dev\)/,
  },
  {
    kind: 'usage',
    name: 'a flag without its value',
    argv: () => ['marketo', 'plan', '--sandbox'],
    code: 2,
    says: /cutover marketo plan: Option '--sandbox <value>' argument missing/,
  },
  {
    kind: 'usage',
    name: 'status of an unknown kind',
    argv: () => ['status', '--kind', 'salesforce', '--config', config()],
    code: 2,
    says: /--kind: expected sfmc or marketo/,
  },
  {
    kind: 'usage',
    name: 'reject without a reason',
    argv: () => ['reject', '--config', config(), '--workflow-id', terminatedRun],
    code: 2,
    says: /cutover reject: --reason is required/,
  },
  {
    kind: 'usage',
    name: 'reject with a one-letter reason',
    argv: () => ['reject', '--config', config(), '--reason', 'x'],
    code: 2,
    says: /--reason: say why, in a few words/,
  },
  {
    kind: 'usage',
    name: 'ingestion with an unknown subcommand',
    argv: () => ['ingestion', 'run'],
    code: 2,
    says: /cutover ingestion: expected "sync" or "schedule", got "run"/,
  },
  {
    kind: 'usage',
    name: 'an unknown schedule action',
    argv: () => ['ingestion', 'schedule', 'start'],
    code: 2,
    says: /cutover ingestion schedule: expected create\|list\|describe\|pause\|unpause\|trigger\|delete\|backfill, got "start"/,
  },
  {
    kind: 'usage',
    name: 'a schedule trigger without --name',
    argv: () => ['ingestion', 'schedule', 'trigger', '--config', config(schedule({}))],
    code: 2,
    says: /--name is required: the schedule name from ingestion\.schedules/,
  },
  {
    kind: 'usage',
    name: 'a schedule the config does not list',
    argv: () => ['ingestion', 'schedule', 'pause', '--name', 'nightly', '--config', config(schedule({}))],
    code: 2,
    says: /--name nightly: not in ingestion\.schedules \(prod-sfmc\)/,
  },
  {
    kind: 'usage',
    name: 'a backfill without its period',
    argv: () => [
      'ingestion',
      'schedule',
      'backfill',
      '--name',
      'prod-sfmc',
      '--config',
      config(schedule({})),
    ],
    code: 2,
    says: /--from and --to are required \(ISO 8601 times\)/,
  },
  {
    kind: 'usage',
    name: 'a backfill from a date that is not one',
    argv: () => [
      'ingestion',
      'schedule',
      'backfill',
      '--name',
      'prod-sfmc',
      '--from',
      'yesterday',
      '--to',
      '2026-11-02T00:00:00Z',
      '--config',
      config(schedule({})),
    ],
    code: 2,
    says: /--from: expected an ISO 8601 time such as 2026-11-01T00:00:00Z/,
  },
  {
    kind: 'usage',
    name: 'sales-connect with an unknown subcommand',
    argv: () => ['sales-connect', 'invite'],
    code: 2,
    says: /cutover sales-connect: expected plan, run, confirm or status, got "invite"/,
  },
  {
    kind: 'usage',
    name: 'confirm without --step',
    argv: () => ['sales-connect', 'confirm', '--config', config()],
    code: 2,
    says: /cutover sales-connect confirm: --step is required/,
  },
  {
    kind: 'usage',
    name: 'confirm for production and sandbox at once',
    argv: () => [
      'sales-connect',
      'confirm',
      '--step',
      'salesforce-connected',
      '--production',
      '--sandbox',
      '--config',
      config(),
    ],
    code: 2,
    says: /give --production or --sandbox, not both/,
  },
  {
    kind: 'usage',
    name: 'a rejected user without a reason',
    argv: () => [
      'sales-connect',
      'confirm',
      '--step',
      'invitations-1',
      '--rejected',
      'ben@x.example',
      '--config',
      config(),
    ],
    code: 2,
    says: /--rejected\[0\]: expected EMAIL=REASON, e\.g\. dev\.ops@acme\.example=email-used-on-other-instance/,
  },
  {
    kind: 'usage',
    name: 'an already-connected user that is no e-mail',
    argv: () => [
      'sales-connect',
      'confirm',
      '--step',
      'invitations-1',
      '--already-connected',
      'ben',
      '--config',
      config(),
    ],
    code: 2,
    says: /--already-connected\[0\]: expected an e-mail address/,
  },
  {
    kind: 'usage',
    name: 'a simulator port out of range',
    argv: () => ['simulator', '--port', '99999'],
    code: 2,
    says: /--port: expected a TCP port between 1 and 65535/,
  },
  {
    kind: 'usage',
    name: 'an unknown simulator seed',
    argv: () => ['simulator', '--seed', 'huge'],
    code: 2,
    says: /--seed: expected empty, demo or large/,
  },
  {
    kind: 'usage',
    name: 'a demo port that is no number',
    argv: () => ['demo', '--port', 'abc'],
    code: 2,
    says: /--port: expected a TCP port number/,
  },
  {
    kind: 'usage',
    name: 'an unknown doctor flag',
    argv: () => ['doctor', '--verbose'],
    code: 2,
    says: /cutover doctor: Unknown option '--verbose'/,
  },
  {
    kind: 'usage',
    name: 'search-attributes with a missing config',
    argv: () => ['search-attributes', '--config', path.join(dir, 'nope.yaml')],
    code: 2,
    says: /nope\.yaml:\n\s+- cannot read the file \(ENOENT\)/,
  },
  {
    kind: 'usage',
    name: 'a worker with a missing config',
    argv: () => ['worker', '--config', path.join(dir, 'nope.yaml')],
    code: 2,
    says: /cannot read the file \(ENOENT\)/,
  },

  // --- Temporal ---------------------------------------------------------------------------------
  {
    kind: 'temporal',
    name: 'status of a workflow id that does not exist',
    argv: () => ['status', '--config', config(), '--workflow-id', 'sfmc-migration/nope'],
    code: 2,
    says: /No workflow sfmc-migration\/nope in this namespace: check --workflow-id, or leave it out/,
  },
  {
    kind: 'temporal',
    name: 'approve after the run ended',
    argv: () => ['approve', '--config', config(), '--workflow-id', terminatedRun],
    code: 2,
    says: /The run corpus-ended-\d+ has already ended \(TERMINATED\): there is nothing left to approve, reject or confirm/,
  },
  {
    kind: 'temporal',
    name: 'reject after the run ended',
    argv: () => [
      'reject',
      '--config',
      config(),
      '--workflow-id',
      terminatedRun,
      '--reason',
      'numbers look off',
    ],
    code: 2,
    says: /The run corpus-ended-\d+ has already ended \(TERMINATED\)/,
  },
  {
    kind: 'temporal',
    name: 'confirm after the run ended',
    argv: () => [
      'sales-connect',
      'confirm',
      '--config',
      config(),
      '--workflow-id',
      terminatedRun,
      '--step',
      'marketo-connected',
    ],
    code: 2,
    says: /The run corpus-ended-\d+ has already ended \(TERMINATED\)/,
  },
  {
    kind: 'temporal',
    name: 'status when no migration of the organisation runs',
    argv: () => [
      'status',
      '--kind',
      'marketo',
      '--config',
      config((raw) => void (adobe(raw).orgId = 'NOBODY0000000000000000@AdobeOrg')),
    ],
    code: 2,
    says: /No marketo migration of NOBODY0000000000000000@AdobeOrg is running; give --workflow-id for a finished one/,
  },
  {
    kind: 'temporal',
    name: 'a Temporal server that does not answer',
    argv: () => [
      'status',
      '--config',
      config((raw) => void (raw.temporal = { address: '127.0.0.1:1' })),
      '--workflow-id',
      'x',
    ],
    code: 1,
    says: /Cannot reach Temporal at 127\.0\.0\.1:1 .*Start a dev server .*or set TEMPORAL_ADDRESS \/ temporal\.address/,
  },
  {
    kind: 'temporal',
    name: 'a worker whose Temporal server does not answer',
    argv: () => [
      'worker',
      '--config',
      config((raw) => void (raw.temporal = { address: '127.0.0.1:1', taskQueue })),
    ],
    code: 1,
    says: /Cannot reach Temporal at 127\.0\.0\.1:1/,
  },
  {
    kind: 'temporal',
    name: 'a namespace the server does not have',
    argv: () => [
      'status',
      '--config',
      config((raw) => void (raw.temporal = { address: env().address, namespace: 'no-such-namespace' })),
      '--workflow-id',
      'x',
    ],
    code: 2,
    says: /Namespace no-such-namespace does not exist on this Temporal server: set temporal\.namespace/,
  },

  // --- remote APIs answering badly ---------------------------------------------------------------
  {
    kind: 'remote',
    name: 'a Flow Service list whose items are a string',
    argv: () => plan(config()),
    answers: [
      { pathMatches: flowService('connections'), status: 200, body: '{"items": "none", "_links": {}}' },
    ],
    code: 1,
    says: /flow-service GET \/connections failed \(unexpected-response\): response did not have the expected shape \(items: /,
  },
  {
    kind: 'remote',
    name: 'a Flow Service answering an HTML page',
    argv: () => plan(config()),
    answers: [
      {
        pathMatches: flowService('connections'),
        status: 200,
        body: '<html><body>Maintenance</body></html>',
        contentType: 'text/html',
      },
    ],
    code: 1,
    says: /flow-service GET \/connections failed \(unexpected-response\)/,
  },
  {
    kind: 'remote',
    name: 'a Flow Service refusing the request',
    argv: () => plan(config()),
    answers: [
      {
        pathMatches: flowService('connections'),
        status: 400,
        body: '{"type":"https://ns.adobe.com/aep/errors/FLOW-1100-400","title":"Bad Request","status":400,"report":{"detailed-message":"Invalid property filter"}}',
      },
    ],
    code: 1,
    says: /flow-service GET \/connections failed \(bad-request, HTTP 400, code FLOW-1100-400\): Bad Request: Invalid property filter/,
  },
  {
    kind: 'remote',
    name: 'an IMS token answer without access_token',
    argv: () => plan(config()),
    answers: [{ pathMatches: ims, status: 200, body: '{"token_type":"bearer","expires_in":86399}' }],
    code: 1,
    says: /adobe-ims POST \/ims\/token\/v3 failed \(unexpected-response\): response did not have the expected shape \(access_token: /,
  },
  {
    kind: 'remote',
    name: 'an IMS answering an HTML page',
    argv: () => plan(config()),
    answers: [{ pathMatches: ims, status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' }],
    code: 1,
    says: /adobe-ims POST \/ims\/token\/v3 failed \(server, HTTP 502\)/,
  },
  {
    kind: 'remote',
    name: 'an IMS refusing the client',
    argv: () => plan(config()),
    answers: [
      {
        pathMatches: ims,
        status: 401,
        body: '{"error":"invalid_client","error_description":"invalid client"}',
      },
    ],
    code: 1,
    says: /adobe-ims POST \/ims\/token\/v3 failed \(unauthorized, HTTP 401.*adobe\.clientId/,
  },
  {
    kind: 'remote',
    name: 'an IMS echoing the request, secret and all',
    argv: () => plan(config()),
    answers: [
      {
        pathMatches: ims,
        status: 400,
        body: '{"error":"invalid_request","error_description":"could not use {request}"}',
        echoRequest: true,
      },
    ],
    code: 1,
    says: /adobe-ims POST \/ims\/token\/v3 failed \(bad-request, HTTP 400.*could not use grant_type=client_credentials&client_id=.*client_secret=\[redacted\]/,
  },
  {
    kind: 'remote',
    name: 'an IMS echoing each credential back in base64',
    argv: () => plan(config()),
    answers: [
      {
        pathMatches: ims,
        status: 401,
        body: '{"error":"invalid_client","error_description":"rejected {request}"}',
        echoRequest: 'base64-fields',
      },
    ],
    code: 1,
    // The leak check after each case looks for the secret's base64 (YWRvYmUgczNjciF0KHgpfid5ICt6Lz0/Jg==) too.
    says: /adobe-ims POST \/ims\/token\/v3 failed \(unauthorized, HTTP 401.*rejected grant_type=Y2xpZW50X2NyZWRlbnRpYWxz&client_id=Y3V0b3Zlci1kZW1vLWNsaWVudA==&client_secret=/,
  },
  {
    kind: 'remote',
    name: 'a sandbox the organisation does not have',
    argv: () => plan(config((raw) => void (adobe(raw).sandboxes = [{ name: 'staging' }]))),
    code: 1,
    says: /Sandbox "staging" is not one of this organisation's .*: check the name in adobe\.sandboxes against Adobe Admin Console > Sandboxes/,
  },
  {
    kind: 'remote',
    name: 'Marketo saying the token is invalid (601)',
    argv: () => plan(config(), 'marketo'),
    answers: [
      {
        pathMatches: /\/rest\/v1\/leads\/describe\.json$/,
        status: 200,
        body: '{"requestId":"1","success":false,"errors":[{"code":"601","message":"Access token invalid"}]}',
      },
    ],
    code: 1,
    says: /marketo .*describe.* failed \(unauthorized.*code 601/,
  },
  {
    kind: 'remote',
    name: 'Marketo out of daily quota (607)',
    argv: () => plan(config(), 'marketo'),
    answers: [
      {
        pathMatches: /\/rest\/v1\/leads\/describe\.json$/,
        status: 200,
        body: '{"requestId":"1","success":false,"errors":[{"code":"607","message":"Daily quota reached"}]}',
      },
    ],
    code: 1,
    says: /marketo .*describe.* failed \(quota-exhausted.*code 607/,
  },
  {
    kind: 'remote',
    name: 'an SFMC package without Data Extensions: Read',
    argv: () => plan(config()),
    answers: [
      {
        pathMatches: /\/v2\/token$/,
        status: 200,
        body: '{"access_token":"t","token_type":"Bearer","expires_in":1079,"scope":"email_read","rest_instance_url":"http://127.0.0.1:1/","soap_instance_url":"http://127.0.0.1:1/"}',
      },
    ],
    code: 1,
    says: /BLOCKED: SFMC V2 credentials: .*Data Extensions: Read/,
  },
  {
    kind: 'remote',
    name: 'SFMC refusing the client',
    argv: () => plan(config()),
    answers: [
      {
        pathMatches: /\/v2\/token$/,
        status: 401,
        body: '{"error":"invalid_client","error_description":"Client authentication failed."}',
      },
    ],
    code: 1,
    says: /sfmc POST \/v2\/token failed \(unauthorized, HTTP 401.*sfmc\.clientId/,
  },
  {
    kind: 'remote',
    name: 'a Sales Connect bridge refusing the API key',
    argv: () => ['sales-connect', 'plan', '--config', config()],
    answers: [
      {
        pathMatches: /\/sales-connect\//,
        status: 401,
        body: '{"error":{"code":"unauthorized","message":"bad key"}}',
      },
    ],
    code: 1,
    says: /sales-connect GET .* failed \(unauthorized, HTTP 401.*salesConnect\.gateway\.apiKey/,
  },
  {
    kind: 'remote',
    name: 'a Sales Connect bridge not knowing the instance',
    argv: () => [
      'sales-connect',
      'plan',
      '--config',
      config((raw) => void (section(raw, 'salesConnect').instanceId = 'sc-unknown')),
    ],
    code: 1,
    says: /sales-connect GET \/v1\/instances\/sc-unknown\/.* failed \(not-found, HTTP 404, code instance-not-found.*Check the Sales Connect instance id/,
  },
  {
    kind: 'remote',
    name: 'a Marketo V1 base connection on another Munchkin ID',
    argv: () =>
      plan(
        config(
          (raw) =>
            void Object.assign(section(raw, 'marketo'), {
              munchkinId: '999-XYZ-999',
              baseUrl: `${proxy.baseUrl}/marketo/${DEMO_MARKETO.munchkinId}`,
            }),
        ),
        'marketo',
      ),
    code: 1,
    says: /BLOCKED: prod: V1 base connection "Marketo Engage \(V1\)" .* exports to Marketo 123-ABC-456, but marketo\.munchkinId is 999-XYZ-999/,
  },
];

describe('the operator-mistake corpus', () => {
  it('holds at least 100 cases of every kind', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
    const byKind = Object.fromEntries(
      (['config', 'secret', 'usage', 'temporal', 'remote'] as const).map((kind) => [
        kind,
        CASES.filter((entry) => entry.kind === kind).length,
      ]),
    );
    expect(
      Object.values(byKind).every((count) => count > 0),
      JSON.stringify(byKind),
    ).toBe(true);
  });

  it.each(CASES.map((entry) => [`${entry.kind}: ${entry.name}`, entry] as const))(
    '%s',
    async (_name, entry) => {
      for (const [name, value] of Object.entries({ ...SECRETS, ...entry.env })) vi.stubEnv(name, value);
      proxy.corrupt(entry.answers ?? []);
      const writesBefore = remoteWrites(simulator);
      let result: Awaited<ReturnType<typeof runCli>>;
      try {
        result = await runCli(entry.argv());
      } finally {
        proxy.clear();
        vi.unstubAllEnvs();
      }
      const text = `${result.err}\n${result.out}`;
      expect(result.code, text).toBe(entry.code);
      expect(text).toMatch(entry.says);
      expect(text, 'no stack frame').not.toMatch(/\n\s+at \S+ \(|\n\s+at (async )?\S+:\d+:\d+/);
      const leaked = Object.values(SECRETS)
        .flatMap((secret) => secretSpellings(secret))
        .filter((spelling) => text.includes(spelling));
      expect(leaked, 'secrets in the output').toEqual([]);
      expect(text).not.toContain('outside-contents');
      expect(remoteWrites(simulator), 'writes that reached the simulator').toEqual(writesBefore);
    },
  );
});
