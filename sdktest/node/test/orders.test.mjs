// Every Orders method of the newest SDK, strictly validated, against the default fixtures.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { z } from 'zod';
import { OrderDiscountConfigSchema, OrderStorageSchema, OrdersStorageResponseSchema } from 'oneentry-latest/dist/orders/ordersSchemas.js';

import { assertErrorBody } from '../lib/check.mjs';
import { assertSchema, latestStrict, ok } from '../lib/sdk.mjs';
import { APP_TOKEN, USER, authData, startServer } from '../lib/server.mjs';

// Schemas for the answers the SDK leaves unvalidated, from ordersInterfaces.d.ts; strict, so a
// field the SDK does not declare fails too.
const OrderStatusSchema = z.object({
  id: z.number(), localizeInfos: z.record(z.string(), z.any()), identifier: z.string(),
  position: z.number(), isUsed: z.boolean(), isDefault: z.boolean(),
}).strict();
const PreviewSchema = z.object({
  totalSum: z.number(),
  totalSumWithDiscount: z.number(),
  discountConfig: OrderDiscountConfigSchema,
  currency: z.string(),
  orderPreview: z.array(z.object({
    id: z.number(), price: z.number(), quantity: z.number(), discountPrice: z.number().nullable(), isGift: z.boolean(),
  }).strict()),
  bonusApplied: z.number(),
  totalDue: z.number(),
}).strict();
const RefundSchema = z.object({
  id: z.number(), createdDate: z.string(), status: z.string(), amount: z.number(), note: z.string(),
  products: z.record(z.string(), z.object({ quantity: z.number() }).strict()),
  orderId: z.number(), orderStorageId: z.number(), userId: z.number(), orderStorage: z.unknown(), user: z.unknown(),
}).strict();
const OrderProductSchema = z.object({
  id: z.number(), quantity: z.number(), title: z.string(), sku: z.string().nullable(),
  previewImage: z.unknown().nullable(), price: z.number(), isGift: z.boolean(),
}).strict();

// The seed's order body with extra fields; a function because the SDK rewrites formData in the
// object it is given.
function order(products, extra = {}) {
  return {
    formIdentifier: 'tickets_form',
    paymentAccountIdentifier: 'cash',
    formData: [{ type: 'entity', marker: 'tickets', value: ['p-8-10'] }],
    products,
    ...extra,
  };
}

async function admin(url, path, init = {}) {
  const res = await fetch(`${url}${path}`, { ...init, headers: { 'x-app-token': APP_TOKEN } });
  assert.ok(res.ok, `${path} answered ${res.status}: ${await res.clone().text()}`);
  return res.json();
}

test('every Orders method of the newest SDK under the default profile, strict', async (t) => {
  const srv = await startServer(t);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { AuthProvider, Orders, Payments } = sdk;
  await ok('AuthProvider.auth', AuthProvider.auth('email', { authData: authData() }));

  const storages = await ok('Orders.getAllOrdersStorage', Orders.getAllOrdersStorage(), OrdersStorageResponseSchema);
  assert.ok(Array.isArray(storages) && storages.some((s) => s.identifier === 'tickets'));
  const storage = await ok('Orders.getOrdersStorageByMarker', Orders.getOrdersStorageByMarker('tickets'), OrderStorageSchema);
  assert.equal(storage.formIdentifier, 'tickets_form');
  const statuses = await ok('Orders.getAllStatusesByStorageMarker', Orders.getAllStatusesByStorageMarker('tickets', 'en_US'), z.array(OrderStatusSchema));
  assert.deepEqual(statuses.map((s) => s.identifier), ['inProgress', 'paid', 'completed', 'canceled']);

  // 2 × 100 and 200: early_bird takes 20 % off each item (80, 160), WELCOME10 10 % off the
  // order (288), then 30 of the 50 bonus: 258 to pay.
  const discounts = { couponCode: 'WELCOME10', additionalDiscountsMarkers: ['early_bird'], bonusAmount: 30 };
  const lines = [{ productId: 10, quantity: 2 }, { productId: 11, quantity: 1 }];
  const preview = await ok('Orders.previewOrder', Orders.previewOrder({ products: lines, ...discounts }), PreviewSchema);
  assert.deepEqual([preview.totalSum, preview.totalSumWithDiscount, preview.bonusApplied, preview.totalDue], [400, 288, 30, 258]);
  assert.deepEqual(preview.orderPreview.map((l) => l.discountPrice), [80, 160]);
  assert.equal(preview.discountConfig.coupon.code, 'WELCOME10');
  assert.equal(preview.discountConfig.bonus.availableBalance, 50);

  const created = await ok('Orders.createOrder', Orders.createOrder('tickets', order(lines, discounts)));
  assert.deepEqual([created.totalSum, created.bonusApplied, created.totalDue], [288, 30, 258]);
  assert.equal(created.discountConfig.totalRaw, 400);
  assert.equal(created.couponCode, 'WELCOME10');

  const list = await ok('Orders.getAllOrdersByMarker', Orders.getAllOrdersByMarker('tickets'));
  assert.equal(list.total, 1);
  const read = await ok('Orders.getOrderByMarkerAndId', Orders.getOrderByMarkerAndId('tickets', created.id));
  assert.equal(read.totalSum, '288.00');
  assert.deepEqual(read.statusLocalizeInfos, { title: 'In progress' });
  assert.deepEqual(read.paymentAccountLocalizeInfos, { title: 'Cash' });
  for (const p of read.products) assertSchema(OrderProductSchema, p, 'order product');
  assert.deepEqual(read.products.map((p) => [p.id, p.price, p.isGift]), [[10, 100, false], [11, 200, false]]);

  // Prices stay those of creation: an update prices the new products with the order's discounts.
  const updated = await ok('Orders.updateOrderByMarkerAndId', Orders.updateOrderByMarkerAndId('tickets', created.id, order([{ productId: 10, quantity: 1 }])));
  assert.equal(updated.totalSum, 72);
  assert.equal(updated.totalDue, 42);

  // Refunds: none yet; the order is paid through its session, then refunded in part.
  assert.deepEqual(await ok('Orders.getRefunds', Orders.getRefunds(created.id), z.array(RefundSchema)), []);
  const session = await ok('Payments.createSession', Payments.createSession(created.id, 'session', false));
  await admin(srv.url, `/__admin/payments/sessions/${session.id}/complete`, { method: 'POST' });
  assert.equal(await ok('Orders.createRefundRequest', Orders.createRefundRequest(created.id, { products: { 10: { quantity: 1 } }, note: 'cannot come' })), true);
  const pending = await ok('Orders.getRefunds (pending)', Orders.getRefunds(created.id), z.array(RefundSchema));
  assert.deepEqual(pending.map((r) => [r.status, r.amount, r.note]), [['pending', 42, 'cannot come']]);
  assert.equal(await ok('Orders.cancelRefundRequest', Orders.cancelRefundRequest(created.id)), true);
  assert.equal((await Orders.getRefunds(created.id))[0].status, 'canceled');
  assert.equal(await ok('Orders.createRefundRequest (again)', Orders.createRefundRequest(created.id, { products: { 10: { quantity: 1 } } })), true);
  const [again] = await Orders.getRefunds(created.id);
  const decided = await admin(srv.url, `/__admin/refunds/${again.id}/approve`, { method: 'POST' });
  assert.equal(decided.refund.status, 'approved');
  const mail = await admin(srv.url, `/__admin/mail?to=${encodeURIComponent(USER.login)}`);
  assert.match(mail.messages[0].subject, new RegExp(`^Your tickets are canceled: order #${created.id}`));
  assert.deepEqual(httpErrors, [], 'error hooks fired');

  // The live errors: the payment axis is not the client's, a second cancel finds nothing.
  const paid = await Orders.createOrder('tickets', order([{ productId: 10, quantity: 1 }], { statusIdentifier: 'paid' }));
  assertErrorBody(paid, 400);
  assert.deepEqual(paid.message, ["statusIdentifier: paid is a payment status, set by the order's payments"]);
  const back = await Orders.updateOrderByMarkerAndId('tickets', created.id, order([{ productId: 10, quantity: 1 }], { statusIdentifier: 'inProgress' }));
  assertErrorBody(back, 400);
  assert.deepEqual(back.message, [`statusIdentifier: order ${created.id} is paid; inProgress, the status of new orders, comes before its payment`]);
  assertErrorBody(await Orders.cancelRefundRequest(created.id), 404, `Order ${created.id} has no pending refund request`);
  const expired = await Orders.previewOrder({ products: lines, couponCode: 'SUMMER24' });
  assertErrorBody(expired, 400);
  assert.deepEqual(expired.message, ['Coupon has expired']);
  assert.deepEqual(httpErrors.map((e) => e.status), [400, 400, 404, 400]);
});
