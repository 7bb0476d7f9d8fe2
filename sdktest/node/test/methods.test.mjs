// The bookkeeping behind "every method of the newest SDK runs in some test" (lib/methods.mjs).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { NOT_SERVED, coverage, recordCalls } from '../lib/methods.mjs';

function callsFile(lines) {
  const file = join(mkdtempSync(join(tmpdir(), 'sdk-calls-')), 'calls.txt');
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

test('recordCalls notes the calls a test makes, not the calls between the SDK\'s own methods', (t) => {
  class FakeApi {
    outer() { return this.inner() + 1; }
    inner() { return 1; }
  }
  const file = callsFile([]);
  const saved = process.env.ONEENTRY_SDK_CALLS;
  process.env.ONEENTRY_SDK_CALLS = file;
  t.after(() => { if (saved === undefined) delete process.env.ONEENTRY_SDK_CALLS; else process.env.ONEENTRY_SDK_CALLS = saved; });

  const { Fake } = recordCalls({ Fake: new FakeApi() });
  assert.equal(Fake.outer(), 2);
  assert.equal(Fake.outer(), 2);
  assert.deepEqual(readFileSync(file, 'utf8').split('\n').filter(Boolean), ['Fake.outer', 'Fake.outer']);
});

test('coverage names the methods no test called and the stale NOT_SERVED entries', () => {
  const one = coverage(callsFile(['Forms.getFormByMarker']));
  assert.equal(one.called, 1);
  assert.ok(one.declared > 100, `only ${one.declared} methods found in the newest SDK`);
  assert.ok(one.missing.includes('Orders.createOrder'));
  assert.ok(!one.missing.includes('Forms.getFormByMarker'));
  for (const m of Object.keys(NOT_SERVED)) assert.ok(!one.missing.includes(m), `${m} is listed as not served`);
  assert.deepEqual(one.stale, []);

  const served = coverage(callsFile(Object.keys(NOT_SERVED)));
  assert.deepEqual(served.stale, Object.keys(NOT_SERVED));
});
