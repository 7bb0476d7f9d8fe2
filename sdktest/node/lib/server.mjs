// Starting and driving one oneentry-mock process per test.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** App token of the default fixtures. */
export const APP_TOKEN = 'your-app-token';

/** Server flags of the API generation the seed recorded: SDK 1.0.115 predates x-device-metadata. */
export const SEED = ['--compat', 'sdk-1.0.115'];

/** Login of the default fixtures' user, as the seed sends it. */
export const USER = { login: 'your-user@email.com', password: '123456' };

/** authData for AuthProvider.auth('email', { authData }). */
export function authData(login = USER.login, password = USER.password) {
  return [
    { marker: 'email_reg', value: login },
    { marker: 'password_reg', value: password },
  ];
}

/**
 * A contact_us submission as a front end passes it, through the module config configId; a new
 * object each call because the SDK rewrites formData in the object it is given.
 */
export function contactForm(configId, message = [{ plainValue: 'Please call me back.' }]) {
  return {
    formIdentifier: 'contact_us',
    formModuleConfigId: configId,
    moduleEntityIdentifier: 'contacts',
    replayTo: null,
    status: 'sent',
    formData: [
      { marker: 'name', type: 'string', value: 'Ann' },
      { marker: 'email', type: 'string', value: 'ann@example.com' },
      { marker: 'message', type: 'text', value: message },
    ],
  };
}

/**
 * The code of the newest e-mail to `to` in the default sandbox's outbox (GET /__admin/mail): the
 * mock never answers a one-time code, it e-mails it, and such an e-mail's subject ends with it.
 *
 * @param {string} url the server's URL
 * @param {string} to
 */
export async function codeFromOutbox(url, to) {
  const res = await fetch(`${url}/__admin/mail?to=${encodeURIComponent(to)}`, { headers: { 'x-app-token': APP_TOKEN } });
  if (!res.ok) {
    throw new Error(`GET /__admin/mail answered ${res.status}: ${await res.text()}`);
  }
  const { messages } = await res.json();
  if (messages.length === 0) {
    throw new Error(`no e-mail to ${to} in the outbox`);
  }
  return messages[0].subject.split(': ').pop();
}

const READY = /^oneentry-mock listening on (http:\/\/127\.0\.0\.1:\d+)$/;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Spawns `$ONEENTRY_MOCK_BIN serve --addr 127.0.0.1:0 --check-responses ...extraArgs`, waits for the first stdout line
 * and registers the process's termination with t.after. The server's ONEENTRY_MOCK_* variables are
 * removed from its environment so that only the flags given here configure it.
 *
 * @param {import('node:test').TestContext} t
 * @param {string[]} [extraArgs]
 * @returns {Promise<{url: string, output: () => string, advanceClock: (d: string) => Promise<object>, freezeClock: () => Promise<object>, clock: () => Promise<{now: string, frozen: boolean}>}>}
 */
export async function startServer(t, extraArgs = []) {
  const bin = process.env.ONEENTRY_MOCK_BIN;
  if (!bin) {
    throw new Error('ONEENTRY_MOCK_BIN is not set: build the server (go build -o /tmp/oneentry-mock ./cmd/oneentry-mock) and export its path');
  }
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ONEENTRY_MOCK_')));
  // --check-responses turns any response that breaks the contract into a 500, so every answer
  // the SDK sees in these tests is also checked against contracts/openapi.yaml.
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--check-responses', ...extraArgs], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  exited.catch(() => {}); // a spawn failure is reported by the start-up wait below
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    log += chunk;
  });

  t.after(async () => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited.catch(() => {});
      clearTimeout(timer);
    }
  });

  const lines = createInterface({ input: child.stdout });
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no first line from ${bin} within ${START_TIMEOUT_MS} ms; stderr:\n${log}`)), START_TIMEOUT_MS);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${bin} exited (code ${code}, signal ${signal}) before printing its address; stderr:\n${log}`));
    });
  });
  // Later stdout lines are kept for diagnostics; reading them also keeps the pipe from filling up.
  lines.on('line', (line) => {
    log += line + '\n';
  });
  const m = READY.exec(first);
  if (!m) {
    throw new Error(`unexpected first stdout line ${JSON.stringify(first)}; stderr:\n${log}`);
  }
  const url = m[1];

  return {
    url,
    output: () => log,
    advanceClock: (duration) => postClock(url, { advance: duration }),
    freezeClock: () => postClock(url, { freeze: true }),
    async clock() {
      const res = await fetch(`${url}/__admin/clock`);
      if (!res.ok) {
        throw new Error(`GET /__admin/clock answered ${res.status}: ${await res.text()}`);
      }
      return res.json();
    },
  };
}

async function postClock(url, body) {
  const res = await fetch(`${url}/__admin/clock`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`POST /__admin/clock ${JSON.stringify(body)} answered ${res.status}: ${await res.text()}`);
  }
  return res.json();
}
