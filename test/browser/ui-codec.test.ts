/**
 * The Temporal Web UI shows a migration run's input decoded when it reaches
 * the codec server, and only ciphertext when it does not. Headless Chromium
 * (Debian's `chromium`, driven by playwright-core), which `.ci/run` installs:
 * in CI a missing browser fails the file; elsewhere it is skipped, loudly.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AesGcmCodec } from '../../src/codec/aes-gcm-codec';
import { startCodecServer, type CodecServer } from '../../src/codec/codec-server';
import { startDevServer, type RunningDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../../src/temporal/free-port';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', process.env.CHROMIUM_PATH ?? ''].find(
  (candidate) => candidate && fs.existsSync(candidate),
);
const EMAIL = 'ui.codec.reader@demo.example';

const MISSING_BROWSER =
  'Chromium is missing (looked for /usr/bin/chromium, /usr/bin/chromium-browser and CHROMIUM_PATH): ' +
  "install Debian's `chromium` (`apt-get install chromium`; .ci/run does) to run the Temporal UI test.";
if (!CHROMIUM) {
  if (process.env.CI) throw new Error(`${MISSING_BROWSER} CI runs every test.`);
  console.warn(`\n!!! SKIPPED: the Temporal UI + codec server test. ${MISSING_BROWSER}\n`);
}

describe.skipIf(!CHROMIUM)('the Temporal UI through the codec server', () => {
  let server: RunningDevServer;
  let codecServer: CodecServer;
  let browser: Browser;
  let connection: Connection;
  let workflowUrl: string;

  beforeAll(async () => {
    const codec = new AesGcmCodec({ current: { id: 'ui-test', key: crypto.randomBytes(32) }, old: [] });
    const uiPort = await freePort();
    codecServer = await startCodecServer({
      codec,
      port: 0,
      corsOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
    });
    server = await startDevServer({ ui: true, uiPort, codecEndpoint: codecServer.url });
    connection = await Connection.connect({ address: server.address });
    const client = new Client({
      connection,
      namespace: server.namespace,
      dataConverter: { payloadCodecs: [codec] },
    });
    // Nobody polls this task queue: the run waits, its encrypted input in the first event.
    const handle = await client.workflow.start('salesConnectProvisioningWorkflow', {
      taskQueue: 'ui-codec-nobody',
      workflowId: `ui-codec-${crypto.randomUUID()}`,
      args: [{ users: [{ email: EMAIL }] }],
    });
    workflowUrl = `${server.uiUrl}/namespaces/${server.namespace}/workflows/${handle.workflowId}/${handle.firstExecutionRunId}/history`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await connection?.close();
    await server?.stop();
    await codecServer?.close().catch(() => undefined);
  });

  /**
   * Opens the run's history and waits until the UI has asked the codec
   * server to decode its input (and, when `until` says so, for what it shows
   * after); the page's HTML then.
   */
  const openRun = async (until: (page: Page) => Promise<unknown>) => {
    const page = await browser.newPage();
    try {
      await page.goto(workflowUrl, { waitUntil: 'domcontentloaded', timeout: 30_000 });
      await until(page);
      return await page.content();
    } finally {
      await page.close();
    }
  };

  it('shows the decoded input of the run', async () => {
    const text = await openRun((page) =>
      page.getByText(EMAIL, { exact: false }).first().waitFor({ state: 'attached', timeout: 60_000 }),
    );
    expect(text).toContain(EMAIL);
  }, 120_000);

  it('shows no plaintext once the codec server is gone', async () => {
    const decode = `${codecServer.url}/decode`;
    await codecServer.close();
    const text = await openRun(async (page) => {
      // Without the codec server the payload can only stay ciphertext: once the UI's call has failed, it is final.
      await page.waitForEvent('requestfailed', {
        predicate: (request) => request.url().startsWith(decode),
        timeout: 60_000,
      });
      await page.getByText('Input', { exact: false }).first().waitFor({ state: 'attached', timeout: 30_000 });
    });
    expect(text).not.toContain(EMAIL);
  }, 120_000);
});
