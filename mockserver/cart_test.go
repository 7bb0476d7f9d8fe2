package mockserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver"
	"github.com/oneentry-mock/oneentry-mock/mockserver/mocktest"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store/bolt"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

const (
	cartPath  = "/api/content/users/me/cart"
	guestUUID = "3f0c2a91-1d44-4a0b-9d2e-6b71f0c2a913"
)

type cartBody struct {
	Items []store.CartItem `json:"items"`
	Total int              `json:"total"`
}

// cartCall sends a cart request as a guest (guest != "") or a user (bearer != ""), and answers
// the status and the cart (zero on an error, whose body must be the live one).
func (ts *testServer) cartCall(t *testing.T, method, path, bearer, guest string, body any) (int, cartBody) {
	t.Helper()
	hdr := map[string]string{"x-app-token": appToken}
	if guest != "" {
		hdr["x-guest-id"] = guest
	}
	status, data := ts.callWith(t, method, path, bearer, body, hdr)
	if status >= 400 {
		decodeError(t, status, data)
		return status, cartBody{}
	}
	return status, decode[cartBody](t, data)
}

func item(productID, qty int) map[string]int {
	return map[string]int{"productId": productID, "qty": qty}
}

func TestCartGuestWithUUIDKeepsItsCart(t *testing.T) {
	t.Parallel()
	underEachProfile(t, func(t *testing.T, ts *testServer, p sandbox.Profile) {
		status, got := ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, item(10, 2))
		require.Equal(t, http.StatusCreated, status, p.Name)
		assert.Equal(t, cartBody{[]store.CartItem{{ProductID: 10, Qty: 2}}, 1}, got)
		ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, item(10, 1))
		ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, item(11, 1))

		_, got = ts.cartCall(t, http.MethodGet, cartPath, "", guestUUID, nil)
		assert.Equal(t, cartBody{[]store.CartItem{{ProductID: 10, Qty: 3}, {ProductID: 11, Qty: 1}}, 2}, got, "a later read finds the cart: %s", p.Name)

		status, got = ts.cartCall(t, http.MethodPut, cartPath+"/items/11", "", guestUUID, map[string]int{"qty": 5})
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, []store.CartItem{{ProductID: 10, Qty: 3}, {ProductID: 11, Qty: 5}}, got.Items)
		status, got = ts.cartCall(t, http.MethodDelete, cartPath+"/items/10", "", guestUUID, nil)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, cartBody{[]store.CartItem{{ProductID: 11, Qty: 5}}, 1}, got)
		_, again := ts.cartCall(t, http.MethodDelete, cartPath+"/items/10", "", guestUUID, nil)
		assert.Equal(t, got, again, "removing what is not there changes nothing")

		_, other := ts.cartCall(t, http.MethodGet, cartPath, "", "6b71f0c2-a913-4a0b-9d2e-3f0c2a911d44", nil)
		assert.Equal(t, cartBody{[]store.CartItem{}, 0}, other, "another guest's cart is their own")
	})
}

func TestCartGuestIDThatIsNoUUIDGetsTheEchoTrap(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	for _, guest := range []string{"shop-visitor-0001", "guest_" + guestUUID, guestUUID[:35]} {
		status, got := ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guest, item(10, 2))
		require.Equal(t, http.StatusCreated, status, guest)
		assert.Equal(t, cartBody{[]store.CartItem{{ProductID: 10, Qty: 2}}, 1}, got, "the 201 echoes the item")
		status, got = ts.cartCall(t, http.MethodGet, cartPath, "", guest, nil)
		require.Equal(t, http.StatusOK, status)
		assert.Equal(t, cartBody{[]store.CartItem{}, 0}, got, "and keeps nothing: %s", guest)
	}
	assert.Empty(t, ts.store.Export(t.Context()).Carts)
}

// A guest id is a UUID in any case (docs/api/cart.md): an upper-case one keeps its cart, the
// same cart its lower-case spelling names.
func TestCartGuestUUIDInUpperCaseKeepsItsCart(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	upper := strings.ToUpper(guestUUID)
	status, _ := ts.cartCall(t, http.MethodPost, cartPath+"/items", "", upper, item(10, 2))
	require.Equal(t, http.StatusCreated, status)
	want := cartBody{[]store.CartItem{{ProductID: 10, Qty: 2}}, 1}
	_, got := ts.cartCall(t, http.MethodGet, cartPath, "", upper, nil)
	assert.Equal(t, want, got, "kept under the upper-case id")
	_, got = ts.cartCall(t, http.MethodGet, cartPath, "", guestUUID, nil)
	assert.Equal(t, want, got, "the lower-case id names the same cart")
}

func TestCartUnderUsersCartIsNotFound(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	status, body := ts.callWith(t, http.MethodGet, "/api/content/users/cart", "", nil, map[string]string{"x-app-token": appToken, "x-guest-id": guestUUID})
	require.Equal(t, http.StatusNotFound, status)
	assert.Equal(t, []string{"Cannot GET /api/content/users/cart"}, decodeError(t, status, body).messages())
}

func TestCartBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, item(10, 1))
	for _, tc := range []struct {
		name, method, path, bearer, guest string
		body                              any
		want                              int
	}{
		{"neither token nor guest", http.MethodGet, cartPath, "", "", nil, http.StatusUnauthorized},
		{"bad token", http.MethodPost, cartPath + "/items", "not-a-token", guestUUID, item(10, 1), http.StatusUnauthorized},
		{"unknown product", http.MethodPost, cartPath + "/items", "", guestUUID, item(99, 1), http.StatusNotFound},
		{"zero qty", http.MethodPost, cartPath + "/items", "", guestUUID, item(10, 0), http.StatusBadRequest},
		{"huge qty", http.MethodPut, cartPath + "/items/10", "", guestUUID, map[string]int{"qty": 1_000_001}, http.StatusBadRequest},
		{"qty as text", http.MethodPost, cartPath + "/items", "", guestUUID, `{"productId":10,"qty":"2"}`, http.StatusBadRequest},
		{"unknown field", http.MethodPost, cartPath + "/items", "", guestUUID, `{"productId":10,"qty":2,"price":1}`, http.StatusBadRequest},
		{"broken JSON", http.MethodPost, cartPath + "/items", "", guestUUID, `{"productId":`, http.StatusBadRequest},
		{"path id", http.MethodDelete, cartPath + "/items/abc", "", guestUUID, nil, http.StatusBadRequest},
		{"unknown product removed", http.MethodDelete, cartPath + "/items/99", "", guestUUID, nil, http.StatusNotFound},
	} {
		status, _ := ts.cartCall(t, tc.method, tc.path, tc.bearer, tc.guest, tc.body)
		assert.Equal(t, tc.want, status, tc.name)
	}
	_, got := ts.cartCall(t, http.MethodGet, cartPath, "", guestUUID, nil)
	assert.Equal(t, cartBody{[]store.CartItem{{ProductID: 10, Qty: 1}}, 1}, got)
}

func TestCartSignInMergesTheGuestCart(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	tk := ts.signInWith(t, nil)
	ts.cartCall(t, http.MethodPost, cartPath+"/items", tk.AccessToken, "", item(10, 1))

	ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, item(10, 2))
	ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, item(12, 1))
	tk = ts.signInWith(t, map[string]string{"x-guest-id": guestUUID})

	// The front end keeps sending its guest id after signing in: the first cart call merges.
	status, got := ts.cartCall(t, http.MethodGet, cartPath, tk.AccessToken, guestUUID, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, cartBody{[]store.CartItem{{ProductID: 10, Qty: 3}, {ProductID: 12, Qty: 1}}, 2}, got)
	_, guest := ts.cartCall(t, http.MethodGet, cartPath, "", guestUUID, nil)
	assert.Empty(t, guest.Items, "the guest cart is gone into the user's")
	_, again := ts.cartCall(t, http.MethodGet, cartPath, tk.AccessToken, guestUUID, nil)
	assert.Equal(t, got, again, "merging once")
}

// Merging caps a line at 1 000 000 (docs/api/cart.md): the user's 999 999 and the guest's 5
// of a product make 1 000 000.
func TestCartMergeCapsALineAtTheMostALineHolds(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	tk := ts.signInWith(t, nil)
	status, _ := ts.cartCall(t, http.MethodPut, cartPath+"/items/10", tk.AccessToken, "", map[string]int{"qty": store.MaxCartQty - 1})
	require.Equal(t, http.StatusOK, status)
	status, _ = ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, item(10, 5))
	require.Equal(t, http.StatusCreated, status)
	status, got := ts.cartCall(t, http.MethodGet, cartPath, tk.AccessToken, guestUUID, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, cartBody{[]store.CartItem{{ProductID: 10, Qty: 1_000_000}}, 1}, got)
}

// manyProductsFixtures are the default fixtures with n more products, ids 1001 on, copies of
// product 10.
func manyProductsFixtures(t *testing.T, n int) *store.Fixtures {
	t.Helper()
	return editFixtures(t, map[string]func(any) any{store.FileProducts: func(v any) any {
		products := v.([]any)
		raw, err := json.Marshal(products[0])
		require.NoError(t, err)
		for i := range n {
			p := decode[map[string]any](t, raw)
			p["id"], p["position"] = 1001+i, 100+i
			products = append(products, p)
		}
		return products
	}})
}

// Merging leaves out the guest's new lines that would take the user's cart past 200 lines
// (docs/api/cart.md), and still adds to the lines the user has.
func TestCartMergeLeavesOutLinesPastTheMostACartHolds(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026), withFixtures(manyProductsFixtures(t, 199)))
	tk := ts.signInWith(t, nil)
	var want []store.CartItem
	for id := 1001; id < 1001+199; id++ {
		status, _ := ts.cartCall(t, http.MethodPost, cartPath+"/items", tk.AccessToken, "", item(id, 1))
		require.Equal(t, http.StatusCreated, status)
		want = append(want, store.CartItem{ProductID: id, Qty: 1})
	}
	for _, it := range []map[string]int{item(1001, 2), item(10, 1), item(11, 1), item(12, 1)} {
		status, _ := ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, it)
		require.Equal(t, http.StatusCreated, status)
	}
	status, got := ts.cartCall(t, http.MethodGet, cartPath, tk.AccessToken, guestUUID, nil)
	require.Equal(t, http.StatusOK, status)
	want[0].Qty = 3
	want = append(want, store.CartItem{ProductID: 10, Qty: 1})
	assert.Equal(t, cartBody{want, store.MaxCartLines}, got, "the 200th line is the guest's first new one; 11 and 12 are left out")
}

// A signed-in change that is refused merges nothing: the guest cart it names stays as it was.
// Adding past a line's limit is refused, not cut short.
func TestCartRefusedChangeMergesNothing(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	tk := ts.signInWith(t, nil)
	ts.cartCall(t, http.MethodPut, cartPath+"/items/10", tk.AccessToken, "", map[string]int{"qty": store.MaxCartQty})
	ts.cartCall(t, http.MethodPost, cartPath+"/items", "", guestUUID, item(11, 2))
	before := stateDocument(t, ts)

	status, body := ts.callWith(t, http.MethodPost, cartPath+"/items", tk.AccessToken, item(10, 1), map[string]string{"x-app-token": appToken, "x-guest-id": guestUUID})
	assertRefused(t, status, body, http.StatusBadRequest, "at most 1000000")
	assert.Equal(t, before, stateDocument(t, ts), "the refused add merged nothing")

	status, got := ts.cartCall(t, http.MethodPost, cartPath+"/items", tk.AccessToken, guestUUID, item(12, 1))
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, []store.CartItem{{ProductID: 10, Qty: store.MaxCartQty}, {ProductID: 11, Qty: 2}, {ProductID: 12, Qty: 1}}, got.Items, "an accepted one merges")
}

func TestCartsArePersisted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := func() (*store.Store, func()) {
		db, err := bolt.Open(dir)
		require.NoError(t, err)
		p, err := db.Sandbox("s", "secret", time.Now())
		require.NoError(t, err)
		st, err := store.Open(context.Background(), store.Options{Fixtures: mocktest.DefaultFixtures(t), Persist: p})
		require.NoError(t, err)
		return st, func() { _ = db.Close() }
	}
	st, closeDB := open()
	_, err := st.AddCartItem(t.Context(), store.CartOwner{GuestID: guestUUID}, 11, 4)
	require.NoError(t, err)
	_, err = st.AddCartItem(t.Context(), store.CartOwner{UserID: 16}, 10, 1)
	require.NoError(t, err)
	closeDB()

	st, closeDB = open()
	defer closeDB()
	got, err := st.Cart(t.Context(), store.CartOwner{GuestID: guestUUID})
	require.NoError(t, err)
	assert.Equal(t, []store.CartItem{{ProductID: 11, Qty: 4}}, got.Items)
	doc := st.Export(t.Context())
	require.Len(t, doc.Carts, 2)
	require.NoError(t, st.Import(t.Context(), doc), "an exported document imports")
}

func TestProductsByIDs(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileLive2026))
	ids := func(query string) (int, []float64) {
		status, body := ts.call(t, http.MethodGet, "/api/content/products/ids?"+query, "", nil)
		if status != http.StatusOK {
			decodeError(t, status, body)
			return status, nil
		}
		var out []float64
		for _, p := range decode[[]map[string]any](t, body) {
			out = append(out, p["id"].(float64))
		}
		return status, out
	}
	status, got := ids("ids=10,11&langCode=en_US")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []float64{10, 11}, got)
	_, got = ids("ids=12,10,99,12")
	assert.Equal(t, []float64{12, 10}, got, "in the asked order, unknown left out, once each")
	for _, bad := range []string{"ids=abc", "ids=10,", "ids=0", "ids=", ""} {
		status, _ = ids(bad)
		assert.Equal(t, http.StatusBadRequest, status, bad)
	}
	status, body := ts.call(t, http.MethodGet, "/api/content/products/10", "", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(10), decode[map[string]any](t, body)["id"], "products/{id} is still served")
}

// Every list that answers products by id answers each as /products/{id} does in the same
// language: a cart or a block shelf shows the title, status and attributes a product page does.
func TestProductListsAnswerProductsAsTheProductRead(t *testing.T) {
	t.Parallel()
	for _, profile := range []sandbox.Profile{sandbox.ProfileLive, sandbox.ProfileSDK115} {
		t.Run(profile.Name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t, withProfile(profile))
			for _, lang := range []string{"en_US", "ru_RU", ""} {
				query := "?langCode=" + lang
				byID := map[float64]string{}
				for _, id := range []int{10, 11, 12} {
					status, body := ts.call(t, http.MethodGet, fmt.Sprintf("/api/content/products/%d%s", id, query), "", nil)
					require.Equal(t, http.StatusOK, status, string(body))
					byID[float64(id)] = string(body)
				}
				lists := []string{"/api/content/products/ids?ids=12,10,11&" + query[1:]}
				if profile.Name == sandbox.ProfileLive.Name {
					lists = append(lists, "/api/content/blocks/featured_tickets/products"+query,
						"/api/content/blocks/similar_tickets/similar-products"+query,
						"/api/content/blocks/frequently_ordered/products/10/frequently-ordered"+query)
				}
				for _, list := range lists {
					status, body := ts.call(t, http.MethodGet, list, "", nil)
					require.Equal(t, http.StatusOK, status, string(body))
					var items []json.RawMessage
					if strings.Contains(list, "/blocks/") {
						items = decode[struct{ Items []json.RawMessage }](t, body).Items
					} else {
						items = decode[[]json.RawMessage](t, body)
					}
					require.NotEmpty(t, items, list)
					for _, item := range items {
						id := decode[map[string]any](t, item)["id"].(float64)
						assert.JSONEq(t, byID[id], string(item), "%s: product %v", list, id)
					}
				}
			}
		})
	}
}

// FuzzCartItemBody sends cart item bodies as a guest and as the user: never a 5xx, and a
// refused body leaves every cart as it was.
func FuzzCartItemBody(f *testing.F) {
	h, token := handlerWithUser(f)
	st := h.(*mockserver.Server).Store()
	for _, seed := range []string{
		`{"productId":10,"qty":2}`, `{"productId":10,"qty":0}`, `{"productId":99,"qty":1}`, `{"qty":3}`,
		`{"productId":10,"qty":1000001}`, `{"productId":1e3,"qty":1}`, `{"productId":"10","qty":1}`,
		`{"productId":99999999999999999999,"qty":1}`, `{`, `[]`, `null`, ``,
	} {
		f.Add([]byte(seed), uint8(0), guestUUID)
		f.Add([]byte(seed), uint8(3), "shop-visitor-0001")
	}
	methods := []struct{ method, path string }{
		{http.MethodPost, cartPath + "/items"}, {http.MethodPut, cartPath + "/items/10"},
		{http.MethodDelete, cartPath + "/items/11"}, {http.MethodGet, cartPath},
	}
	f.Fuzz(func(t *testing.T, body []byte, how uint8, guest string) {
		m := methods[int(how)%len(methods)]
		bearer := ""
		if how >= 4 {
			bearer = token
		}
		before, _ := json.Marshal(st.Export(t.Context()).Carts)
		rec := serveAPI(h, m.method, m.path, bearer, bytes.NewReader(body), func(req *http.Request) {
			req.Header.Set("x-guest-id", guest)
		})
		checkFuzzResponse(t, rec)
		after, _ := json.Marshal(st.Export(t.Context()).Carts)
		if rec.Code >= 400 && !bytes.Equal(before, after) {
			t.Fatalf("a refused %s %s (%d) changed the carts:\n%s\n%s", m.method, m.path, rec.Code, before, after)
		}
	})
}

// FuzzAccountPatch sends admin PATCH bodies for the stripe account: never a 5xx, and the
// account answers the content API's schema afterwards whatever was accepted.
func FuzzAccountPatch(f *testing.F) {
	h, token := handlerWithUser(f)
	for _, seed := range []string{
		`{"testSettings":{"successUrl":"http://localhost:3000/thanks","cancelUrl":null}}`,
		`{"settings":{"status":"not_connected"}}`, `{"settings":{"sessionTimeout":-1}}`,
		`{"testSettings":{"successUrl":"/x"}}`, `{"settings":null}`, `{"x":1}`, `{`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPatch, "/__admin/payments/accounts/2", bytes.NewReader(body))
		req.Host = "127.0.0.1:8080"
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		checkFuzzResponse(t, rec)
		checkFuzzResponse(t, serveAPI(h, http.MethodGet, "/api/content/payments/accounts/2", token, nil))
	})
}
