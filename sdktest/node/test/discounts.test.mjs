// Every Discounts method of the newest SDK, strictly validated, against the default fixtures.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { z } from 'zod';

import { assertNotError } from '../lib/check.mjs';
import { latestStrict, ok } from '../lib/sdk.mjs';
import { authData, startServer } from '../lib/server.mjs';

// The SDK ships no zod schemas for Discounts; these follow discountsInterfaces.d.ts, strict, so
// a field it does not declare fails too. gifts is [] on the live API (its preview example),
// though the interface says a record.
const DiscountSchema = z.object({
  id: z.number(),
  attributeSetId: z.number().nullable().optional(),
  localizeInfos: z.record(z.string(), z.any()).optional(),
  version: z.number().optional(),
  identifier: z.string().optional(),
  type: z.enum(['DISCOUNT', 'BONUS', 'PERSONAL_DISCOUNT']),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  discountValue: z.object({
    applicability: z.enum(['TO_PRODUCT', 'TO_ORDER']),
    discountType: z.enum(['FIXED_AMOUNT', 'PERCENT']),
    value: z.number(),
    maxAmount: z.number().nullable().optional(),
  }).strict().optional(),
  conditionLogic: z.enum(['AND', 'OR']).optional(),
  conditions: z.array(z.object({ type: z.string(), value: z.string() }).strict()).optional(),
  exclusions: z.record(z.string(), z.unknown()).nullable().optional(),
  gifts: z.unknown().optional(),
  giftsReplaceCartItems: z.boolean().optional(),
  userGroups: z.record(z.string(), z.unknown()).nullable().optional(),
  userExclusions: z.record(z.string(), z.unknown()).nullable().optional(),
  attributeValues: z.unknown().optional(),
  attributeSetIdentifier: z.string().optional(),
  bonusEvent: z.record(z.string(), z.unknown()).nullable().optional(),
  position: z.number().optional(),
  total: z.union([z.number(), z.string()]).optional(),
}).strict();
const DiscountsSchema = z.object({ items: z.array(DiscountSchema), total: z.number() }).strict();
const CouponSchema = z.object({
  id: z.number(), discountId: z.number(), code: z.string(), isReusable: z.boolean(), isUsed: z.boolean(),
  orderId: z.number().nullable(), usedAt: z.string().nullable(),
}).strict();
const ValidationSchema = z.object({ valid: z.boolean(), coupon: CouponSchema.optional(), error: z.string().optional() }).strict();
const BalanceSchema = z.object({ balance: z.number() }).strict();
const TransactionSchema = z.object({
  balanceId: z.number(),
  amount: z.number(),
  type: z.enum(['ACCRUAL', 'USAGE', 'REDUCE', 'REVERSAL_ACCRUAL', 'REVERSAL_USAGE', 'EXPIRATION']),
  discountId: z.number().optional(),
  moduleId: z.number().optional(),
  entityIdentifier: z.string().optional(),
  comment: z.string().optional(),
  isAdmin: z.boolean(),
  remainingAmount: z.number().optional(),
  triggerType: z.enum(['EVENT', 'SCHEDULED']).optional(),
  expiresAt: z.string().optional(),
  createdAt: z.string().optional(),
}).strict();

test('every Discounts method of the newest SDK under the default profile, strict', async (t) => {
  const srv = await startServer(t);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { AuthProvider, Discounts, Orders } = sdk;

  const all = await ok('Discounts.getAllDiscounts', Discounts.getAllDiscounts(), DiscountsSchema);
  assert.deepEqual(all.items.map((d) => d.identifier), ['early_bird', 'welcome', 'summer_2024', 'first_order', 'loyalty']);
  assert.equal(all.total, 5);
  const bonus = await ok('Discounts.getAllDiscounts BONUS', Discounts.getAllDiscounts('en_US', 0, 30, 'BONUS'), DiscountsSchema);
  assert.deepEqual(bonus.items.map((d) => d.identifier), ['loyalty']);
  const early = await ok('Discounts.getDiscountByMarker', Discounts.getDiscountByMarker('early_bird', 'en_US'), DiscountSchema);
  assert.deepEqual(early.discountValue, { applicability: 'TO_PRODUCT', discountType: 'PERCENT', value: 20, maxAmount: null });
  assert.deepEqual(early.localizeInfos, { title: 'Early bird' });

  // Coupon validation answers 200 for every code; an unusable one says why.
  const verdicts = {};
  for (const code of ['WELCOME10', 'SUMMER24', 'FIRST-7QX2', 'NOPE']) {
    const v = await ok(`Discounts.validateDiscountsCoupon ${code}`, Discounts.validateDiscountsCoupon(code), ValidationSchema);
    verdicts[code] = [v.valid, v.error ?? null];
  }
  assert.deepEqual(verdicts, {
    WELCOME10: [true, null],
    SUMMER24: [false, 'Coupon has expired'],
    'FIRST-7QX2': [false, 'Coupon has already been used'],
    NOPE: [false, 'Coupon not found'],
  });

  await ok('AuthProvider.auth', AuthProvider.auth('email', { authData: authData() }), z.object({ accessToken: z.string() }));
  assert.equal((await ok('Discounts.getBonusBalance', Discounts.getBonusBalance(), BalanceSchema)).balance, 50);
  const before = await ok('Discounts.getBonusHistory', Discounts.getBonusHistory(), z.array(TransactionSchema));
  assert.deepEqual(before.map((tx) => [tx.type, tx.amount, tx.discountId]), [['ACCRUAL', 50, 5]]);

  // An order spending bonus moves the balance, and the history records it, newest first.
  const created = await Orders.createOrder('tickets', {
    formIdentifier: 'tickets_form',
    paymentAccountIdentifier: 'cash',
    formData: [{ type: 'entity', marker: 'tickets', value: ['p-8-10'] }],
    products: [{ productId: 10, quantity: 1 }],
    bonusAmount: 20,
  });
  assertNotError(created, 'Orders.createOrder');
  assert.equal(created.bonusApplied, 20);
  assert.equal((await ok('Discounts.getBonusBalance (after)', Discounts.getBonusBalance(), BalanceSchema)).balance, 30);
  const after = await ok('Discounts.getBonusHistory (after)', Discounts.getBonusHistory(), z.array(TransactionSchema));
  assert.deepEqual(after.map((tx) => [tx.type, tx.amount]), [['USAGE', 20], ['ACCRUAL', 50]]);
  assert.equal(after[0].entityIdentifier, String(created.id));
  const usage = await ok('Discounts.getBonusHistory USAGE', Discounts.getBonusHistory('USAGE', '2025-01-01'), z.array(TransactionSchema));
  assert.equal(usage.length, 1);
  assert.deepEqual(httpErrors, [], 'error hooks fired');
});
