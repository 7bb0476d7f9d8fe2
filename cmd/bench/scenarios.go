package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The requests of the seed's ticket-ordering flow, against the default fixtures.
const (
	appToken     = "your-app-token"
	seedLogin    = "your-user@email.com"
	seedPassword = "123456"
	authPrefix   = "/api/content/users-auth-providers/marker/email/users"
	formPath     = "/api/content/forms/marker/tickets_form?langCode=en_US"
	ordersPath   = "/api/content/orders-storage/marker/tickets/orders"
	sessionsPath = "/api/content/payments/sessions"
	orderBody    = `{"formIdentifier":"tickets_form","paymentAccountIdentifier":"cash","formData":{"en_US":[{"type":"entity","marker":"tickets","value":["p-8-10"]}]},"products":[{"productId":10,"quantity":1}]}`
)

var appHeaders = []header{{"x-app-token", appToken}}

func bearerHeaders(token string) []header {
	return []header{{"x-app-token", appToken}, {"Authorization", "Bearer " + token}}
}

type authValue struct {
	Marker string `json:"marker"`
	Value  string `json:"value"`
}

func loginBody(login, password string) []byte {
	data, _ := json.Marshal(map[string]any{"authData": []authValue{{"email_reg", login}, {"password_reg", password}}})
	return data
}

func signUpBody(login, password string) []byte {
	data, _ := json.Marshal(map[string]any{
		"authData": []authValue{{"email_reg", login}, {"password_reg", password}},
		"formData": map[string][]any{"en_US": {}},
		"langCode": "en_US",
	})
	return data
}

func sessionBody(orderID int) []byte {
	return []byte(`{"orderId":` + strconv.Itoa(orderID) + `,"type":"session","automaticTaxEnabled":false}`)
}

// vuLogin is the account of virtual user vu in the flow scenario.
func vuLogin(vu int) (login, password string) {
	return fmt.Sprintf("bench-vu-%d@example.test", vu), "bench-password"
}

// target is a server under load and what its scenarios need from it.
type target struct {
	host  string
	token string // access token of the seed user, for the order-create scenario
}

// scenario is one measured workload.
type scenario struct {
	key   string // -scenarios name
	title string
	// perOp is the number of requests one op makes: 1, or 6 for the flow.
	perOp int
	newOp func(t target) func(vu int) opFunc
}

var scenarios = []scenario{
	{key: "form", title: "Form read", perOp: 1, newOp: formOp},
	{key: "order", title: "Order create", perOp: 1, newOp: orderOp},
	{key: "flow", title: "Ticket flow", perOp: 6, newOp: flowOp},
}

// formOp reads tickets_form, a public route: app token, routing, contract check of the request,
// and the form's bytes.
func formOp(target) func(int) opFunc {
	return func(int) opFunc {
		return func(c *conn) error {
			_, err := expect(c, http.StatusOK, http.MethodGet, formPath, appHeaders, nil)
			return err
		}
	}
}

// orderOp creates the seed's order as the seed user: bearer check, contract check of the body,
// form data and product validation, and a store write.
func orderOp(t target) func(int) opFunc {
	headers := bearerHeaders(t.token)
	body := []byte(orderBody)
	return func(int) opFunc {
		return func(c *conn) error {
			_, err := expect(c, http.StatusCreated, http.MethodPost, ordersPath, headers, body)
			return err
		}
	}
}

// flowOp is the whole ticket flow of one virtual user with an account of its own: log in, read
// the form, create an order, open a payment session, read the session and the order back.
func flowOp(target) func(int) opFunc {
	return func(vu int) opFunc {
		login := loginBody(vuLogin(vu))
		order := []byte(orderBody)
		return func(c *conn) error {
			body, err := expect(c, http.StatusCreated, http.MethodPost, authPrefix+"/auth", appHeaders, login)
			if err != nil {
				return err
			}
			var tokens struct {
				AccessToken string `json:"accessToken"`
			}
			if err := json.Unmarshal(body, &tokens); err != nil || tokens.AccessToken == "" {
				return errors.New("login answered no accessToken")
			}
			auth := bearerHeaders(tokens.AccessToken)
			if _, err := expect(c, http.StatusOK, http.MethodGet, formPath, appHeaders, nil); err != nil {
				return err
			}
			body, err = expect(c, http.StatusCreated, http.MethodPost, ordersPath, auth, order)
			if err != nil {
				return err
			}
			var created struct {
				ID int `json:"id"`
			}
			if err := json.Unmarshal(body, &created); err != nil || created.ID == 0 {
				return errors.New("order create answered no id")
			}
			id := strconv.Itoa(created.ID)
			if _, err := expect(c, http.StatusCreated, http.MethodPost, sessionsPath, auth, sessionBody(created.ID)); err != nil {
				return err
			}
			if _, err := expect(c, http.StatusOK, http.MethodGet, sessionsPath+"/order/"+id, auth, nil); err != nil {
				return err
			}
			_, err = expect(c, http.StatusOK, http.MethodGet, ordersPath+"/"+id, auth, nil)
			return err
		}
	}
}

// record runs the flow once as the seed user and keeps every answer, for the bare server to
// replay. It doubles as a check that the mock serves the flow at all before any load.
func record(host string, timeout time.Duration) (*cannedSet, string, error) {
	c := newConn(host, timeout)
	defer c.close()
	set := &cannedSet{}
	step := func(dst *canned, want int, method, target string, headers []header, body []byte) error {
		resp, err := expect(c, want, method, target, headers, body)
		if err != nil {
			return err
		}
		*dst = canned{Status: want, Body: bytes.Clone(resp)}
		return nil
	}
	if err := step(&set.Login, http.StatusCreated, http.MethodPost, authPrefix+"/auth", appHeaders, loginBody(seedLogin, seedPassword)); err != nil {
		return nil, "", err
	}
	var tokens struct {
		AccessToken string `json:"accessToken"`
	}
	if err := json.Unmarshal(set.Login.Body, &tokens); err != nil || tokens.AccessToken == "" {
		return nil, "", fmt.Errorf("login answered no accessToken: %s", set.Login.Body)
	}
	auth := bearerHeaders(tokens.AccessToken)
	if err := step(&set.Form, http.StatusOK, http.MethodGet, formPath, appHeaders, nil); err != nil {
		return nil, "", err
	}
	if err := step(&set.OrderCreate, http.StatusCreated, http.MethodPost, ordersPath, auth, []byte(orderBody)); err != nil {
		return nil, "", err
	}
	var created struct {
		ID int `json:"id"`
	}
	if err := json.Unmarshal(set.OrderCreate.Body, &created); err != nil || created.ID == 0 {
		return nil, "", fmt.Errorf("order create answered no id: %s", set.OrderCreate.Body)
	}
	id := strconv.Itoa(created.ID)
	if err := step(&set.SessionCreate, http.StatusCreated, http.MethodPost, sessionsPath, auth, sessionBody(created.ID)); err != nil {
		return nil, "", err
	}
	if err := step(&set.SessionsByOrder, http.StatusOK, http.MethodGet, sessionsPath+"/order/"+id, auth, nil); err != nil {
		return nil, "", err
	}
	if err := step(&set.Order, http.StatusOK, http.MethodGet, ordersPath+"/"+id, auth, nil); err != nil {
		return nil, "", err
	}
	return set, tokens.AccessToken, nil
}

// signUpVUs registers the accounts of the flow's virtual users.
func signUpVUs(host string, n int, timeout time.Duration) error {
	c := newConn(host, timeout)
	defer c.close()
	for vu := range n {
		if _, err := expect(c, http.StatusCreated, http.MethodPost, authPrefix+"/sign-up", appHeaders, signUpBody(vuLogin(vu))); err != nil {
			return fmt.Errorf("sign up virtual user %d: %w", vu, err)
		}
	}
	return nil
}
