// Every method of Forms and FormsData of the newest SDK, strict validation, against the default
// fixtures under today's API.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertErrorBody, assertNotError } from '../lib/check.mjs';
import { latestStrict } from '../lib/sdk.mjs';
import { USER, authData, contactForm, startServer } from '../lib/server.mjs';

test('Forms and FormsData: every method, strict, --compat live', async (t) => {
  const srv = await startServer(t, ['--compat', 'live']);
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { AuthProvider, Forms, FormData } = sdk;

  const forms = await Forms.getAllForms();
  assertNotError(forms, 'Forms.getAllForms');
  assert.ok(forms.items.some((f) => f.identifier === 'contact_us'), 'contact_us not listed');
  const form = await Forms.getFormByMarker('contact_us');
  assertNotError(form, 'Forms.getFormByMarker');
  assert.equal(form.id, 12);
  assert.equal(form.type, 'data');
  assert.deepEqual(form.attributes.map((a) => a.marker), ['name', 'email', 'message']);
  const [config] = form.moduleFormConfigs;
  assert.equal(config.formId, 12);
  assert.deepEqual(config.entityIdentifiers.map((e) => e.id), ['contacts']);

  // A visitor's submission, then the live refusals in their order.
  const posted = await FormData.postFormsData(contactForm(config.id));
  assertNotError(posted, 'FormsData.postFormsData');
  assert.equal(posted.actionMessage, 'Thank you! We will get back to you soon.');
  assert.equal(posted.formData.userIdentifier, null);
  const refusals = [
    [{ ...contactForm(config.id), formData: [{ marker: 'message', type: 'text', value: 'bare' }] }, 'required values are missing or incorrect: name'],
    [contactForm(config.id, 'bare'), 'message: a text value must be a list of one object with exactly one of plainValue, htmlValue, mdValue'],
    [{ ...contactForm(config.id), formModuleConfigId: config.id + 1000 }, 'Incorrect formIdentifier for provided config'],
  ];
  for (const [body, message] of refusals) {
    const res = await FormData.postFormsData(body);
    assertErrorBody(res, 400);
    assert.deepEqual(res.message, [message]);
  }
  httpErrors.length = 0;

  // A signed-in user's submission is theirs to change.
  assertNotError(await AuthProvider.auth('email', { authData: authData() }), 'AuthProvider.auth');
  const mine = await FormData.postFormsData(contactForm(config.id, [{ htmlValue: '<p>Hello</p>' }]));
  assertNotError(mine, 'FormsData.postFormsData signed in');
  assert.equal(mine.formData.userIdentifier, USER.login);

  const page = await FormData.getFormsDataByMarker('contact_us', config.id, {}, 0, 'en_US', 0, 1);
  assertNotError(page, 'FormsData.getFormsDataByMarker');
  assert.equal(page.total, 2);
  assert.equal(page.items.length, 1);
  assert.equal(page.items[0].id, mine.formData.id, 'newest first');
  const filtered = await FormData.getFormsDataByMarker('contact_us', config.id, { userIdentifier: USER.login }, 1);
  assertNotError(filtered, 'FormsData.getFormsDataByMarker extended');
  assert.equal(filtered.total, 1);

  const updated = await FormData.updateFormsDataByid(mine.formData.id, {
    formData: { en_US: [{ marker: 'name', type: 'string', value: 'Ann B.' }, { marker: 'message', type: 'text', value: [{ mdValue: '*Soon*' }] }] },
  });
  assertNotError(updated, 'FormsData.updateFormsDataByid');
  assert.equal(updated.formData[0].value, 'Ann B.');

  assert.equal(await FormData.updateFormsDataStatusByid(mine.formData.id, { status: 'deleted' }), true);
  const after = await FormData.getFormsDataByMarker('contact_us', config.id);
  assert.equal(after.total, 1, 'a deleted status leaves reads');
  assert.equal(await FormData.deleteFormsDataByid(mine.formData.id), true);

  assert.deepEqual(httpErrors, [], 'error hooks fired');
});
