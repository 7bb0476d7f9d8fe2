package mockserver

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// cartResponse is a cart on the wire: its lines and how many there are.
type cartResponse struct {
	Items []store.CartItem `json:"items"`
	Total int              `json:"total"`
}

func newCartResponse(c store.Cart) cartResponse {
	items := c.Items
	if items == nil {
		items = []store.CartItem{}
	}
	return cartResponse{Items: items, Total: len(items)}
}

type cartItemRequest struct {
	ProductID int `json:"productId"`
	Qty       int `json:"qty"`
}

// guestHeader keys the cart of a visitor who has not signed in.
const guestHeader = "x-guest-id"

// cartOwner says whose cart a request means: the signed-in user's, else the guest's of
// x-guest-id (neither is a 401). A signed-in request that still carries an x-guest-id merges
// that guest's cart into the user's (store.CartOwner).
func cartOwner(r *http.Request, sc *scope) (store.CartOwner, error) {
	guest := r.Header.Get(guestHeader)
	switch {
	case sc.claims.ID != 0:
		return store.CartOwner{UserID: sc.claims.ID, MergeGuest: guest}, nil
	case guest != "":
		return store.CartOwner{GuestID: guest}, nil
	}
	return store.CartOwner{}, store.Errorf(store.CodeUnauthorized, "Unauthorized")
}

// handleCart handles GET /api/content/users/me/cart.
func (s *Server) handleCart(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.changeCart(w, r, sc, http.StatusOK, func(o store.CartOwner, _ cartItemRequest) (store.Cart, error) {
		return sc.store.Cart(r.Context(), o)
	})
}

// handleCartItemAdd handles POST /api/content/users/me/cart/items: adds qty of a product.
func (s *Server) handleCartItemAdd(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.changeCart(w, r, sc, http.StatusCreated, func(o store.CartOwner, req cartItemRequest) (store.Cart, error) {
		return sc.store.AddCartItem(r.Context(), o, req.ProductID, req.Qty)
	})
}

// handleCartItemSet handles PUT /api/content/users/me/cart/items/{productId}: sets the quantity.
func (s *Server) handleCartItemSet(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.changeCart(w, r, sc, http.StatusOK, func(o store.CartOwner, req cartItemRequest) (store.Cart, error) {
		return sc.store.SetCartItem(r.Context(), o, req.ProductID, req.Qty)
	})
}

// handleCartItemRemove handles DELETE /api/content/users/me/cart/items/{productId}.
func (s *Server) handleCartItemRemove(w http.ResponseWriter, r *http.Request, sc *scope) {
	s.changeCart(w, r, sc, http.StatusOK, func(o store.CartOwner, req cartItemRequest) (store.Cart, error) {
		return sc.store.RemoveCartItem(r.Context(), o, req.ProductID)
	})
}

// changeCart resolves the owner, reads the item of the body and of the path's {productId},
// runs f and answers the cart with status.
func (s *Server) changeCart(w http.ResponseWriter, r *http.Request, sc *scope, status int, f func(store.CartOwner, cartItemRequest) (store.Cart, error)) {
	owner, err := cartOwner(r, sc)
	var req cartItemRequest
	if err == nil {
		err = decodeBody(sc, &req)
	}
	if _, inPath := mux.Vars(r)["productId"]; inPath && err == nil {
		req.ProductID, err = pathID(r, "productId")
	}
	var c store.Cart
	if err == nil {
		c, err = f(owner, req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, status, newCartResponse(c))
}
