package mockserver

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/mockserver/ui"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// checkoutURL is the payment URL of a session of an account with a checkout: the mock's own
// page, on the host the API was called through, named by the session's checkout token. The
// token, not the sequential session id, is what lets a buyer see and pay the session.
func checkoutURL(r *http.Request, sb *sandbox.Sandbox, checkoutToken string) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host + checkoutPath(sb, checkoutToken)
}

func checkoutPath(sb *sandbox.Sandbox, checkoutToken string) string {
	return "/checkout/" + url.PathEscape(sb.Token()) + "/" + url.PathEscape(checkoutToken)
}

// csrfField names the form field that carries the page's CSRF token.
const csrfField = "csrf"

// maxCheckoutForm bounds the body of a checkout action: one button's form.
const maxCheckoutForm = 4 << 10

// csrfToken is what the page's forms carry and an action must bring back: an HMAC of the
// session's sandbox and checkout token under a key of this process. A page rendered before a
// restart needs a reload.
func (s *Server) csrfToken(sb *sandbox.Sandbox, checkoutToken string) string {
	m := hmac.New(sha256.New, s.csrfKey)
	m.Write([]byte(sb.Token()))
	m.Write([]byte{0})
	m.Write([]byte(checkoutToken))
	return hex.EncodeToString(m.Sum(nil))
}

type checkoutLine struct {
	Title     string
	Quantity  int
	Price     string
	LineTotal string // Quantity × Price
}

type checkoutView struct {
	Path, CSRF, Title, Status, Result, Total, Currency, Slot, Account string
	// Subtotal, Discount and Bonus are set when the order was discounted or spent bonus, so
	// the lines add up to the total charged; Discounts names the discounts and the coupon.
	Subtotal, Discount, Discounts, Bonus string
	// ResultKind styles the result banner: paid, declined, canceled or expired.
	ResultKind string
	// Dashboard links to the order in the operator's dashboard.
	Dashboard                    string
	SessionID, OrderID, Declines int
	Open                         bool
	Lines                        []checkoutLine
	Actions                      []checkoutButton
}

type checkoutButton struct {
	Action, Label, Class string
}

var checkoutButtons = []checkoutButton{
	{"complete", "Pay", "pay"},
	{"decline", "Decline (card refused)", "secondary"},
	{"cancel", "Cancel", "secondary"},
	{"expire", "Let expire", "secondary"},
}

// The page works without JavaScript and loads nothing from anywhere: forms post the buyer's
// choice, and the answer is a redirect.
var checkoutPage = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checkout – order {{.OrderID}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1d2733}
h1{font-size:1.4rem}.note{color:#5b6673;font-size:.9rem}table{width:100%;border-collapse:collapse;margin:1rem 0}
td,th{padding:.4rem;border-bottom:1px solid #dde3ea;text-align:left}td.n{text-align:right}
.total{font-weight:700}.status{display:inline-block;padding:.1rem .5rem;border-radius:.3rem;background:#eef2f6}
form{display:inline}button{font-size:1rem;margin:.3rem .3rem 0 0;padding:.5rem 1rem;border-radius:.3rem;border:1px solid #8a96a3;background:#fff;cursor:pointer}
button.pay{background:#1f6feb;color:#fff;border-color:#1f6feb}.result{padding:.6rem;border-radius:.3rem;background:#fff4d6;border:1px solid #d4a72c}
.result.paid{background:#dafbe1;border-color:#1a7f37;color:#0f5323}.result.declined{background:#ffebe9;border-color:#cf222e;color:#82071e}
.result.paid::before{content:"✓ "}.result.declined::before{content:"✕ "}
@media (prefers-color-scheme:dark){body{background:#0f141a;color:#dbe3ec}.note{color:#94a1b0}td,th{border-color:#2a3441}.status{background:#1f2833}button{background:#161d25;color:#dbe3ec}.result{background:#3b2e05;color:#f2d27a}.result.paid{background:#0f2e19;color:#7ee2a0}.result.declined{background:#3d0f12;color:#ffaba8}a{color:#4c94ff}}
</style></head><body>
<p class="note">oneentry-mock · simulated payment provider · {{.Account}}</p>
<h1>{{.Title}} – order {{.OrderID}}</h1>
<p>Payment session {{.SessionID}}: <span class="status" id="status">{{.Status}}</span></p>
{{if .Result}}<p class="result {{.ResultKind}}" id="result" role="status">{{.Result}}</p>{{end}}
<table><thead><tr><th>Ticket</th><th>Qty</th><th class="n">Price</th><th class="n">Line total</th></tr></thead><tbody>
{{range .Lines}}<tr><td>{{.Title}}</td><td>{{.Quantity}}</td><td class="n">{{.Price}}</td><td class="n">{{.LineTotal}}</td></tr>{{end}}
{{if .Discount}}<tr><td colspan="3">Subtotal</td><td class="n" id="subtotal">{{.Subtotal}}</td></tr>
<tr><td colspan="3">Discounts{{with .Discounts}}: {{.}}{{end}}</td><td class="n" id="discount">−{{.Discount}}</td></tr>{{end}}
{{if .Bonus}}<tr><td colspan="3">Bonus applied</td><td class="n" id="bonus">−{{.Bonus}}</td></tr>{{end}}
<tr class="total"><td colspan="3">Total</td><td class="n" id="total">{{.Total}} {{.Currency}}</td></tr>
</tbody></table>
{{if .Slot}}<p>Time slot: <strong id="slot">{{.Slot}}</strong></p>{{end}}
{{if .Open}}{{$v := .}}{{range .Actions}}<form method="post" action="{{$v.Path}}/{{.Action}}"><input type="hidden" name="csrf" value="{{$v.CSRF}}"><button type="submit" class="{{.Class}}" name="action" value="{{.Action}}" id="{{.Action}}">{{.Label}}</button></form>{{end}}
{{else}}<p class="note">This session is closed; nothing more can be done here.</p>{{end}}
<p class="note"><a href="{{.Dashboard}}" id="dashboard-link">Order {{.OrderID}} in the oneentry-mock dashboard</a></p>
</body></html>
`))

var checkoutResults = map[string]string{
	"paid":     "Payment accepted. The ticket is on its way by e-mail.",
	"declined": "The card was declined. You can try again.",
	"canceled": "Payment canceled.",
	"expired":  "The session expired before payment.",
}

// errNoCheckoutSession answers a checkout URL whose sandbox or session does not exist.
var errNoCheckoutSession = store.Errorf(store.CodeNotFound, "No such checkout session")

// checkoutTarget finds the sandbox and session of a checkout URL; it answers the error itself
// when they do not exist.
func (s *Server) checkoutTarget(w http.ResponseWriter, r *http.Request) (*sandbox.Sandbox, store.PaymentSession, store.Order, bool) {
	sb := s.sandboxes.Lookup(mux.Vars(r)["token"])
	if sb != nil {
		if p, o, err := sb.Store().PaymentSessionByCheckoutToken(r.Context(), mux.Vars(r)["session"]); err == nil {
			return sb, p, o, true
		}
	}
	s.writeError(w, r, errNoCheckoutSession)
	return nil, store.PaymentSession{}, store.Order{}, false
}

// handleCheckoutPage handles GET /checkout/{token}/{session}: the simulated provider's payment
// page.
func (s *Server) handleCheckoutPage(w http.ResponseWriter, r *http.Request) {
	sb, p, o, ok := s.checkoutTarget(w, r)
	if !ok {
		return
	}
	fx := sb.Store().Fixtures()
	v := checkoutView{
		Path: checkoutPath(sb, p.CheckoutToken), CSRF: s.csrfToken(sb, p.CheckoutToken), Title: fx.Title(o), Status: p.Status, SessionID: p.ID, OrderID: o.ID,
		Total: store.Money(o.DueCents()), Currency: o.Currency, Open: p.Status == store.StatusWaiting,
		Declines: p.Declines, Actions: checkoutButtons, Result: checkoutResults[r.URL.Query().Get("result")],
		Dashboard: ui.OrderURL(sb.Token(), o.ID),
	}
	if v.Result != "" {
		v.ResultKind = r.URL.Query().Get("result")
	}
	if acc, ok := fx.PaymentAccountByID(p.PaymentAccountID); ok {
		v.Account = store.LocalizedTitle(acc.LocalizeInfos, o.Language)
	}
	catalog := sb.Catalog()
	for _, line := range o.Products {
		shown := store.ShowLine(fx, catalog, o.Language, line)
		l := checkoutLine{Title: shown.Title, Quantity: line.Quantity}
		if shown.PriceCents != nil {
			l.Price, l.LineTotal = store.Money(*shown.PriceCents), store.Money(*shown.LineCents)
		}
		v.Lines = append(v.Lines, l)
	}
	if off := o.DiscountCents(); off > 0 {
		v.Subtotal, v.Discount = store.Money(o.Discounts.RawCents), store.Money(off)
		names := fx.DiscountTitles(o)
		if o.Discounts.CouponCode != "" {
			names = append(names, "coupon "+o.Discounts.CouponCode)
		}
		v.Discounts = strings.Join(names, ", ")
	}
	if b := o.Discounts.BonusAppliedCents; b > 0 {
		v.Bonus = store.Money(b)
	}
	if len(o.Slots) > 0 {
		loc := fx.Project.Location
		start, end := o.Slots[0].Start.In(loc), o.Slots[0].End.In(loc)
		v.Slot = start.Format("Mon 2 Jan 2006, 15:04") + "–" + end.Format("15:04 MST")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := checkoutPage.Execute(w, v); err != nil {
		s.log.Error("render checkout page", "err", err)
	}
}

// handleCheckoutAction handles POST /checkout/{token}/{session}/{action}: the buyer's choice,
// which must carry the page's CSRF token. The answer redirects to the account's success or
// cancel URL (with session_id, order_id and status added), or back to the page when the
// account has none. Refusals answer the mock's JSON error body, as the origin and host checks
// in front of this page do: a browser shows it as text, and a test reads it like any other.
func (s *Server) handleCheckoutAction(w http.ResponseWriter, r *http.Request) {
	sb, p, _, ok := s.checkoutTarget(w, r)
	if !ok {
		return
	}
	action := mux.Vars(r)["action"]
	r.Body = http.MaxBytesReader(w, r.Body, maxCheckoutForm)
	sent := ""
	if err := r.ParseForm(); err == nil {
		sent = r.PostForm.Get(csrfField)
	}
	if want := s.csrfToken(sb, p.CheckoutToken); subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		s.writeError(w, r, store.Errorf(store.CodeForbidden, "The checkout form's csrf token is missing or wrong: reload the checkout page and choose again"))
		return
	}
	// The page's forms send csrf and their button's action, the one of the path: anything else
	// is not the page's, and acting on it would do what the form did not say.
	for name, values := range r.PostForm {
		if name != csrfField && (name != "action" || len(values) != 1 || values[0] != action) {
			s.writeError(w, r, store.Errorf(store.CodeInvalid, "The checkout form sends csrf and action=%s only, not %s", action, name))
			return
		}
	}
	page := checkoutPath(sb, p.CheckoutToken)
	p, o, err := sb.PaymentAction(r.Context(), p.ID, action)
	var se *store.Error
	if errors.As(err, &se) && se.Code == store.CodeConflict {
		// A second click after the session closed: show the page as it now is.
		http.Redirect(w, r, page, http.StatusSeeOther)
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	target := ""
	if acc, err := sb.Store().PaymentAccount(r.Context(), p.PaymentAccountID); err == nil {
		success, cancel := acc.RedirectURLs()
		switch p.Status {
		case store.StatusCompleted:
			target = success
		case store.StatusCanceled, store.StatusExpired:
			target = cancel
		}
	}
	if target == "" {
		http.Redirect(w, r, page+"?result="+checkoutResultOf[p.Status], http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, withQuery(target, url.Values{"session_id": {strconv.Itoa(p.ID)}, "order_id": {strconv.Itoa(o.ID)}, "status": {p.Status}}), http.StatusSeeOther)
}

// checkoutResultOf names, for the page's result banner, what an action left a session in: a
// session still waiting after an action had its card declined.
var checkoutResultOf = map[string]string{
	store.StatusCompleted: "paid",
	store.StatusWaiting:   "declined",
	store.StatusCanceled:  "canceled",
	store.StatusExpired:   "expired",
}

func withQuery(raw string, add url.Values) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for k, vs := range add {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}
