package mockserver

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

type refundLineResponse struct {
	Quantity int `json:"quantity"`
}

type refundStorageResponse struct {
	ID            int             `json:"id"`
	Identifier    string          `json:"identifier"`
	LocalizeInfos json.RawMessage `json:"localizeInfos"`
}

type refundUserResponse struct {
	ID         int    `json:"id"`
	Identifier string `json:"identifier"`
}

// refundResponse is a refund request (IRefundRequest): products keyed by product id.
type refundResponse struct {
	ID             int                           `json:"id"`
	CreatedDate    string                        `json:"createdDate"`
	Status         string                        `json:"status"`
	Amount         moneyNumber                   `json:"amount"`
	Note           string                        `json:"note"`
	Products       map[string]refundLineResponse `json:"products"`
	OrderID        int                           `json:"orderId"`
	OrderStorageID int                           `json:"orderStorageId"`
	UserID         int                           `json:"userId"`
	OrderStorage   refundStorageResponse         `json:"orderStorage"`
	User           refundUserResponse            `json:"user"`
}

func newRefundResponse(fx *store.Fixtures, o store.Order, login string, rr store.RefundRequest) refundResponse {
	out := refundResponse{
		ID: rr.ID, CreatedDate: timestamp(rr.CreatedDate), Status: rr.Status, Amount: moneyNumber(rr.AmountCents),
		Note: rr.Note, Products: make(map[string]refundLineResponse, len(rr.Products)), OrderID: o.ID,
		OrderStorageID: o.StorageID, UserID: o.UserID,
		OrderStorage: refundStorageResponse{ID: o.StorageID, Identifier: o.StorageMarker, LocalizeInfos: json.RawMessage(`{}`)},
		User:         refundUserResponse{ID: o.UserID, Identifier: login},
	}
	if st, ok := fx.OrderStorage(o.StorageMarker); ok {
		out.OrderStorage.LocalizeInfos = orEmptyObject(st.LocalizeInfos)
	}
	for _, l := range rr.Products {
		out.Products[strconv.Itoa(l.ProductID)] = refundLineResponse{Quantity: l.Quantity}
	}
	return out
}

// handleRefunds handles GET /api/content/orders/{id}/refund: the order's refund requests,
// newest first.
func (s *Server) handleRefunds(w http.ResponseWriter, r *http.Request, sc *scope, id int) {
	o, err := sc.store.Refunds(r.Context(), sc.claims.ID, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]refundResponse, 0, len(o.Refunds))
	for i := len(o.Refunds) - 1; i >= 0; i-- {
		out = append(out, newRefundResponse(sc.store.Fixtures(), o, sc.claims.UserIdentifier, o.Refunds[i]))
	}
	s.writeJSON(w, http.StatusOK, out)
}

type refundRequestBody struct {
	Products map[string]refundLineResponse `json:"products"`
	Note     string                        `json:"note"`
}

// handleRefundCreate handles POST /api/content/orders/{id}/refund; it answers true.
func (s *Server) handleRefundCreate(w http.ResponseWriter, r *http.Request, sc *scope, id int, req refundRequestBody) {
	in := store.RefundInput{Products: make(map[string]int, len(req.Products)), Note: req.Note}
	for k, v := range req.Products {
		in.Products[k] = v.Quantity
	}
	_, err := sc.store.CreateRefundRequest(r.Context(), sc.claims.ID, id, in)
	s.answerTrue(w, r, http.StatusCreated, err)
}

// handleRefundCancel handles DELETE /api/content/orders/{id}/refund: withdraws the order's
// pending refund request; it answers true.
func (s *Server) handleRefundCancel(w http.ResponseWriter, r *http.Request, sc *scope, id int) {
	_, err := sc.store.CancelRefundRequest(r.Context(), sc.claims.ID, id)
	s.answerTrue(w, r, http.StatusOK, err)
}

type refundActionResponse struct {
	Refund refundResponse    `json:"refund"`
	Order  orderReadResponse `json:"order"`
}

// handleAdminRefundAction handles POST /__admin/refunds/{id}/{action}: the shop approves or
// declines a refund request, as it would in the admin panel. Approval e-mails the buyer that
// the tickets are canceled.
func (s *Server) handleAdminRefundAction(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox, id int) {
	action, err := store.ParseRefundAction(mux.Vars(r)["action"])
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := sb.Store()
	rr, o, err := st.DecideRefund(r.Context(), id, action)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	login := ""
	if u, err := st.User(r.Context(), o.UserID); err == nil {
		login = u.Identifier
	}
	s.writeJSON(w, http.StatusOK, refundActionResponse{Refund: newRefundResponse(st.Fixtures(), o, login, rr), Order: s.orderRead(st.Fixtures(), "", origin(r), o)})
}
