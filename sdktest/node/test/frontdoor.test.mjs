// The README's SDK snippet runs as written, and the npm package's startMock() works from the
// repository's npm/ folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../lib/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

/** The README's SDK snippet: the js block after the line that names checkout.mjs. */
function readmeSnippet() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /checkout\.mjs[^\n]*\n+```js\n([\s\S]*?)\n```/.exec(readme);
  assert.ok(m, 'README.md has the checkout.mjs snippet');
  return m[1];
}

test('the README snippet prints a checkout URL', async (t) => {
  // The default profile, as the README's reader runs it (live: auth needs x-device-metadata,
  // which SDK 1.0.149 sends).
  const server = await startServer(t);
  const snippet = readmeSnippet();
  assert.match(snippet, /'http:\/\/127\.0\.0\.1:8080'/);
  assert.match(snippet, /from 'oneentry'/);
  // As written, but for the port of this test's server and the SDK's name in this project.
  const file = join(here, '..', `readme-snippet-${process.pid}.mjs`);
  writeFileSync(file, snippet.replace("'http://127.0.0.1:8080'", `'${server.url}'`).replace("from 'oneentry'", "from 'oneentry-latest'"));
  t.after(() => rmSync(file, { force: true }));
  const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `node checkout.mjs failed:\n${run.stdout}\n${run.stderr}\n${server.output()}`);
  assert.match(run.stdout.trim(), new RegExp(`^${server.url}/checkout/your-app-token/cs_test_[0-9a-f]{32}$`));
});

test('startMock() of the npm package, twice in parallel', () => {
  // npm/test/start-mock.test.mjs is what CI runs against the packed tarball; here it runs
  // from the repository's npm/ folder on the binary this suite built.
  const run = spawnSync(process.execPath, ['--test', join(root, 'npm', 'test', 'start-mock.test.mjs')], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ONEENTRY_MOCK_BINARY: process.env.ONEENTRY_MOCK_BIN },
  });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
});

test('npx oneentry-mock runs the binary with the same arguments and exit code', () => {
  const bin = join(root, 'npm', 'bin', 'oneentry-mock.js');
  const env = { ...process.env, ONEENTRY_MOCK_BINARY: process.env.ONEENTRY_MOCK_BIN };
  const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8', env, timeout: 30_000 });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, /^oneentry-mock \S+ /);
  const wrong = spawnSync(process.execPath, [bin, 'no-such-command'], { encoding: 'utf8', env, timeout: 30_000 });
  assert.equal(wrong.status, 2, 'a command line that cannot run exits 2, through the wrapper too');
  assert.match(wrong.stderr, /unknown command/);
});
