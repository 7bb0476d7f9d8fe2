package mockserver

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// subscribeRequest is the body of subscribe and unsubscribe (the SDK's ISubscribeBody).
type subscribeRequest struct {
	Locale    string `json:"locale"`
	ProductID *int   `json:"productId"`
}

// decodeSubscribe reads the body as other bodies are read (10.0 is the integer 10; 1e19 no
// product's id).
func decodeSubscribe(sc *scope) (subscribeRequest, error) {
	var req subscribeRequest
	if decodeBody(sc, &req) != nil || req.ProductID == nil || *req.ProductID < 1 {
		return req, store.Invalid("productId must be a positive number")
	}
	return req, nil
}

type subscriptionItem struct {
	EventMarker string `json:"eventMarker"`
	ProductID   int    `json:"productId"`
}

// handleSubscriptions handles GET /events/subscriptions: the user's subscriptions, paged.
func (s *Server) handleSubscriptions(w http.ResponseWriter, r *http.Request, sc *scope) {
	subs, total := sc.store.Subscriptions(r.Context(), sc.claims.ID, page(r.URL.Query()))
	out := struct {
		Total int                `json:"total"`
		Items []subscriptionItem `json:"items"`
	}{Total: total, Items: make([]subscriptionItem, len(subs))}
	for i, sub := range subs {
		out.Items[i] = subscriptionItem{EventMarker: sub.EventMarker, ProductID: sub.ProductID}
	}
	s.writeJSON(w, http.StatusOK, out)
}

// handleSubscribe handles POST /events/subscribe/marker/{marker}.
func (s *Server) handleSubscribe(w http.ResponseWriter, r *http.Request, sc *scope) {
	req, err := decodeSubscribe(sc)
	if err == nil {
		err = sc.store.Subscribe(r.Context(), sc.claims.ID, mux.Vars(r)["marker"], *req.ProductID, req.Locale)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeRaw(w, http.StatusCreated, []byte(`true`))
}

// handleUnsubscribe handles DELETE /events/unsubscribe/marker/{marker}.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request, sc *scope) {
	req, err := decodeSubscribe(sc)
	if err == nil {
		err = sc.store.Unsubscribe(r.Context(), sc.claims.ID, mux.Vars(r)["marker"], *req.ProductID)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeRaw(w, http.StatusOK, []byte(`true`))
}
