// The seed's "Финальный пример", run unmodified on SDK 1.0.115 against a fresh mock.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { assertAuthResponse, assertIsoDate, assertNotError, assertSameShape, recorded } from '../lib/check.mjs';
import { SEED, USER, startServer } from '../lib/server.mjs';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../seed-final-example.mjs', import.meta.url));

async function runExample(projectURL) {
  let out;
  try {
    out = await run(process.execPath, [script], {
      env: { ...process.env, PROJECT_URL: projectURL },
      timeout: 20_000,
    });
  } catch (err) {
    assert.fail(`seed example failed (exit ${err.code}):\nstdout:\n${err.stdout}\nstderr:\n${err.stderr}`);
  }
  const lines = out.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/** Checks the six results of the seed's example against the recorded blocks. */
function checkSeedResults(r) {
  for (const [k, v] of Object.entries(r)) assertNotError(v, k);

  assertAuthResponse(r.authResponse, USER.login);

  const form = recorded('form-tickets_form');
  assertSameShape(r.formData, form, 'Forms.getFormByMarker');
  assert.deepEqual(r.formData, form, 'the tickets_form differs from the recording');

  const wantOrder = recorded('order-create');
  assertSameShape(r.order, wantOrder, 'Orders.createOrder');
  assert.ok(Number.isInteger(r.order.id) && r.order.id > 0, 'order id');
  assertIsoDate(r.order.createdDate, 'order createdDate');
  for (const k of ['formIdentifier', 'paymentAccountIdentifier', 'formData', 'products', 'currency', 'totalSum']) {
    assert.deepEqual(r.order[k], wantOrder[k], `order ${k}`);
  }

  const wantSession = recorded('payment-session-create');
  assertSameShape(r.paymentSession, wantSession, 'Payments.createSession');
  assert.ok(Number.isInteger(r.paymentSession.id) && r.paymentSession.id > 0, 'session id');
  assertIsoDate(r.paymentSession.createdDate, 'session createdDate');
  assert.equal(r.paymentSession.updatedDate, r.paymentSession.createdDate, 'a new session has updatedDate = createdDate');
  assert.equal(r.paymentSession.orderId, r.order.id);
  for (const k of ['type', 'status', 'paymentAccountId', 'paymentUrl']) {
    assert.deepEqual(r.paymentSession[k], wantSession[k], `session ${k}`);
  }

  // After the PUT the session keeps its shape, except that paymentUrl is now the string sent.
  const updatedShape = { ...wantSession, status: 'expired_ticket', paymentUrl: '' };
  assertSameShape(r.updateSession, updatedShape, 'Payments.updateSessionById');
  assert.equal(r.updateSession.id, r.paymentSession.id);
  assert.equal(r.updateSession.orderId, r.order.id);
  assert.equal(r.updateSession.status, 'expired_ticket');
  assert.equal(r.updateSession.paymentUrl, '');
  assert.equal(r.updateSession.createdDate, r.paymentSession.createdDate);
  assertIsoDate(r.updateSession.updatedDate, 'updated session updatedDate');
  assert.ok(r.updateSession.updatedDate >= r.updateSession.createdDate, 'updatedDate went back in time');

  assert.ok(!Array.isArray(r.sessionByOrderId), 'getSessionByOrderId returned an array; the seed (profile sdk-1.0.115) shows one object');
  assertSameShape(r.sessionByOrderId, { ...recorded('payment-session-by-order'), paymentUrl: '' }, 'Payments.getSessionByOrderId');
  assert.deepEqual(r.sessionByOrderId, r.updateSession, 'getSessionByOrderId does not show the updated session');
}

test('seed final example on SDK 1.0.115 matches the recorded results', async (t) => {
  const srv = await startServer(t, SEED);
  checkSeedResults(await runExample(srv.url));
});

test('seed final example on SDK 1.0.115 with a trailing slash in PROJECT_URL (//api/content/...)', async (t) => {
  const srv = await startServer(t, SEED);
  checkSeedResults(await runExample(srv.url + '/'));
});

test('seed final example runs twice on one server: ids advance, the second order gets its own session', async (t) => {
  const srv = await startServer(t, SEED);
  const a = await runExample(srv.url);
  const b = await runExample(srv.url);
  checkSeedResults(a);
  checkSeedResults(b);
  assert.ok(b.order.id > a.order.id, 'order ids do not increase');
  assert.ok(b.paymentSession.id > a.paymentSession.id, 'session ids do not increase');
  assert.notEqual(b.authResponse.refreshToken, a.authResponse.refreshToken, 'two logins got the same refresh token');
});
