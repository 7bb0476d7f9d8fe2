// Two servers started in parallel by startMock() are independent, answer the SDK's routes
// and stop cleanly. Runs from a project where oneentry-mock is installed (.ci/run) or, with
// ONEENTRY_MOCK_BINARY set, from the repository's npm/ folder (go test ./npm).
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
