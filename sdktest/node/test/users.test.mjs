// Every method of Users of the newest SDK, strict validation, against the default fixtures under
// today's API.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertErrorBody, assertNotError } from '../lib/check.mjs';
import { latestStrict } from '../lib/sdk.mjs';
import { USER, authData, startServer } from '../lib/server.mjs';

const SECOND = { login: 'second-user@email.com', password: '654321' };

test('Users: every method, strict, --compat live', async (t) => {
  const srv = await startServer(t, ['--compat', 'live']);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { AuthProvider, Orders, Users } = sdk;

  assertNotError(await AuthProvider.auth('email', { authData: authData() }), 'AuthProvider.auth');
  const me = await Users.getUser();
  assertNotError(me, 'Users.getUser');
  assert.equal(me.identifier, USER.login);

  const done = await Users.updateUser({
    formIdentifier: 'reg',
    formData: [{ marker: 'name_reg', type: 'string', value: 'Ivan P.' }],
    state: { cart: [10] },
  });
  assert.equal(done, true, `Users.updateUser answered ${JSON.stringify(done)}`);
  const updated = await Users.getUser();
  assertNotError(updated, 'Users.getUser after update');
  assert.deepEqual(updated.state, { cart: [10] });
  assert.deepEqual(updated.formData, [{ marker: 'name_reg', type: 'string', value: 'Ivan P.' }]);

  assert.equal(await Users.addFCMToken('fcm_token_1234567890abcdefg'), true);
  assert.equal(await Users.deleteFCMToken('fcm_token_1234567890abcdefg'), true);

  const order = await Orders.createOrder('tickets', {
    formIdentifier: 'tickets_form',
    paymentAccountIdentifier: 'cash',
    formData: [{ type: 'entity', marker: 'tickets', value: ['p-8-10'] }],
    products: [{ productId: 10, quantity: 1 }],
  });
  assertNotError(order, 'Orders.createOrder');
  assert.equal(await Users.deleteUser(), true);

  // The deleted user cannot sign in again; the other user archives their account.
  const { sdk: fresh } = latestStrict(srv.url);
  const refused = await fresh.AuthProvider.auth('email', { authData: authData() });
  assertErrorBody(refused, 401);
  assertNotError(await fresh.AuthProvider.auth('email', { authData: authData(SECOND.login, SECOND.password) }), 'AuthProvider.auth second user');
  assert.equal(await fresh.Users.archiveUser(), true);
  assertErrorBody(await latestStrict(srv.url).sdk.AuthProvider.auth('email', { authData: authData(SECOND.login, SECOND.password) }), 401);

  const state = await (await fetch(`${srv.url}/__admin/state`)).json();
  assert.ok(state.orders.some((o) => o.id === order.id), 'the deleted user\'s order stays');
  assert.deepEqual(httpErrors, [], 'error hooks fired');
});
