package mockserver

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/ui"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// routes registers every endpoint in one table. Routes are flat (no subrouters) so that
// gorilla/mux reports unknown methods consistently (gorilla/mux#751).
func (s *Server) routes(r *mux.Router) {
	const auth = APIPrefix + "/users-auth-providers"
	s.handleDeviceAPI(r, http.MethodPost, auth+"/marker/{marker}/users/auth", public, s.handleAuth)
	s.handleDeviceAPI(r, http.MethodPost, auth+"/marker/{marker}/users/refresh", public, s.handleRefresh)
	s.handleDeviceAPI(r, http.MethodPost, auth+"/marker/{marker}/users/logout", user, s.handleLogout)
	s.handleAPI(r, http.MethodPost, auth+"/marker/{marker}/users/logout-all", user, s.handleLogoutAll)
	s.handleAPI(r, http.MethodPost, auth+"/marker/{marker}/users/sign-up", public, withBody(s, s.handleSignUp))
	s.handleAPI(r, http.MethodPost, auth+"/marker/{marker}/users/generate-code", public, withBody(s, s.handleGenerateCode))
	s.handleAPI(r, http.MethodPost, auth+"/marker/{marker}/users/check-code", public, s.handleCheckCode)
	s.handleAPI(r, http.MethodPost, auth+"/marker/{marker}/users/activate", public, s.handleActivate)
	s.handleAPI(r, http.MethodGet, auth+"/marker/{marker}/users/sessions", user, s.handleActiveSessions)
	s.handleAPI(r, http.MethodPost, auth+"/marker/{marker}/users/change-password", public, s.handleChangePassword)
	s.handleDeviceAPI(r, http.MethodPost, auth+"/marker/{marker}/oauth", public, s.handleOAuth)
	s.handleRead(r, Read{Path: auth + "/marker/{marker}", File: store.FileAuthProviders, Noun: "Auth provider"})
	s.handleRead(r, Read{Path: auth, File: store.FileAuthProviders})

	s.handleRead(r, Read{Path: APIPrefix + "/forms/marker/{marker}", File: store.FileForms, Noun: "Form"})
	s.handleRead(r, Read{Path: APIPrefix + "/forms", File: store.FileForms, Total: s.profile.FormListWithTotal})

	const formData = APIPrefix + "/form-data"
	s.handleAPI(r, http.MethodPost, formData, public, withBody(s, s.handleFormDataPost))
	s.handleAPI(r, http.MethodPost, formData+"/marker/{marker}", public, withBody(s, s.handleFormDataByMarker))
	s.handleAPI(r, http.MethodPut, formData+"/{id}", user, withIDBody(s, s.handleFormDataUpdate))
	s.handleAPI(r, http.MethodDelete, formData+"/{id}", user, withIDBody(s, s.handleFormDataDelete))
	s.handleAPI(r, http.MethodPut, formData+"/{id}/update-status", user, withIDBody(s, s.handleFormDataStatus))

	const storages = APIPrefix + "/orders-storage"
	s.handleAPI(r, http.MethodPost, storages+"/marker/{marker}/orders", user, withBody(s, s.handleOrderCreate))
	s.handleAPI(r, http.MethodGet, storages+"/marker/{marker}/orders", user, s.handleOrders)
	s.handleAPI(r, http.MethodGet, storages+"/marker/{marker}/orders/{id}", user, withID(s, s.handleOrder))
	s.handleAPI(r, http.MethodPut, storages+"/marker/{marker}/orders/{id}", user, withIDBody(s, s.handleOrderUpdate))
	s.handleAPI(r, http.MethodGet, storages+"/marker/{marker}/order-statuses", user, s.handleOrderStatuses)
	s.handleRead(r, Read{Path: storages + "/marker/{marker}", File: store.FileOrderStorages, User: true, Noun: "Orders storage"})
	s.handleRead(r, Read{Path: storages, File: store.FileOrderStorages, User: true})
	s.handleAPI(r, http.MethodPost, storages+"/orders/preview", user, withBody(s, s.handleOrderPreview))
	const refund = APIPrefix + "/orders/{id}/refund"
	s.handleAPI(r, http.MethodGet, refund, user, withID(s, s.handleRefunds))
	s.handleAPI(r, http.MethodPost, refund, user, withIDBody(s, s.handleRefundCreate))
	s.handleAPI(r, http.MethodDelete, refund, user, withID(s, s.handleRefundCancel))

	const discounts = APIPrefix + "/discounts"
	s.handleAPI(r, http.MethodGet, discounts+"/coupons/validate", public, s.handleCouponValidate)
	s.handleAPI(r, http.MethodGet, discounts+"/bonus-balance", user, s.handleBonusBalance)
	s.handleAPI(r, http.MethodGet, discounts+"/bonus-balance/history", user, s.handleBonusHistory)
	s.handleRead(r, Read{Path: discounts + "/marker/{marker}", File: store.FileDiscounts, Noun: "Discount"})
	s.handleRead(r, Read{Path: discounts, File: store.FileDiscounts, Total: true, Query: map[string]string{"type": "type"}})

	const payments = APIPrefix + "/payments"
	s.handleAPI(r, http.MethodPost, payments+"/sessions", user, withBody(s, s.handlePaymentSessionCreate))
	s.handleAPI(r, http.MethodGet, payments+"/sessions/order/{orderId}", user, s.handlePaymentSessionsByOrder)
	s.handleAPI(r, http.MethodGet, payments+"/sessions/{id}", user, withID(s, s.handlePaymentSession))
	if !s.profile.SessionsMoveByProviderOnly {
		s.handleAPI(r, http.MethodPut, payments+"/sessions/{id}", user, withIDBody(s, s.handlePaymentSessionUpdate))
	}
	s.handleAPI(r, http.MethodGet, payments+"/sessions", user, s.handlePaymentSessions)
	// Accounts are no fixture read: their settings change at run time (the admin PATCH).
	s.handleAPI(r, http.MethodGet, payments+"/accounts", user, s.handlePaymentAccounts)
	s.handleAPI(r, http.MethodGet, payments+"/accounts/{id}", user, withID(s, s.handlePaymentAccount))

	// products/ids before the catalogue's products/{id}, which would take "ids" for an id.
	s.handleAPI(r, http.MethodGet, APIPrefix+"/products/ids", public, s.handleProductsByIDs)
	s.productRoutes(r)
	// The site a front end renders: pages, blocks, menus and their catalogues.
	const pages = APIPrefix + "/pages"
	s.handleRead(r, Read{Path: pages, File: store.FilePages, WholeUnlessPaged: true})
	s.handleRead(r, Read{Path: pages + "/root", File: store.FilePages, Where: map[string]string{"parentId": "null"}, WholeUnlessPaged: true})
	s.handleAPI(r, http.MethodGet, pages+"/quick/search", public, s.handlePageSearch)
	// An external page has no public address of its own: it is served inside a menu.
	s.handleRead(r, Read{Path: pages + "/url/{url}", File: store.FilePages, By: "pageUrl", NotFound: "Page not found",
		Hidden: map[string]string{"type": "external_page"}})
	s.handleRead(r, Read{Path: pages + "/{url}/children", File: store.FilePages, By: "pageUrl", Children: "parentId", NotFound: "Page not found",
		WholeUnlessPaged: true})
	s.handleRead(r, Read{Path: pages + "/{url}/config", File: store.FilePages, By: "pageUrl", NotFound: "Page not found",
		Field: "config", Default: `{"rowsPerPage":null,"productsPerRow":null}`})
	s.handleAPI(r, http.MethodGet, pages+"/{url}/blocks", public, s.handlePageBlocks)
	s.handleRead(r, Read{Path: pages + "/{id}", File: store.FilePages, NotFound: "Page not found"})

	const blocks = APIPrefix + "/blocks"
	s.handleRead(r, Read{Path: blocks, Method: http.MethodPost, File: store.FileBlocks, Query: map[string]string{"type": "type"}, Total: true})
	s.handleAPI(r, http.MethodGet, blocks+"/quick/search", public, s.handleBlockSearch)
	s.handleRead(r, Read{Path: blocks + "/marker/{marker}", File: store.FileBlocks, NotFound: "Block not found"})
	for _, list := range []string{"/products", "/similar-products", "/products/{productId}/frequently-ordered"} {
		s.handleAPI(r, http.MethodGet, blocks+"/{marker}"+list, public, s.handleBlockProducts)
	}

	s.handleRead(r, Read{Path: APIPrefix + "/menus/marker/{marker}", File: store.FileMenus, NotFound: "Menu not found"})
	s.handleRead(r, Read{Path: APIPrefix + "/locales/active/all", File: store.FileLocales, Where: map[string]string{"isActive": "true"}, Unpaged: true})
	s.handleRead(r, Read{Path: APIPrefix + "/general-types", File: store.FileGeneralTypes, Unpaged: true})

	const sets = APIPrefix + "/attributes-sets"
	s.handleRead(r, Read{Path: sets, File: store.FileAttributeSets, Query: map[string]string{"typeId": "typeId"}, Total: true})
	s.handleRead(r, Read{Path: sets + "/marker/{marker}", File: store.FileAttributeSets, NotFound: "Attributes set not found"})
	s.handleAPI(r, http.MethodGet, sets+"/{marker}/attributes", public, s.handleSetAttributes)
	s.handleAPI(r, http.MethodGet, sets+"/{marker}/attributes/{attributeMarker}", public, s.handleSetAttributes)

	const templates = APIPrefix + "/templates"
	s.handleRead(r, Read{Path: templates, File: store.FileTemplates, Query: map[string]string{"type": "generalTypeName"}, Unpaged: true})
	s.handleRead(r, Read{Path: templates + "/all", File: store.FileTemplates, GroupBy: "generalTypeName", Unpaged: true})
	s.handleRead(r, Read{Path: templates + "/marker/{marker}", File: store.FileTemplates, NotFound: "Template not found"})
	s.handleRead(r, Read{Path: APIPrefix + "/template-previews", File: store.FileTemplatePreviews, Unpaged: true})
	s.handleRead(r, Read{Path: APIPrefix + "/template-previews/marker/{marker}", File: store.FileTemplatePreviews, NotFound: "Template preview not found"})

	s.handleAPI(r, http.MethodGet, APIPrefix+"/sitemap", public, s.handleSitemap)
	s.handleAPI(r, http.MethodPost, APIPrefix+"/sitemap", public, withBody(s, s.handleSitemapUpdate))
	s.handleAPI(r, http.MethodGet, APIPrefix+"/system/test404", public, s.handleSystemTest404)
	s.handleAPI(r, http.MethodGet, APIPrefix+"/system/test500", public, s.handleSystemTest500)
	s.handleAPI(r, http.MethodGet, APIPrefix+"/system/api-stat", public, s.handleSystemAPIStat)
	s.handleAPI(r, http.MethodPost, APIPrefix+"/admins/all", public, withBody(s, s.handleAdmins))

	const me = APIPrefix + "/users/me"
	s.handleAPI(r, http.MethodGet, me, user, s.handleUserMe)
	s.handleAPI(r, http.MethodPut, me, user, withBody(s, s.handleUserUpdate))
	s.handleAPI(r, http.MethodDelete, me, user, s.handleUserArchive)
	s.handleAPI(r, http.MethodDelete, me+"/account", user, s.handleUserDelete)
	s.handleAPI(r, http.MethodPost, me+"/fcm-token/{token}", user, s.handleFCMTokenAdd)
	s.handleAPI(r, http.MethodDelete, me+"/fcm-token/{token}", user, s.handleFCMTokenDelete)

	s.handle(r, http.MethodGet, "/cloud-static/{token}/files/project/{type}/{entity}/{id}/{name}", plain(s.handleStaticUpload))
	const cart = APIPrefix + "/users/me/cart"
	s.handleAPI(r, http.MethodGet, cart, userOrGuest, s.handleCart)
	s.handleAPI(r, http.MethodPost, cart+"/items", userOrGuest, s.handleCartItemAdd)
	s.handleAPI(r, http.MethodPut, cart+"/items/{productId}", userOrGuest, s.handleCartItemSet)
	s.handleAPI(r, http.MethodDelete, cart+"/items/{productId}", userOrGuest, s.handleCartItemRemove)

	if s.profile.SDK115Paths {
		s.sdk115Routes(r)
	}

	s.handle(r, http.MethodGet, "/healthz", plain(s.handleHealth))
	s.handle(r, http.MethodGet, "/cloud-static/content/{file}", plain(s.handleMedia))
	s.handle(r, http.MethodGet, "/cloud-static/sitemaps/{file}", plain(s.handleSitemapFile))
	s.handle(r, http.MethodGet, "/checkout/{token}/{session}", plain(s.handleCheckoutPage))
	s.handle(r, http.MethodPost, "/checkout/{token}/{session}/{action}", plain(s.handleCheckoutAction))
	s.handle(r, http.MethodGet, "/oauth/{token}/{marker}", plain(s.handleConsentPage))
	s.handle(r, http.MethodPost, "/oauth/{token}/{marker}", plain(s.handleConsent))

	s.handle(r, http.MethodPost, "/__admin/reset", s.admin(s.handleAdminReset))
	s.handle(r, http.MethodGet, "/__admin/state", s.admin(s.handleAdminStateGet))
	s.handle(r, http.MethodPut, "/__admin/state", s.adminState(s.handleAdminStatePut))
	s.handle(r, http.MethodGet, "/__admin/clock", s.admin(s.handleAdminClock))
	s.handle(r, http.MethodPost, "/__admin/clock", s.adminWithBody(s.handleAdminClockSet))
	s.handle(r, http.MethodPost, "/__admin/payments/sessions/{id}/{action}", s.admin(withID(s, s.handleAdminPaymentAction)))
	s.handle(r, http.MethodPost, "/__admin/oauth/{marker}/codes", s.adminWithBody(s.handleAdminOAuthCode))
	s.handle(r, http.MethodPatch, "/__admin/payments/accounts/{id}", s.adminWithBody(s.handleAdminAccountPatch))
	s.handle(r, http.MethodPost, "/__admin/form-data/{id}/approve", s.admin(withID(s, s.handleAdminFormDataApprove)))
	s.handle(r, http.MethodPost, "/__admin/refunds/{id}/{action}", s.admin(withID(s, s.handleAdminRefundAction)))
	s.handle(r, http.MethodGet, "/__admin/mail", s.admin(s.handleAdminMailList))
	s.handle(r, http.MethodDelete, "/__admin/mail", s.admin(s.handleAdminMailClear))
	s.handle(r, http.MethodGet, "/__admin/mail/{id}", s.admin(s.handleAdminMailGet))
	s.handle(r, http.MethodGet, "/__admin/mail/{id}/raw", s.admin(s.handleAdminMailRaw))
	s.handle(r, http.MethodGet, "/__admin/webhooks", s.admin(s.handleAdminWebhooks))
	s.handle(r, http.MethodPost, "/__admin/webhooks/{id}/redeliver", s.admin(s.handleAdminWebhookRedeliver))
	s.handle(r, http.MethodPost, "/__admin/events/{marker}/fire", s.adminWithBody(s.handleAdminEventFire))
	s.handle(r, http.MethodGet, "/__admin/sockets", s.admin(s.handleAdminSockets))
	s.handle(r, http.MethodGet, "/__admin/requests", s.admin(s.handleAdminRequests))
	s.handle(r, http.MethodGet, "/__admin/requests/count", s.admin(s.handleAdminRequestCount))
	s.handle(r, http.MethodDelete, "/__admin/requests", s.admin(s.handleAdminRequestsClear))
	s.handle(r, http.MethodPost, "/__admin/faults", s.adminWithBody(s.handleFaultCreate))
	s.handle(r, http.MethodGet, "/__admin/faults", s.admin(s.handleFaultList))
	s.handle(r, http.MethodDelete, "/__admin/faults", s.admin(s.handleFaultClear))
	s.handle(r, http.MethodDelete, "/__admin/faults/{id}", s.admin(s.handleFaultDelete))
	s.handle(r, http.MethodPost, "/__admin/sandboxes", s.adminOnly(s.handleSandboxCreate))
	s.handle(r, http.MethodGet, "/__admin/sandboxes", s.adminOnly(s.handleSandboxList))
	s.handle(r, http.MethodDelete, "/__admin/sandboxes/{token}", s.adminOnly(s.handleSandboxDelete))
	s.handle(r, http.MethodPost, "/__admin/reload", s.adminOnly(s.handleAdminReload))
	// The dashboard routes its own pages; the origin and host rules of /__admin apply to it.
	r.PathPrefix(ui.Prefix).Handler(s.dashboard)
	s.handle(r, http.MethodGet, "/readyz", plain(s.handleReady))
	s.handle(r, http.MethodGet, "/metrics", plain(s.metrics.handler().ServeHTTP))
}

// productRoutes registers the catalogue's routes and those of the site's state around it:
// product statuses, integration collections, uploads and event subscriptions. Literal paths
// come before the templates they would otherwise match (/page/url/{url} before /page/{id}/counts).
func (s *Server) productRoutes(r *mux.Router) {
	const products = APIPrefix + "/products"
	s.handleAPI(r, http.MethodPost, products+"/empty-page", public, s.handleProductsEmptyPage)
	if s.profile.SDK115Paths { // here, before /products/{id} would take "empty-page" for an id
		s.handleAPI(r, http.MethodGet, products+"/empty-page", public, s.handleProductsOnNoPage)
	}
	// Each listing has a /counts twin that answers the counts of its filters.
	for _, list := range []struct {
		path  string
		where productScope
	}{{"/all", scopeAll}, {"/page/url/{url}", scopePageURL}, {"/page/{id}", scopePageID}} {
		s.handleAPI(r, http.MethodPost, products+list.path, public, s.handleProductList(list.where, false))
		s.handleAPI(r, http.MethodPost, products+list.path+"/counts", public, s.handleProductList(list.where, true))
	}
	s.handleAPI(r, http.MethodGet, products+"/page/{url}/prices", public, s.handleProductPrices)
	s.handleAPI(r, http.MethodGet, products+"/quick/search", public, s.handleProductSearch)
	s.handleAPI(r, http.MethodGet, products+"/{id}/related", public, s.handleProductRelated)
	s.handleAPI(r, http.MethodGet, products+"/{id}/blocks", public, withID(s, s.handleProductBlocks))
	s.handleAPI(r, http.MethodGet, products+"/{id}", public, withID(s, s.handleProduct))

	const statuses = APIPrefix + "/product-statuses"
	s.handleAPI(r, http.MethodGet, statuses+"/marker-validation/{marker}", public, s.handleMarkerValidation(store.FileProductStatuses))
	s.handleRead(r, Read{Path: statuses + "/marker/{marker}", File: store.FileProductStatuses, Noun: "Product status", AllLanguages: true})
	s.handleRead(r, Read{Path: statuses, File: store.FileProductStatuses, Unpaged: true, AllLanguages: true})

	const colls = APIPrefix + "/integration-collections"
	s.handleAPI(r, http.MethodGet, colls+"/marker-validation/{marker}", public, s.handleMarkerValidation(store.FileIntegrationCollections))
	s.handleAPI(r, http.MethodGet, colls+"/marker/{marker}/rows", public, s.handleCollectionRows)
	s.handleAPI(r, http.MethodPost, colls+"/marker/{marker}/rows", public, s.handleCollectionRowOp)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		s.handleAPI(r, method, colls+"/marker/{marker}/rows/{id}", public, s.handleCollectionRowOp)
	}
	s.handleAPI(r, http.MethodGet, colls+"/{id}/rows", public, s.handleCollectionRows)
	s.handleRead(r, Read{Path: colls + "/{id}", File: store.FileIntegrationCollections, Noun: "Collection", AllLanguages: true})
	s.handleRead(r, Read{Path: colls, File: store.FileIntegrationCollections, AllLanguages: true})

	const files = APIPrefix + "/files"
	s.handleAPIBody(r, http.MethodPost, files, public, maxUploadBody, s.handleUpload)
	s.handleAPI(r, http.MethodGet, files, public, s.handleFileGet)
	s.handleAPI(r, http.MethodDelete, files, public, s.handleFileDelete)

	const events = APIPrefix + "/events"
	s.handleAPI(r, http.MethodGet, events+"/subscriptions", user, s.handleSubscriptions)
	s.handleAPI(r, http.MethodPost, events+"/subscribe/marker/{marker}", user, s.handleSubscribe)
	s.handleAPI(r, http.MethodDelete, events+"/unsubscribe/marker/{marker}", user, s.handleUnsubscribe)
	s.handle(r, http.MethodGet, socketPath, s.handleSocket)
}

// handleAPI registers a content-API route, resolving its contract operation once: a route
// missing from the contract is a start-up error, not a silent gap.
func (s *Server) handleAPI(r *mux.Router, method, path string, level access, h func(http.ResponseWriter, *http.Request, *scope)) {
	s.handleGuarded(r, method, path, guards{level: level, maxBody: s.maxBody}, h)
}

// handleAPIBody is handleAPI for a route whose bodies may reach maxBody bytes (uploads).
func (s *Server) handleAPIBody(r *mux.Router, method, path string, level access, maxBody int64, h func(http.ResponseWriter, *http.Request, *scope)) {
	s.handleGuarded(r, method, path, guards{level: level, maxBody: maxBody}, h)
}

// handleDeviceAPI is handleAPI for the routes that read x-device-metadata (sign-in, refresh,
// logout, oauth): the handler finds the device in its scope.
func (s *Server) handleDeviceAPI(r *mux.Router, method, path string, level access, h func(http.ResponseWriter, *http.Request, *scope)) {
	s.handleGuarded(r, method, path, guards{level: level, maxBody: s.maxBody, device: true}, h)
}

func (s *Server) handleGuarded(r *mux.Router, method, path string, g guards, h func(http.ResponseWriter, *http.Request, *scope)) {
	op, err := s.contract.Operation(method, path)
	if err == nil && s.profile.RequestBodies2025 {
		op, err = op.In2025()
	}
	if err != nil {
		s.routeErrs = append(s.routeErrs, err)
		return
	}
	s.handle(r, method, path, s.api(g, op, h))
}

// handle registers a route, observed under its template, and remembers the template for
// nearest-route hints.
func (s *Server) handle(r *mux.Router, method, path string, h handlerFunc) {
	if isJournaled(path) {
		s.routeTable.add(method, path)
	}
	methods := []string{method}
	if method == http.MethodGet {
		// Express answers HEAD with a GET route, its body left out (net/http drops it).
		methods = append(methods, http.MethodHead)
	}
	r.Handle(path, s.observe(method+" "+path, h)).Methods(methods...)
}

// plain adapts a handler that needs no sandbox.
func plain(h http.HandlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *sandbox.Sandbox) { h(w, r) }
}

// sdk115Routes registers the paths only SDK 1.0.115 calls, for methods later SDKs dropped or
// moved; profile sdk-1.0.115 serves them (and GET /products/empty-page, which productRoutes
// registers). They come after every other API route, so that a literal path such as
// /templates/all keeps precedence over /templates/{idOrMarker}.
func (s *Server) sdk115Routes(r *mux.Router) {
	s.handleAPI(r, http.MethodPost, APIPrefix+"/admins", public, withBody(s, s.handleAdmins))
	s.handleRead(r, Read{Path: APIPrefix + "/blocks", File: store.FileBlocks, Query: map[string]string{"type": "type"}, Total: true})
	s.handleAPI(r, http.MethodGet, APIPrefix+"/form-data", public, s.handleFormDataAll)
	s.handleAPI(r, http.MethodGet, APIPrefix+"/form-data/marker/{marker}", public,
		func(w http.ResponseWriter, r *http.Request, sc *scope) {
			s.handleFormDataByMarker(w, r, sc, formDataFilter{})
		})
	s.handleAPI(r, http.MethodGet, APIPrefix+"/pages/{url}/forms", public, s.handlePageForms)
	s.handleAPI(r, http.MethodGet, APIPrefix+"/payments/connected", user, s.handlePaymentsConnected)
	s.handleAPI(r, http.MethodPost, APIPrefix+"/payments/webhook/stripe", public, s.handleStripeWebhook)
	s.handleRead(r, Read{Path: APIPrefix + "/product-statuses/{id}", File: store.FileProductStatuses, Noun: "Product status"})
	s.handleRead(r, Read{Path: APIPrefix + "/templates/{" + idOrMarker + "}", File: store.FileTemplates, NotFound: "Template not found"})
	s.handleRead(r, Read{Path: APIPrefix + "/template-previews/{id}", File: store.FileTemplatePreviews, NotFound: "Template preview not found"})
}
