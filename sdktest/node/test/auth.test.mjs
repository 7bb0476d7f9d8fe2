// Every AuthProvider method of the newest SDK, with strict validation, against the default
// profile (today's API) and the default fixtures.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  ActiveSessionsResponseSchema,
  AuthProviderEntitySchema,
  AuthProvidersResponseSchema,
  AuthResponseSchema,
  SignUpResponseSchema,
} from 'oneentry-latest/dist/auth-provider/authProviderSchemas.js';

import { assertAuthResponse, assertErrorBody } from '../lib/check.mjs';
import { latestStrict, ok } from '../lib/sdk.mjs';
import { USER, authData, codeFromOutbox, startServer } from '../lib/server.mjs';

test('all 13 AuthProvider methods of the newest SDK, strict, default profile', async (t) => {
  const srv = await startServer(t);
  await srv.freezeClock();
  const { sdk, httpErrors } = latestStrict(srv.url);
  const { AuthProvider } = sdk;

  const providers = await ok('getAuthProviders', AuthProvider.getAuthProviders(), AuthProvidersResponseSchema);
  assert.deepEqual(providers.map((p) => [p.identifier, p.isCheckCode]), [['email', false], ['email_code', true]]);
  const provider = await ok('getAuthProviderByMarker', AuthProvider.getAuthProviderByMarker('email_code'), AuthProviderEntitySchema);
  assert.equal(provider.id, 2);

  // Sign-up through the code provider sends the first code by e-mail; activation spends it.
  const login = 'sdk-user@example.com';
  const signUp = await ok(
    'signUp',
    AuthProvider.signUp('email_code', {
      authData: [
        { marker: 'email_reg', value: login },
        { marker: 'password_reg', value: 'first-pass' },
      ],
      formData: [{ marker: 'name_reg', type: 'string', value: 'Sdk' }],
      notificationData: { email: login, phonePush: [], phoneSMS: '' },
    }),
    SignUpResponseSchema,
  );
  assert.equal(signUp.isActive, false);
  assert.deepEqual(signUp.notificationData, { email: login, phonePush: [] });
  const first = await codeFromOutbox(srv.url, login);
  assert.equal(await ok('checkCode', AuthProvider.checkCode('email_code', login, 'signup', first)), true);
  assert.equal(await ok('activateUser', AuthProvider.activateUser('email_code', login, first)), true);

  // A new code within 30 s is refused with 429; after it, sign-in by code works once.
  const early = await AuthProvider.generateCode('email_code', login, 'auth');
  assertErrorBody(early, 429);
  await srv.advanceClock('30s');
  // The answer has no body (the SDK's generateCode returns void; it hands back what it parsed).
  await ok('generateCode', AuthProvider.generateCode('email_code', login, 'auth'));
  const code = await codeFromOutbox(srv.url, login);
  const byCode = await ok('auth by code', AuthProvider.auth('email_code', { authData: [{ marker: 'email_reg', value: login }, { marker: 'code', value: code }] }), AuthResponseSchema);
  assert.equal(byCode.authProviderIdentifier, 'email_code');
  const again = await latestStrict(srv.url).sdk.AuthProvider.auth('email_code', { authData: [{ marker: 'email_reg', value: login }, { marker: 'code', value: code }] });
  assertErrorBody(again, 401);

  // Password sign-in, sessions, refresh, logout and logout-all on the email provider.
  const auth = await ok('auth', AuthProvider.auth('email', { authData: authData() }), AuthResponseSchema);
  assertAuthResponse(auth, USER.login);
  const sessions = await ok('getActiveSessionsByMarker', AuthProvider.getActiveSessionsByMarker('email'), ActiveSessionsResponseSchema);
  assert.ok(sessions.length >= 1);
  const refreshed = await ok('refresh', AuthProvider.refresh('email', auth.refreshToken), AuthResponseSchema);
  assert.notEqual(refreshed.refreshToken, auth.refreshToken);
  assert.equal(await ok('logout', AuthProvider.logout('email', refreshed.refreshToken)), true);
  await ok('auth again', AuthProvider.auth('email', { authData: authData() }), AuthResponseSchema);
  assert.equal(await ok('logoutAll', AuthProvider.logoutAll('email')), true);

  // Forgotten password: a reset code, then the new password; the old one stops working.
  await ok('generateCode reset', AuthProvider.generateCode('email', USER.login, 'reset'));
  const reset = await codeFromOutbox(srv.url, USER.login);
  assert.equal(await ok('changePassword', AuthProvider.changePassword('email', USER.login, 'reset', 1, reset, 'n3w-secret')), true);
  assertErrorBody(await latestStrict(srv.url).sdk.AuthProvider.auth('email', { authData: authData() }), 401);
  await ok('auth with the new password', AuthProvider.auth('email', { authData: authData(USER.login, 'n3w-secret') }), AuthResponseSchema);

  // OAuth: a code of the simulated network (the admin call stands in for its consent page).
  const grant = await fetch(`${srv.url}/__admin/oauth/email/codes`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'oauth-user@example.com', redirectUri: 'http://localhost:3000' }),
  });
  assert.equal(grant.status, 201);
  const { code: oauthCode } = await grant.json();
  const body = { client_id: 'id', client_secret: 'secret', code: oauthCode, grant_type: 'authorization_code', redirect_uri: 'http://localhost:3000' };
  const oauth = await ok('oauth', AuthProvider.oauth('email', { ...body }), AuthResponseSchema);
  assert.equal(oauth.userIdentifier, 'oauth-user@example.com');
  assertErrorBody(await AuthProvider.oauth('email', { ...body }), 400, 'The authorization code was already used or has expired');

  assert.deepEqual(httpErrors.map((e) => e.status), [429, 400]);
});
