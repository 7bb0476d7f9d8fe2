// The newest SDK with strict zod validation of every response the mock serves.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ActiveSessionsResponseSchema, AuthProviderEntitySchema } from 'oneentry-latest/dist/auth-provider/authProviderSchemas.js';
import { OrderStorageSchema, OrdersStorageResponseSchema } from 'oneentry-latest/dist/orders/ordersSchemas.js';
import { PaymentAccountSchema, PaymentSessionSchema } from 'oneentry-latest/dist/payments/paymentsSchemas.js';

import { assertAuthResponse, assertNotError, assertRefreshToken, assertSameShape, recorded } from '../lib/check.mjs';
import { assertRefreshRejected, latestStrict, ok } from '../lib/sdk.mjs';
import { USER, authData, startServer } from '../lib/server.mjs';

// The seed's order body; a function because the SDK rewrites formData in the object it is given.
function ticketOrder() {
  return {
    formIdentifier: 'tickets_form',
    paymentAccountIdentifier: 'cash',
    formData: [{ type: 'entity', marker: 'tickets', value: ['p-8-10'] }],
    products: [{ productId: 10, quantity: 1 }],
  };
}

for (const compat of ['sdk-1.0.115', 'live', 'live-2026']) {
  test(`seed flow without the PUT on the newest SDK, strict validation, --compat ${compat}`, async (t) => {
    const srv = await startServer(t, ['--compat', compat]);
    const { sdk, httpErrors } = latestStrict(srv.url);
    const { AuthProvider, Forms, Orders, Payments } = sdk;

    const authResponse = await AuthProvider.auth('email', { authData: authData() });
    assertAuthResponse(authResponse, USER.login);

    const formData = await Forms.getFormByMarker('tickets_form');
    assertNotError(formData, 'Forms.getFormByMarker');
    assert.equal(formData.identifier, 'tickets_form');
    assert.deepEqual(formData.attributes.map((a) => a.marker), ['schedule', 'tickets']);
    // The newest SDK computes the schedule's slots from the raw form; the seed's Saturday 26 April 2025 must be among them.
    const slots = formData.attributes[0].localizeInfos.intervals[0].timeIntervals;
    assert.ok(Array.isArray(slots), 'no timeIntervals computed for the schedule');
    assert.deepEqual(
      slots.filter(([start]) => start.startsWith('2025-04-26')),
      [
        ['2025-04-26T16:30:00.000Z', '2025-04-26T18:00:00.000Z'],
        ['2025-04-26T18:00:00.000Z', '2025-04-26T19:30:00.000Z'],
        ['2025-04-26T19:30:00.000Z', '2025-04-26T21:00:00.000Z'],
      ],
    );

    const order = await Orders.createOrder('tickets', ticketOrder());
    assertNotError(order, 'Orders.createOrder');
    assertSameShape(order, recorded('order-create'), 'Orders.createOrder');
    assert.equal(order.totalSum, 100);

    const paymentSession = await Payments.createSession(order.id, 'session', false);
    assertNotError(paymentSession, 'Payments.createSession');
    assertSameShape(paymentSession, recorded('payment-session-create'), 'Payments.createSession');
    assert.equal(paymentSession.orderId, order.id);

    const sessionByOrderId = await Payments.getSessionByOrderId(order.id);
    assertNotError(sessionByOrderId, 'Payments.getSessionByOrderId');
    if (compat !== 'sdk-1.0.115') {
      assert.ok(Array.isArray(sessionByOrderId), 'today\'s API answers an array');
      assert.deepEqual(sessionByOrderId, [paymentSession]);
    } else {
      assertSameShape(sessionByOrderId, recorded('payment-session-by-order'), 'Payments.getSessionByOrderId');
      assert.deepEqual(sessionByOrderId, paymentSession);
    }

    assert.deepEqual(httpErrors, [], 'error hooks fired');
  });
}

test('every other method of the served endpoints passes the newest SDK strict schemas', async (t) => {
  const srv = await startServer(t);
  const saved = [];
  const { sdk, httpErrors } = latestStrict(srv.url, { auth: { saveFunction: (tok) => saved.push(tok) } });
  const { AuthProvider, Forms, Orders, Payments, Products, Users } = sdk;

  // ok fails on an error result and, for methods the SDK itself leaves unvalidated, applies the
  // SDK's exported schema for that entity.

  const login = await ok('AuthProvider.auth', AuthProvider.auth('email', { authData: authData() }));
  assertAuthResponse(login, USER.login);

  const providers = await ok('AuthProvider.getAuthProviders', AuthProvider.getAuthProviders());
  assert.ok(Array.isArray(providers) && providers.some((p) => p.identifier === 'email'), 'provider email not listed');
  const provider = await ok('AuthProvider.getAuthProviderByMarker', AuthProvider.getAuthProviderByMarker('email'), AuthProviderEntitySchema);
  assert.equal(provider.identifier, 'email');
  const active = await ok('AuthProvider.getActiveSessionsByMarker', AuthProvider.getActiveSessionsByMarker('email'), ActiveSessionsResponseSchema);
  assert.ok(active.length >= 1, 'the current login is not among the active sessions');

  const forms = await ok('Forms.getAllForms', Forms.getAllForms());
  assert.ok(forms.items.some((f) => f.identifier === 'tickets_form'), 'tickets_form not listed');
  assert.equal(typeof forms.total, 'number');

  const order = await ok('Orders.createOrder', Orders.createOrder('tickets', ticketOrder()));
  const list = await ok('Orders.getAllOrdersByMarker', Orders.getAllOrdersByMarker('tickets'));
  const listed = list.items.find((o) => o.id === order.id);
  assert.ok(listed, `order ${order.id} not listed`);
  assert.equal(listed.totalSum, '100.00');
  const read = await ok('Orders.getOrderByMarkerAndId', Orders.getOrderByMarkerAndId('tickets', order.id));
  assert.equal(read.totalSum, '100.00');
  assert.equal(read.currency, 'USD');
  assert.equal(read.paymentAccountIdentifier, 'cash');
  assert.equal(read.statusIdentifier, 'inProgress');
  assert.deepEqual(read.formData, order.formData);

  const updated = await ok(
    'Orders.updateOrderByMarkerAndId',
    Orders.updateOrderByMarkerAndId('tickets', order.id, {
      formIdentifier: 'tickets_form',
      paymentAccountIdentifier: 'cash',
      formData: [{ type: 'entity', marker: 'tickets', value: ['p-8-11'] }],
      products: [{ productId: 11, quantity: 2 }],
    }),
  );
  assert.equal(updated.id, order.id);
  assert.equal(updated.totalSum, 400);
  const reread = await ok('Orders.getOrderByMarkerAndId after update', Orders.getOrderByMarkerAndId('tickets', order.id));
  assert.equal(reread.totalSum, '400.00');

  const storages = await ok('Orders.getAllOrdersStorage', Orders.getAllOrdersStorage(), OrdersStorageResponseSchema);
  assert.ok(storages.some((s) => s.identifier === 'tickets'), 'storage tickets not listed');
  const storage = await ok('Orders.getOrdersStorageByMarker', Orders.getOrdersStorageByMarker('tickets'), OrderStorageSchema);
  assert.equal(storage.formIdentifier, 'tickets_form');
  assert.ok(storage.paymentAccountIdentifiers.some((a) => a.identifier === 'cash'), 'cash not linked to tickets');
  const statuses = await ok('Orders.getAllStatusesByStorageMarker', Orders.getAllStatusesByStorageMarker('tickets'));
  assert.ok(Array.isArray(statuses) && statuses.some((s) => s.identifier === 'inProgress'), `statuses ${JSON.stringify(statuses)}`);

  const session = await ok('Payments.createSession', Payments.createSession(order.id, 'session', false));
  const sessions = await ok('Payments.getSessions', Payments.getSessions());
  assert.ok(sessions.items.some((s) => s.id === session.id), `session ${session.id} not listed`);
  const byId = await ok('Payments.getSessionById', Payments.getSessionById(session.id), PaymentSessionSchema);
  assert.deepEqual(byId, session);
  const accounts = await ok('Payments.getAccounts', Payments.getAccounts());
  assert.ok(accounts.some((a) => a.identifier === 'cash' && a.id === 1), 'account cash (id 1) not listed');
  const account = await ok('Payments.getAccountById', Payments.getAccountById(1), PaymentAccountSchema);
  assert.equal(account.identifier, 'cash');

  const product = await ok('Products.getProductById', Products.getProductById(10));
  assert.equal(product.id, 10);
  assert.equal(product.price, 100);

  const me = await ok('Users.getUser', Users.getUser());
  assert.equal(me.identifier, USER.login);

  const out = await ok('AuthProvider.logout', AuthProvider.logout('email', login.refreshToken));
  assert.ok(out, 'logout answered a falsy value, so the SDK keeps its tokens');
  await assertRefreshRejected(srv.url, login.refreshToken);

  const second = await ok('AuthProvider.auth (again)', AuthProvider.auth('email', { authData: authData() }));
  assertRefreshToken(second.refreshToken);
  const all = await ok('AuthProvider.logoutAll', AuthProvider.logoutAll('email'));
  assert.ok(all, 'logoutAll answered a falsy value, so the SDK keeps its tokens');
  await assertRefreshRejected(srv.url, second.refreshToken);

  assert.deepEqual(saved, [login.refreshToken, '', second.refreshToken, ''], 'saveFunction calls');
  assert.deepEqual(httpErrors, [], 'error hooks fired');
});
