// Package capsule records, redacts, stores and replays exchanges with the OneEntry content API.
//
// A capsule is one JSON file holding a recorded sequence of HTTP exchanges, so a bug seen
// against a live project can be reproduced offline and a recording can serve as a drift target.
// The format, version 1:
//
//	{
//	  "format": "oneentry-mock-capsule",   // always this string
//	  "version": 1,                         // readers refuse other versions
//	  "contract": "sha256:…",               // ContractVersion of the contract in force
//	  "profile": "sdk-1.0.115",             // compat profile the recording corresponds to
//	  "recordedAt": "2025-04-30T21:54:48Z", // optional
//	  "source": "oneentry-mock proxy",      // optional, free text
//	  "redactions": {                       // placeholder → kind; never the secret
//	    "<access-token-1>": "access-token",
//	    "user1@example.test": "email",
//	    "<password>": "password"
//	  },
//	  "exchanges": [                        // in the order the requests arrived
//	    {
//	      "method": "POST",
//	      "path": "/api/content/users-auth-providers/marker/email/users/auth",
//	      "query": "langCode=en_US",        // optional, keys sorted
//	      "requestHeaders": {"content-type": "application/json", "x-app-token": "<app-token-1>"},
//	      "requestBody": {…},               // JSON body as JSON; "requestText" for any other body
//	      "status": 201,
//	      "responseHeaders": {"content-type": "application/json; charset=utf-8"},
//	      "responseBody": {…},              // or "responseText"
//	      "startedAt": "2025-04-30T21:54:48.118Z", // optional
//	      "durationMs": 12.5                // optional
//	    }
//	  ]
//	}
//
// Header names are lower case, and only the headers that matter are kept: content-type,
// x-app-token, authorization, x-device-metadata and origin on requests; content-type and the CORS
// headers access-control-allow-origin, -allow-credentials and -expose-headers on responses. A
// missing responseHeaders object means the headers were not recorded (the seed capsule), not that
// there were none.
//
// Secrets and personal data are replaced at recording time by a Redactor, consistently across the
// whole capsule: the same e-mail always becomes the same user<N>@example.test, the same token the
// same <kind-N> placeholder, and every password <password>. The rules are in README.md.
//
// The pieces: Recorder collects redacted exchanges and writes the file atomically; NewProxy is
// the recording reverse proxy; Replay serves a capsule, matching requests with a Matcher (method,
// path, query, body shape, bearer placeholder) and re-issuing token placeholders as values
// (Reissuer); DeriveFixtures turns recorded answers into a fixture set for `serve --fixtures`.
package capsule
