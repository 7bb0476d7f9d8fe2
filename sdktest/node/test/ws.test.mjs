// WS.connect of both SDKs: a signed-in user's socket hears the product events it subscribed to
// (fired through the admin API, as the shop fires them on a change); a socket without a valid
// token is connected and then disconnected by the server.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';

import { define115, defineLatest } from '../lib/sdk.mjs';
import { APP_TOKEN, SEED, authData, startServer } from '../lib/server.mjs';

async function admin(url, method, path, body) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'x-app-token': APP_TOKEN, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  assert.equal(res.status, 200, `${method} ${path}: ${res.status}`);
  return res.json();
}

// sockets waits until the sandbox holds n open sockets.
async function sockets(url, n) {
  for (let i = 0; i < 500; i++) {
    const { total } = await admin(url, 'GET', '/__admin/sockets');
    if (total === n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`the sandbox never held ${n} sockets`);
}

// connected opens a socket and waits for its first connect or connect_error.
async function connected(WS) {
  const socket = WS.connect();
  const [outcome] = await Promise.race([once(socket, 'connect').then(() => ['connect']), once(socket, 'connect_error')]);
  assert.equal(outcome, 'connect', `the socket did not connect: ${outcome}`);
  return socket;
}

// title: product 12 in English, as each profile's catalogue has it (the seed's is Russian only).
for (const { name, define, args, title } of [
  { name: 'the newest SDK', define: defineLatest, args: [], title: 'Gold ticket' },
  { name: 'SDK 1.0.115, --compat sdk-1.0.115', define: define115, args: SEED, title: 'Золотой' },
]) {
  test(`WS.connect on ${name}: a subscribed user's socket hears the product event`, async (t) => {
    const srv = await startServer(t, args);
    const { AuthProvider, Events, WS } = define(srv.url, { token: APP_TOKEN });
    await AuthProvider.auth('email', { authData: authData() });
    assert.equal(await Events.subscribeByMarker('back_in_stock', 12, 'en_US'), true);

    const socket = await connected(WS);
    t.after(() => socket.disconnect());
    await sockets(srv.url, 1);
    const heard = once(socket, 'back_in_stock');
    const fired = await admin(srv.url, 'POST', '/__admin/events/back_in_stock/fire', { productId: 12, message: 'Back in stock' });
    assert.deepEqual(fired, { event: 'back_in_stock', productId: 12, message: 'Back in stock', subscribers: 1, delivered: 1 });
    const [notice] = await heard;
    assert.equal(notice.message, 'Back in stock');
    assert.deepEqual(notice.attributes, {});
    assert.equal(notice.product.id, 12);
    assert.equal(notice.product.info.title, title);
    assert.deepEqual(notice.product.attributes.price, { identifier: 'price', type: 'integer', value: 300 });

    // An event nobody subscribed to reaches no socket.
    const other = await admin(srv.url, 'POST', '/__admin/events/price_change/fire', { productId: 12 });
    assert.equal(other.delivered, 0);

    socket.disconnect();
    await sockets(srv.url, 0);
  });

  test(`WS.connect on ${name} without a signed-in user: connected, then disconnected by the server`, async (t) => {
    const srv = await startServer(t, args);
    const { WS } = define(srv.url, { token: APP_TOKEN });
    const quiet = t.mock.method(console, 'error', () => {}); // the SDK's "User is unauthorized"
    const socket = WS.connect();
    t.after(() => socket.disconnect());
    // Both arrive together: listen for the second before the first is awaited.
    const connect = once(socket, 'connect');
    const disconnect = once(socket, 'disconnect');
    await connect;
    const [reason] = await disconnect;
    assert.equal(reason, 'io server disconnect');
    assert.equal(socket.active, false, 'the client does not reconnect by itself');
    assert.equal(quiet.mock.callCount(), 1);
  });
}
