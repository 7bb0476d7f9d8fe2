package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const (
	previewPath  = "/api/content/orders-storage/orders/preview?langCode=en_US"
	validatePath = "/api/content/discounts/coupons/validate?code="
	balancePath  = "/api/content/discounts/bonus-balance"
)

func refundPath(orderID int) string { return fmt.Sprintf("/api/content/orders/%d/refund", orderID) }

// discountOrder is the seed's order body for several products, with discount fields.
func discountOrder(products map[int]int, extra map[string]any) map[string]any {
	body := seedOrderBody(10, 1)
	lines := []map[string]any{}
	for _, id := range []int{10, 11, 12} {
		if q, ok := products[id]; ok {
			lines = append(lines, map[string]any{"productId": id, "quantity": q})
		}
	}
	body["products"] = lines
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// createOrder places an order and returns its create answer.
func (ts *testServer) createOrder(t *testing.T, token string, body map[string]any) map[string]any {
	t.Helper()
	status, resp := ts.call(t, http.MethodPost, ordersPath, token, body)
	require.Equal(t, http.StatusCreated, status, string(resp))
	return decode[map[string]any](t, resp)
}

// payOrder opens a cash session for the order and completes it, as the provider would.
func (ts *testServer) payOrder(t *testing.T, token string, orderID int) {
	t.Helper()
	status, body := ts.call(t, http.MethodPost, "/api/content/payments/sessions", token, map[string]any{"orderId": orderID, "type": "session"})
	require.Equal(t, http.StatusCreated, status, string(body))
	status, body = ts.paymentAction(t, int(decode[map[string]any](t, body)["id"].(float64)), "complete")
	require.Equal(t, http.StatusOK, status, string(body))
}

// requestRefund asks for a refund of the paid order and returns the new request's id.
func (ts *testServer) requestRefund(t *testing.T, token string, orderID int, products map[string]any) int {
	t.Helper()
	status, body := ts.call(t, http.MethodPost, refundPath(orderID), token, map[string]any{"products": products, "note": "cannot come"})
	require.Equal(t, http.StatusCreated, status, string(body))
	require.JSONEq(t, `true`, string(body))
	return int(ts.refunds(t, token, orderID)[0]["id"].(float64))
}

func (ts *testServer) refunds(t *testing.T, token string, orderID int) []map[string]any {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, refundPath(orderID), token, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return decode[[]map[string]any](t, body)
}

func (ts *testServer) balance(t *testing.T, token string) float64 {
	t.Helper()
	status, body := ts.call(t, http.MethodGet, balancePath, token, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	return decode[map[string]float64](t, body)["balance"]
}

// Money stays countable: a basket past what a JavaScript number holds in cents is refused, and
// a fixture's huge discount takes the whole amount off instead of wrapping around to nothing.
func TestHugeAmountsNeitherWrapNorVanish(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{
		"products.json": func(v any) any {
			for _, p := range v.([]any) {
				if p := p.(map[string]any); p["id"] == float64(12) {
					p["price"] = 1e11
				}
			}
			return v
		},
		"discounts.json": func(v any) any {
			for _, d := range v.([]any) {
				d := d.(map[string]any)
				switch d["identifier"] {
				case "welcome": // coupon WELCOME10
					d["discountValue"].(map[string]any)["discountType"] = "FIXED_AMOUNT"
					d["discountValue"].(map[string]any)["value"] = 1e17
				case "early_bird":
					d["discountValue"].(map[string]any)["value"] = 50
					d["discountValue"].(map[string]any)["maxAmount"] = 1e300
				}
			}
			return v
		},
	})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026), withFixtures(fx))
	tk := ts.signIn(t, userLogin, userPass)
	before := stateDocument(t, ts)
	// 800 × 1e11 is below 2^53 cents, but past 2^46 in currency units a JavaScript number no
	// longer holds every cent.
	for _, quantity := range []int{1_000_000, 800} {
		for _, path := range []string{previewPath, ordersPath} {
			status, body := ts.call(t, http.MethodPost, path, tk.AccessToken, discountOrder(map[int]int{12: quantity}, nil))
			require.Equal(t, http.StatusBadRequest, status, "%s: %s", path, body)
			assert.Equal(t, []string{"products: an order's total must be at most 70368744177663.99"}, decodeError(t, status, body).messages())
		}
	}
	assert.Equal(t, before, stateDocument(t, ts))
	status, body := ts.call(t, http.MethodPost, previewPath, tk.AccessToken, discountOrder(map[int]int{12: 700}, nil))
	require.Equal(t, http.StatusCreated, status, string(body))
	assert.Equal(t, 7e13, decode[map[string]any](t, body)["totalSum"])

	preview := func(extra map[string]any) map[string]any {
		t.Helper()
		status, body := ts.call(t, http.MethodPost, previewPath, tk.AccessToken, discountOrder(map[int]int{10: 2}, extra))
		require.Equal(t, http.StatusCreated, status, string(body))
		return decode[map[string]any](t, body)
	}
	assert.Equal(t, float64(0), preview(map[string]any{"couponCode": "WELCOME10"})["totalSumWithDiscount"], "a fixed amount beyond counting takes everything")
	assert.Equal(t, float64(100), preview(map[string]any{"additionalDiscountsMarkers": []string{"early_bird"}})["totalSumWithDiscount"], "a cap beyond counting caps nothing")
}

// Preview and create price a basket alike: per-item discounts on unit prices, then order
// discounts, then bonus up to the balance (50 for the default user) and the total.
func TestPreviewAndCreateTotals(t *testing.T) {
	t.Parallel()
	type want struct{ raw, withDiscount, bonus, due float64 }
	for name, tc := range map[string]struct {
		products map[int]int
		extra    map[string]any
		want     want
		product  []float64 // discountPrice per line, 0 for null
	}{
		"no discount":               {map[int]int{10: 2}, nil, want{200, 200, 0, 200}, []float64{0}},
		"coupon 10 % off the order": {map[int]int{10: 2, 11: 1}, map[string]any{"couponCode": "WELCOME10"}, want{400, 360, 0, 360}, []float64{0, 0}},
		"early_bird 20 % off items": {map[int]int{10: 2, 11: 1}, map[string]any{"additionalDiscountsMarkers": []string{"early_bird"}}, want{400, 320, 0, 320}, []float64{80, 160}},
		"items, then order, bonus":  {map[int]int{10: 2, 11: 1}, map[string]any{"couponCode": "WELCOME10", "additionalDiscountsMarkers": []string{"early_bird"}, "bonusAmount": 30}, want{400, 288, 30, 258}, []float64{80, 160}},
		"bonus beyond the balance":  {map[int]int{11: 2}, map[string]any{"bonusAmount": 80}, want{400, 400, 50, 350}, []float64{0}},
		"bonus beyond the total":    {map[int]int{10: 1}, map[string]any{"additionalDiscountsMarkers": []string{"early_bird"}, "couponCode": "WELCOME10", "bonusAmount": 50}, want{100, 72, 50, 22}, []float64{80}},
		"bonus beyond counting":     {map[int]int{11: 2}, map[string]any{"bonusAmount": 1e15}, want{400, 400, 50, 350}, []float64{0}},
		"zero bonus asked":          {map[int]int{10: 1}, map[string]any{"bonusAmount": 0}, want{100, 100, 0, 100}, []float64{0}},
		// Never more than asked: part of a cent is not spent, whole cents are.
		"bonus below a cent":            {map[int]int{10: 1}, map[string]any{"bonusAmount": 0.005}, want{100, 100, 0, 100}, []float64{0}},
		"bonus with half a cent":        {map[int]int{10: 1}, map[string]any{"bonusAmount": 0.015}, want{100, 100, 0.01, 99.99}, []float64{0}},
		"bonus in whole cents":          {map[int]int{10: 1}, map[string]any{"bonusAmount": 0.29}, want{100, 100, 0.29, 99.71}, []float64{0}},
		"percentage capped (maxAmount)": {map[int]int{12: 3}, map[string]any{"couponCode": "FIRST-K4M9"}, want{900, 800, 0, 800}, []float64{0}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
			tk := ts.signIn(t, userLogin, userPass)
			preview := map[string]any{"products": discountOrder(tc.products, nil)["products"]}
			for k, v := range tc.extra {
				preview[k] = v
			}
			status, body := ts.call(t, http.MethodPost, previewPath, tk.AccessToken, preview)
			require.Equal(t, http.StatusCreated, status, string(body))
			p := decode[map[string]any](t, body)
			assert.Equal(t, want{p["totalSum"].(float64), p["totalSumWithDiscount"].(float64), p["bonusApplied"].(float64), p["totalDue"].(float64)}, tc.want)
			assert.Equal(t, "USD", p["currency"])
			for i, line := range p["orderPreview"].([]any) {
				l := line.(map[string]any)
				assert.Equal(t, false, l["isGift"])
				if tc.product[i] == 0 {
					assert.Nil(t, l["discountPrice"], "line %d", i)
				} else {
					assert.Equal(t, tc.product[i], l["discountPrice"], "line %d", i)
				}
			}
			assert.Equal(t, float64(50), ts.balance(t, tk.AccessToken), "a preview spends nothing")

			created := ts.createOrder(t, tk.AccessToken, discountOrder(tc.products, tc.extra))
			assert.Equal(t, tc.want.withDiscount, created["totalSum"])
			if tc.extra != nil {
				assert.Equal(t, tc.want.due, created["totalDue"])
				assert.Equal(t, tc.want.bonus, created["bonusApplied"])
				cfg := created["discountConfig"].(map[string]any)
				assert.Equal(t, tc.want.raw, cfg["totalRaw"])
				assert.Equal(t, tc.want.withDiscount, cfg["totalSumWithDiscount"])
			} else {
				assert.NotContains(t, created, "discountConfig", "an order without discounts keeps the recorded shape")
			}
			read := ts.order(t, tk.AccessToken, int(created["id"].(float64)))
			assert.Equal(t, fmt.Sprintf("%.2f", tc.want.withDiscount), read["totalSum"])
			assert.Equal(t, 50-tc.want.bonus, ts.balance(t, tk.AccessToken), "the order spent its bonus")
		})
	}
}

// An order's prices are fixed when it is created: an update prices its new products with the
// discounts the order had, and the coupon it used up stays its own.
func TestUpdateKeepsTheOrdersDiscounts(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	tk := ts.signIn(t, userLogin, userPass)
	created := ts.createOrder(t, tk.AccessToken, discountOrder(map[int]int{10: 1}, map[string]any{"couponCode": "FIRST-K4M9", "bonusAmount": 10}))
	id := int(created["id"].(float64))
	assert.Equal(t, float64(85), created["totalSum"])

	status, body := ts.call(t, http.MethodPut, fmt.Sprintf("%s/%d?langCode=en_US", ordersPath, id), tk.AccessToken, discountOrder(map[int]int{11: 2}, nil))
	require.Equal(t, http.StatusOK, status, string(body))
	upd := decode[map[string]any](t, body)
	assert.Equal(t, float64(340), upd["totalSum"], "15 % off 400, as at creation")
	assert.Equal(t, "FIRST-K4M9", upd["couponCode"])
	assert.Equal(t, float64(330), upd["totalDue"])
	assert.Equal(t, float64(40), ts.balance(t, tk.AccessToken), "the bonus is spent once")

	// The state document carries the pricing through an export and import.
	doc := stateDocument(t, ts)
	status, body = ts.callWith(t, http.MethodPut, "/__admin/state", "", doc, map[string]string{"x-app-token": appToken, "Content-Type": "application/json"})
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "340.00", ts.order(t, tk.AccessToken, id)["totalSum"])
	assert.Equal(t, float64(40), ts.balance(t, tk.AccessToken))
	status, body = ts.call(t, http.MethodGet, validatePath+"FIRST-K4M9", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"valid":false`, "the import keeps the coupon used")
}

func TestCouponValidationAnswers(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for code, want := range map[string]string{
		"WELCOME10":  `{"valid":true,"coupon":{"id":1,"discountId":2,"code":"WELCOME10","isReusable":true,"isUsed":false,"orderId":null,"usedAt":null}}`,
		"SUMMER24":   `{"valid":false,"coupon":{"id":2,"discountId":3,"code":"SUMMER24","isReusable":true,"isUsed":false,"orderId":null,"usedAt":null},"error":"Coupon has expired"}`,
		"FIRST-7QX2": `{"valid":false,"coupon":{"id":3,"discountId":4,"code":"FIRST-7QX2","isReusable":false,"isUsed":true,"orderId":91,"usedAt":"2025-04-29T10:00:00.000Z"},"error":"Coupon has already been used"}`,
		"welcome10":  `{"valid":false,"error":"Coupon not found"}`,
		"NOPE":       `{"valid":false,"error":"Coupon not found"}`,
	} {
		status, body := ts.call(t, http.MethodGet, validatePath+code, "", nil)
		require.Equal(t, http.StatusOK, status, code)
		assert.JSONEq(t, want, string(body), code)
	}
	status, body := ts.call(t, http.MethodGet, validatePath, "", nil)
	require.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, decodeError(t, status, body).messages(), "code should not be empty")
}

// A coupon whose discount has not started is not active yet (docs/api/discounts.md, orders.md):
// validation says so, an order naming it is refused, and from the discount's first instant it
// is valid. SUMMER24's discount runs from 2024-06-01.
func TestACouponBeforeItsDiscountStartsIsNotActiveYet(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tk := ts.login(t, userLogin, userPass)
	ts.clock.Freeze()
	require.NoError(t, ts.clock.Set(time.Date(2024, 5, 31, 23, 59, 59, 0, time.UTC)))
	status, body := ts.call(t, http.MethodGet, validatePath+"SUMMER24", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"valid":false,"coupon":{"id":2,"discountId":3,"code":"SUMMER24","isReusable":true,"isUsed":false,"orderId":null,"usedAt":null},"error":"Coupon is not active yet"}`, string(body))
	status, body = ts.call(t, http.MethodPost, ordersPath, tk.AccessToken, discountOrder(map[int]int{10: 1}, map[string]any{"couponCode": "SUMMER24"}))
	require.Equal(t, http.StatusBadRequest, status, string(body))
	assert.Equal(t, []string{"Coupon is not active yet"}, decodeError(t, status, body).messages())

	require.NoError(t, ts.clock.Set(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)))
	status, body = ts.call(t, http.MethodGet, validatePath+"SUMMER24", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"valid":true`)
}

// A single-use coupon burns on the order that uses it; a reusable one serves every order; the
// refused ones answer 400 with validation's reason and create nothing.
func TestCouponRulesOnOrders(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	owner := ts.signIn(t, userLogin, userPass)
	other := ts.signIn(t, user2, user2Pass)
	first := ts.createOrder(t, owner.AccessToken, discountOrder(map[int]int{10: 1}, map[string]any{"couponCode": "FIRST-K4M9"}))
	cfg := first["discountConfig"].(map[string]any)
	assert.Equal(t, map[string]any{"id": float64(4), "discountId": float64(4), "code": "FIRST-K4M9", "isReusable": false, "isUsed": true, "orderId": first["id"], "usedAt": first["createdDate"]}, cfg["coupon"])
	status, body := ts.call(t, http.MethodGet, validatePath+"FIRST-K4M9", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, string(body), `"error":"Coupon has already been used"`)
	assert.Contains(t, string(body), fmt.Sprintf(`"orderId":%v`, first["id"]))

	for _, tk := range []string{owner.AccessToken, other.AccessToken, owner.AccessToken} {
		created := ts.createOrder(t, tk, discountOrder(map[int]int{10: 1}, map[string]any{"couponCode": "WELCOME10"}))
		assert.Equal(t, float64(90), created["totalSum"], "a reusable coupon serves every order")
	}

	before := stateDocument(t, ts)
	for code, reason := range map[string]string{"FIRST-K4M9": "Coupon has already been used", "FIRST-7QX2": "Coupon has already been used", "SUMMER24": "Coupon has expired", "NOPE": "Coupon not found"} {
		for _, path := range []string{ordersPath, previewPath} {
			status, body := ts.call(t, http.MethodPost, path, other.AccessToken, discountOrder(map[int]int{10: 1}, map[string]any{"couponCode": code}))
			if path == previewPath {
				status, body = ts.call(t, http.MethodPost, path, other.AccessToken, map[string]any{"products": []map[string]int{{"productId": 10, "quantity": 1}}, "couponCode": code})
			}
			require.Equal(t, http.StatusBadRequest, status, "%s %s: %s", path, code, body)
			assert.Equal(t, []string{reason}, decodeError(t, status, body).messages())
		}
	}
	for markers, reason := range map[string]string{"nope": `discount "nope" not found`, "welcome": `discount "welcome" needs its coupon`, "loyalty": `"loyalty" is a bonus program`, "summer_2024": `needs its coupon`} {
		status, body := ts.call(t, http.MethodPost, ordersPath, other.AccessToken, discountOrder(map[int]int{10: 1}, map[string]any{"additionalDiscountsMarkers": []string{markers}}))
		require.Equal(t, http.StatusBadRequest, status, string(body))
		assert.Contains(t, strings.Join(decodeError(t, status, body).messages(), "\n"), reason)
	}
	status, body = ts.call(t, http.MethodPost, ordersPath, other.AccessToken, discountOrder(map[int]int{10: 1}, map[string]any{"bonusAmount": -1}))
	require.Equal(t, http.StatusBadRequest, status, string(body))
	assert.Equal(t, []string{"bonusAmount must not be less than 0"}, decodeError(t, status, body).messages())
	assert.Equal(t, before, stateDocument(t, ts), "refused orders change nothing")
}

func TestBonusBalanceAndHistory(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	owner := ts.signIn(t, userLogin, userPass)
	other := ts.signIn(t, user2, user2Pass)
	assert.Equal(t, float64(50), ts.balance(t, owner.AccessToken))
	assert.Equal(t, float64(0), ts.balance(t, other.AccessToken))

	created := ts.createOrder(t, owner.AccessToken, discountOrder(map[int]int{10: 1}, map[string]any{"bonusAmount": 20}))
	assert.Equal(t, float64(30), ts.balance(t, owner.AccessToken))

	history := func(tk, query string) []map[string]any {
		status, body := ts.call(t, http.MethodGet, balancePath+"/history"+query, tk, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		return decode[[]map[string]any](t, body)
	}
	all := history(owner.AccessToken, "")
	require.Len(t, all, 2)
	assert.Equal(t, map[string]any{"balanceId": float64(16), "amount": float64(20), "type": "USAGE", "entityIdentifier": fmt.Sprint(created["id"]), "comment": fmt.Sprintf("Order #%v", created["id"]), "isAdmin": false, "triggerType": "EVENT", "createdAt": created["createdDate"]}, all[0], "newest first")
	assert.Equal(t, "ACCRUAL", all[1]["type"])
	assert.Equal(t, float64(5), all[1]["discountId"])
	assert.Len(t, history(owner.AccessToken, "?type=ACCRUAL"), 1)
	assert.Len(t, history(owner.AccessToken, "?discountId=5"), 1)
	assert.Len(t, history(owner.AccessToken, "?dateFrom=2025-04-02"), 1)
	assert.Len(t, history(owner.AccessToken, "?dateTo=2025-04-02T00:00:00.000Z"), 1)
	assert.Empty(t, history(owner.AccessToken, "?isAdmin=true"))
	assert.Empty(t, history(other.AccessToken, ""))

	status, body := ts.call(t, http.MethodGet, balancePath+"/history?type=GIFT", owner.AccessToken, nil)
	require.Equal(t, http.StatusBadRequest, status, string(body))
	status, _ = ts.call(t, http.MethodGet, balancePath, "", nil)
	assert.Equal(t, http.StatusUnauthorized, status)
}

// An accrual is the user's from its date on the sandbox's clock: before it, there is no
// balance to spend and no history line.
func TestBonusAccruesOnItsDate(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	ts.clock.Set(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)) // the accrual is dated 2025-04-01
	owner := ts.signIn(t, userLogin, userPass)
	assert.Equal(t, float64(0), ts.balance(t, owner.AccessToken))
	status, body := ts.call(t, http.MethodGet, balancePath+"/history", owner.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, `[]`, string(body))
	created := ts.createOrder(t, owner.AccessToken, discountOrder(map[int]int{10: 1}, map[string]any{"bonusAmount": 20}))
	assert.EqualValues(t, 0, created["bonusApplied"])

	ts.clock.Set(time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC))
	assert.Equal(t, float64(50), ts.balance(t, ts.signIn(t, userLogin, userPass).AccessToken))
}

func TestDiscountReads(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	status, body := ts.call(t, http.MethodGet, "/api/content/discounts?langCode=en_US&offset=0&limit=30", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	list := decode[map[string]any](t, body)
	assert.Equal(t, float64(5), list["total"])
	assert.NotContains(t, string(body), "coupons", "coupon codes are not published")
	assert.NotContains(t, string(body), "accruals")
	status, body = ts.call(t, http.MethodGet, "/api/content/discounts?type=BONUS", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, float64(1), decode[map[string]any](t, body)["total"])
	status, body = ts.call(t, http.MethodGet, "/api/content/discounts/marker/early_bird?marker=&langCode=en_US", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "early_bird", decode[map[string]any](t, body)["identifier"])
	status, body = ts.call(t, http.MethodGet, "/api/content/discounts/marker/nope", "", nil)
	require.Equal(t, http.StatusNotFound, status, string(body))
	assert.Contains(t, decodeError(t, status, body).messages()[0], `Discount with marker "nope" not found`)
}

// The refund lifecycle: only a paid order, one pending request at a time, quantities bounded by
// the order, the buyer may withdraw it, the shop approves it and the buyer is told by e-mail.
func TestRefundLifecycle(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	owner := ts.signIn(t, userLogin, userPass)
	stranger := ts.signIn(t, user2, user2Pass)
	created := ts.createOrder(t, owner.AccessToken, discountOrder(map[int]int{10: 2, 11: 1}, map[string]any{"couponCode": "WELCOME10", "bonusAmount": 10}))
	id := int(created["id"].(float64)) // 400 → 360, 10 of bonus: 350 due
	one := map[string]any{"10": map[string]int{"quantity": 1}}

	status, body := ts.call(t, http.MethodPost, refundPath(id), owner.AccessToken, map[string]any{"products": one})
	require.Equal(t, http.StatusBadRequest, status, string(body))
	assert.Contains(t, decodeError(t, status, body).messages()[0], "is not paid")
	assert.Empty(t, ts.refunds(t, owner.AccessToken, id))

	ts.payOrder(t, owner.AccessToken, id)
	before := stateDocument(t, ts)
	for _, key := range []string{"+10", "010", " 10"} {
		twice := map[string]any{"10": map[string]int{"quantity": 1}, key: map[string]int{"quantity": 1}}
		status, body = ts.call(t, http.MethodPost, refundPath(id), owner.AccessToken, map[string]any{"products": twice})
		require.Equal(t, http.StatusBadRequest, status, string(body))
		assert.Equal(t, []string{"products." + key + ": must be keyed by a product id"}, decodeError(t, status, body).messages())
	}
	assert.Equal(t, before, stateDocument(t, ts), "a product named twice claims nothing")
	first := ts.requestRefund(t, owner.AccessToken, id, one)
	got := ts.refunds(t, owner.AccessToken, id)
	require.Len(t, got, 1)
	assert.Equal(t, "pending", got[0]["status"])
	assert.Equal(t, float64(87.5), got[0]["amount"], "a quarter of the value, of what was due")
	assert.Equal(t, map[string]any{"10": map[string]any{"quantity": float64(1)}}, got[0]["products"])
	assert.Equal(t, "cannot come", got[0]["note"])
	assert.Equal(t, map[string]any{"id": float64(16), "identifier": userLogin}, got[0]["user"])

	status, body = ts.call(t, http.MethodPost, refundPath(id), owner.AccessToken, map[string]any{"products": one})
	require.Equal(t, http.StatusConflict, status, string(body))
	status, body = ts.call(t, http.MethodDelete, refundPath(id), owner.AccessToken, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.JSONEq(t, `true`, string(body))
	assert.Equal(t, "canceled", ts.refunds(t, owner.AccessToken, id)[0]["status"])
	status, body = ts.call(t, http.MethodDelete, refundPath(id), owner.AccessToken, nil)
	require.Equal(t, http.StatusNotFound, status, string(body))

	all := map[string]any{"10": map[string]int{"quantity": 2}, "11": map[string]int{"quantity": 1}}
	second := ts.requestRefund(t, owner.AccessToken, id, all)
	assert.Greater(t, second, first)
	assert.Equal(t, float64(350), ts.refunds(t, owner.AccessToken, id)[0]["amount"], "everything: all that was due")
	status, body = ts.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/refunds/%d/approve", second), "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "approved", ts.refunds(t, owner.AccessToken, id)[0]["status"])
	mails := ts.mails(t, userLogin)
	require.NotEmpty(t, mails)
	assert.Equal(t, fmt.Sprintf("Your tickets are canceled: order #%d, Билеты", id), mails[0].Subject)
	assert.Contains(t, mails[0].Text, "Refund:  350.00 USD")
	assert.Contains(t, mails[0].Text, "Bronze ticket × 2, Silver ticket") // in the order's language

	status, body = ts.call(t, http.MethodPost, refundPath(id), owner.AccessToken, map[string]any{"products": one})
	require.Equal(t, http.StatusBadRequest, status, string(body))
	assert.Contains(t, decodeError(t, status, body).messages()[0], "0 of 2 left to refund")
	// A quantity that added to what is claimed overflows is still more than is left.
	status, body = ts.call(t, http.MethodPost, refundPath(id), owner.AccessToken, `{"products":{"10":{"quantity":9223372036854775807}}}`)
	require.Equal(t, http.StatusBadRequest, status, string(body))
	assert.Contains(t, decodeError(t, status, body).messages()[0], "0 of 2 left to refund")
	status, _ = ts.call(t, http.MethodGet, refundPath(id), stranger.AccessToken, nil)
	assert.Equal(t, http.StatusNotFound, status)
}

// Refunds in parts add up to exactly what was paid, and the share of a large order does not
// overflow; the state afterwards imports back.
func TestRefundAmountsAddUpToWhatWasPaid(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	owner := ts.signIn(t, userLogin, userPass)
	approve := func(id int) {
		t.Helper()
		status, body := ts.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/refunds/%d/approve", id), "", nil, nil)
		require.Equal(t, http.StatusOK, status, string(body))
	}
	one := map[string]any{"11": map[string]int{"quantity": 1}}

	created := ts.createOrder(t, owner.AccessToken, discountOrder(map[int]int{11: 3}, map[string]any{"bonusAmount": 0.01}))
	id := int(created["id"].(float64)) // 3 × 200, 0.01 of bonus: 599.99 due
	ts.payOrder(t, owner.AccessToken, id)
	var refunded float64
	for range 3 {
		approve(ts.requestRefund(t, owner.AccessToken, id, one))
		refunded += ts.refunds(t, owner.AccessToken, id)[0]["amount"].(float64)
	}
	assert.InDelta(t, 599.99, refunded, 0.001, "199.99 + 199.99 + 200.01")

	created = ts.createOrder(t, owner.AccessToken, discountOrder(map[int]int{11: 1_000_000}, nil))
	id = int(created["id"].(float64)) // 200,000,000.00 due
	ts.payOrder(t, owner.AccessToken, id)
	ts.requestRefund(t, owner.AccessToken, id, map[string]any{"11": map[string]int{"quantity": 999_999}})
	assert.Equal(t, 199_999_800.0, ts.refunds(t, owner.AccessToken, id)[0]["amount"])

	status, exported := ts.call(t, http.MethodGet, "/__admin/state", "", nil)
	require.Equal(t, http.StatusOK, status)
	status, body := ts.callWith(t, http.MethodPut, "/__admin/state", "", json.RawMessage(exported), nil)
	require.Equal(t, http.StatusOK, status, string(body))
}

// A partial refund returns the lines' share of what was due by their price after per-item
// discounts: a line its discount lowered returns what it cost, not its list price's share.
func TestAPartialRefundReturnsTheDiscountedPrice(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(v any) any{store.FileDiscounts: func(v any) any {
		for _, d := range v.([]any) {
			if d := d.(map[string]any); d["identifier"] == "early_bird" {
				d["conditions"] = []any{map[string]any{"type": "PRODUCT", "value": "11"}}
			}
		}
		return v
	}})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026), withFixtures(fx))
	owner := ts.signIn(t, userLogin, userPass)
	created := ts.createOrder(t, owner.AccessToken, discountOrder(map[int]int{10: 1, 11: 1}, map[string]any{"additionalDiscountsMarkers": []string{"early_bird"}}))
	require.Equal(t, 260.0, created["totalSum"], "100 + 200 less 20 %% of product 11 alone")
	id := int(created["id"].(float64))
	ts.payOrder(t, owner.AccessToken, id)
	ts.requestRefund(t, owner.AccessToken, id, map[string]any{"11": map[string]int{"quantity": 1}})
	assert.Equal(t, 160.0, ts.refunds(t, owner.AccessToken, id)[0]["amount"], "what product 11 cost, not 260 × 200/300")
}

// What a buyer typed is answered as typed, also when it reads like a link to the mock's media:
// only a product's preview image is made absolute.
func TestABuyersTextIsNotTakenForAMediaLink(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	owner := ts.signIn(t, userLogin, userPass)
	id := int(ts.createOrder(t, owner.AccessToken, discountOrder(map[int]int{11: 1}, nil))["id"].(float64))
	ts.payOrder(t, owner.AccessToken, id)
	note := "/cloud-static/content/see-photo.jpg"
	status, body := ts.call(t, http.MethodPost, refundPath(id), owner.AccessToken, map[string]any{"products": map[string]any{"11": map[string]int{"quantity": 1}}, "note": note})
	require.Equal(t, http.StatusCreated, status, string(body))
	refund := int(ts.refunds(t, owner.AccessToken, id)[0]["id"].(float64))
	status, body = ts.callWith(t, http.MethodPost, fmt.Sprintf("/__admin/refunds/%d/approve", refund), "", nil, nil)
	require.Equal(t, http.StatusOK, status, string(body))
	answer := decode[map[string]map[string]any](t, body)
	assert.Equal(t, note, answer["refund"]["note"])
	line := answer["order"]["products"].([]any)[0].(map[string]any)
	assert.Equal(t, ts.URL+"/cloud-static/content/ticket-silver.svg", line["previewImage"].([]any)[0].(map[string]any)["downloadLink"])
}

// The payment axis is derived from the order's sessions: the storage's paid status cannot be
// written by a client, on create or update; lifecycle statuses can.
func TestStatusNotSettableToPaymentState(t *testing.T) {
	t.Parallel()
	underEachProfile(t, func(t *testing.T, ts *testServer, p sandbox.Profile) {
		tk := ts.signIn(t, userLogin, userPass)
		created := ts.createOrder(t, tk.AccessToken, seedOrderBody(10, 1))
		id := int(created["id"].(float64))
		before := stateDocument(t, ts)
		paid := seedOrderBody(10, 1)
		paid["statusIdentifier"] = "paid"
		for _, c := range []struct{ method, path string }{{http.MethodPost, ordersPath}, {http.MethodPut, fmt.Sprintf("%s/%d", ordersPath, id)}} {
			status, body := ts.call(t, c.method, c.path, tk.AccessToken, paid)
			require.Equal(t, http.StatusBadRequest, status, string(body))
			assert.Equal(t, []string{"statusIdentifier: paid is a payment status, set by the order's payments"}, decodeError(t, status, body).messages())
		}
		assert.Equal(t, before, stateDocument(t, ts))

		read := ts.order(t, tk.AccessToken, id)
		assert.Equal(t, map[string]any{"title": "In progress"}, read["statusLocalizeInfos"])
		assert.Equal(t, map[string]any{"title": "Cash"}, read["paymentAccountLocalizeInfos"])
		isGift, has := read["products"].([]any)[0].(map[string]any)["isGift"]
		if p.GiftLines {
			assert.Equal(t, false, isGift)
		} else {
			assert.False(t, has, "no 2025 type has isGift")
		}

		canceled := seedOrderBody(10, 1)
		canceled["statusIdentifier"] = "canceled"
		status, body := ts.call(t, http.MethodPut, fmt.Sprintf("%s/%d", ordersPath, id), tk.AccessToken, canceled)
		require.Equal(t, http.StatusOK, status, string(body))
		assert.Equal(t, map[string]any{"title": "Canceled"}, ts.order(t, tk.AccessToken, id)["statusLocalizeInfos"])
	})
}

// A discount that ends at the first instant a date-time can name has ended, as any other whose
// end has passed: its coupon is expired and its marker is not active.
func TestDiscountEndingAtTheFirstInstant(t *testing.T) {
	t.Parallel()
	fx := editFixtures(t, map[string]func(any) any{
		store.FileDiscounts: func(v any) any {
			for _, d := range v.([]any) {
				if d := d.(map[string]any); d["identifier"] == "welcome" || d["identifier"] == "early_bird" {
					delete(d, "startDate")
					d["endDate"] = "0001-01-01T00:00:00.000Z"
				}
			}
			return v
		},
	})
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026), withFixtures(fx))
	status, body := ts.call(t, http.MethodGet, validatePath+"WELCOME10", "", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "Coupon has expired", decode[map[string]any](t, body)["error"])

	tk := ts.signIn(t, userLogin, userPass)
	for message, extra := range map[string]map[string]any{
		"Coupon has expired": {"couponCode": "WELCOME10"},
		`additionalDiscountsMarkers.0: discount "early_bird" is not active`: {"additionalDiscountsMarkers": []string{"early_bird"}},
	} {
		status, body := ts.call(t, http.MethodPost, previewPath, tk.AccessToken, discountOrder(map[int]int{10: 1}, extra))
		require.Equal(t, http.StatusBadRequest, status, string(body))
		assert.Equal(t, []string{message}, decodeError(t, status, body).messages())
	}
}

// The first instant a date-time can name bounds the bonus history like any other.
func TestBonusHistoryBoundsAtTheFirstInstant(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	owner := ts.signIn(t, userLogin, userPass)
	for query, want := range map[string]int{
		"?dateTo=0001-01-01T00:00:00.000Z":   0,
		"?dateTo=0001-01-01T00:00:01.000Z":   0,
		"?dateFrom=0001-01-01T00:00:00.000Z": 1,
	} {
		status, body := ts.call(t, http.MethodGet, balancePath+"/history"+query, owner.AccessToken, nil)
		require.Equal(t, http.StatusOK, status, string(body))
		assert.Len(t, decode[[]map[string]any](t, body), want, query)
	}
}

// OneEntry's own create-orders-list code cancels an order with statusMarker, which the mock
// takes as statusIdentifier; both at once must name the same status.
func TestOrderStatusByStatusMarker(t *testing.T) {
	t.Parallel()
	ts := newLiveServer(t)
	tk := ts.signIn(t, userLogin, userPass)
	id := int(ts.createOrder(t, tk.AccessToken, seedOrderBody(10, 1))["id"].(float64))
	path := fmt.Sprintf("%s/%d", ordersPath, id)

	before := stateDocument(t, ts)
	both := seedOrderBody(10, 1)
	both["statusMarker"], both["statusIdentifier"] = "canceled", "inProgress"
	status, body := ts.call(t, http.MethodPut, path, tk.AccessToken, both)
	assertRefused(t, status, body, http.StatusBadRequest, `statusMarker "canceled" and statusIdentifier "inProgress" name different statuses`)
	assert.Equal(t, before, stateDocument(t, ts))

	cancel := seedOrderBody(10, 1)
	cancel["statusMarker"] = "canceled"
	status, body = ts.call(t, http.MethodPut, path, tk.AccessToken, cancel)
	require.Equal(t, http.StatusOK, status, string(body))
	assert.Equal(t, "canceled", ts.order(t, tk.AccessToken, id)["statusIdentifier"])
}
