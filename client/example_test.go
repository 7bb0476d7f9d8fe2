package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// exampleAPI is a tiny stand-in for one OneEntry project, just enough for the examples: one
// user, the tickets form, order creation and payment sessions. It checks the app token and
// the bearer like the API does and answers in the API's shapes, but validates little else.
func exampleAPI() *httptest.Server {
	const (
		app     = "app-token"
		refresh = "/api/content/users-auth-providers/marker/email/users/refresh"
	)
	var (
		mu       sync.Mutex
		gen      = 1
		orders   = map[int]bool{}
		sessions = map[int]string{} // order id → newest session
		nextID   = 92
		nextSess = 49
	)
	pair := func() string {
		return fmt.Sprintf(`{"userIdentifier":"your-user@email.com","authProviderIdentifier":"email","accessToken":"access-%d","refreshToken":"refresh-%d"}`, gen, gen)
	}
	fail := func(w http.ResponseWriter, status int, msg string) {
		writeJSON(w, status, fmt.Sprintf(`{"statusCode":%d,"message":%q,"error":%q,"pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`, status, msg, http.StatusText(status)))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/content/users-auth-providers/marker/email/users/auth", func(w http.ResponseWriter, r *http.Request) {
		var body client.AuthRequest
		_ = json.NewDecoder(r.Body).Decode(&body)
		if len(body.AuthData) != 2 || body.AuthData[1].Value != "123456" {
			fail(w, http.StatusUnauthorized, "Invalid login or password")
			return
		}
		writeJSON(w, http.StatusCreated, pair())
	})
	mux.HandleFunc("POST "+refresh, func(w http.ResponseWriter, r *http.Request) {
		var body struct{ RefreshToken string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body.RefreshToken != "refresh-"+strconv.Itoa(gen) {
			fail(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		gen++
		writeJSON(w, http.StatusCreated, pair())
	})
	mux.HandleFunc("GET /api/content/forms/marker/tickets_form", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"id":9,"attributeSetId":12,"type":"order","localizeInfos":{"title":"Билеты"},"version":6,"position":1,"identifier":"tickets_form","processingType":"script","templateId":null,
			"attributes":[{"type":"entity","marker":"tickets","position":2,"isVisible":true,"validators":{"requiredValidator":{"strict":true}},"localizeInfos":{"title":"Билеты"},
			"listTitles":[{"id":8,"depth":0,"title":"Билеты","parentId":null,"position":"0|hzzzz3:"},{"id":"p-8-10","depth":1,"title":"Бронзовый","parentId":8,"position":1,"selected":true}]}]}`)
	})
	user := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer access-"+strconv.Itoa(gen) {
				fail(w, http.StatusUnauthorized, "Unauthorized")
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("POST /api/content/orders-storage/marker/tickets/orders", user(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var in struct {
			FormData map[string]json.RawMessage `json:"formData"`
		}
		_ = json.Unmarshal(body, &in)
		id := nextID
		nextID++
		orders[id] = true
		writeJSON(w, http.StatusCreated, fmt.Sprintf(`{"id":%d,"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":%s},"products":[{"productId":10,"quantity":1}],"currency":"USD","totalSum":100,"createdDate":"2025-04-30T21:54:48.918Z"}`, id, in.FormData["en_US"]))
	}))
	mux.HandleFunc("GET /api/content/orders-storage/marker/tickets/orders/{id}", user(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		if !orders[id] {
			fail(w, http.StatusNotFound, "Order not found")
			return
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"id":%d,"storageId":1,"statusIdentifier":"inProgress","formData":{"en_US":[]},"totalSum":"100.00","currency":"USD","products":[],"paymentUrl":null,"isCompleted":null}`, id))
	}))
	mux.HandleFunc("POST /api/content/payments/sessions", user(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ OrderID int }
		_ = json.NewDecoder(r.Body).Decode(&in)
		if !orders[in.OrderID] {
			fail(w, http.StatusNotFound, "Order not found")
			return
		}
		s := fmt.Sprintf(`{"id":%d,"createdDate":"2025-04-30T21:54:50.058Z","updatedDate":"2025-04-30T21:54:50.058Z","type":"session","status":"waiting","paymentAccountId":1,"orderId":%d,"paymentUrl":null}`, nextSess, in.OrderID)
		nextSess++
		sessions[in.OrderID] = s
		writeJSON(w, http.StatusCreated, s)
	}))
	mux.HandleFunc("GET /api/content/payments/sessions/order/{id}", user(func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		s, ok := sessions[id]
		if !ok {
			fail(w, http.StatusNotFound, "Session not found")
			return
		}
		writeJSON(w, http.StatusOK, s)
	}))
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("x-app-token") != app || strings.Contains(r.Header.Get("Authorization"), app) {
			fail(w, http.StatusForbidden, "Resource is closed")
			return
		}
		if _, pattern := mux.Handler(r); pattern == "" {
			fail(w, http.StatusNotFound, "Cannot "+r.Method+" "+r.URL.Path)
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// Example walks through the ticket-ordering scenario: log in, read the order form, order the
// first ticket it offers and open a payment session.
func Example() {
	srv := exampleAPI()
	defer srv.Close()
	ctx := context.Background()

	c, err := client.New(srv.URL, client.WithAppToken("app-token"))
	if err != nil {
		panic(err)
	}
	if _, err := c.Auth(ctx, "email", client.AuthRequest{AuthData: []client.AuthData{
		{Marker: "email_reg", Value: "your-user@email.com"},
		{Marker: "password_reg", Value: "123456"},
	}}); err != nil {
		panic(err)
	}

	form, err := c.Form(ctx, "tickets_form")
	if err != nil {
		panic(err)
	}
	tickets, _ := form.Attribute("tickets")
	ticket := tickets.EntityOptions()[0]
	fmt.Println("ticket:", ticket.Title, ticket.ID, "product", ticket.ProductID())

	order, err := c.CreateOrder(ctx, "tickets", client.OrderInput{
		FormIdentifier:           form.Identifier,
		PaymentAccountIdentifier: "cash",
		FormData:                 []client.FormDataItem{{Marker: "tickets", Type: "entity", Value: []string{ticket.ID}}},
		Products:                 []client.OrderProductInput{{ProductID: ticket.ProductID(), Quantity: 1}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("order:", order.ID, order.TotalSum, order.Currency)

	session, err := c.CreateSession(ctx, order.ID, client.SessionTypeSession, false)
	if err != nil {
		panic(err)
	}
	sessions, err := c.SessionsByOrder(ctx, order.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("session:", session.ID, sessions[0].Status)
	// Output:
	// ticket: Бронзовый p-8-10 product 10
	// order: 92 100.00 USD
	// session: 49 waiting
}

// ExampleAPIError shows how to branch on the API's answer.
func ExampleAPIError() {
	srv := exampleAPI()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithAppToken("app-token"))

	_, err := c.Auth(context.Background(), "email", client.AuthRequest{AuthData: []client.AuthData{
		{Marker: "email_reg", Value: "your-user@email.com"},
		{Marker: "password_reg", Value: "wrong"},
	}})
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Message)
	}
	// Output:
	// 401 Invalid login or password
}

// ExampleWithRefreshTokenHook shows the automatic refresh: the saved access token has expired,
// so the first call answers 401, the client refreshes once, retries, and reports the new
// refresh token to the hook.
func ExampleWithRefreshTokenHook() {
	srv := exampleAPI()
	defer srv.Close()
	ctx := context.Background()
	c, _ := client.New(srv.URL,
		client.WithAppToken("app-token"),
		client.WithRefreshToken("refresh-1"),
		client.WithRefreshTokenHook(func(token string) { fmt.Println("save", token) }),
	)

	_, err := c.Order(ctx, "tickets", 92)
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Message)
	}
	fmt.Println("access token:", c.AccessToken())
	// Output:
	// save refresh-2
	// 404 Order not found
	// access token: access-2
}

// ExampleMoney shows the two wire forms of an order total.
func ExampleMoney() {
	var created, read struct {
		TotalSum client.Money `json:"totalSum"`
	}
	_ = json.Unmarshal([]byte(`{"totalSum":100}`), &created)
	_ = json.Unmarshal([]byte(`{"totalSum":"100.00"}`), &read)
	fmt.Println(created.TotalSum.Cents == read.TotalSum.Cents, created.TotalSum.IsString(), read.TotalSum.IsString(), string(read.TotalSum.Raw))
	// Output:
	// true false true "100.00"
}

// ExampleLocalized shows form data arriving flat and keyed by language.
func ExampleLocalized() {
	var flat, keyed client.Localized[[]client.FormDataItem]
	_ = json.Unmarshal([]byte(`[{"marker":"tickets","type":"entity","value":["p-8-10"]}]`), &flat)
	_ = json.Unmarshal([]byte(`{"en_US":[{"marker":"tickets","type":"entity","value":["p-8-10"]}]}`), &keyed)
	fmt.Println(flat.Value[0].Marker, flat.Keyed())
	fmt.Println(keyed.Value[0].Marker, keyed.Keyed(), keyed.Lang)
	// Output:
	// tickets false
	// tickets true en_US
}
