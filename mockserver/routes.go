package mockserver

import (
	"net/http"

	"github.com/gorilla/mux"
)

// routes registers every endpoint in one table. Routes are flat (no subrouters) so that
// gorilla/mux reports unknown methods consistently (gorilla/mux#751).
func (s *Server) routes(r *mux.Router) {
	const auth = APIPrefix + "/users-auth-providers"
	s.handle(r, http.MethodPost, auth+"/marker/{marker}/users/auth", s.api(public, s.handleAuth))
	s.handle(r, http.MethodPost, auth+"/marker/{marker}/users/refresh", s.api(public, s.handleRefresh))
	s.handle(r, http.MethodPost, auth+"/marker/{marker}/users/logout", s.api(user, s.handleLogout))
	s.handle(r, http.MethodPost, auth+"/marker/{marker}/users/logout-all", s.api(user, s.handleLogoutAll))
	s.handle(r, http.MethodPost, auth+"/marker/{marker}/users/sign-up", s.api(public, s.handleSignUp))
	s.handle(r, http.MethodPost, auth+"/marker/{marker}/users/generate-code", s.api(public, s.handleGenerateCode))
	s.handle(r, http.MethodPost, auth+"/marker/{marker}/users/check-code", s.api(public, s.handleCheckCode))
	s.handle(r, http.MethodPost, auth+"/marker/{marker}/users/activate", s.api(public, s.handleActivate))
	s.handle(r, http.MethodGet, auth+"/marker/{marker}/users/sessions", s.api(user, s.handleActiveSessions))
	s.handle(r, http.MethodGet, auth+"/marker/{marker}", s.api(public, s.handleAuthProvider))
	s.handle(r, http.MethodGet, auth, s.api(public, s.handleAuthProviders))

	s.handle(r, http.MethodGet, APIPrefix+"/forms/marker/{marker}", s.api(public, s.handleForm))
	s.handle(r, http.MethodGet, APIPrefix+"/forms", s.api(public, s.handleForms))

	const storages = APIPrefix + "/orders-storage"
	s.handle(r, http.MethodPost, storages+"/marker/{marker}/orders", s.api(user, s.handleOrderCreate))
	s.handle(r, http.MethodGet, storages+"/marker/{marker}/orders", s.api(user, s.handleOrders))
	s.handle(r, http.MethodGet, storages+"/marker/{marker}/orders/{id}", s.api(user, s.handleOrder))
	s.handle(r, http.MethodPut, storages+"/marker/{marker}/orders/{id}", s.api(user, s.handleOrderUpdate))
	s.handle(r, http.MethodGet, storages+"/marker/{marker}/order-statuses", s.api(user, s.handleOrderStatuses))
	s.handle(r, http.MethodGet, storages+"/marker/{marker}", s.api(user, s.handleOrderStorage))
	s.handle(r, http.MethodGet, storages, s.api(user, s.handleOrderStorages))

	const payments = APIPrefix + "/payments"
	s.handle(r, http.MethodPost, payments+"/sessions", s.api(user, s.handlePaymentSessionCreate))
	s.handle(r, http.MethodGet, payments+"/sessions/order/{orderId}", s.api(user, s.handlePaymentSessionsByOrder))
	s.handle(r, http.MethodGet, payments+"/sessions/{id}", s.api(user, s.handlePaymentSession))
	s.handle(r, http.MethodPut, payments+"/sessions/{id}", s.api(user, s.handlePaymentSessionUpdate))
	s.handle(r, http.MethodGet, payments+"/sessions", s.api(user, s.handlePaymentSessions))
	s.handle(r, http.MethodGet, payments+"/sessions/", s.api(user, s.handlePaymentSessions))
	s.handle(r, http.MethodGet, payments+"/accounts", s.api(user, s.handlePaymentAccounts))
	s.handle(r, http.MethodGet, payments+"/accounts/{id}", s.api(user, s.handlePaymentAccount))

	s.handle(r, http.MethodGet, APIPrefix+"/products/{id}", s.api(public, s.handleProduct))
	s.handle(r, http.MethodGet, APIPrefix+"/users/me", s.api(user, s.handleUserMe))

	s.handle(r, http.MethodGet, "/healthz", http.HandlerFunc(s.handleHealth))
	s.handle(r, http.MethodGet, "/checkout/{token}/{id}", http.HandlerFunc(s.handleCheckoutPage))
	s.handle(r, http.MethodPost, "/checkout/{token}/{id}/{action}", http.HandlerFunc(s.handleCheckoutAction))

	s.handle(r, http.MethodPost, "/__admin/reset", s.admin(s.handleAdminReset))
	s.handle(r, http.MethodGet, "/__admin/clock", s.admin(s.handleAdminClock))
	s.handle(r, http.MethodPost, "/__admin/clock", s.admin(s.handleAdminClockSet))
	s.handle(r, http.MethodPost, "/__admin/payments/sessions/{id}/{action}", s.admin(s.handleAdminPaymentAction))
	s.handle(r, http.MethodGet, "/__admin/mail", s.admin(s.handleAdminMailList))
	s.handle(r, http.MethodDelete, "/__admin/mail", s.admin(s.handleAdminMailClear))
	s.handle(r, http.MethodGet, "/__admin/mail/{id}", s.admin(s.handleAdminMailGet))
	s.handle(r, http.MethodGet, "/__admin/mail/{id}/raw", s.admin(s.handleAdminMailRaw))
	s.handle(r, http.MethodGet, "/__admin/webhooks", s.admin(s.handleAdminWebhooks))
	s.handle(r, http.MethodGet, "/__admin/requests", s.admin(s.handleAdminRequests))
	s.handle(r, http.MethodGet, "/__admin/requests/count", s.admin(s.handleAdminRequestCount))
	s.handle(r, http.MethodDelete, "/__admin/requests", s.admin(s.handleAdminRequestsClear))
	s.handle(r, http.MethodPost, "/__admin/faults", s.admin(s.handleFaultCreate))
	s.handle(r, http.MethodGet, "/__admin/faults", s.admin(s.handleFaultList))
	s.handle(r, http.MethodDelete, "/__admin/faults", s.admin(s.handleFaultClear))
	s.handle(r, http.MethodDelete, "/__admin/faults/{id}", s.admin(s.handleFaultDelete))
	s.handle(r, http.MethodPost, "/__admin/sandboxes", s.adminOnly(s.handleSandboxCreate))
	s.handle(r, http.MethodGet, "/__admin/sandboxes", s.adminOnly(s.handleSandboxList))
	s.handle(r, http.MethodDelete, "/__admin/sandboxes/{token}", s.adminOnly(s.handleSandboxDelete))
	s.handle(r, http.MethodGet, "/readyz", http.HandlerFunc(s.handleReady))
	s.handle(r, http.MethodGet, "/metrics", s.metrics.handler())
}

// handle registers a route and remembers its template for metrics, the journal and
// nearest-route hints.
func (s *Server) handle(r *mux.Router, method, path string, h http.Handler) {
	label := method + " " + path
	if isJournaled(path) {
		s.routeTable.add(method, path)
	}
	r.Handle(path, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if info := infoFrom(req.Context()); info != nil {
			info.route = label
		}
		h.ServeHTTP(w, req)
	})).Methods(method)
}
