// startMock() runs a fresh oneentry-mock server for a test run: its own process on a free
// loopback port, resolved once it listens.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { binaryPath } from './binary.js';

export { binaryPath } from './binary.js';

const listening = /^oneentry-mock listening on (\S+)/;
const appTokenLine = /^\s+app token:\s+(\S+)/;
// A password may hold spaces: it runs to the provider at the end of the line.
const loginLine = /^\s+login:\s+(\S+) \/ (.*) \(auth provider "([^"]*)"\)$/;
const compatLine = /^\s+compat:\s+(\S+)/;

// How long stop() waits for the server to end after SIGTERM before it sends SIGKILL: past
// --shutdown-timeout's default, so a graceful stop is never cut short.
const stopTimeoutMs = 20_000;

// The servers still running, stopped when this process exits without stop(): one listener
// for all of them, however many a test run starts.
const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill();
});

/**
 * Starts `oneentry-mock serve` on 127.0.0.1 and a free port.
 * @param {import('./index.js').StartMockOptions} [options]
 * @returns {Promise<import('./index.js').RunningMock>}
 */
export async function startMock(options = {}) {
  const args = ['serve', '--addr', '127.0.0.1:0'];
  if (options.fixtures) args.push('--fixtures', options.fixtures);
  if (options.compat) args.push('--compat', options.compat);
  if (options.dataDir) args.push('--data-dir', options.dataDir);
  args.push(...(options.args ?? []));
  const timeoutMs = options.timeoutMs ?? 30_000;

  // A test process killed by a signal runs no exit handler; --exit-with-parent (through its
  // variable) makes the server notice and stop on its own.
  const child = spawn(options.binary ?? binaryPath(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ONEENTRY_MOCK_EXIT_WITH_PARENT: 'true', ...process.env, ...options.env },
    windowsHide: true,
  });
  running.add(child);
  const exited = new Promise((resolve) => {
    // 'close', not 'exit': it comes once stderr is read to its end, so a failure's message
    // is whole in the rejection.
    child.once('close', (code, signal) => resolve({ code, signal }));
    // A binary that cannot be run emits 'error' and no 'exit'.
    child.once('error', (err) => resolve({ error: err }));
  }).finally(() => running.delete(child));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8192);
    options.onLog?.(chunk);
  });

  // Once it listens, the server does not keep this process alive on its own (see below);
  // while it stops, it does, so that the stop completes.
  const hold = (held) => {
    for (const handle of [child, child.stdout, child.stderr]) {
      if (held) handle?.ref?.();
      else handle?.unref?.();
    }
  };
  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        hold(true);
        child.kill('SIGTERM');
        // A server that does not stop in time (stuck where no signal reaches it) is killed.
        const kill = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
        await exited;
        clearTimeout(kill);
      }
      await exited;
    })();
    return stopping;
  };

  return new Promise((resolve, reject) => {
    const mock = { url: '', appToken: '', users: [], dashboardUrl: '', compat: '', process: child, stop };
    const fail = (message) => {
      clearTimeout(timer);
      stop().finally(() => reject(new Error(`${message}\n${stderr.trim()}`.trim())));
    };
    const timer = setTimeout(() => fail(`oneentry-mock did not start within ${timeoutMs} ms`), timeoutMs);
    exited.then(({ code, signal, error }) => {
      if (error) fail(`oneentry-mock: cannot run ${child.spawnfile}: ${error.message}`);
      else if (!mock.compat) fail(`oneentry-mock exited (${signal ?? `code ${code}`}) before it listened: serve ${args.slice(1).join(' ')}`);
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let m;
      if ((m = listening.exec(line))) {
        mock.url = m[1];
        mock.dashboardUrl = `${m[1]}/__admin/ui/`;
      } else if ((m = appTokenLine.exec(line))) {
        mock.appToken = m[1];
      } else if ((m = loginLine.exec(line))) {
        mock.users.push({ identifier: m[1], password: m[2], authProviderIdentifier: m[3] });
      } else if (!mock.compat && (m = compatLine.exec(line))) {
        mock.compat = m[1];
        clearTimeout(timer);
        // A server never stopped must not keep the test process from ending: the exit
        // handler above stops it then.
        hold(false);
        resolve(mock);
      }
    });
  });
}
