// Every Payments method of the newest SDK, with strict validation, against the default fixtures
// under live-2026; Products.getProductsByIds; and the guest cart, which no SDK method wraps.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PaymentAccountSchema, PaymentSessionSchema, SinglePaymentSessionSchema } from 'oneentry-latest/dist/payments/paymentsSchemas.js';
import { ProductEntitySchema } from 'oneentry-latest/dist/products/productsSchemas.js';

import { assertErrorBody } from '../lib/check.mjs';
import { assertSchema, latestStrict, ok } from '../lib/sdk.mjs';
import { APP_TOKEN, authData, startServer } from '../lib/server.mjs';

const COMPAT = ['--compat', 'live-2026'];

function order(account) {
  return {
    formIdentifier: 'tickets_form',
    paymentAccountIdentifier: account,
    formData: [{ type: 'entity', marker: 'tickets', value: ['p-8-10'] }],
    products: [{ productId: 10, quantity: 1 }],
  };
}


test('Payments: all six methods, intents, staged sessions, a refused account', async (t) => {
  const srv = await startServer(t, COMPAT);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { AuthProvider, Orders, Payments } = sdk;
  await ok('AuthProvider.auth', AuthProvider.auth('email', { authData: authData() }));

  const stripe = await ok('Orders.createOrder (stripe)', Orders.createOrder('tickets', order('stripe')));
  assert.deepEqual(await ok('Payments.getSessionByOrderId (none)', Payments.getSessionByOrderId(stripe.id)), [], '[] before any session');

  const first = await ok('Payments.createSession', Payments.createSession(stripe.id, 'session', false), PaymentSessionSchema);
  assert.match(first.paymentUrl, /\/checkout\/your-app-token\/cs_test_/);
  const intent = await ok('Payments.createSession (intent)', Payments.createSession(stripe.id, 'intent', false), PaymentSessionSchema);
  assert.equal(intent.paymentUrl, null);
  assert.match(intent.clientSecret, /^cs_test_[0-9a-f]+_secret_[0-9a-f]+$/);
  const page = await fetch(`${srv.url}/checkout/${APP_TOKEN}/${intent.clientSecret}`);
  assert.equal(page.status, 200, 'the checkout page takes the client secret');

  const byOrder = await ok('Payments.getSessionByOrderId', Payments.getSessionByOrderId(stripe.id), SinglePaymentSessionSchema);
  assert.deepEqual(byOrder.map((s) => s.id), [intent.id, first.id], 'every stage, newest first');
  const byId = await ok('Payments.getSessionById', Payments.getSessionById(first.id), PaymentSessionSchema);
  assert.deepEqual(byId, first);
  const list = await ok('Payments.getSessions', Payments.getSessions());
  assert.equal(list.total, 2);

  const accounts = await ok('Payments.getAccounts', Payments.getAccounts());
  assert.deepEqual(accounts.map((a) => `${a.identifier}=${a.id}`), ['cash=1', 'stripe=2', 'paypal=3', 'stripe_disconnected=4']);
  for (const id of [1, 2, 3, 4]) {
    const account = await ok(`Payments.getAccountById(${id})`, Payments.getAccountById(id), PaymentAccountSchema);
    assert.equal(account.id, id);
  }

  const off = await ok('Orders.createOrder (stripe_disconnected)', Orders.createOrder('tickets', order('stripe_disconnected')));
  const refused = await Payments.createSession(off.id, 'session', false);
  assertErrorBody(refused, 400, 'Your payment account is not connected');
  assert.deepEqual(httpErrors.map((e) => e.status), [400], 'the only error is the refused account');
});

test('Payments: a PayPal session gets its URL later on the mock clock; front ends poll', async (t) => {
  const srv = await startServer(t, COMPAT);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { AuthProvider, Orders, Payments } = sdk;
  await ok('AuthProvider.auth', AuthProvider.auth('email', { authData: authData() }));
  await srv.freezeClock();

  const paypal = await ok('Orders.createOrder (paypal)', Orders.createOrder('tickets', order('paypal')));
  const created = await ok('Payments.createSession (paypal)', Payments.createSession(paypal.id, 'session', false), PaymentSessionSchema);
  assert.equal(created.paymentUrl, null, 'no URL at creation');
  const [early] = await ok('poll 1', Payments.getSessionByOrderId(paypal.id), SinglePaymentSessionSchema);
  assert.equal(early.paymentUrl, null);
  await srv.advanceClock('3s');
  const [later] = await ok('poll 2', Payments.getSessionByOrderId(paypal.id), SinglePaymentSessionSchema);
  assert.match(later.paymentUrl, /\/checkout\/your-app-token\/cs_test_/, 'the URL appears after the fixture delay');
  assert.equal((await fetch(later.paymentUrl)).status, 200);
  assert.deepEqual(httpErrors, []);
});

test('Products.getProductsByIds answers the products asked for, each strict', async (t) => {
  const srv = await startServer(t, COMPAT);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const products = await ok('Products.getProductsByIds', sdk.Products.getProductsByIds('10,11'));
  assert.deepEqual(products.map((p) => p.id), [10, 11]);
  for (const p of products) assertSchema(ProductEntitySchema, p, `product ${p.id}`);
  assert.deepEqual(httpErrors, []);
});

test('guest cart: a UUID keeps it, any other id gets the echo, signing in merges it', async (t) => {
  const srv = await startServer(t, COMPAT);
  const cart = async (method, path, headers, body) => {
    const res = await fetch(`${srv.url}/api/content/users/me/cart${path}`, {
      method,
      headers: { 'x-app-token': APP_TOKEN, 'content-type': 'application/json', ...headers },
      body: body && JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const guest = { 'x-guest-id': crypto.randomUUID() };
  assert.deepEqual(await cart('POST', '/items', guest, { productId: 10, qty: 2 }), { status: 201, body: { items: [{ productId: 10, qty: 2 }], total: 1 } });
  assert.deepEqual((await cart('GET', '', guest)).body, { items: [{ productId: 10, qty: 2 }], total: 1 }, 'a second request finds it');

  const trap = { 'x-guest-id': 'shop-visitor-0001' };
  assert.equal((await cart('POST', '/items', trap, { productId: 10, qty: 2 })).status, 201);
  assert.deepEqual((await cart('GET', '', trap)).body, { items: [], total: 0 }, 'kept nowhere');
  assert.equal((await fetch(`${srv.url}/api/content/users/cart`, { headers: { 'x-app-token': APP_TOKEN } })).status, 404);

  const { sdk } = latestStrict(srv.url);
  const login = await ok('AuthProvider.auth', sdk.AuthProvider.auth('email', { authData: authData() }));
  const user = { authorization: `Bearer ${login.accessToken}`, ...guest };
  assert.deepEqual((await cart('GET', '', user)).body, { items: [{ productId: 10, qty: 2 }], total: 1 }, 'the guest cart is the user’s now');
  assert.deepEqual((await cart('GET', '', guest)).body, { items: [], total: 0 });
});
