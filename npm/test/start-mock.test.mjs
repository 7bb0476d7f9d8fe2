// What the package promises: servers started by startMock() are independent, answer the SDK's
// routes, honour the documented options and stop cleanly, also when the test process or npx is
// killed. Runs from a project where oneentry-mock is installed (.ci/run) or, with
// ONEENTRY_MOCK_BINARY set, from the repository's npm/ folder (node --test test/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startMock } from 'oneentry-mock';

// eventually resolves with true once check() does, or with false after about 10 s.
async function eventually(check) {
  for (let i = 0; i < 200; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

// gone resolves once nothing answers at url: the server has shut down.
const gone = (url) => eventually(() => fetch(`${url}/healthz`).then(() => false, () => true));

// withMock runs use(mock) on a server of its own and stops that server whatever happens.
async function withMock(options, use) {
  const mock = await startMock(options);
  try {
    return await use(mock);
  } finally {
    await mock.stop();
  }
}

const createSandbox = (mock) => fetch(`${mock.url}/__admin/sandboxes`, { method: 'POST' });
const listSandboxes = async (mock) => (await fetch(`${mock.url}/__admin/sandboxes`)).json();

// childPids lists the processes this one started and that have not been reaped, ps aside.
function childPids() {
  const ps = spawnSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  assert.equal(ps.status, 0, ps.stderr);
  return ps.stdout.trim().split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, ppid]) => ppid === process.pid && pid !== ps.pid)
    .map(([pid]) => pid);
}

test('startMock twice in parallel', async () => {
  const [a, b] = await Promise.all([startMock(), startMock({ compat: 'live-2026', args: ['--log-level', 'warn'] })]);
  try {
    assert.notEqual(a.url, b.url);
    for (const mock of [a, b]) {
      assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(mock.dashboardUrl, `${mock.url}/__admin/ui/`);
      assert.ok(mock.appToken);
      assert.ok(mock.users.length > 0);
      assert.deepEqual(Object.keys(mock.users[0]).sort(), ['authProviderIdentifier', 'identifier', 'password']);
      const health = await fetch(`${mock.url}/healthz`);
      assert.equal(health.status, 200);
      const form = await fetch(`${mock.url}/api/content/forms/marker/tickets_form`, { headers: { 'x-app-token': mock.appToken } });
      assert.equal(form.status, 200);
    }
    assert.match(b.compat, /^live/);
    // An order in one is not in the other: each is a fresh server.
    assert.equal((await createSandbox(a)).status, 201);
    assert.equal((await listSandboxes(a)).length, 2);
    assert.equal((await listSandboxes(b)).length, 1);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
  assert.notEqual(a.process.exitCode ?? a.process.signalCode, null);
});

test('startMock reports a server that cannot start', async () => {
  await assert.rejects(startMock({ fixtures: '/no/such/folder' }), /before it listened[\s\S]*no\/such\/folder/);
});

test('startMock rejects a binary that cannot be run', async () => {
  await assert.rejects(startMock({ binary: '/no/such/oneentry-mock' }), /cannot run \/no\/such\/oneentry-mock: spawn .*ENOENT/);
});

test('startMock keeps the state in dataDir across restarts', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'oneentry-mock-data-'));
  try {
    const appToken = await withMock({ dataDir }, async (mock) => {
      const created = await createSandbox(mock);
      assert.equal(created.status, 201);
      return (await created.json()).appToken;
    });
    assert.ok(existsSync(join(dataDir, 'oneentry-mock.db')), 'the server wrote its database into dataDir');
    // Only a server reading the same folder again knows the sandbox the first one made.
    const sandboxes = await withMock({ dataDir }, listSandboxes);
    assert.ok(sandboxes.some((s) => s.appToken === appToken), JSON.stringify(sandboxes));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('startMock passes env to the server', () =>
  withMock({ env: { ONEENTRY_MOCK_MAX_SANDBOXES: '1' } }, async (mock) => {
    // The default sandbox already takes the only place, so the variable shows as a refusal.
    assert.equal((await createSandbox(mock)).status, 409);
    assert.equal((await listSandboxes(mock)).length, 1);
  }));

test('startMock hands the server log to onLog', async () => {
  let log = '';
  await withMock({ onLog: (chunk) => { log += chunk; } }, async (mock) => {
    // A path no other request uses ties the line to this request; request lines are written
    // in batches, so it may come a little after the response.
    assert.equal((await fetch(`${mock.url}/onlog-probe`)).status, 404);
    assert.ok(await eventually(() => /path=\/onlog-probe status=404/.test(log)), `no request line in:\n${log}`);
  });
});

test('startMock gives up after timeoutMs and leaves no server running', async () => {
  // Earlier tests' children may still be awaiting their reaping: only a new one counts.
  const before = new Set(childPids());
  // No server listens within 1 ms of its spawn. One that starts all the same is stopped, or its
  // open pipes would keep this run from ever ending.
  await assert.rejects(startMock({ timeoutMs: 1 }).then((mock) => mock.stop()), /did not start within 1 ms/);
  const leaked = childPids().filter((pid) => !before.has(pid));
  // Killed before the assertion so that a leak fails this test instead of hanging the run.
  for (const pid of leaked) process.kill(pid);
  assert.deepEqual(leaked, [], 'no server process outlives the rejection');
});

// npxBin is what `npx oneentry-mock` runs: the package's wrapper of the native binary.
const npxBin = join(dirname(createRequire(import.meta.url).resolve('oneentry-mock/package.json')), 'bin', 'oneentry-mock.js');

// firstMatch resolves with the first group of re once a child's stdout matches it.
function firstMatch(child, re) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = re.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`exited before printing ${re}: ${out}`)));
  });
}

test('a test process killed by a signal leaves no server behind', async () => {
  // No request log: a server writing to the dead process's pipe would end for that reason alone.
  const script = "import('oneentry-mock').then(async ({ startMock }) => { const m = await startMock({ args: ['--log-level', 'warn'] }); console.log('url ' + m.url); setInterval(() => {}, 1000); })";
  const runner = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await firstMatch(runner, /url (\S+)/);
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  runner.kill('SIGKILL');
  assert.ok(await gone(url), 'the server stopped with the process that started it');
});

test('npx stopped without passing the signal on leaves no server behind', async () => {
  // As npx runs a bin: through a shell that passes no signal on; "; true" keeps sh from exec'ing.
  const shell = spawn('sh', ['-c', `"${process.execPath}" "${npxBin}" serve --addr 127.0.0.1:0; true`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await firstMatch(shell, /listening on (\S+)/);
  shell.kill('SIGKILL');
  assert.ok(await gone(url), 'the wrapper stopped the server once its parent was gone');
});

test('a server never stopped ends with the test process, which it does not keep running', async () => {
  const script = "import('oneentry-mock').then(async ({ startMock }) => { const m = await startMock({ args: ['--log-level', 'warn'] }); console.log('url ' + m.url); })";
  const runner = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ended = new Promise((resolve) => runner.once('exit', (code) => resolve(code)));
  const url = await firstMatch(runner, /url (\S+)/);
  const code = await Promise.race([ended, new Promise((r) => setTimeout(() => r('still running'), 15_000))]);
  if (code === 'still running') runner.kill('SIGKILL');
  assert.equal(code, 0, 'the process ends when its work does');
  assert.ok(await gone(url), 'and the server with it');
});

test('npx killed outright leaves no server behind', async () => {
  // A node process standing for npm, running the bin through a shell as npm does; SIGKILL
  // leaves that shell waiting for the bin, so only the shell's parent tells npm is gone.
  const npm = `const { spawn } = require('node:child_process'); spawn('sh', ['-c', ${JSON.stringify(`"${process.execPath}" "${npxBin}" serve --addr 127.0.0.1:0; true`)}], { stdio: 'inherit' }); setInterval(() => {}, 1000);`;
  const fake = spawn(process.execPath, ['-e', npm], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await firstMatch(fake, /listening on (\S+)/);
  fake.kill('SIGKILL');
  assert.ok(await gone(url), 'the wrapper stopped the server once npm was gone');
});

// A terminal's Ctrl-C signals its whole foreground process group: the native binary gets the
// SIGINT itself as well as the copy the wrapper passes on, and a process manager may signal the
// wrapper again. While the proxy's graceful stop waits for a request under way, none of these
// copies may end it: it answers that request, writes it to the capsule and exits with code 0.
test('Ctrl-C to the process group of npx stops the proxy gracefully', { skip: process.platform === 'win32' && 'Windows has no process groups to signal' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oneentry-mock-ctrlc-'));
  // An upstream that holds the request until told to answer.
  let answer;
  const requested = new Promise((resolve) => { answer = resolve; });
  const upstream = createServer((req, res) => answer(() => res.writeHead(200, { 'content-type': 'application/json' }).end('[]')));
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  // detached: a process group of its own, led by the wrapper, as a shell makes for a job.
  const npx = spawn(process.execPath, [npxBin, 'proxy', '--record', dir, '--upstream', `http://127.0.0.1:${upstream.address().port}`,
    '--addr', '127.0.0.1:0', '--flush-interval', '1h', '--log-level', 'warn'], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => npx.once('exit', (code, signal) => resolve({ code, signal })));
  let out = '';
  npx.stdout.on('data', (chunk) => { out += chunk; });
  try {
    const url = new URL(await firstMatch(npx, /listening on (\S+)/));
    const underWay = fetch(`${url}api/content/pages?langCode=en_US`, { headers: { 'x-app-token': 'your-app-token' } });
    const release = await requested;
    process.kill(-npx.pid, 'SIGINT');
    // The stop has begun once the proxy refuses new connections; signal the wrapper again.
    const refused = () => new Promise((resolve) => connect(Number(url.port), url.hostname)
      .once('connect', function () { this.destroy(); resolve(false); })
      .once('error', () => resolve(true)));
    assert.ok(await eventually(refused), 'the proxy stopped listening');
    process.kill(npx.pid, 'SIGINT');
    release();
    assert.equal((await underWay).status, 200, 'the request under way is answered');
    assert.deepEqual(await exited, { code: 0, signal: null }, `output:\n${out}`);
    assert.match(out, /recorded 1 exchanges to /, 'the capsule was written on the way out');
  } finally {
    if (npx.exitCode === null && npx.signalCode === null) process.kill(-npx.pid, 'SIGKILL');
    upstream.closeAllConnections();
    upstream.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('startMock reads a password with spaces off the banner', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oneentry-mock-banner-'));
  try {
    // A stand-in binary that prints the serve banner and waits to be stopped.
    const fake = join(dir, 'fake-mock');
    await writeFile(fake, `#!${process.execPath}
console.log('oneentry-mock listening on http://127.0.0.1:9');
console.log('  app token: t0k');
console.log('  login:     a@b.example / correct horse (auth provider "email")');
console.log('  compat:    live');
setInterval(() => {}, 1000);
`, { mode: 0o755 });
    const mock = await startMock({ binary: fake });
    try {
      assert.deepEqual(mock.users, [{ identifier: 'a@b.example', password: 'correct horse', authProviderIdentifier: 'email' }]);
    } finally {
      await mock.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a server that fails at once has its whole message in the rejection', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oneentry-mock-fail-'));
  try {
    // A fixtures folder whose project file is cut short: the server exits as soon as it has
    // said so, and parallel starts must not lose the end of what it said to the exit.
    await writeFile(join(dir, 'project.json'), '{"appToken":');
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => startMock({ fixtures: dir })));
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.match(r.reason.message, /project\.json/);
      assert.match(r.reason.message, /JSON/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('stop() kills a server that ignores SIGTERM', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'oneentry-mock-stuck-'));
  try {
    const fake = join(dir, 'stuck-mock');
    await writeFile(fake, `#!${process.execPath}
process.on('SIGTERM', () => {});
console.log('oneentry-mock listening on http://127.0.0.1:9');
console.log('  compat:    live');
setInterval(() => {}, 1000);
`, { mode: 0o755 });
    const mock = await startMock({ binary: fake });
    await mock.stop();
    assert.equal(mock.process.signalCode, 'SIGKILL', 'killed once SIGTERM went unheeded');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
