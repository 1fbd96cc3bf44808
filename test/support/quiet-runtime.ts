import { DefaultLogger, Runtime } from '@temporalio/worker';

// Installed before any test touches the native runtime; only warnings and errors reach the output.
try {
  Runtime.install({
    logger: new DefaultLogger(process.env.CUTOVER_TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN'),
  });
} catch {
  // Already installed in this process by an earlier file.
}
