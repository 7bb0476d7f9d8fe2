package mockserver

import (
	"encoding/json"
	"net/http"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// sessionResponse is a payment session exactly as the seed recorded it.
type sessionResponse struct {
	ID               int     `json:"id"`
	CreatedDate      string  `json:"createdDate"`
	UpdatedDate      string  `json:"updatedDate"`
	Type             string  `json:"type"`
	Status           string  `json:"status"`
	PaymentAccountID int     `json:"paymentAccountId"`
	OrderID          int     `json:"orderId"`
	PaymentURL       *string `json:"paymentUrl"`
	ClientSecret     string  `json:"clientSecret,omitempty"`
}

func newSessionResponse(p store.PaymentSession) sessionResponse {
	return sessionResponse{
		ID:               p.ID,
		CreatedDate:      timestamp(p.CreatedDate),
		UpdatedDate:      timestamp(p.UpdatedDate),
		Type:             p.Type,
		Status:           p.Status,
		PaymentAccountID: p.PaymentAccountID,
		OrderID:          p.OrderID,
		PaymentURL:       p.PaymentURL,
		ClientSecret:     p.ClientSecret,
	}
}

type sessionCreateRequest struct {
	OrderID             int    `json:"orderId"`
	Type                string `json:"type"`
	AutomaticTaxEnabled bool   `json:"automaticTaxEnabled"`
}

// handlePaymentSessionCreate handles POST /api/content/payments/sessions.
func (s *Server) handlePaymentSessionCreate(w http.ResponseWriter, r *http.Request, sc *scope, req sessionCreateRequest) {
	p, err := sc.store.CreatePaymentSession(r.Context(), sc.claims.ID, req.OrderID, req.Type, func(token string) string {
		return checkoutURL(r, sc.sandbox, token)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, newSessionResponse(p))
}

// handlePaymentSessionsByOrder handles GET /api/content/payments/sessions/order/{orderId}: the
// newest session as an object, or every session as an array, depending on the profile.
func (s *Server) handlePaymentSessionsByOrder(w http.ResponseWriter, r *http.Request, sc *scope) {
	orderID, err := pathID(r, "orderId")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sessions, err := sc.store.PaymentSessionsByOrder(r.Context(), sc.claims.ID, orderID, func(token string) string {
		return checkoutURL(r, sc.sandbox, token)
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.profile.SessionsByOrderAsArray {
		out := make([]sessionResponse, len(sessions))
		for i, p := range sessions {
			out[i] = newSessionResponse(p)
		}
		s.writeJSON(w, http.StatusOK, out)
		return
	}
	if len(sessions) == 0 {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "Payment session for order %d not found", orderID))
		return
	}
	s.writeJSON(w, http.StatusOK, newSessionResponse(sessions[0]))
}

// handlePaymentSession handles GET /api/content/payments/sessions/{id}.
func (s *Server) handlePaymentSession(w http.ResponseWriter, r *http.Request, sc *scope, id int) {
	p, err := sc.store.PaymentSession(r.Context(), sc.claims.ID, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, newSessionResponse(p))
}

// handlePaymentSessionUpdate handles PUT /api/content/payments/sessions/{id} (SDK 1.0.115's
// updateSessionById), served only under profiles where clients may move sessions.
func (s *Server) handlePaymentSessionUpdate(w http.ResponseWriter, r *http.Request, sc *scope, id int, fields map[string]json.RawMessage) {
	var upd store.PaymentSessionUpdate
	if raw, ok := fields["status"]; ok {
		var status string
		if err := json.Unmarshal(raw, &status); err != nil {
			s.writeError(w, r, store.Invalid("status must be a string"))
			return
		}
		upd.Status = &status
	}
	if raw, ok := fields["paymentUrl"]; ok {
		upd.SetPaymentURL = true
		if string(raw) != "null" {
			var u string
			if err := json.Unmarshal(raw, &u); err != nil {
				s.writeError(w, r, store.Invalid("paymentUrl must be a string or null"))
				return
			}
			upd.PaymentURL = &u
		}
	}
	p, err := sc.store.UpdatePaymentSession(r.Context(), sc.claims.ID, id, upd)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, newSessionResponse(p))
}

type sessionListResponse struct {
	Items []sessionResponse `json:"items"`
	Total int               `json:"total"`
}

// handlePaymentSessions handles GET /api/content/payments/sessions (the SDK sends it with a
// trailing slash).
func (s *Server) handlePaymentSessions(w http.ResponseWriter, r *http.Request, sc *scope) {
	sessions, total, err := sc.store.PaymentSessions(r.Context(), sc.claims.ID, page(r.URL.Query()))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := sessionListResponse{Items: make([]sessionResponse, len(sessions)), Total: total}
	for i, p := range sessions {
		out.Items[i] = newSessionResponse(p)
	}
	s.writeJSON(w, http.StatusOK, out)
}

// accountResponse is a payment account as the API serves it: the simulated provider's
// settings left out (the contract's additionalProperties: false catches one that is not).
type accountResponse struct {
	store.PaymentAccount
	// Nil fields of the same JSON names hide the embedded ones (encoding/json's dominance).
	SigningSecret          *struct{} `json:"signingSecret,omitempty"`
	WebhookURL             *struct{} `json:"webhookUrl,omitempty"`
	SessionTimeoutMinutes  *struct{} `json:"sessionTimeoutMinutes,omitempty"`
	PaymentURLDelaySeconds *struct{} `json:"paymentUrlDelaySeconds,omitempty"`
	OpenSessionWithOrder   *struct{} `json:"openSessionWithOrder,omitempty"`
}

func newAccountResponse(a store.PaymentAccount) accountResponse {
	a.LocalizeInfos, a.Settings = orEmptyObject(a.LocalizeInfos), orEmptyObject(a.Settings)
	return accountResponse{PaymentAccount: a}
}

// handlePaymentAccounts handles GET /api/content/payments/accounts: every account, as this
// sandbox has its settings (they change at run time, so this is no fixture read).
func (s *Server) handlePaymentAccounts(w http.ResponseWriter, r *http.Request, sc *scope) {
	accounts := sc.store.PaymentAccounts(r.Context())
	out := make([]accountResponse, len(accounts))
	for i, a := range accounts {
		out[i] = newAccountResponse(a)
	}
	s.writeJSON(w, http.StatusOK, out)
}

// handlePaymentAccount handles GET /api/content/payments/accounts/{id}.
func (s *Server) handlePaymentAccount(w http.ResponseWriter, r *http.Request, sc *scope, id int) {
	a, err := sc.store.PaymentAccount(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, newAccountResponse(a))
}

// connectedResponse is IConnectedEntity: the Stripe Connect account of the project.
type connectedResponse struct {
	StripeAccountID      *string `json:"stripeAccountId"`
	StripePublishableKey *string `json:"stripePublishableKey"`
}

// handlePaymentsConnected handles GET /api/content/payments/connected (SDK 1.0.115's
// getConnected). A sandbox has no Stripe Connect account: its Stripe is the mock's own checkout.
func (s *Server) handlePaymentsConnected(w http.ResponseWriter, _ *http.Request, _ *scope) {
	s.writeJSON(w, http.StatusOK, connectedResponse{})
}

// handleStripeWebhook handles POST /api/content/payments/webhook/stripe (SDK 1.0.115's
// webhookStripe), the address where Stripe delivers a project's events. Stripe signs each
// event; the SDK posts {} unsigned, which the API refuses as Stripe's library does. A sandbox
// takes no Stripe events: its payments move on the checkout page and the admin actions.
func (s *Server) handleStripeWebhook(w http.ResponseWriter, r *http.Request, _ *scope) {
	msg := "No signatures found matching the expected signature for payload"
	if r.Header.Get("Stripe-Signature") == "" {
		msg = "No stripe-signature header value was provided"
	}
	s.writeError(w, r, store.Invalid(msg))
}
