// Error answers as each SDK hands them to the caller: 1.0.115 throws the body, the newest returns it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertErrorBody } from '../lib/check.mjs';
import { define115, latestStrict } from '../lib/sdk.mjs';
import { APP_TOKEN, SEED, USER, authData, startServer } from '../lib/server.mjs';

// rejectsWith returns an assert.rejects validator that checks the thrown value is the mock's error body.
function rejectsWith(status, message) {
  return (body) => {
    assertErrorBody(body, status, message);
    return true;
  };
}

test('SDK 1.0.115 (seed config) throws the error bodies', async (t) => {
  const srv = await startServer(t, SEED);
  const { AuthProvider, Forms } = define115(srv.url, { token: APP_TOKEN });

  await assert.rejects(AuthProvider.auth('email', { authData: authData(USER.login, 'wrong-password') }), rejectsWith(401, 'Invalid login or password'));
  await assert.rejects(Forms.getFormByMarker('no_such_form'), rejectsWith(404));

  const closed = define115(srv.url, { token: 'not-the-app-token' });
  await assert.rejects(closed.Forms.getFormByMarker('tickets_form'), rejectsWith(403, 'Resource is closed'));
  await assert.rejects(
    closed.AuthProvider.auth('email', { authData: authData() }),
    rejectsWith(403, 'Resource is closed'),
  );
});

test('the newest SDK returns the error bodies and calls its error hooks', async (t) => {
  const srv = await startServer(t);
  const { sdk, httpErrors } = latestStrict(srv.url);

  const wrong = await sdk.AuthProvider.auth('email', { authData: authData(USER.login, 'wrong-password') });
  assertErrorBody(wrong, 401, 'Invalid login or password');
  const missing = await sdk.Forms.getFormByMarker('no_such_form');
  assertErrorBody(missing, 404);

  const closed = latestStrict(srv.url, { token: 'not-the-app-token' });
  const forbidden = await closed.sdk.Forms.getFormByMarker('tickets_form');
  assertErrorBody(forbidden, 403, 'Resource is closed');

  assert.deepEqual(httpErrors.map((e) => e.status), [401, 404]);
  assert.deepEqual(httpErrors.map((e) => e.body), [wrong, missing]);
  assert.deepEqual(closed.httpErrors.map((e) => e.status), [403]);
});

test('a wrong password does not disturb a logged-in SDK 1.0.115 session beyond one refresh', async (t) => {
  const srv = await startServer(t, SEED);
  const saved = [];
  const { AuthProvider, Orders } = define115(srv.url, { token: APP_TOKEN, auth: { saveFunction: (tok) => saved.push(tok) } });
  await AuthProvider.auth('email', { authData: authData() });

  // The 401 makes the SDK refresh with its own token first and then repeat the login with the new
  // bearer; the repeated login's 401 body comes back as if it were a result.
  const res = await AuthProvider.auth('email', { authData: authData(USER.login, 'wrong-password') });
  assertErrorBody(res, 401, 'Invalid login or password');
  assert.equal(saved.length, 3, `saveFunction calls: ${JSON.stringify(saved)}`);

  // 1.0.115 copied the missing tokens of that body into its state, so it is logged out now.
  await assert.rejects(Orders.getAllOrdersByMarker('tickets'), rejectsWith(401));
});
