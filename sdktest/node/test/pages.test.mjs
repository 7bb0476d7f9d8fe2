// Every method of the site's SDK modules (Pages, Blocks, Menus, Locales, AttributesSets,
// GeneralTypes, Templates, TemplatePreviews, Sitemap, System, Admins) on the newest SDK with
// strict validation, against the default site: each succeeds, or answers its documented error.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { BlockEntitySchema } from 'oneentry-latest/dist/blocks/blocksSchemas.js';
import { PageEntitySchema, PagesResponseSchema } from 'oneentry-latest/dist/pages/pagesSchemas.js';
import { ProductEntitySchema, ProductsResponseSchema } from 'oneentry-latest/dist/products/productsSchemas.js';
import { TemplateEntitySchema } from 'oneentry-latest/dist/templates/templatesSchemas.js';

import { assertErrorBody } from '../lib/check.mjs';
import { assertSchema, latestStrict, ok } from '../lib/sdk.mjs';
import { startServer } from '../lib/server.mjs';

const ids = (list) => list.map((x) => x.id);

// Today's API only: under --compat sdk-1.0.115 general types carry their 2025 names, which the
// newest SDK's schemas refuse; test/sdk115.test.mjs runs that profile with SDK 1.0.115.
test(`the site's SDK modules, strict validation, --compat live-2026`, async (t) => {
  const srv = await startServer(t, ['--compat', 'live-2026']);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { Pages, Blocks, Menus, Locales, AttributesSets, GeneralTypes, Templates, TemplatePreviews, Sitemap, System, Admins } = sdk;

  // ok fails on an error result and, for methods the SDK leaves unvalidated, applies the
  // SDK's exported schema for what they return.

  // Pages
  const root = await ok('Pages.getRootPages', Pages.getRootPages());
  assert.deepEqual(ids(root), [1, 8, 2, 4]);
  const pages = await ok('Pages.getPages', Pages.getPages('ru_RU'));
  assert.deepEqual(ids(pages), [1, 8, 2, 3, 4]);
  assert.equal(pages[1].localizeInfos.title, 'Билеты');
  assert.equal(pages[0].template.identifier, 'home_template', 'the SDK joins the page template');
  const home = await ok('Pages.getPageById', Pages.getPageById(1));
  assert.equal(home.pageUrl, 'home');
  assert.equal(home.attributeValues.subtitle.value, 'Your evening starts here');
  assert.match(home.attributeValues.hero_image.value.downloadLink, /^http:\/\/127\.0\.0\.1:\d+\/cloud-static\/content\/hero\.svg$/);
  const image = await fetch(home.attributeValues.hero_image.value.downloadLink);
  assert.equal(image.status, 200, 'the mock serves the images it links to');
  assert.equal(image.headers.get('content-type'), 'image/svg+xml');
  const catalogue = await ok('Pages.getPageByUrl', Pages.getPageByUrl('tickets', 'ru_RU'));
  assert.equal(catalogue.id, 8);
  assert.equal(catalogue.type, 'catalog_page');
  assert.equal(catalogue.localizeInfos.title, 'Билеты');
  const children = await ok('Pages.getChildPagesByParentUrl', Pages.getChildPagesByParentUrl('about'));
  assert.deepEqual(ids(children), [3]);
  assert.equal(children[0].pageUrl, 'history');
  const blocks = await ok('Pages.getBlocksByPageUrl', Pages.getBlocksByPageUrl('home'));
  assert.deepEqual(blocks.map((b) => b.identifier), ['hero', 'featured_tickets']);
  for (const b of blocks) assertSchema(BlockEntitySchema, b, `Pages.getBlocksByPageUrl block ${b.identifier}`);
  assert.equal(blocks[0].attributeValues.heading.value, 'Live music, every night');
  assert.equal(blocks[1].quantity, 3, 'the SDK reads productConfig');
  const config = await ok('Pages.getConfigPageByUrl', Pages.getConfigPageByUrl('tickets'));
  assert.deepEqual(config, { rowsPerPage: 12, productsPerRow: 3 });
  const found = await ok('Pages.searchPage', Pages.searchPage('hist'), PagesResponseSchema);
  assert.deepEqual(ids(found), [3]);
  const within = await ok('Pages.searchPage within about', Pages.searchPage('o', 'about', 'en_US'));
  assert.deepEqual(ids(within).sort(), [2, 3]);
  // A locale where the url goes, as OneEntry's create-search skill writes it: no such subtree.
  const nowhere = await ok('Pages.searchPage within no page', Pages.searchPage('About', 'en_US'));
  assert.deepEqual(nowhere, []);
  const withTemplates = await ok('Pages.addTemplateToPages', Pages.addTemplateToPages(structuredClone(children)));
  assert.equal(withTemplates[0].template.identifier, 'content_template');
  const withTemplate = await ok('Pages.addTemplateToPage', Pages.addTemplateToPage(structuredClone(catalogue)), PageEntitySchema);
  assertSchema(TemplateEntitySchema, withTemplate.template, 'Pages.addTemplateToPage template');
  assert.equal(withTemplate.template.identifier, 'catalog_template');

  // Blocks
  const all = await ok('Blocks.getBlocks', Blocks.getBlocks());
  assert.equal(all.total, 4);
  assert.deepEqual(all.items.map((b) => b.identifier), ['hero', 'featured_tickets', 'similar_tickets', 'frequently_ordered']);
  assert.deepEqual(ids(all.items[1].products), [10, 11, 12], 'a product block carries its products');
  assert.deepEqual(ids(all.items[2].similarProducts.items), [10, 11, 12], 'a similar-products block carries its products');
  const productBlocks = await ok('Blocks.getBlocks product_block', Blocks.getBlocks('product_block', 'ru_RU'));
  assert.deepEqual(productBlocks.items.map((b) => b.identifier), ['featured_tickets']);
  assert.equal(productBlocks.items[0].localizeInfos.title, 'Популярные билеты');
  const hero = await ok('Blocks.getBlockByMarker', Blocks.getBlockByMarker('hero', 'ru_RU'));
  assert.equal(hero.attributeValues.cta_text.value, 'Купить билеты');
  const similar = await ok('Blocks.getSimilarProducts', Blocks.getSimilarProducts('similar_tickets'), ProductsResponseSchema);
  assert.deepEqual(ids(similar.items), [10, 11, 12]);
  const shelf = await ok('Blocks.getProductsByBlockMarker', Blocks.getProductsByBlockMarker('featured_tickets', 'en_US', 1, 1));
  assert.deepEqual(ids(shelf), [11]);
  for (const p of shelf) assertSchema(ProductEntitySchema, p, 'Blocks.getProductsByBlockMarker item');
  const often = await ok('Blocks.getFrequentlyOrderedProducts', Blocks.getFrequentlyOrderedProducts(10, 'frequently_ordered'), ProductsResponseSchema);
  assert.deepEqual(ids(often.items), [11, 12]);
  const searched = await ok('Blocks.searchBlock', Blocks.searchBlock('banner', 'en_US'));
  assert.deepEqual(searched, [{ id: 1, identifier: 'hero', name: 'Hero banner' }]);

  // Menus, locales, general types
  const menu = await ok('Menus.getMenusByMarker', Menus.getMenusByMarker('main', 'ru_RU'));
  assert.deepEqual(menu.pages.map((p) => [p.pageUrl, p.parentId]), [['home', null], ['tickets', null], ['about', null], ['history', 2], ['contacts', null]]);
  assert.ok(menu.pages.every((p) => !('children' in p)), 'items are not nested');
  assert.equal(menu.pages[3].localizeInfos.menuTitle, 'История');
  const locales = await ok('Locales.getLocales', Locales.getLocales());
  assert.deepEqual(locales.map((l) => l.code), ['en_US', 'ru_RU']);
  const types = await ok('GeneralTypes.getAllTypes', GeneralTypes.getAllTypes());
  assert.ok(types.some((g) => g.type === 'catalog_page'), 'catalog_page is a general type');

  // Attribute sets
  const sets = await ok('AttributesSets.getAttributes', AttributesSets.getAttributes());
  assert.deepEqual(sets.items.map((s) => s.identifier), ['tickets', 'page', 'block', 'template']);
  const attrs = await ok('AttributesSets.getAttributesByMarker', AttributesSets.getAttributesByMarker('tickets', 'ru_RU'));
  assert.equal(attrs[0].marker, 'price');
  assert.equal(attrs[0].localizeInfos.title, 'Цена');
  const features = await ok('AttributesSets.getSingleAttributeByMarkerSet', AttributesSets.getSingleAttributeByMarkerSet('tickets', 'features'));
  assert.deepEqual(features.listTitles.map((l) => l.value), ['programme', 'cloakroom', 'drink', 'meet']);
  const pageSet = await ok('AttributesSets.getAttributeSetByMarker', AttributesSets.getAttributeSetByMarker('page'));
  assert.deepEqual(Object.keys(pageSet.schema), ['hero_image', 'subtitle', 'body', 'highlights']);
  assert.deepEqual([pageSet.typeId, pageSet.type], [4, { id: 4, type: 'forPages' }], 'an attribute set type, not a general type');
  // What the SDK's IAttributeSchemaItem declares of every schema item.
  for (const [marker, item] of Object.entries(sets.items.find((s) => s.identifier === 'tickets').schema)) {
    assert.ok(Number.isInteger(item.id), `${marker}.id`);
    assert.equal(item.identifier, marker);
    assert.equal(item.isPrice, marker === 'price', `${marker}.isPrice`);
    assert.equal(item.original, true, `${marker}.original`);
  }

  // Templates and previews
  const grouped = await ok('Templates.getAllTemplates', Templates.getAllTemplates());
  assert.deepEqual(Object.keys(grouped).sort(), ['catalog_page', 'common_block', 'common_page', 'frequently_ordered_block', 'product']);
  assert.deepEqual(grouped.frequently_ordered_block.map((x) => x.identifier), ['frequently_ordered_block_default'], 'the default template the dynamic type ships');
  const byType = await ok('Templates.getTemplateByType', Templates.getTemplateByType('product'));
  assert.deepEqual(byType.map((x) => x.identifier), ['ticket_template']);
  const tmpl = await ok('Templates.getTemplateByMarker', Templates.getTemplateByMarker('home_template'));
  assert.equal(tmpl.generalTypeName, 'common_page');
  const previews = await ok('TemplatePreviews.getTemplatePreviews', TemplatePreviews.getTemplatePreviews());
  assert.deepEqual(previews.map((p) => p.identifier), ['ticket_card', 'hero_wide']);
  const preview = await ok('TemplatePreviews.getTemplatePreviewByMarker', TemplatePreviews.getTemplatePreviewByMarker('hero_wide'));
  assert.equal(preview.proportions.default.vertical, null);

  // Sitemap
  const maps = await ok('Sitemap.getSitemap', Sitemap.getSitemap());
  assert.deepEqual(maps, [`${srv.url}/cloud-static/sitemaps/sitemap-en_US.xml`, `${srv.url}/cloud-static/sitemaps/sitemap-ru_RU.xml`]);
  const made = await ok('Sitemap.updateSitemap', Sitemap.updateSitemap({ baseUrls: { en_US: 'https://tickets.example' } }));
  assert.deepEqual(made, maps.slice(0, 1));
  const xml = await (await fetch(maps[0])).text();
  assert.match(xml, /<loc>http:\/\/127\.0\.0\.1:\d+\/about\/history<\/loc>/);

  // System: the two test routes answer their error on purpose.
  const e404 = await System.test404();
  assertErrorBody(e404, 404, 'Not Found');
  const e500 = await System.test500();
  assertErrorBody(e500, 500, 'Internal server error');
  const stat = await ok('System.getApiStat', System.getApiStat());
  assert.match(stat.date, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(stat.count > 10, `api-stat counted ${stat.count} requests`);

  // Admins, filtered by an attribute value
  const admins = await ok('Admins.getAdminsInfo', Admins.getAdminsInfo());
  assert.deepEqual(ids(admins), [1, 2]);
  assert.equal(admins[0].attributeValues.name.value, 'Anna Petrova', 'the SDK picks the language');
  const owners = await ok('Admins.getAdminsInfo filtered', Admins.getAdminsInfo([{ attributeMarker: 'role', conditionMarker: 'eq', conditionValue: 'Касса' }], 'ru_RU'));
  assert.deepEqual(ids(owners), [2]);

  assert.deepEqual(httpErrors.map((e) => e.status), [404, 500], 'only the system test routes fired error hooks');
});

test('a missing page answers the live 404 to the SDK', async (t) => {
  const srv = await startServer(t, ['--compat', 'live-2026']);
  const { sdk } = latestStrict(srv.url);
  assertErrorBody(await sdk.Pages.getPageByUrl('nowhere'), 404, 'Page not found');
  assertErrorBody(await sdk.Blocks.getBlockByMarker('nowhere'), 404, 'Block not found');
  assertErrorBody(await sdk.Menus.getMenusByMarker('footer'), 404, 'Menu not found');
});
