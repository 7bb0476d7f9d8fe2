package contracts

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testAdminValidator returns one Validator of the operations contract shared by all tests.
var testAdminValidator = sharedValidator(LoadAdmin)

func adminDoc(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := LoadAdmin(t.Context())
	require.NoError(t, err)
	return doc
}

// adminRequest builds a request as an admin client sends it: JSON bodies, no app token (the
// default sandbox).
func adminRequest(method, target, body string) *http.Request {
	req := newRequest(method, target, body)
	req.Header.Del("x-app-token")
	return req
}

// The error body is copied from the content contract (one document each, no external refs);
// this keeps the copy from drifting.
func TestAdminErrorSchemaIsTheContentOne(t *testing.T) {
	t.Parallel()
	content, err := Load(t.Context())
	require.NoError(t, err)
	want, err := json.Marshal(content.Components.Schemas["Error"].Value)
	require.NoError(t, err)
	got, err := json.Marshal(adminDoc(t).Components.Schemas["Error"].Value)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}

func TestAdminOperationConventions(t *testing.T) {
	t.Parallel()
	doc := adminDoc(t)
	content, err := Load(t.Context())
	require.NoError(t, err)
	contentIDs := map[string]bool{}
	for _, p := range content.Paths.InMatchingOrder() {
		for _, op := range content.Paths.Value(p).Operations() {
			contentIDs[op.OperationID] = true
		}
	}
	seen := map[string]string{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			name := method + " " + path
			t.Run(name, func(t *testing.T) {
				id := op.OperationID
				require.NotEmpty(t, id)
				if prev, dup := seen[id]; dup {
					t.Fatalf("operationId %q used by %s and %s", id, prev, name)
				}
				seen[id] = name
				assert.False(t, contentIDs[id], "operationId %q is also a content operation", id)
				assert.Nil(t, op.Responses.Default(), "no catch-all response: undocumented statuses must be reported")
				assert.NotEmpty(t, op.Summary)

				var appToken *openapi3.Parameter
				for _, p := range op.Parameters {
					if p.Value.In == openapi3.ParameterInHeader && p.Value.Name == "x-app-token" {
						appToken = p.Value
					}
				}
				switch {
				case strings.HasPrefix(path, "/__admin/sandboxes"), path == "/__admin/reload":
					assert.Nil(t, op.Security, "the registry and the reload are admin-guarded like every /__admin call")
					assert.Nil(t, appToken, "the registry and the reload address no sandbox")
					assert.NotNil(t, op.Responses.Status(http.StatusUnauthorized))
				case strings.HasPrefix(path, "/__admin/"):
					assert.Nil(t, op.Security, "inherits the optional admin token")
					assert.NotNil(t, op.Responses.Status(http.StatusUnauthorized), "401 when --admin-token is set")
					assert.NotNil(t, op.Responses.Status(http.StatusNotFound), "404 for an unknown x-app-token")
					require.NotNil(t, appToken, "admin calls address a sandbox by x-app-token")
					assert.False(t, appToken.Required, "absent means the default sandbox")
				default:
					require.NotNil(t, op.Security, "%s states that it needs no admin token", name)
					assert.Empty(t, *op.Security)
					assert.Nil(t, op.Responses.Status(http.StatusUnauthorized))
				}
				if op.RequestBody != nil && op.RequestBody.Value.Content.Get("application/json") != nil {
					assert.NotNil(t, op.Responses.Status(http.StatusBadRequest), "400 where there is a JSON body")
				}
				for code, ref := range op.Responses.Map() {
					n, err := strconv.Atoi(code)
					require.NoError(t, err)
					if n < 400 || (path == "/readyz" && n == http.StatusServiceUnavailable) {
						continue // readiness answers its own status body while draining
					}
					if mt := ref.Value.Content.Get("application/json"); mt != nil {
						assert.Equal(t, "#/components/schemas/Error", mt.Schema.Ref, "%s uses the shared error body", code)
					} else {
						assert.True(t, strings.HasPrefix(path, "/cloud-static/") || strings.HasPrefix(path, "/oauth/"),
							"%s: only the consent page and the site's files answer errors as text", code)
					}
				}
			})
		}
	}
}

// GoDuration accepts exactly the non-empty strings time.ParseDuration accepts (the server parses
// the clock's advance and a state document's offset with it), and whatever Duration.String writes.
func TestGoDurationPatternIsGoDuration(t *testing.T) {
	t.Parallel()
	doc := adminDoc(t)
	pattern := doc.Components.Schemas["GoDuration"].Value.Pattern
	require.NotEmpty(t, pattern)
	assert.Equal(t, pattern, doc.Components.Schemas["ClockRequest"].Value.Properties["advance"].Value.Pattern)
	assert.Equal(t, pattern, doc.Components.Schemas["StateClock"].Value.Properties["offset"].Value.Pattern)
	re := regexp.MustCompile(pattern)
	for _, s := range []string{
		"0", "00", "1", "1h", "90s", "2h30m", "1.5h", "-1h", "+5m", ".5s", "1.s", "1h-30m", "1µs", "1μs",
		"300ms", "10ns", "2us", "h", "1d", "1 h", "1H", "-", "-0", "+.5h", "1h30", "5m0.25s",
	} {
		_, err := time.ParseDuration(s)
		assert.Equal(t, err == nil, re.MatchString(s), "%q: Go says %v", s, err)
	}
	for _, d := range []time.Duration{0, 1, 1500, 2 * time.Millisecond, -90 * time.Minute, 49*time.Hour + 30*time.Second + 5} {
		assert.Regexp(t, re, d.String())
	}
}

func adminJSONHeader() http.Header {
	return http.Header{"Content-Type": {"application/json; charset=utf-8"}}
}

type adminExchange struct {
	method, target, body string
	reqHeader            http.Header
	status               int
	respHeader           http.Header
	resp                 string
}

const (
	adminErr404   = `{"statusCode":404,"message":"No sandbox has app token \"x\"","error":"Not Found","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`
	adminErr400   = `{"statusCode":400,"message":["body must be ..."],"error":"Bad Request","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`
	adminErr401   = `{"statusCode":401,"message":"admin calls need the x-admin-token header","error":"Unauthorized","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`
	adminSession  = `{"id":49,"createdDate":"2025-04-30T21:54:50.058Z","updatedDate":"2025-04-30T21:55:50.058Z","type":"session","status":"completed","paymentAccountId":2,"orderId":92,"paymentUrl":"http://127.0.0.1:8080/checkout/your-app-token/cs_test_0123456789abcdef0123456789abcdef"}`
	adminOrder    = `{"id":92,"storageId":1,"createdDate":"2025-04-30T21:54:48.918Z","statusIdentifier":"paid","formIdentifier":"tickets_form","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"attributeSetIdentifier":"order_form","totalSum":"100.00","currency":"USD","paymentAccountIdentifier":"stripe","paymentAccountLocalizeInfos":{"title":"Card"},"products":[{"id":10,"title":"Бронзовый","sku":null,"previewImage":null,"price":100,"quantity":1}],"paymentUrl":"http://127.0.0.1:8080/checkout/your-app-token/cs_test_0123456789abcdef0123456789abcdef","isCompleted":true}`
	adminMail     = `{"id":"1","requestId":"req_1-1","messageId":"m@oneentry-mock.test","from":"OneEntry <no-reply@oneentry-mock.test>","to":["your-user@email.com"],"subject":"Your ticket","text":"hi","html":"<p>hi</p>","date":"2025-04-30T21:54:48Z","headers":{"X-Oneentry-Event":"order.ticket"}}`
	adminParsed   = `{"headers":{"Subject":["Your ticket"]},"messageId":"m@oneentry-mock.test","from":"no-reply@oneentry-mock.test","to":["your-user@email.com"],"subject":"Your ticket","date":"2025-04-30T21:54:48Z","text":"hi","html":"<p>hi</p>","parts":[{"contentType":"text/plain","charset":"utf-8","encoding":"quoted-printable","body":"hi"}]}`
	adminDelivery = `{"id":"whd_1","event":"payment.session.completed","url":"http://127.0.0.1:9/hook","requestId":"req_1-2","status":"pending","attempts":[{"at":"2025-04-30T21:54:48.918+03:00","statusCode":500,"responseBody":"no","error":"receiver answered 500","durationMs":1.5}],"body":{"type":"payment.session.completed","created":"2025-04-30T21:55:48.918Z","session":` + adminSession + `,"order":{"id":92,"storageMarker":"tickets","statusIdentifier":"paid","totalSum":"100.00","currency":"USD","isCompleted":true}},"createdAt":"2025-04-30T21:54:48.918Z","nextAttemptAt":"2025-04-30T21:54:49.918Z"}`
	adminEntry    = `{"id":"req_1-3","time":"2025-04-30T21:54:48.918273Z","method":"POST","path":"/api/content/payments/session","query":"a=1","nearestRoute":"POST /api/content/payments/sessions","status":404,"durationMs":0.12,"requestHeaders":{"content-type":"application/json","x-app-token":"your…en"},"requestBody":{"orderId":1},"responseText":"{\"statusCode\":","fault":"flt_1","bodiesTruncated":true}`
	adminRule     = `{"id":"flt_1","method":"POST","path":"/api/content/orders-storage/marker/*/orders","latency":{"minMs":10,"maxMs":50},"status":503,"message":"down","times":2,"remaining":1,"matched":1,"createdAt":"2025-04-30T21:54:48.918273Z"}`
	adminState    = `{"format":"oneentry-mock-state","version":1,"clock":{"offset":"-1h30m0s","frozenAt":null},` +
		`"counters":{"nextUserId":18,"nextAuthSessionId":2,"nextOrderId":93,"nextPaymentSessionId":50},` +
		`"users":[{"id":16,"authProviderIdentifier":"email","identifier":"your-user@email.com","password":"123456","formIdentifier":"reg","formData":[{"marker":"name_reg","type":"string","value":"Ivan"}],"groups":[1],"state":{},"isActive":true,"language":"en_US"},` +
		`{"id":17,"authProviderIdentifier":"email","identifier":"new@example.com","password":"x","formIdentifier":"reg","formData":null,"groups":null,"isActive":false,"language":"en_US","notificationData":{"email":"new@example.com"},"createdDate":"2025-04-30T21:54:48.918Z","updatedDate":"2025-04-30T21:54:48.918Z"}],` +
		`"authSessions":[{"id":1,"userId":16,"authProviderIdentifier":"email","refreshToken":"1-2","refreshExpires":"2025-05-07T21:54:48.918Z","device":{"os":"","browser":"","location":""}}],` +
		`"orders":[{"id":92,"storageId":1,"storageMarker":"tickets","userId":16,"formIdentifier":"tickets_form","paymentAccountIdentifier":"stripe","statusIdentifier":"paid","language":"en_US","formData":[{"marker":"tickets","type":"entity","value":["p-8-10"]}],"products":[{"productId":10,"quantity":1,"signedPrice":""}],"currency":"USD","totalCents":10000,"createdDate":"2025-04-30T21:54:48.918Z","slots":[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"]],"paymentUrl":"http://127.0.0.1:8080/checkout/your-app-token/cs_test_0123456789abcdef0123456789abcdef","isCompleted":true,"paidAt":"2025-04-30T21:55:48.918Z","holdsSeats":true}],` +
		`"paymentSessions":[{"id":49,"orderId":92,"userId":16,"paymentAccountId":2,"type":"session","status":"completed","paymentUrl":"http://127.0.0.1:8080/checkout/your-app-token/cs_test_0123456789abcdef0123456789abcdef","createdDate":"2025-04-30T21:54:48.918Z","updatedDate":"2025-04-30T21:55:48.918Z","expiresAt":"2025-04-30T22:24:48.918Z","declines":0,"checkoutToken":"cs_test_0123456789abcdef0123456789abcdef"}],` +
		`"codes":[{"userId":16,"event":"reset_password","code":"123456","expires":"2025-04-30T21:56:48.918Z"}]}`
	adminSandbox = `{"appToken":"sbx_1","users":[{"identifier":"your-user@email.com","password":"123456","authProviderIdentifier":"email"}],"createdAt":"2025-04-30T21:54:48.918Z","default":false}`
)

// adminValidExchanges holds a valid exchange for every operation; the coverage check makes a new
// operation come with one.
func adminValidExchanges() map[string]adminExchange {
	json404 := adminExchange{status: 404, resp: adminErr404}
	with := func(base adminExchange, method, target string) adminExchange {
		base.method, base.target = method, target
		return base
	}
	return map[string]adminExchange{
		"health":                {method: "GET", target: "/healthz", status: 200, resp: `{"status":"ok"}`},
		"ready":                 {method: "GET", target: "/readyz", status: 200, resp: `{"status":"ready"}`},
		"draining":              {method: "GET", target: "/readyz", status: 503, resp: `{"status":"draining"}`},
		"metrics":               {method: "GET", target: "/metrics", status: 200, respHeader: http.Header{"Content-Type": {"text/plain; version=0.0.4; charset=utf-8; escaping=underscores"}}, resp: "# HELP x y\n# TYPE x counter\nx 1\n"},
		"reset":                 {method: "POST", target: "/__admin/reset", status: 200, resp: `{"reset":true}`},
		"reset unknown sandbox": with(json404, "POST", "/__admin/reset"),
		"reset unauthorized":    {method: "POST", target: "/__admin/reset", status: 401, resp: adminErr401},
		"getClock":              {method: "GET", target: "/__admin/clock", status: 200, resp: `{"now":"2025-04-30T21:54:48.918Z","frozen":false}`},
		"setClock":              {method: "POST", target: "/__admin/clock", body: `{"reset":true,"set":"2025-04-30T21:54:48+03:00","advance":"1h30m","freeze":true}`, status: 200, resp: `{"now":"2025-04-30T20:24:48.000Z","frozen":true}`},
		"setClock bad":          {method: "POST", target: "/__admin/clock", body: `{}`, status: 400, resp: adminErr400},
		"applyPaymentAction":    {method: "POST", target: "/__admin/payments/sessions/49/complete", status: 200, resp: `{"session":` + adminSession + `,"order":` + adminOrder + `}`},
		"approveFormData": {method: "POST", target: "/__admin/form-data/1/approve", status: 200,
			resp: `{"id":1,"formIdentifier":"contact_us","formModuleConfigId":2,"entityIdentifier":"contacts","language":"en_US","formData":[{"marker":"name","type":"string","value":"Ann"}],"status":"approved","userIdentifier":null,"time":"2025-04-30T21:54:48.918Z"}`},
		"listSockets": {method: "GET", target: "/__admin/sockets", status: 200, resp: `{"total":2,"users":[{"userId":16,"connections":2}]}`},
		"fireProductEvent": {method: "POST", target: "/__admin/events/back_in_stock/fire", body: `{"productId":12,"message":"Back in stock"}`, status: 200,
			resp: `{"event":"back_in_stock","productId":12,"message":"Back in stock","subscribers":1,"delivered":2}`},
		"fireProductEvent unknown product": {method: "POST", target: "/__admin/events/back_in_stock/fire", body: `{"productId":99}`, status: 404,
			resp: `{"statusCode":404,"message":"Product with id 99 not found","error":"Not Found","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`},
		"redeliverWebhook": {method: "POST", target: "/__admin/webhooks/wh_2/redeliver", status: 202, resp: `{"id":"wh_3","redeliveryOf":"wh_2"}`},
		"decideRefund":     {method: "POST", target: "/__admin/refunds/1/approve", status: 200, resp: `{"refund":{"id":1,"createdDate":"2025-04-30T21:54:48.918Z","status":"approved","amount":100,"note":"","products":{"10":{"quantity":1}},"orderId":92,"orderStorageId":1,"userId":16,"orderStorage":{"id":1,"identifier":"tickets","localizeInfos":{"title":"Tickets"}},"user":{"id":16,"identifier":"your-user@email.com"}},"order":` + adminOrder + `}`},
		"applyPaymentAction closed": {method: "POST", target: "/__admin/payments/sessions/49/cancel", status: 409,
			resp: `{"statusCode":409,"message":"Payment session 49 is already completed","error":"Conflict","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`},
		"listMail": {method: "GET", target: "/__admin/mail?to=your-user%40email.com&limit=1", status: 200, resp: `{"total":1,"messages":[` + adminMail + `]}`},
		"patchPaymentAccount": {method: "PATCH", target: "/__admin/payments/accounts/2", body: `{"testSettings":{"successUrl":"http://localhost:3000/thanks","cancelUrl":null}}`, status: 200,
			resp: `{"id":2,"identifier":"stripe","testSettings":{"successUrl":"http://localhost:3000/thanks"}}`},
		"listMail empty":                         {method: "GET", target: "/__admin/mail", status: 200, resp: `{"total":0,"messages":[]}`},
		"clearMail":                              {method: "DELETE", target: "/__admin/mail", status: 204},
		"getMail":                                {method: "GET", target: "/__admin/mail/latest", status: 200, resp: strings.TrimSuffix(adminMail, "}") + `,"parsed":` + adminParsed + `}`},
		"getMail unknown":                        with(json404, "GET", "/__admin/mail/7"),
		"getMailRaw":                             {method: "GET", target: "/__admin/mail/1/raw", status: 200, respHeader: http.Header{"Content-Type": {"message/rfc822"}}, resp: "From: a@b.test\r\n\r\nhi\r\n"},
		"listWebhookDeliveries":                  {method: "GET", target: "/__admin/webhooks?event=payment.session.completed&status=pending&requestId=req_1-2&limit=5", status: 200, resp: `{"total":1,"deliveries":[` + adminDelivery + `]}`},
		"listWebhookDeliveries unencodable body": {method: "GET", target: "/__admin/webhooks", status: 200, resp: `{"total":1,"deliveries":[{"id":"whd_2","event":"payment.session.created","url":"http://127.0.0.1:9/hook","status":"failed","error":"invalid JSON body","attempts":[],"body":null,"createdAt":"2025-04-30T21:54:48.918Z"}]}`},
		"listRequests":                           {method: "GET", target: "/__admin/requests?method=POST&path=/api/content/*&status=404&since=2025-04-30T21:54:48Z&limit=10", status: 200, resp: `{"total":1,"requests":[` + adminEntry + `]}`},
		"clearRequests":                          {method: "DELETE", target: "/__admin/requests", status: 204},
		"countRequests":                          {method: "GET", target: "/__admin/requests/count?status=201", status: 200, resp: `{"count":3}`},
		"createFault":                            {method: "POST", target: "/__admin/faults", body: `{"method":"POST","path":"/api/content/orders-storage/marker/*/orders","latency":{"minMs":10,"maxMs":50},"status":503,"message":"down","times":2}`, status: 201, resp: adminRule},
		"createFault reset":                      {method: "POST", target: "/__admin/faults", body: `{"path":"/api/content/**","reset":true,"probability":0.5}`, status: 201, resp: `{"id":"flt_2","path":"/api/content/**","reset":true,"probability":0.5,"matched":0,"createdAt":"2025-04-30T21:54:48Z"}`},
		"listFaults":                             {method: "GET", target: "/__admin/faults", status: 200, resp: `[` + adminRule + `]`},
		"clearFaults":                            {method: "DELETE", target: "/__admin/faults", status: 204},
		"deleteFault":                            {method: "DELETE", target: "/__admin/faults/flt_1", status: 204},
		"exportState":                            {method: "GET", target: "/__admin/state", status: 200, resp: adminState},
		"importState":                            {method: "PUT", target: "/__admin/state", body: adminState, status: 200, resp: adminState},
		"importState bad":                        {method: "PUT", target: "/__admin/state", body: strings.Replace(adminState, `"userId":16,"authProviderIdentifier"`, `"userId":99,"authProviderIdentifier"`, 1), status: 400, resp: adminErr400},
		"createSandbox":                          {method: "POST", target: "/__admin/sandboxes", status: 201, resp: adminSandbox},
		"listSandboxes":                          {method: "GET", target: "/__admin/sandboxes", status: 200, resp: `[` + adminSandbox + `]`},
		"deleteSandbox":                          {method: "DELETE", target: "/__admin/sandboxes/sbx_1", status: 204},
		"reloadFixtures":                         {method: "POST", target: "/__admin/reload", status: 200, resp: `{"reloaded":true}`},
		"reloadFixtures broken":                  {method: "POST", target: "/__admin/reload", status: 400, resp: adminErr400},
		"checkoutPage":                           {method: "GET", target: "/checkout/your-app-token/cs_test_0123456789abcdef0123456789abcdef?result=paid", status: 200, respHeader: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, resp: "<!doctype html><p>ok</p>"},
		"staticUpload":                           {method: "GET", target: "/cloud-static/your-app-token/files/project/page/-/-/a.txt", status: 200, respHeader: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, resp: "a"},
		"checkoutPage unknown":                   {method: "GET", target: "/checkout/nope/49", status: 404, resp: adminErr404},
		"siteMedia":                              {method: "GET", target: "/cloud-static/content/hero.svg", status: 200, respHeader: http.Header{"Content-Type": {"image/svg+xml"}}, resp: "<svg/>"},
		"siteMedia unknown":                      {method: "GET", target: "/cloud-static/content/nope.png", status: 404, resp: adminErr404},
		"siteSitemap":                            {method: "GET", target: "/cloud-static/sitemaps/sitemap-en_US.xml", status: 200, respHeader: http.Header{"Content-Type": {"application/xml; charset=utf-8"}}, resp: "<urlset/>"},
		"checkoutAction": {method: "POST", target: "/checkout/your-app-token/cs_test_0123456789abcdef0123456789abcdef/complete", body: "action=complete",
			reqHeader: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, status: 303, respHeader: http.Header{"Location": {"http://shop.test/thanks?session_id=49"}}},
		"grantOAuthCode":   {method: "POST", target: "/__admin/oauth/email/codes", body: `{"email":"a@b.c","redirectUri":"http://localhost:3000/cb"}`, status: 201, resp: `{"code":"0f1e"}`},
		"oauthConsentPage": {method: "GET", target: "/oauth/your-app-token/email?redirect_uri=http://localhost:3000/cb&state=x", status: 200, respHeader: http.Header{"Content-Type": {"text/html; charset=utf-8"}}, resp: "<!doctype html><p>ok</p>"},
		"oauthConsent": {method: "POST", target: "/oauth/your-app-token/email", body: "email=a%40b.c&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcb&state=x",
			reqHeader: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, status: 303, respHeader: http.Header{"Location": {"http://localhost:3000/cb?code=0f1e&state=x"}}},
	}
}

func (x adminExchange) request() *http.Request {
	req := adminRequest(x.method, x.target, x.body)
	for k, vs := range x.reqHeader {
		req.Header[k] = vs
	}
	return req
}

func TestAdminValidExchanges(t *testing.T) {
	t.Parallel()
	v := testAdminValidator(t)
	covered := map[string]bool{}
	for name, ex := range adminValidExchanges() {
		in, err := v.route(ex.request())
		require.NoError(t, err, name)
		covered[in.Route.Operation.OperationID] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			header := ex.respHeader
			if header == nil && ex.resp != "" {
				header = adminJSONHeader()
			}
			err := v.ValidateExchange(t.Context(), ex.request(), ex.status, header, []byte(ex.resp))
			assert.NoError(t, err, "%v", messages(Violations(err)))
		})
	}
	doc := adminDoc(t)
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			assert.True(t, covered[op.OperationID], "no valid example for %s", op.OperationID)
		}
	}
}

// Deliberately wrong exchanges must be reported: the schemas are exact enough to fail.
func TestAdminInvalidExchanges(t *testing.T) {
	t.Parallel()
	v := testAdminValidator(t)
	tests := map[string]struct {
		ex      adminExchange
		request bool // the request itself is what breaks the contract
	}{
		"extra clock field":                   {ex: adminExchange{method: "GET", target: "/__admin/clock", status: 200, resp: `{"now":"2025-04-30T21:54:48.918Z","frozen":false,"zone":"UTC"}`}},
		"clock now not a time":                {ex: adminExchange{method: "GET", target: "/__admin/clock", status: 200, resp: `{"now":"yesterday","frozen":false}`}},
		"undocumented status":                 {ex: adminExchange{method: "GET", target: "/__admin/clock", status: 500, resp: adminErr400}},
		"error with an extra key":             {ex: adminExchange{method: "POST", target: "/__admin/reset", status: 404, resp: strings.Replace(adminErr404, `"error"`, `"path":"/","error"`, 1)}},
		"sandbox without token":               {ex: adminExchange{method: "POST", target: "/__admin/sandboxes", status: 201, resp: strings.Replace(adminSandbox, `"appToken":"sbx_1",`, "", 1)}},
		"sandboxes as null":                   {ex: adminExchange{method: "GET", target: "/__admin/sandboxes", status: 200, resp: `null`}},
		"mail list as null":                   {ex: adminExchange{method: "GET", target: "/__admin/mail", status: 200, resp: `{"total":0,"messages":null}`}},
		"mail id not a number":                {ex: adminExchange{method: "GET", target: "/__admin/mail", status: 200, resp: `{"total":1,"messages":[` + strings.Replace(adminMail, `"id":"1"`, `"id":"one"`, 1) + `]}`}},
		"unknown webhook status":              {ex: adminExchange{method: "GET", target: "/__admin/webhooks", status: 200, resp: `{"total":1,"deliveries":[` + strings.Replace(adminDelivery, `"status":"pending"`, `"status":"lost"`, 1) + `]}`}},
		"journal entry without id":            {ex: adminExchange{method: "GET", target: "/__admin/requests", status: 200, resp: `{"total":1,"requests":[` + strings.Replace(adminEntry, `"id":"req_1-3",`, "", 1) + `]}`}},
		"fault rule with raw seq":             {ex: adminExchange{method: "GET", target: "/__admin/faults", status: 200, resp: `[` + strings.Replace(adminRule, `"flt_1"`, `"1"`, 1) + `]`}},
		"redirect without target":             {ex: adminExchange{method: "POST", target: "/checkout/t/1/complete", status: 303}},
		"checkout error as text":              {ex: adminExchange{method: "GET", target: "/checkout/t/1", status: 404, respHeader: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, resp: "No such checkout session.\n"}},
		"state without codes":                 {ex: adminExchange{method: "GET", target: "/__admin/state", status: 200, resp: strings.Replace(adminState, `,"codes":[{"userId":16,"event":"reset_password","code":"123456","expires":"2025-04-30T21:56:48.918Z"}]`, "", 1)}},
		"state order with a slot of one time": {ex: adminExchange{method: "GET", target: "/__admin/state", status: 200, resp: strings.Replace(adminState, `[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"]]`, `[["2025-04-26T16:30:00.000Z"]]`, 1)}},
		"session with an amount":              {ex: adminExchange{method: "POST", target: "/__admin/payments/sessions/49/complete", status: 200, resp: `{"session":` + strings.Replace(adminSession, `"type"`, `"amount":1,"type"`, 1) + `,"order":` + adminOrder + `}`}},

		"clock advance in days":   {request: true, ex: adminExchange{method: "POST", target: "/__admin/clock", body: `{"advance":"1d"}`, status: 400, resp: adminErr400}},
		"clock set not a time":    {request: true, ex: adminExchange{method: "POST", target: "/__admin/clock", body: `{"set":"tomorrow"}`, status: 400, resp: adminErr400}},
		"clock unknown field":     {request: true, ex: adminExchange{method: "POST", target: "/__admin/clock", body: `{"tick":true}`, status: 400, resp: adminErr400}},
		"clock without body":      {request: true, ex: adminExchange{method: "POST", target: "/__admin/clock", status: 400, resp: adminErr400}},
		"fault without action":    {request: true, ex: adminExchange{method: "POST", target: "/__admin/faults", body: `{"path":"/a","reset":false}`, status: 400, resp: adminErr400}},
		"fault status 200":        {request: true, ex: adminExchange{method: "POST", target: "/__admin/faults", body: `{"path":"/a","status":200}`, status: 400, resp: adminErr400}},
		"fault relative path":     {request: true, ex: adminExchange{method: "POST", target: "/__admin/faults", body: `{"path":"a","status":500}`, status: 400, resp: adminErr400}},
		"fault long latency":      {request: true, ex: adminExchange{method: "POST", target: "/__admin/faults", body: `{"path":"/a","latency":{"fixedMs":999999}}`, status: 400, resp: adminErr400}},
		"fault probability 2":     {request: true, ex: adminExchange{method: "POST", target: "/__admin/faults", body: `{"path":"/a","status":500,"probability":2}`, status: 400, resp: adminErr400}},
		"journal status word":     {request: true, ex: adminExchange{method: "GET", target: "/__admin/requests?status=abc", status: 400, resp: adminErr400}},
		"journal since word":      {request: true, ex: adminExchange{method: "GET", target: "/__admin/requests/count?since=today", status: 400, resp: adminErr400}},
		"state of another format": {request: true, ex: adminExchange{method: "PUT", target: "/__admin/state", body: strings.Replace(adminState, `"oneentry-mock-state"`, `"capsule"`, 1), status: 400, resp: adminErr400}},
		"state offset in days":    {request: true, ex: adminExchange{method: "PUT", target: "/__admin/state", body: strings.Replace(adminState, `"-1h30m0s"`, `"1d"`, 1), status: 400, resp: adminErr400}},
		"payment action refund":   {request: true, ex: adminExchange{method: "POST", target: "/__admin/payments/sessions/49/refund", status: 400, resp: adminErr400}},
		"payment session word":    {request: true, ex: adminExchange{method: "POST", target: "/__admin/payments/sessions/x/complete", status: 400, resp: adminErr400}},
		"mail id with zeros":      {request: true, ex: adminExchange{method: "GET", target: "/__admin/mail/007", status: 404, resp: adminErr404}},
		"checkout action refund":  {request: true, ex: adminExchange{method: "POST", target: "/checkout/t/1/refund", status: 400, resp: adminErr400}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ex := tc.ex
			header := ex.respHeader
			if header == nil && ex.resp != "" {
				header = adminJSONHeader()
			}
			reqErr := v.ValidateRequest(t.Context(), ex.request())
			respErr := v.ValidateResponse(t.Context(), ex.request(), ex.status, header, []byte(ex.resp))
			if tc.request {
				assert.Error(t, reqErr, "the contract refuses the request")
				assert.NotErrorIs(t, reqErr, ErrNoRoute)
				assert.NoError(t, respErr, "and documents the server's answer: %v", messages(Violations(respErr)))
				return
			}
			assert.NoError(t, reqErr)
			assert.Error(t, respErr, "the contract refuses the response")
		})
	}
}

func TestAdminRouting(t *testing.T) {
	t.Parallel()
	v := testAdminValidator(t)
	for target, wantOp := range map[string]string{
		"GET /__admin/mail/latest":    "getMail",
		"GET /__admin/mail/3/raw":     "getMailRaw",
		"GET /__admin/requests/count": "countRequests",
		"POST /checkout/tok/cs_test_0123456789abcdef0123456789abcdef/complete": "checkoutAction",
		"GET http://127.0.0.1:49152/healthz":                                   "health",
		"GET /api/content/forms":                                               "",
		"PUT /__admin/clock":                                                   "",
		"PUT /__admin/state":                                                   "importState",
		"DELETE /__admin/sandboxes/tok/extra/part":                             "",
	} {
		method, path, _ := strings.Cut(target, " ")
		in, err := v.route(adminRequest(method, path, ""))
		if wantOp == "" {
			assert.ErrorIs(t, err, ErrNoRoute, target)
			continue
		}
		require.NoError(t, err, target)
		assert.Equal(t, wantOp, in.Route.Operation.OperationID, target)
	}
}
