// SDK instances configured the way the tests need them.
import assert from 'node:assert/strict';

import { defineOneEntry as defineOneEntry115 } from 'oneentry-1.0.115';
import { defineOneEntry as defineOneEntryLatest } from 'oneentry-latest';

import { assertErrorBody, assertNotError } from './check.mjs';
import { recordCalls } from './methods.mjs';
import { APP_TOKEN } from './server.mjs';

/**
 * SDK 1.0.115's defineOneEntry. Each module comes back behind a proxy that notes every method
 * the test calls (see methods.mjs), so that the suite can tell which SDK methods it never ran.
 *
 * @type {typeof defineOneEntry115}
 */
export function define115(url, config) {
  return recordCalls(defineOneEntry115(url, config), 'oneentry-1.0.115');
}

/**
 * The newest SDK's defineOneEntry, its calls noted as define115's are.
 *
 * @type {typeof defineOneEntryLatest}
 */
export function defineLatest(url, config) {
  return recordCalls(defineOneEntryLatest(url, config), 'oneentry-latest');
}

// Every status the newest SDK has an error hook for.
const HOOKED = [400, 401, 403, 404, 429, 500, 502, 503, 504];

/**
 * The newest SDK with strict response validation. Without an `errors` section it silently returns
 * error bodies, so every error hook records what it saw and errors stay returned (isShell) for the
 * caller to inspect; logErrors is off because the tests print the zod issues themselves.
 *
 * @param {string} url
 * @param {{token?: string, auth?: object}} [opts]
 */
export function latestStrict(url, { token = APP_TOKEN, auth } = {}) {
  const httpErrors = [];
  const customErrors = Object.fromEntries(HOOKED.map((s) => [String(s), (body) => httpErrors.push({ status: s, body })]));
  const sdk = defineLatest(url, {
    token,
    validation: { enabled: true, strictMode: true, logErrors: false },
    errors: { isShell: true, customErrors },
    auth,
  });
  return { sdk, httpErrors };
}

/**
 * Fails unless `AuthProvider.refresh(marker, token)` is refused with a 401 body. A fresh SDK instance
 * is used: on a logged-in one the SDK would answer the 401 by refreshing its own token and retrying.
 */
export async function assertRefreshRejected(url, token) {
  const { AuthProvider } = defineLatest(url, { token: APP_TOKEN });
  const res = await AuthProvider.refresh('email', token);
  assert.ok(res && typeof res === 'object' && 'statusCode' in res, `refresh token ${token} was accepted again: ${JSON.stringify(res)}`);
  assertErrorBody(res, 401);
}

/** Fails unless `schema` (one of the SDK's own zod schemas) accepts value. */
export function assertSchema(schema, value, what) {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `    ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    console.log(`${what}: zod issues\n${issues}`);
    assert.fail(`${what} fails the SDK's schema:\n${issues}`);
  }
}

/**
 * Awaits an SDK call, fails when it returned an error or, given one of the SDK's zod schemas,
 * when the schema refuses the answer; returns the answer.
 */
export async function ok(what, promise, schema) {
  const res = await promise;
  assertNotError(res, what);
  if (schema) assertSchema(schema, res, what);
  return res;
}
