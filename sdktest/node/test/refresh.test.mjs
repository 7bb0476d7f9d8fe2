// An expired access token as the SDKs meet it: 401, refresh, retry; refresh tokens are single use.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertAuthResponse, assertErrorBody, assertNotError, assertRefreshToken } from '../lib/check.mjs';
import { assertRefreshRejected, define115, defineLatest } from '../lib/sdk.mjs';
import { APP_TOKEN, SEED, USER, authData, startServer } from '../lib/server.mjs';

const SDKS = {
  '1.0.115': (url, saveFunction) => define115(url, { token: APP_TOKEN, auth: { saveFunction } }),
  latest: (url, saveFunction) =>
    defineLatest(url, {
      token: APP_TOKEN,
      validation: { enabled: true, strictMode: true, logErrors: false },
      errors: { isShell: false },
      auth: { saveFunction },
    }),
};

for (const [version, define] of Object.entries(SDKS)) {
  test(`SDK ${version}: an expired access token is refreshed and the call retried`, async (t) => {
    // SDK 1.0.115 predates x-device-metadata, so it runs against the API generation it was made for.
    const srv = await startServer(t, ['--access-token-ttl', '1s', ...(version === '1.0.115' ? SEED : [])]);
    // JWT times are whole seconds, so on a running clock a 1s token can expire a few ms after it is
    // issued and fail the SDK's retry; a frozen clock moves only when the test says so.
    assert.equal((await srv.freezeClock()).frozen, true);
    const saved = [];
    const { AuthProvider, Orders } = define(srv.url, (tok) => saved.push(tok));

    const login = await AuthProvider.auth('email', { authData: authData() });
    const { claims } = assertAuthResponse(login, USER.login);
    assert.equal(claims.exp - claims.iat, 1, 'access token lifetime is not the configured 1s');
    assert.deepEqual(saved, [login.refreshToken]);

    const before = await srv.clock();
    const after = await srv.advanceClock('2s');
    assert.equal(Date.parse(after.now) - Date.parse(before.now), 2000, 'the mock clock did not move by 2s');

    // The mock really refuses the old access token now, so the SDK call below can only succeed through a refresh.
    const raw = await fetch(`${srv.url}/api/content/orders-storage/marker/tickets/orders?langCode=en_US&limit=30&offset=0`, {
      headers: { 'Content-Type': 'application/json', 'x-app-token': APP_TOKEN, Authorization: `Bearer ${login.accessToken}` },
    });
    assert.equal(raw.status, 401);
    assertErrorBody(await raw.json(), 401);

    const orders = await Orders.getAllOrdersByMarker('tickets');
    assertNotError(orders, 'Orders.getAllOrdersByMarker after expiry');
    assert.ok(Array.isArray(orders.items), `unexpected orders answer ${JSON.stringify(orders)}`);
    assert.equal(typeof orders.total, 'number');

    assert.equal(saved.length, 2, `saveFunction calls: ${JSON.stringify(saved)}`);
    assert.notEqual(saved[1], login.refreshToken, 'refresh returned the same refresh token');
    assertRefreshToken(saved[1]);

    await assertRefreshRejected(srv.url, login.refreshToken);

    // The rotated token works exactly once.
    const fresh = defineLatest(srv.url, { token: APP_TOKEN });
    const again = await fresh.AuthProvider.refresh('email', saved[1]);
    assertAuthResponse(again, USER.login);
    await assertRefreshRejected(srv.url, saved[1]);
  });
}
