// The bookkeeping behind "every method of each SDK runs in some test" (lib/methods.mjs).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { NOT_SERVED, SDKS, coverage, recordCalls, sdkMethods } from '../lib/methods.mjs';

const NEWEST = 'oneentry-latest';
const OLD = 'oneentry-1.0.115';
const cli = fileURLToPath(new URL('../lib/methods.mjs', import.meta.url));

function callsFile(lines) {
  const file = join(mkdtempSync(join(tmpdir(), 'sdk-calls-')), 'calls.txt');
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

// Every method of each SDK, as a calls file notes it, but for what NOT_SERVED lists.
function everyServedCall() {
  return Object.entries(SDKS).flatMap(([pkg, { define }]) =>
    sdkMethods(define('http://127.0.0.1:1', { token: 'unused' }))
      .filter((m) => !(m in NOT_SERVED[pkg]))
      .map((m) => `${pkg} ${m}`));
}

async function runCli(file) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, file]);
    return { code: 0, stdout };
  } catch (err) {
    return { code: err.code, stdout: err.stdout };
  }
}

test('recordCalls notes the calls a test makes with its SDK, not the calls between the SDK\'s own methods', (t) => {
  class FakeApi {
    outer() { return this.inner() + 1; }
    inner() { return 1; }
  }
  const file = callsFile([]);
  const saved = process.env.ONEENTRY_SDK_CALLS;
  process.env.ONEENTRY_SDK_CALLS = file;
  t.after(() => { if (saved === undefined) delete process.env.ONEENTRY_SDK_CALLS; else process.env.ONEENTRY_SDK_CALLS = saved; });

  const newest = recordCalls({ Fake: new FakeApi() }, NEWEST);
  const old = recordCalls({ Fake: new FakeApi() }, OLD);
  assert.equal(newest.Fake.outer(), 2);
  assert.equal(old.Fake.outer(), 2);
  assert.equal(newest.Fake.outer(), 2);
  assert.deepEqual(readFileSync(file, 'utf8').split('\n').filter(Boolean), [`${NEWEST} Fake.outer`, `${OLD} Fake.outer`, `${NEWEST} Fake.outer`]);
  assert.throws(() => recordCalls({ Fake: new FakeApi() }, 'oneentry'), /not one of the SDK packages/);
});

test('coverage counts the calls of each SDK apart and names the methods no test called', () => {
  const one = coverage(callsFile([`${NEWEST} Forms.getFormByMarker`]));
  assert.deepEqual(Object.keys(one), [NEWEST, OLD]);
  assert.equal(one[NEWEST].called, 1);
  assert.ok(one[NEWEST].declared > 100, `only ${one[NEWEST].declared} methods found in the newest SDK`);
  assert.ok(one[NEWEST].missing.includes('Orders.createOrder'));
  assert.ok(!one[NEWEST].missing.includes('Forms.getFormByMarker'));
  // The same method of the other SDK is not called by that line.
  assert.equal(one[OLD].declared, 96);
  assert.equal(one[OLD].called, 0);
  assert.ok(one[OLD].missing.includes('Forms.getFormByMarker'));
  for (const [pkg, c] of Object.entries(one)) {
    for (const m of Object.keys(NOT_SERVED[pkg])) assert.ok(!c.missing.includes(m), `${pkg} ${m} is listed as not served`);
    assert.deepEqual(c.stale, [], `${pkg}: stale NOT_SERVED entries`);
  }

  const all = coverage(callsFile(everyServedCall()));
  for (const [pkg, c] of Object.entries(all)) {
    assert.deepEqual(c.missing, [], `${pkg}: missing with every served method called`);
    assert.equal(c.called + c.notServed.length, c.declared, pkg);
  }
});

test('coverage names the NOT_SERVED entries of each SDK that a test calls or the SDK does not declare', () => {
  const excused = { ...NOT_SERVED, [OLD]: { ...NOT_SERVED[OLD], 'WS.connect': 'a reason' } };
  const notCalled = coverage(callsFile([]), excused);
  assert.deepEqual(notCalled[OLD].notServed, ['WS.connect']);
  assert.ok(!notCalled[OLD].missing.includes('WS.connect'));
  assert.deepEqual(notCalled[OLD].stale, []);
  const calledOld = coverage(callsFile([`${OLD} WS.connect`]), excused);
  assert.deepEqual(calledOld[OLD].stale, ['WS.connect']);
  assert.deepEqual(calledOld[NEWEST].stale, []);

  // The newest SDK's System.getApiStat is not a method of SDK 1.0.115.
  const listed = { ...NOT_SERVED, [OLD]: { ...NOT_SERVED[OLD], 'System.getApiStat': 'a reason' } };
  const undeclared = coverage(callsFile([]), listed);
  assert.deepEqual(undeclared[OLD].stale, ['System.getApiStat']);
  assert.deepEqual(undeclared[NEWEST].stale, []);
});

test('coverage refuses a calls file whose line names no SDK package', () => {
  assert.throws(() => coverage(callsFile(['Forms.getFormByMarker'])), /calls\.txt:1: "Forms\.getFormByMarker" is not "<package> <Module\.method>"/);
  assert.throws(() => coverage(callsFile([`${NEWEST} Forms.getFormByMarker`, 'oneentry Forms.getFormByMarker'])), /calls\.txt:2:/);
});

test('node lib/methods.mjs FILE passes only when every served method of both SDKs was called', async () => {
  const file = callsFile(everyServedCall());
  const complete = await runCli(file);
  assert.equal(complete.code, 0, complete.stdout);
  const { [NEWEST]: newest } = coverage(file);
  assert.equal(
    complete.stdout,
    `${newest.declared} of the newest SDK's ${newest.declared} methods called, not served: none; ` +
      "96 of SDK 1.0.115's 96 methods called, not served: none\n",
  );

  const withoutOne = everyServedCall().filter((l) => l !== `${OLD} Events.unsubscribeByMarker`);
  const missing = await runCli(callsFile(withoutOne));
  assert.equal(missing.code, 1, missing.stdout);
  assert.match(missing.stdout, /^never called on oneentry-1\.0\.115: Events\.unsubscribeByMarker \(/m);
  assert.doesNotMatch(missing.stdout, /never called on oneentry-latest/);
});
