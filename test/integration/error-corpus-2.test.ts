/**
 * The second bad-input corpus, none of it from the first: config files that
 * parsers read differently than a person does, remotes answering what their
 * API never documents (by a small local proxy), Temporal misconfigured,
 * broken data at the source, and secrets with non-ASCII, quotes and newlines
 * echoed back. Each case asserts the exit code, the named cause, no stack
 * trace, no "fault in cutover" for a person's mistake, no secret in any
 * spelling, and nothing written to the remote.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { freePort } from '../../src/temporal/free-port';
import { TEST_SECRETS, adminDelete } from '../support/cutover-config';
import { runCli } from '../support/cli';
import { expectExplained, proxiedConfig, remoteWrites, type Refusal } from '../support/corpus';
import {
  startCorruptingProxy,
  type CorruptedAnswer,
  type CorruptingProxy,
} from '../support/corrupting-proxy';
import { collect, demoAdobeClients } from '../support/simulator';
import { useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
/** Survives every escape a remote may write unchanged: no output may hold it. */
const MARKER = `m${crypto.randomBytes(8).toString('hex')}`;
const ECHOED_SECRET = `p€ss "q" 'r'\n<${MARKER}>&\\`;
const SECRETS = { ...TEST_SECRETS, CUTOVER_TEST_ADOBE_SECRET: ECHOED_SECRET };
const taskQueue = uniqueTaskQueue('corpus-2');
let simulator: RunningSimulator;
let proxy: CorruptingProxy;
let dir: string;
const vanished = { source: '', mapping: '', target: '' };

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  proxy = await startCorruptingProxy(simulator.baseUrl);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-corpus-2-'));
});
afterAll(async () => {
  await proxy.close();
  await simulator.close();
});

type Raw = Record<string, unknown>;

const baseConfig = (): Raw => proxiedConfig(simulator, proxy, { taskQueue, address: env().address });

let files = 0;
function write(content: string | Buffer, name = `config-${++files}.yaml`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
const config = (change: (raw: Raw) => void = () => {}) => {
  const raw = structuredClone(baseConfig());
  change(raw);
  return write(YAML.stringify(raw));
};
/** The base config as YAML text, with one line replaced by hand: what a person types. */
const edited = (replace: (yaml: string) => string) => write(replace(YAML.stringify(baseConfig())));
const adobe = (raw: Raw) => raw.adobe as Record<string, unknown>;
const section = (raw: Raw, name: string) => raw[name] as Record<string, unknown>;
const plan = (file: string, kind = 'sfmc') => [kind, 'plan', '--config', file, '--sandbox', 'prod'];
const ims = /\/ims\/token\/v3$/;
const flows = /\/flowservice\/flows$/;
const codecKey = (bytes: number) => crypto.randomBytes(bytes).toString('base64');

type Kind = 'config-encoding' | 'remote' | 'temporal' | 'source-data' | 'secret' | 'usage';
interface Case extends Refusal {
  kind: Kind;
  name: string;
  argv: () => string[] | Promise<string[]>;
  answers?: CorruptedAnswer[];
  env?: Record<string, string>;
}

const html = (title: string) =>
  `<!DOCTYPE html><html><head><title>${title}</title></head><body>Sign in</body></html>`;

const CASES: Case[] = [
  // --- config files a parser reads differently than a person --------------------------------------
  {
    kind: 'config-encoding',
    name: 'a UTF-16 file (as Windows Notepad saves it)',
    argv: () => plan(write(Buffer.from(`\ufeff${YAML.stringify(baseConfig())}`, 'utf16le'))),
    code: 2,
    says: /the file is UTF-16 \(as Windows Notepad saves "Unicode"\): save it as UTF-8/,
  },
  {
    kind: 'config-encoding',
    name: 'a Latin-1 file with an accented sandbox label',
    argv: () =>
      plan(
        write(Buffer.from(YAML.stringify(baseConfig()).replace('prod', 'prod') + '# caf\xe9\n', 'latin1')),
      ),
    code: 2,
    says: /the file is not UTF-8 \(line \d+ holds a character saved as Latin-1 or Windows-1252.*\): save it as UTF-8/,
  },
  {
    kind: 'config-encoding',
    name: 'tabs for indentation',
    argv: () => plan(edited((yaml) => yaml.replace(/\n {2}orgId/, '\n\torgId'))),
    code: 2,
    says: /not valid YAML: Tabs are not allowed as indentation at line \d+/,
  },
  {
    kind: 'config-encoding',
    name: 'a key given twice',
    argv: () => plan(edited((yaml) => yaml.replace(/\nadobe:\n/, '\nadobe:\n  orgId: OTHER@AdobeOrg\n'))),
    code: 2,
    says: /not valid YAML: Map keys must be unique at line \d+/,
  },
  {
    kind: 'config-encoding',
    name: 'autoApprove: yes (a string in YAML 1.2, not true)',
    argv: () => plan(edited((yaml) => yaml.replace(/autoApprove: true/, 'autoApprove: yes'))),
    code: 2,
    says: /autoApprove: expected true or false, received the text "yes" \(YAML 1\.2 reads yes\/no\/on\/off as text\): write true or false/,
  },
  {
    kind: 'config-encoding',
    name: 'a Munchkin ID YAML reads as a number',
    argv: () =>
      plan(
        config((raw) => void (section(raw, 'marketo').munchkinId = 123456)),
        'marketo',
      ),
    code: 2,
    says: /marketo\.munchkinId: .*(string|quotes)/,
  },
  {
    kind: 'config-encoding',
    name: 'a duration written as a bare number',
    argv: () => plan(config((raw) => void (adobe(raw).listVisibilityWindow = 2))),
    code: 2,
    says: /adobe\.listVisibilityWindow: expected text, received the number 2: write it in quotes \("2"\), with a unit/,
  },
  {
    kind: 'config-encoding',
    name: 'JSON with a trailing comma',
    argv: () =>
      plan(write(`${JSON.stringify(baseConfig(), null, 2).replace(/\n}$/, ',\n}')}`, `c-${++files}.json`)),
    code: 2,
    says: /not valid JSON \(line \d+, column \d+\): .*JSON allows no comments and no trailing commas/,
  },
  {
    kind: 'config-encoding',
    name: 'JSON with a comment',
    argv: () => plan(write(`// my config\n${JSON.stringify(baseConfig(), null, 2)}`, `c-${++files}.json`)),
    code: 2,
    says: /not valid JSON \(line 1\): .*JSON allows no comments/,
  },
  {
    kind: 'config-encoding',
    name: 'YAML in a file named .json',
    argv: () => plan(write(YAML.stringify(baseConfig()), `c-${++files}.json`)),
    code: 2,
    says: /(JSON|parse)/i,
  },
  {
    kind: 'config-encoding',
    name: 'a key with a trailing space',
    argv: () => plan(edited((yaml) => yaml.replace(/\nadobe:/, '\n"adobe ":'))),
    code: 2,
    says: /\(top level\): unknown field\(s\) "adobe "; remove them or check the spelling/,
  },
  {
    kind: 'config-encoding',
    name: 'a sandbox name with a non-breaking space',
    argv: () => plan(config((raw) => void (adobe(raw).sandboxes = [{ name: 'prod\u00a0' }]))),
    code: 2,
    says: /adobe\.sandboxes\[0\]\.name/,
  },
  {
    kind: 'config-encoding',
    name: 'a secret reference with curly quotes pasted around it',
    argv: () =>
      plan(config((raw) => void (adobe(raw).clientSecret = '\u201cenv:CUTOVER_TEST_ADOBE_SECRET\u201d'))),
    code: 2,
    says: /adobe\.clientSecret/,
  },
  {
    kind: 'config-encoding',
    name: 'an org id with a zero-width space inside',
    argv: () =>
      plan(
        config(
          (raw) =>
            void (adobe(raw).orgId =
              `${String(adobe(raw).orgId).slice(0, 4)}\u200b${String(adobe(raw).orgId).slice(4)}`),
        ),
      ),
    code: 2,
    says: /adobe\.orgId/,
  },

  // --- remotes answering what their API never documents ---------------------------------------------
  ...(
    [
      ['IMS', ims, 'sfmc'],
      ['the Flow Service', flows, 'sfmc'],
      ['Marketo', /\/rest\/v1\/leads\/describe\.json$/, 'marketo'],
      ['SFMC', /\/v2\/token$/, 'sfmc'],
    ] as const
  ).flatMap(([who, route, kind]): Case[] => [
    {
      kind: 'remote',
      name: `${who} answering a login page with 200`,
      argv: () => plan(config(), kind),
      answers: [
        { pathMatches: route, status: 200, body: html('Corporate proxy sign-in'), contentType: 'text/html' },
      ],
      code: 1,
      says: /an HTML page \("Corporate proxy sign-in"\), not the JSON this API answers with; check that http:\/\/127\.0\.0\.1:\d+\S* is the API's address/,
    },
    {
      kind: 'remote',
      name: `${who} answering 200 with text that is not JSON`,
      argv: () => plan(config(), kind),
      answers: [{ pathMatches: route, status: 200, body: 'OK', contentType: 'text/plain' }],
      code: 1,
      says: /text that is not JSON \("OK"\)/,
    },
    {
      kind: 'remote',
      name: `${who} answering 200 with nothing`,
      argv: () => plan(config(), kind),
      answers: [{ pathMatches: route, status: 200, body: '' }],
      code: 1,
      says: /an empty answer, not the JSON/,
    },
    {
      kind: 'remote',
      name: `${who} redirecting elsewhere`,
      argv: () => plan(config(), kind),
      answers: [
        { pathMatches: route, status: 302, body: '', headers: { location: 'https://login.example.com/sso' } },
      ],
      code: 1,
      says: /redirected to https:\/\/login\.example\.com\/sso, which cutover does not follow/,
    },
  ]),
  {
    kind: 'remote',
    name: 'a platform URL where nothing listens',
    argv: async () => {
      const closed = await freePort();
      return plan(config((raw) => void (adobe(raw).platformUrl = `http://127.0.0.1:${closed}`)));
    },
    code: 1,
    says: /connection failed \(ECONNREFUSED\) to http:\/\/127\.0\.0\.1:\d+/,
  },
  {
    kind: 'remote',
    name: 'an IMS URL on a host that does not exist',
    argv: () => plan(config((raw) => void (adobe(raw).imsUrl = 'http://ims.invalid'))),
    code: 1,
    says: /connection failed \(ENOTFOUND\) to http:\/\/ims\.invalid/,
  },
  {
    kind: 'remote',
    name: 'https to a server that speaks http',
    argv: () =>
      plan(config((raw) => void (adobe(raw).imsUrl = `${proxy.baseUrl.replace('http:', 'https:')}/ims`))),
    code: 1,
    says: /connection failed \(.*\) to https:\/\/127\.0\.0\.1:\d+\/ims/,
  },
  {
    kind: 'remote',
    name: 'IMS granting a token without access_token',
    argv: () => plan(config()),
    answers: [{ pathMatches: ims, status: 200, body: '{"token_type":"bearer","expires_in":86399}' }],
    code: 1,
    says: /adobe-ims POST \/ims\/token\/v3 .*access_token/,
  },
  {
    kind: 'remote',
    name: 'a Flow Service 401 in Adobe gateway words',
    argv: () => plan(config()),
    answers: [
      {
        pathMatches: flows,
        status: 401,
        body: '{"error_code":"401013","message":"Oauth token is not valid"}',
      },
    ],
    code: 1,
    says: /flow-service GET \/flows failed \(unauthorized, HTTP 401/,
  },
  {
    kind: 'remote',
    name: 'a Flow Service 403 with no body',
    argv: () => plan(config()),
    answers: [{ pathMatches: flows, status: 403, body: '' }],
    code: 1,
    says: /flow-service GET \/flows failed \(forbidden, HTTP 403/,
  },

  // --- Temporal misconfigured ------------------------------------------------------------------------
  {
    kind: 'temporal',
    name: 'a codec key of 16 bytes',
    argv: () => [
      'status',
      '--config',
      config((raw) => void (raw.codec = { keys: [{ id: 'k1', key: 'env:CORPUS2_KEY' }] })),
      '--workflow-id',
      'x',
    ],
    env: { CORPUS2_KEY: codecKey(16) },
    code: 2,
    says: /codec key "k1" .*16 bytes, but AES-256 needs exactly 32/i,
  },
  {
    kind: 'temporal',
    name: 'a codec key that is not base64',
    argv: () => [
      'status',
      '--config',
      config((raw) => void (raw.codec = { keys: [{ id: 'k1', key: 'env:CORPUS2_KEY' }] })),
      '--workflow-id',
      'x',
    ],
    env: { CORPUS2_KEY: 'not base64 at all!' },
    code: 2,
    says: /codec key "k1" .*is not base64/i,
  },
  {
    kind: 'temporal',
    name: 'a codec key id that is a path',
    argv: () => [
      'status',
      '--config',
      config((raw) => void (raw.codec = { keys: [{ id: 'keys/2025', key: 'env:CORPUS2_KEY' }] })),
      '--workflow-id',
      'x',
    ],
    env: { CORPUS2_KEY: codecKey(32) },
    code: 2,
    says: /codec\.keys\[0\]\.id: expected a key id/,
  },
  {
    kind: 'temporal',
    name: 'a current key id the ring lacks',
    argv: () => [
      'status',
      '--config',
      config((raw) => void (raw.codec = { keys: [{ id: 'a', key: 'env:CORPUS2_KEY' }], currentKeyId: 'b' })),
      '--workflow-id',
      'x',
    ],
    env: { CORPUS2_KEY: codecKey(32) },
    code: 2,
    says: /codec\.currentKeyId: currentKeyId "b" is not one of the key ids/,
  },
  {
    kind: 'temporal',
    name: 'a TLS CA file that does not exist, for the CLI',
    argv: () => [
      'status',
      '--config',
      config(
        (raw) =>
          void (raw.temporal = {
            address: env().address,
            tls: { serverRootCaCert: `file:${dir}/no-ca.pem` },
          }),
      ),
      '--workflow-id',
      'x',
    ],
    code: 2,
    says: /no-ca\.pem cannot be read .*\(ENOENT\)/,
  },
  {
    kind: 'temporal',
    name: 'an address with a scheme',
    argv: () => [
      'status',
      '--config',
      config((raw) => void (raw.temporal = { address: `http://${env().address}` })),
      '--workflow-id',
      'x',
    ],
    code: 2,
    says: /temporal\.address/,
  },

  // --- broken data at the source ---------------------------------------------------------------------
  {
    kind: 'source-data',
    name: 'a V1 whose source connection was deleted',
    argv: async () => {
      await vanish();
      return [...plan(config()), '--json'];
    },
    code: 0,
    says: /"reason": "v1-source-missing"/,
  },
  {
    kind: 'source-data',
    name: 'a V1 whose mapping set was deleted',
    argv: async () => {
      await vanish();
      return plan(config());
    },
    code: 0,
    says: /SFMC Campaign to AEP\s+skip \(v1-mapping-missing\)/,
  },
  {
    kind: 'source-data',
    name: 'a Marketo V1 whose target connection was deleted',
    argv: async () => {
      await vanish();
      return plan(config(), 'marketo');
    },
    code: 0,
    says: /Marketo V1 - Newsletter audiences\s+skip \(v1-target-connection-missing\)/,
  },
  {
    kind: 'source-data',
    name: 'a flow list whose item has no id',
    argv: () => plan(config()),
    answers: [{ pathMatches: flows, status: 200, body: '{"items":[{"name":"no id"}]}' }],
    code: 1,
    says: /flow-service GET \/flows .*expected shape.*items\[0\]\.id/,
  },

  // --- secrets with non-ASCII, quotes and newlines, echoed back ---------------------------------------
  ...(
    [
      [
        'as it was sent (form-encoded)',
        true,
        '{"error":"invalid_client","error_description":"bad request {request}"}',
      ],
      [
        'as Python json.dumps writes it',
        'python-json',
        '{"error":"invalid_client","error_description":"bad request {request}"}',
      ],
    ] as const
  ).flatMap(([how, echo, body]): Case[] =>
    (['sfmc', 'marketo'] as const).map((kind) => ({
      kind: 'secret',
      name: `IMS echoing the secret ${how}, for a ${kind} plan`,
      argv: () => plan(config(), kind),
      answers: [{ pathMatches: ims, status: 401, body, echoRequest: echo }],
      code: 1,
      says: /adobe-ims POST \/ims\/token\/v3 failed \(unauthorized, HTTP 401/,
    })),
  ),
  ...(
    [
      [
        'in an HTML error page as entities',
        (secret: string) =>
          html(`bad ${secret.replace(/[^a-z0-9]/gi, (char) => `&#${char.codePointAt(0)};`)}`),
        400,
      ],
      [
        'percent-encoded in lower case',
        (secret: string) => `{"error":"x","error_description":"${encodeURIComponent(secret).toLowerCase()}"}`,
        400,
      ],
      [
        'as UTF-8 read back as Latin-1',
        (secret: string) =>
          JSON.stringify({ error: 'x', error_description: Buffer.from(secret).toString('latin1') }),
        400,
      ],
      [
        'escaped twice',
        (secret: string) =>
          JSON.stringify({ error: 'x', error_description: JSON.stringify(JSON.stringify(secret)) }),
        400,
      ],
      ['in a 500 page', (secret: string) => `Internal error while handling client_secret=${secret}`, 500],
    ] as const
  ).map(([how, body, status]) => ({
    kind: 'secret' as const,
    name: `IMS echoing the secret ${how}`,
    argv: () => plan(config()),
    answers: [{ pathMatches: ims, status, body: body(ECHOED_SECRET) }],
    code: 1 as const,
    says: /adobe-ims POST \/ims\/token\/v3 failed/,
  })),

  {
    kind: 'secret',
    name: 'the SFMC token endpoint echoing its JSON request',
    argv: () => plan(config()),
    answers: [
      {
        pathMatches: /\/v2\/token$/,
        status: 400,
        body: '{"error":"invalid_request","error_description":"cannot use {request}"}',
        echoRequest: true,
      },
    ],
    code: 1,
    says: /sfmc POST \/v2\/token failed \(bad-request, HTTP 400/,
  },
  {
    kind: 'source-data',
    name: 'a flow whose source connection list is missing',
    argv: () => plan(config()),
    answers: [{ pathMatches: flows, status: 200, body: '{"items":[{"id":"f1","name":"x"}]}' }],
    code: 1,
    says: /flow-service GET \/flows .*expected shape/,
  },
  {
    kind: 'remote',
    name: 'the Flow Service answering a list as a bare array',
    argv: () => plan(config()),
    answers: [{ pathMatches: flows, status: 200, body: '[]' }],
    code: 1,
    says: /flow-service GET \/flows .*expected shape/,
  },

  // --- flags accepted and ignored ---------------------------------------------------------------------
  {
    kind: 'usage',
    name: '--json where the command prints no JSON',
    argv: () => ['worker', '--config', config(), '--json'],
    code: 2,
    says: /--json/,
  },
  {
    kind: 'usage',
    name: 'a flag given twice',
    argv: () => ['sfmc', 'plan', '--config', config(), '--config', config()],
    code: 2,
    says: /--config is given twice: give it once/,
  },
  {
    kind: 'usage',
    name: 'a stray word after the command',
    argv: () => ['sfmc', 'plan', 'prod', '--config', config()],
    code: 2,
    says: /prod/,
  },
  {
    kind: 'usage',
    name: 'a single-dash flag',
    argv: () => ['sfmc', 'plan', '-config', config()],
    code: 2,
    says: /-config has one dash: write --config/,
  },
];

/** Deletes, once, what the source-data cases find gone: as an operator would in the UI. */
async function vanish(): Promise<void> {
  if (vanished.source) return;
  const all = await collect(demoAdobeClients(simulator, 'prod').flowService.flows.list());
  const named = (name: string) => all.find((flow) => flow.name === name)!;
  vanished.source = named('SFMC Subscriber to AEP').sourceConnectionIds[0]!;
  vanished.mapping = String(
    named('SFMC Campaign to AEP').transformations.find((step) => step.name === 'Mapping')!.params.mappingId,
  );
  vanished.target = named('Marketo V1 - Newsletter audiences').targetConnectionIds[0]!;
  await adminDelete(simulator, `/__admin/flow-service/sourceConnections/${vanished.source}`);
  await adminDelete(simulator, `/__admin/data-prep/mappingSets/${vanished.mapping}`);
  await adminDelete(simulator, `/__admin/flow-service/targetConnections/${vanished.target}`);
}

describe('the second bad-input corpus', () => {
  it('holds at least 60 cases, of every kind', () => {
    const byKind: Record<string, number> = {};
    for (const entry of CASES) byKind[entry.kind] = (byKind[entry.kind] ?? 0) + 1;
    console.log(`corpus 2: ${CASES.length} cases ${JSON.stringify(byKind)}`);
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(byKind).sort()).toEqual(
      ['config-encoding', 'remote', 'secret', 'source-data', 'temporal', 'usage'].sort(),
    );
  });

  it.each(CASES.map((entry) => [`${entry.kind}: ${entry.name}`, entry] as const))(
    '%s',
    async (_name, entry) => {
      for (const [name, value] of Object.entries({ ...SECRETS, ...entry.env })) vi.stubEnv(name, value);
      proxy.corrupt(entry.answers ?? []);
      const writesBefore = remoteWrites(simulator);
      let result: Awaited<ReturnType<typeof runCli>>;
      try {
        result = await runCli(await entry.argv());
      } finally {
        proxy.clear();
        vi.unstubAllEnvs();
      }
      expectExplained(result, entry, Object.values(SECRETS), [MARKER]);
      expect(remoteWrites(simulator), 'writes that reached the simulator').toEqual(writesBefore);
    },
  );
});
