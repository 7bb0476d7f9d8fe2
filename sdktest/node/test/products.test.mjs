// Every method of Products, ProductStatuses, IntegrationCollections, FileUploading and Events of
// the newest SDK, with strict zod validation, against the default fixtures.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { ProductsCountSchema } from 'oneentry-latest/dist/products/productsSchemas.js';

import { assertErrorBody } from '../lib/check.mjs';
import { latestStrict, ok } from '../lib/sdk.mjs';
import { authData, startServer } from '../lib/server.mjs';

// ok fails on an error result and applies the SDK's schema where the SDK itself does not.

// documented accepts a success or a live error body (never a `Cannot …` 404 or a 5xx).
async function documented(what, promise) {
  const res = await promise;
  if (res && typeof res === 'object' && 'statusCode' in res) {
    assert.ok(res.statusCode < 500, `${what}: ${JSON.stringify(res)}`);
    assert.doesNotMatch(String(res.message), /^Cannot /, `${what} is not served`);
    assertErrorBody(res, res.statusCode);
  }
  return res;
}

const ids = (list) => list.map((p) => p.id);

test('Products, ProductStatuses, IntegrationCollections, FileUploading and Events on the newest SDK, strict, --compat live-2026', async (t) => {
  const srv = await startServer(t, ['--compat', 'live-2026']);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { AuthProvider, Products, ProductStatuses, IntegrationCollections, FileUploading, Events } = sdk;

  // Products: lists with filters, sorting and paging.
  const all = await ok('Products.getProducts', Products.getProducts([], 'en_US', { sortKey: 'price', sortOrder: 'DESC' }));
  assert.deepEqual(ids(all.items), [12, 11, 10]);
  assert.equal(all.total, 3);
  assert.equal(all.items[0].localizeInfos.title, 'Gold ticket');
  const cheap = await ok(
    'Products.getProducts filtered',
    Products.getProducts([
      { attributeMarker: 'price', conditionMarker: 'mth', conditionValue: 100, pageUrls: ['tickets'], isNested: false, title: '' },
      { attributeMarker: 'price', conditionMarker: 'lth', conditionValue: 300 },
    ]),
  );
  assert.deepEqual(ids(cheap.items), [11]);
  const statusInQuery = await ok('Products.getProducts with a status in the query', Products.getProducts([], 'ru_RU', { statusMarker: 'sold_out' }));
  assert.deepEqual(ids(statusInQuery.items), [10, 11, 12], "the query's statusMarker is ignored, as live ignores it");
  const catchAll = { attributeMarker: 'price', conditionMarker: 'mth', conditionValue: -1, statusMarker: 'in_stock' };
  const inStock = await ok('Products.getProducts by status', Products.getProducts([catchAll], 'ru_RU', { limit: 1, offset: 1 }));
  assert.deepEqual(ids(inStock.items), [11]);
  assert.equal(inStock.total, 2);
  assert.equal(inStock.items[0].localizeInfos.title, 'Серебряный');

  const empty = await ok('Products.getProductsEmptyPage', Products.getProductsEmptyPage());
  // Its JSDoc example: the paging goes in the body.
  assert.deepEqual(await ok('Products.getProductsEmptyPage with paging', Products.getProductsEmptyPage({ limit: 30, offset: 0, sortOrder: 'DESC', sortKey: 'id' })), []);
  assert.deepEqual(empty, []);
  const byPage = await ok('Products.getProductsByPageId', Products.getProductsByPageId(8, [{ attributeMarker: 'zones', conditionMarker: 'in', conditionValue: 'bar' }]));
  assert.deepEqual(ids(byPage.items), [12]);
  const byUrl = await ok('Products.getProductsByPageUrl', Products.getProductsByPageUrl('tickets', [], 'ru_RU', { sortKey: 'title', sortOrder: 'ASC' }));
  assert.deepEqual(ids(byUrl.items), [10, 12, 11]);
  assert.equal(byUrl.items[0].localizeInfos.title, 'Бронзовый');
  const prices = await ok('Products.getProductsPriceByPageUrl', Products.getProductsPriceByPageUrl('tickets'));
  assert.deepEqual(prices, { items: [{ id: 10, price: 100 }, { id: 11, price: 200 }, { id: 12, price: 300 }], total: 3 });
  const related = await ok('Products.getRelatedProductsById', Products.getRelatedProductsById(10));
  assert.deepEqual(ids(related.items), [11, 12]);
  await documented('Products.getProductsByIds', Products.getProductsByIds('10,11'));

  const product = await ok('Products.getProductById', Products.getProductById(12, 'ru_RU'));
  assert.equal(product.localizeInfos.title, 'Золотой');
  assert.equal(product.statusIdentifier, 'sold_out');
  assert.equal(product.statusLocalizeInfos.title, 'Распродано');
  const blocks = await ok('Products.getProductBlockById', Products.getProductBlockById(10));
  assert.ok(Array.isArray(blocks));
  const found = await ok('Products.searchProduct', Products.searchProduct('silver'));
  assert.deepEqual(ids(found), [11]);

  const count = await ok('Products.getProductsCount', Products.getProductsCount([{ statusMarker: 'sold_out' }]), ProductsCountSchema);
  assert.equal(count.totalAll, 1);
  await ok('Products.getProductsCountByPageId', Products.getProductsCountByPageId('8'), ProductsCountSchema);
  const byUrlCount = await ok('Products.getProductsCountByPageUrl', Products.getProductsCountByPageUrl('tickets'), ProductsCountSchema);
  assert.equal(byUrlCount.totalInCategory, 3);

  // The images are the mock's own: createFileFromUrl loads one. (The SDK unwraps a list of
  // one image into the image.)
  const imageValue = product.attributeValues.image.value;
  const image = Array.isArray(imageValue) ? imageValue[0] : imageValue;
  assert.ok(image.downloadLink.startsWith(srv.url), image.downloadLink);
  const file = await FileUploading.createFileFromUrl(image.downloadLink, 'gold.svg', 'image/svg+xml');
  assert.equal(file.size, image.size);

  // ProductStatuses.
  const statuses = await ok('ProductStatuses.getProductStatuses', ProductStatuses.getProductStatuses());
  assert.deepEqual(statuses.map((s) => s.identifier), ['in_stock', 'sold_out']);
  const status = await ok('ProductStatuses.getProductsByStatusMarker', ProductStatuses.getProductsByStatusMarker('sold_out', 'ru_RU'));
  assert.equal(status.localizeInfos.title, 'Распродано');
  assert.equal(await ok('ProductStatuses.validateMarker', ProductStatuses.validateMarker('in_stock')), true);
  assert.equal(await ok('ProductStatuses.validateMarker (unknown)', ProductStatuses.validateMarker('gone')), false);

  // IntegrationCollections: the faq and its rows, written and read back.
  const colls = await ok('IntegrationCollections.getICollections', IntegrationCollections.getICollections('en_US'));
  assert.deepEqual(colls.map((c) => c.identifier), ['faq']);
  const faq = await ok('IntegrationCollections.getICollectionById', IntegrationCollections.getICollectionById(1, 'ru_RU'));
  assert.equal(faq.localizeInfos.title, 'Частые вопросы');
  const valid = await ok('IntegrationCollections.validateICollectionMarker', IntegrationCollections.validateICollectionMarker('faq'));
  assert.deepEqual(valid, { valid: true });
  const rows = await ok('IntegrationCollections.getICollectionRowsById', IntegrationCollections.getICollectionRowsById(1, 'en_US'));
  assert.equal(rows.total, 3);
  const created = await ok(
    'IntegrationCollections.createICollectionRow',
    IntegrationCollections.createICollectionRow('faq', { formIdentifier: 'faq', formData: [{ marker: 'question', type: 'string', value: 'Is there parking?' }] }, 'en_US'),
  );
  const updated = await ok(
    'IntegrationCollections.updateICollectionRow',
    IntegrationCollections.updateICollectionRow('faq', created.id, { formIdentifier: 'faq', formData: [{ marker: 'question', type: 'string', value: 'Есть ли парковка?' }] }, 'ru_RU'),
  );
  assert.equal(updated.id, created.id);
  const row = await ok('IntegrationCollections.getICollectionRowByMarkerAndId', IntegrationCollections.getICollectionRowByMarkerAndId('faq', created.id, 'ru_RU'));
  assert.equal(row.formData[0].value, 'Есть ли парковка?');
  const byMarker = await ok('IntegrationCollections.getICollectionRowsByMarker', IntegrationCollections.getICollectionRowsByMarker('faq', 'en_US'));
  assert.equal(byMarker.total, 4);
  assert.equal(byMarker.items[3].formData[0].value, 'Is there parking?');
  const deleted = await ok('IntegrationCollections.deleteICollectionRowByMarkerAndId', IntegrationCollections.deleteICollectionRowByMarkerAndId('faq', created.id));
  assert.equal(deleted, true);

  // FileUploading: upload, read back at the link and through getFile, delete.
  const blob = new File(['hello, mock'], 'note.txt', { type: 'text/plain' });
  const uploaded = await ok('FileUploading.upload', FileUploading.upload(blob, { type: 'page', entity: 'editor', id: 3787 }));
  assert.equal(uploaded.length, 1);
  assert.equal(uploaded[0].size, 11);
  const served = await fetch(uploaded[0].downloadLink);
  assert.equal(served.status, 200);
  assert.equal(await served.text(), 'hello, mock');
  const got = await FileUploading.getFile(3787, 'page', 'editor', 'note.txt');
  assert.equal(got.status, 200);
  assert.equal(await got.text(), 'hello, mock');
  const removed = await ok('FileUploading.delete', FileUploading.delete(uploaded[0].filename, { type: 'page', entity: 'editor', id: 3787 }));
  assert.equal(removed, true);
  assert.equal((await fetch(uploaded[0].downloadLink)).status, 404);

  // Events: subscriptions are the signed-in user's.
  await ok('AuthProvider.auth', AuthProvider.auth('email', { authData: authData() }));
  assert.equal(await Events.subscribeByMarker('price_change', 10), true);
  assert.equal(await Events.subscribeByMarker('back_in_stock', 12), true);
  const subs = await ok('Events.getAllSubscriptions', Events.getAllSubscriptions());
  assert.deepEqual(subs, { total: 2, items: [{ eventMarker: 'price_change', productId: 10 }, { eventMarker: 'back_in_stock', productId: 12 }] });
  assert.equal(await Events.unsubscribeByMarker('price_change', 10), true);
  assert.equal((await ok('Events.getAllSubscriptions after unsubscribe', Events.getAllSubscriptions())).total, 1);

  // Only getProductsByIds may have failed, while GET /products/ids is not served (its id is
  // then read as a product id): a documented 400, not a `Cannot GET`.
  assert.deepEqual(
    httpErrors.filter((e) => !(e.status === 400 && /^id must be/.test(String(e.body?.message)))),
    [],
    'error hooks fired',
  );
});

test('Products and ProductStatuses pass the strict schemas with the seed answers, --compat sdk-1.0.115', async (t) => {
  const srv = await startServer(t, ['--compat', 'sdk-1.0.115']);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { Products, ProductStatuses } = sdk;
  const product = await ok('Products.getProductById', Products.getProductById(10));
  assert.equal(product.localizeInfos.title, 'Бронзовый');
  assert.equal(product.statusIdentifier, null);
  const list = await ok('Products.getProductsByPageUrl', Products.getProductsByPageUrl('tickets'));
  assert.deepEqual(ids(list.items), [10, 11, 12]);
  await ok('Products.getProducts', Products.getProducts());
  await ok('Products.getRelatedProductsById', Products.getRelatedProductsById(10));
  await ok('ProductStatuses.getProductStatuses', ProductStatuses.getProductStatuses());
  assert.deepEqual(httpErrors, [], 'error hooks fired');
});
