// Comparisons between what the SDK returns and the seed's recorded blocks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** Reads one recorded live response from fixtures/recorded (never copied into this package). */
export function recorded(name) {
  return JSON.parse(readFileSync(new URL(`../../../fixtures/recorded/${name}.json`, import.meta.url), 'utf8'));
}

/** The JSON type of a value: null, array, object, string, number or boolean. */
export function jsonType(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Lists every place where actual differs from expected in its keys or JSON types, recursively.
 * Values are not compared. Arrays must have the same length and are compared element by element,
 * because recorded arrays mix shapes (a form's listTitles holds a page and then products).
 *
 * @returns {string[]} one line per difference, empty when the shapes agree
 */
export function shapeDiff(actual, expected, path = '$') {
  const at = jsonType(actual);
  const et = jsonType(expected);
  if (at !== et) {
    return [`${path}: ${at} (${JSON.stringify(actual)}), recorded ${et}`];
  }
  const out = [];
  if (at === 'array') {
    if (actual.length !== expected.length) {
      out.push(`${path}: ${actual.length} items, recorded ${expected.length}`);
    }
    const n = Math.min(actual.length, expected.length);
    for (let i = 0; i < n; i++) out.push(...shapeDiff(actual[i], expected[i], `${path}[${i}]`));
  } else if (at === 'object') {
    for (const k of Object.keys(expected)) {
      if (!(k in actual)) out.push(`${path}.${k}: missing`);
      else out.push(...shapeDiff(actual[k], expected[k], `${path}.${k}`));
    }
    for (const k of Object.keys(actual)) {
      if (!(k in expected)) out.push(`${path}.${k}: not in the recording (${JSON.stringify(actual[k])})`);
    }
  }
  return out;
}

/** Fails unless actual has exactly the recorded keys and JSON types. */
export function assertSameShape(actual, expected, what) {
  const diff = shapeDiff(actual, expected);
  assert.deepEqual(diff, [], `${what} differs in shape from the recording:\n  ${diff.join('\n  ')}`);
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Fails unless s is an ISO-8601 UTC timestamp with milliseconds, as the live API writes dates. */
export function assertIsoDate(s, what) {
  assert.match(String(s), ISO_MS, `${what} is not an ISO-8601 UTC date with milliseconds`);
}

function base64urlJSON(part, what) {
  assert.match(part, /^[A-Za-z0-9_-]+$/, `${what} is not base64url`);
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (err) {
    assert.fail(`${what} does not decode to JSON: ${err.message}`);
  }
}

/**
 * Fails unless token is an HS256 JWT whose payload carries the live claims, and returns the payload.
 * @param {string} token
 * @param {{userIdentifier?: string, authProviderIdentifier?: string}} [want]
 */
export function assertAccessToken(token, want = {}) {
  assert.equal(typeof token, 'string', 'accessToken is not a string');
  const parts = token.split('.');
  assert.equal(parts.length, 3, `accessToken ${token} is not a JWT`);
  const header = base64urlJSON(parts[0], 'JWT header');
  assert.equal(header.alg, 'HS256', 'JWT alg');
  const claims = base64urlJSON(parts[1], 'JWT payload');
  for (const k of ['id', 'authProviderIdentifier', 'userIdentifier', 'iat', 'exp']) {
    assert.ok(k in claims, `JWT payload ${JSON.stringify(claims)} lacks ${k}`);
  }
  assert.equal(typeof claims.id, 'number', 'JWT id claim');
  assert.ok(Number.isInteger(claims.iat) && Number.isInteger(claims.exp), 'JWT iat/exp are not integer seconds');
  assert.ok(claims.exp > claims.iat, 'JWT exp is not after iat');
  assert.equal(claims.authProviderIdentifier, want.authProviderIdentifier ?? 'email');
  if (want.userIdentifier) assert.equal(claims.userIdentifier, want.userIdentifier);
  assert.match(parts[2], /^[A-Za-z0-9_-]+$/, 'JWT signature is not base64url');
  return claims;
}

const REFRESH = /^(\d{13})-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Fails unless token is `<issue time in ms>-<UUID v4>` and returns the issue time. */
export function assertRefreshToken(token) {
  const m = REFRESH.exec(String(token));
  assert.ok(m, `refreshToken ${JSON.stringify(token)} is not <ms>-<uuid v4>`);
  return Number(m[1]);
}

/** Fails unless a full auth answer (the four recorded fields) came back for the given user. */
export function assertAuthResponse(res, userIdentifier) {
  assertNotError(res, 'auth');
  assertSameShape(res, recorded('auth'), 'auth response');
  assert.equal(res.userIdentifier, userIdentifier);
  assert.equal(res.authProviderIdentifier, 'email');
  const claims = assertAccessToken(res.accessToken, { userIdentifier });
  const issuedMs = assertRefreshToken(res.refreshToken);
  return { claims, issuedMs };
}

/**
 * Describes an SDK result that is an error (an HTTP error body, the SDK's own 422 for a schema
 * mismatch, or an exception the SDK caught and returned), or returns null for a success value.
 */
export function describeError(res) {
  if (res instanceof Error) return `${res.name}: ${res.message}`;
  if (res !== null && typeof res === 'object' && !Array.isArray(res) && 'statusCode' in res) {
    let s = `statusCode ${res.statusCode}: ${JSON.stringify(res.message)}`;
    if (Array.isArray(res.validationErrors)) {
      s += '\n  zod issues:\n' + res.validationErrors
        .map((i) => `    ${(i.path ?? []).join('.') || '(root)'}: ${i.message}`)
        .join('\n');
    }
    return s;
  }
  return null;
}

/** Fails when an SDK result is an error; for the SDK's 422 the zod issues are printed. */
export function assertNotError(res, what) {
  const d = describeError(res);
  if (d !== null) {
    console.log(`${what}: ${d}`);
    assert.fail(`${what} returned an error: ${d}`);
  }
}

/** Fails unless body is the mock's error body with the given status (and message, when given). */
export function assertErrorBody(body, status, message) {
  assert.ok(body && typeof body === 'object' && !(body instanceof Error), `expected an error body, got ${body instanceof Error ? body.stack : JSON.stringify(body)}`);
  assert.deepEqual(Object.keys(body).sort(), ['error', 'message', 'pageData', 'statusCode', 'timestamp'], `error body keys of ${JSON.stringify(body)}`);
  assert.equal(body.statusCode, status, `statusCode of ${JSON.stringify(body)}`);
  assert.equal(typeof body.error, 'string');
  assert.equal(body.pageData, null);
  assertIsoDate(body.timestamp, 'error timestamp');
  if (message !== undefined) assert.equal(body.message, message);
  else assert.ok(typeof body.message === 'string' || Array.isArray(body.message), 'error message is neither a string nor an array');
}
