// What the package promises: servers started by startMock() are independent, answer the SDK's
// routes and stop cleanly, also when the test process or npx is killed. Runs from a project where
// oneentry-mock is installed (.ci/run) or, with ONEENTRY_MOCK_BINARY set, from the repository's
// npm/ folder (node --test test/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startMock } from 'oneentry-mock';

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
    const created = await fetch(`${a.url}/__admin/sandboxes`, { method: 'POST' });
    assert.equal(created.status, 201);
    const listA = await (await fetch(`${a.url}/__admin/sandboxes`)).json();
    const listB = await (await fetch(`${b.url}/__admin/sandboxes`)).json();
    assert.equal(listA.length, 2);
    assert.equal(listB.length, 1);
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

// gone resolves once nothing answers at url: the server has shut down.
async function gone(url) {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`${url}/healthz`);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

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
  const bin = join(dirname(createRequire(import.meta.url).resolve('oneentry-mock/package.json')), 'bin', 'oneentry-mock.js');
  // As npx runs a bin: through a shell that passes no signal on; "; true" keeps sh from exec'ing.
  const shell = spawn('sh', ['-c', `"${process.execPath}" "${bin}" serve --addr 127.0.0.1:0; true`], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await firstMatch(shell, /listening on (\S+)/);
  shell.kill('SIGKILL');
  assert.ok(await gone(url), 'the wrapper stopped the server once its parent was gone');
});
