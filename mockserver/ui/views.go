package ui

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/exchange"
	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/webhook"
)

// A page is one view: the template of its name and the function that loads its data. A new
// kind of state is a template, a load function and a line here, plus a navigation entry when it
// is a list.
type page struct {
	path   string // under Prefix, as an http.ServeMux pattern
	name   string // the template, templates/<name>.html
	title  string
	active string // its navigation entry
	load   func(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error)
}

var pages = []page{
	{"/{$}", "overview", "Overview", "overview", loadOverview},
	{"/requests", "requests", "Requests", "requests", loadRequests},
	{"/requests/{id}", "request", "Request", "requests", loadRequest},
	{"/orders", "orders", "Orders", "orders", loadOrders},
	{"/orders/{id}", "order", "Order", "orders", loadOrder},
	{"/mail", "mails", "Mail", "mail", loadMails},
	{"/mail/{id}", "mail", "Message", "mail", loadMail},
	{"/webhooks", "webhooks", "Webhooks", "webhooks", loadWebhooks},
	{"/faults", "faults", "Faults", "faults", loadFaults},
	{"/clock", "clock", "Clock", "clock", loadClock},
	{"/users", "users", "Users", "users", loadUsers},
	{"/form-data", "submissions", "Form data", "submissions", loadSubmissions},
	{"/carts", "carts", "Carts", "carts", loadCarts},
	{"/product-events", "events", "Events", "events", loadEvents},
	{"/sandboxes", "sandboxes", "Sandboxes", "sandboxes", loadSandboxes},
}

func (h *Handler) page(p page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sb, err := h.sandboxOf(r)
		if err != nil {
			h.sandboxMissing(w, r, err)
			return
		}
		data, err := p.load(h, r, sb)
		if err != nil {
			h.renderStatus(w, r, h.opts.ErrorStatus(err), "error", sb, view{Title: p.title, Active: p.active, Error: errorText(err)})
			return
		}
		h.render(w, r, p.name, sb, view{Title: p.title, Active: p.active, Data: data})
	}
}

// orderRow is an order as lists show it.
type orderRow struct {
	store.Order
	User         string
	PaymentState store.PaymentState
	Session      *store.PaymentSession // the newest
	Sessions     int
}

func orderRows(ctx context.Context, sb *sandbox.Sandbox, orders []store.Order) ([]orderRow, error) {
	st := sb.Store()
	sessions, err := st.SessionSummaries(ctx, orders)
	if err != nil {
		return nil, err
	}
	rows := make([]orderRow, len(orders))
	for i, o := range orders {
		rows[i] = orderRow{Order: o, User: userName(ctx, st, o.UserID)}
		if rows[i].PaymentState, err = st.OrderPaymentState(ctx, o.UserID, o.ID); err != nil {
			return nil, err
		}
		if sum, ok := sessions[o.ID]; ok {
			rows[i].Session, rows[i].Sessions = &sum.Latest, sum.Count
		}
	}
	return rows, nil
}

func userName(ctx context.Context, st *store.Store, id int) string {
	if u, err := st.User(ctx, id); err == nil {
		return u.Identifier
	}
	return "user " + strconv.Itoa(id)
}

type overviewData struct {
	Token    string
	Default  bool
	Profile  string
	Now      time.Time
	Frozen   bool
	Users    []store.UserFixture
	Counts   store.Counts
	Mails    int
	Requests int
	Webhooks int
	Faults   int
	// MemoryMiB and MemoryLimitMiB are the heap of every sandbox together and its limit.
	MemoryMiB, MemoryLimitMiB uint64
	Orders                    []orderRow
	Sessions                  []store.PaymentSession
	Messages                  []mail.Message
	Entries                   []sandbox.Entry
}

func loadOverview(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	ctx := r.Context()
	st := sb.Store()
	d := overviewData{
		Token: sb.Token(), Default: sb.IsDefault(), Profile: h.opts.Sandboxes.Profile().Name,
		Now: st.Now(), Frozen: st.Clock().Frozen(),
		Mails: sb.Outbox().Len(), Faults: len(sb.Faults().List()),
		Webhooks: len(sb.Webhooks(webhook.Filter{})),
		Messages: sb.Outbox().List(mail.Filter{Limit: 5}),
	}
	live, limit := h.opts.Sandboxes.Memory()
	d.MemoryMiB, d.MemoryLimitMiB = live>>20, limit>>20
	var err error
	if d.Counts, err = st.Counts(ctx); err != nil {
		return nil, err
	}
	if d.Users, err = st.FixtureLogins(ctx); err != nil {
		return nil, err
	}
	orders, _, err := st.AllOrders(ctx, store.Page{Limit: 5})
	if err != nil {
		return nil, err
	}
	if d.Orders, err = orderRows(ctx, sb, orders); err != nil {
		return nil, err
	}
	if d.Sessions, _, err = st.AllPaymentSessions(ctx, store.Page{Limit: 5}); err != nil {
		return nil, err
	}
	d.Entries, d.Requests = sb.Journal().Page(sandbox.Filter{}, 0, 8)
	return d, nil
}

type requestsData struct {
	Entries []sandbox.Entry
	Pager   pager
	Class   string
	Route   string
	Text    string
	Classes []string
	Routes  []string
}

func loadRequests(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	q := r.URL.Query()
	d := requestsData{Class: q.Get("class"), Route: q.Get("route"), Text: q.Get("q"), Classes: []string{"2xx", "3xx", "4xx", "5xx"}}
	if h.opts.Routes != nil {
		d.Routes = append(h.opts.Routes(), "unmatched")
	}
	f := sandbox.Filter{Route: d.Route, Text: d.Text}
	if len(d.Class) == 3 && strings.HasSuffix(d.Class, "xx") {
		f.StatusClass = int(d.Class[0] - '0')
	}
	var total int
	d.Entries, total = sb.Journal().Page(f, offsetOf(r), pageSize)
	d.Pager = newPager(r, total)
	return d, nil
}

type requestData struct {
	sandbox.Entry
	Violations []string
	Checked    bool // the exchange was checked against the contract
	Curl       string
}

func loadRequest(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	e, ok := sb.Journal().Get(r.PathValue("id"))
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "No request %q in this sandbox's journal (it keeps the newest %d)", r.PathValue("id"), sb.Journal().Size())
	}
	d := requestData{Entry: e, Curl: curlCommand(r, e)}
	d.Violations, d.Checked = h.violations(r.Context(), e)
	return d, nil
}

type ordersData struct {
	Orders []orderRow
	Pager  pager
}

func loadOrders(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	orders, total, err := sb.Store().AllOrders(r.Context(), store.Page{Offset: offsetOf(r), Limit: pageSize})
	if err != nil {
		return nil, err
	}
	rows, err := orderRows(r.Context(), sb, orders)
	if err != nil {
		return nil, err
	}
	return ordersData{Orders: rows, Pager: newPager(r, total)}, nil
}

type formItem struct {
	Marker, Type, Value string
}

// refundRow is a refund request with its products named.
type refundRow struct {
	store.RefundRequest
	Lines []store.ShownLine
}

type orderData struct {
	store.Order
	User  string
	Title string
	Lines []store.ShownLine
	// DiscountTitles name the discounts that applied.
	DiscountTitles []string
	PaymentState   store.PaymentState
	Refunds        []refundRow
	Form           []formItem
	Sessions       []store.PaymentSession
	Messages       []mail.Message
	Actions        []string
	Location       *time.Location
}

func loadOrder(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return nil, store.Errorf(store.CodeNotFound, "No order %q", r.PathValue("id"))
	}
	st := sb.Store()
	o, sessions, err := st.OrderWithSessions(r.Context(), id)
	if err != nil {
		return nil, err
	}
	fx := st.Fixtures()
	d := orderData{
		Order: o, User: userName(r.Context(), st, o.UserID), Title: fx.Title(o), Sessions: sessions,
		Actions:  []string{string(store.ActionComplete), string(store.ActionDecline), string(store.ActionCancel), string(store.ActionExpire)},
		Location: fx.Project.Location,
	}
	catalog := sb.Catalog()
	for _, l := range o.Products {
		d.Lines = append(d.Lines, store.ShowLine(fx, catalog, o.Language, l))
	}
	if d.PaymentState, err = st.OrderPaymentState(r.Context(), o.UserID, o.ID); err != nil {
		return nil, err
	}
	for i := len(o.Refunds) - 1; i >= 0; i-- {
		rr := o.Refunds[i]
		row := refundRow{RefundRequest: rr}
		for _, l := range rr.Products {
			row.Lines = append(row.Lines, store.ShowLine(fx, catalog, o.Language, store.OrderLine{ProductID: l.ProductID, Quantity: l.Quantity}))
		}
		d.Refunds = append(d.Refunds, row)
	}
	d.DiscountTitles = fx.DiscountTitles(o)
	for _, it := range o.FormData {
		d.Form = append(d.Form, formItem{Marker: it.Marker, Type: it.Type, Value: formValue(it.Marker, it.Value)})
	}
	for _, m := range sb.Outbox().List(mail.Filter{}) {
		if header(m, "X-Oneentry-Order") == strconv.Itoa(o.ID) {
			d.Messages = append(d.Messages, m)
		}
	}
	return d, nil
}

// formValue shows a form value: a string as it is, anything else as compact JSON; the value of
// a password field masked, as the journal masks it.
func formValue(marker string, raw json.RawMessage) string {
	if exchange.IsPasswordMarker(marker) {
		return exchange.Redacted
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

type mailsData struct {
	Messages []mail.Message
	Pager    pager
	To       string
}

func loadMails(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	to := r.URL.Query().Get("to")
	all := sb.Outbox().List(mail.Filter{To: to})
	p := newPager(r, len(all))
	return mailsData{Messages: window(all, p), Pager: p, To: to}, nil
}

// window returns the rows of a fully loaded list that p shows.
func window[T any](all []T, p pager) []T {
	start := min(p.Offset, len(all))
	return all[start:min(start+p.Limit, len(all))]
}

// causedBy is the request an e-mail or a callback came from, and whether the journal still
// holds it: checkout and admin requests are never journaled, and old ones drop out.
type causedBy struct {
	ID        string
	Journaled bool
}

func causedByOf(sb *sandbox.Sandbox, requestID string) causedBy {
	_, ok := sb.Journal().Get(requestID)
	return causedBy{ID: requestID, Journaled: ok}
}

type mailData struct {
	mail.Message
	CausedBy causedBy
	Parsed   mail.Parsed
	Raw      string
	Tab      string
	OrderID  string
	Code     string
	Ticket   string
	Links    []string
}

var (
	ticketCode = regexp.MustCompile(`TKT-[A-Z0-9]{4}-[A-Z0-9]{4}`)
	linkRE     = regexp.MustCompile(`https?://[^\s"'<>]+`)
)

func loadMail(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	m, ok := sb.Outbox().Get(r.PathValue("id"))
	if !ok {
		return nil, store.Errorf(store.CodeNotFound, "No message %q in the outbox", r.PathValue("id"))
	}
	parsed, err := mail.Parse(m.Raw)
	if err != nil {
		return nil, err
	}
	d := mailData{Message: m, CausedBy: causedByOf(sb, m.RequestID), Parsed: parsed, Raw: string(m.Raw), Tab: r.URL.Query().Get("tab"), OrderID: header(m, "X-Oneentry-Order")}
	if !slices.Contains([]string{"html", "text", "headers", "raw"}, d.Tab) {
		d.Tab = "text"
		if parsed.HTML != "" {
			d.Tab = "html"
		}
	}
	d.Ticket = ticketCode.FindString(parsed.Text)
	if strings.HasPrefix(header(m, "X-Oneentry-Event"), "user.") {
		if _, code, ok := strings.Cut(parsed.Subject, ": "); ok {
			d.Code = code
		}
	}
	d.Links = linkRE.FindAllString(parsed.Text, 10)
	return d, nil
}

type webhooksData struct {
	Deliveries []deliveryRow
	Pager      pager
}

type deliveryRow struct {
	webhook.Record
	CausedBy causedBy
}

func loadWebhooks(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	all := sb.Webhooks(webhook.Filter{})
	p := newPager(r, len(all))
	shown := window(all, p)
	rows := make([]deliveryRow, len(shown))
	for i, d := range shown {
		rows[i] = deliveryRow{Record: d, CausedBy: causedByOf(sb, d.RequestID)}
	}
	return webhooksData{Deliveries: rows, Pager: p}, nil
}

type faultsData struct {
	Faults  []sandbox.FaultRule
	Methods []string
}

func loadFaults(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	return faultsData{Faults: sb.Faults().List(), Methods: []string{"GET", "POST", "PUT", "DELETE", "PATCH"}}, nil
}

type clockData struct {
	Now    time.Time
	Frozen bool
	Local  string // Now for a datetime-local input
}

func loadClock(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	c := sb.Store().Clock()
	now := c.Now().UTC()
	return clockData{Now: now, Frozen: c.Frozen(), Local: now.Format("2006-01-02T15:04:05Z")}, nil
}

type sandboxRow struct {
	Token    string
	Created  time.Time
	Default  bool
	Current  bool
	Orders   int
	Requests int
}

type sandboxesData struct {
	Sandboxes []sandboxRow
	Pager     pager
}

func loadSandboxes(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	all := h.opts.Sandboxes.All()
	p := newPager(r, len(all))
	var rows []sandboxRow
	for _, s := range window(all, p) {
		c, err := s.Store().Counts(r.Context())
		if err != nil {
			return nil, err
		}
		rows = append(rows, sandboxRow{Token: s.Token(), Created: s.Created(), Default: s.IsDefault(), Current: s == sb, Orders: c.Orders, Requests: s.Journal().Count(sandbox.Filter{})})
	}
	return sandboxesData{Sandboxes: rows, Pager: p}, nil
}

// header returns a header the message was composed with, whatever the case of its name.
func header(m mail.Message, name string) string {
	for k, v := range m.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// userRow is a user as the users page shows it, with the state of the account and the pill
// class it is shown with.
type userRow struct {
	store.User
	State, Pill string
}

// newUserRow names what a user can do with their account now: an archived or deleted one no
// longer signs in (the state document's archived and deleted), whatever its activation says.
func newUserRow(u store.User) userRow {
	switch {
	case u.Deleted:
		return userRow{User: u, State: "deleted", Pill: "p-deleted"}
	case u.Archived:
		return userRow{User: u, State: "archived", Pill: "p-archived"}
	case !u.IsActive:
		return userRow{User: u, State: "awaiting activation", Pill: "p-waiting"}
	}
	return userRow{User: u, State: "active"}
}

type usersData struct {
	Users []userRow
	Pager pager
}

// loadUsers lists every user, removed ones too, the newest first as the other lists are: a
// sign-up just made is the row a developer looks for.
func loadUsers(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	all, err := sb.Store().AllUsers(r.Context())
	if err != nil {
		return nil, err
	}
	slices.Reverse(all)
	p := newPager(r, len(all))
	shown := window(all, p)
	rows := make([]userRow, len(shown))
	for i, u := range shown {
		rows[i] = newUserRow(u)
	}
	return usersData{Users: rows, Pager: p}, nil
}

type submissionsData struct {
	Submissions []store.Submission
	Pager       pager
}

// loadSubmissions lists every form submission, in any status: the API shows a form's readers
// only the sent and approved ones.
func loadSubmissions(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	subs, total, err := sb.Store().AllSubmissions(r.Context(), store.Page{Offset: offsetOf(r), Limit: pageSize})
	if err != nil {
		return nil, err
	}
	return submissionsData{Submissions: subs, Pager: newPager(r, total)}, nil
}

// cartRow is a cart as the carts page shows it: its owner by name, its lines priced.
type cartRow struct {
	Owner   string
	Guest   bool
	Updated time.Time
	Lines   []store.ShownLine
}

type cartsData struct {
	Carts []cartRow
	Pager pager
}

// loadCarts lists every cart of signed-in users and guests, the most recently changed first.
func loadCarts(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	st := sb.Store()
	all, err := st.AllCarts(r.Context())
	if err != nil {
		return nil, err
	}
	p := newPager(r, len(all))
	fx, catalog := st.Fixtures(), sb.Catalog()
	rows := make([]cartRow, 0, p.Limit)
	for _, c := range window(all, p) {
		row := cartRow{Updated: c.UpdatedDate}
		if user, guest := c.Whose(); user > 0 {
			row.Owner = userName(r.Context(), st, user)
		} else {
			row.Owner, row.Guest = guest, true
		}
		for _, it := range c.Items {
			row.Lines = append(row.Lines, store.ShowLine(fx, catalog, "", store.OrderLine{ProductID: it.ProductID, Quantity: it.Qty}))
		}
		rows = append(rows, row)
	}
	return cartsData{Carts: rows, Pager: p}, nil
}

// subscriptionRow is a subscription as the events page shows it, by names.
type subscriptionRow struct {
	store.Subscription
	User    string
	Product string
	Sockets int
}

// socketRow is a user's open sockets.
type socketRow struct {
	User        string
	Connections int
}

type eventsData struct {
	Subscriptions []subscriptionRow
	Sockets       []socketRow
	Pager         pager
}

// loadEvents lists the event subscriptions, each with a button that fires its event, and the
// open sockets that would hear it.
func loadEvents(h *Handler, r *http.Request, sb *sandbox.Sandbox) (any, error) {
	st := sb.Store()
	all, err := st.AllSubscriptions(r.Context())
	if err != nil {
		return nil, err
	}
	open := sb.Sockets().Connections()
	p := newPager(r, len(all))
	catalog := sb.Catalog()
	d := eventsData{Pager: p, Subscriptions: make([]subscriptionRow, 0, p.Limit)}
	for _, sub := range window(all, p) {
		row := subscriptionRow{Subscription: sub, User: userName(r.Context(), st, sub.UserID), Product: "product " + strconv.Itoa(sub.ProductID),
			Sockets: open[sub.UserID]}
		if title, ok := catalog.Title(sub.ProductID, sub.Locale); ok {
			row.Product = title
		}
		d.Subscriptions = append(d.Subscriptions, row)
	}
	for _, user := range slices.Sorted(maps.Keys(open)) {
		d.Sockets = append(d.Sockets, socketRow{User: userName(r.Context(), st, user), Connections: open[user]})
	}
	return d, nil
}
