package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// view is what the layout renders around a page's data.
type view struct {
	Title   string
	Active  string // the nav entry to mark
	Nav     []navItem
	Sandbox sandboxSummary
	Notice  string
	Error   string
	Next    string // the login form's destination
	Bare    bool   // no navigation (the login page)
	Auth    bool   // an admin token guards the dashboard: offer to log out
	// SandboxGone marks the error of a sandbox that does not exist, for a live page to show.
	SandboxGone bool
	Data        any
}

type navItem struct {
	Key, Title, Href string
	Key1             string // access key
}

type sandboxSummary struct {
	Token     string
	Default   bool
	Sandboxes int
}

// navigation lists the pages of the top bar, in order.
var navigation = []navItem{
	{"overview", "Overview", Prefix + "/", "o"},
	{"requests", "Requests", Prefix + "/requests", "r"},
	{"orders", "Orders", Prefix + "/orders", "d"},
	{"users", "Users", Prefix + "/users", "u"},
	{"submissions", "Form data", Prefix + "/form-data", "a"},
	{"carts", "Carts", Prefix + "/carts", "t"},
	{"events", "Events", Prefix + "/product-events", "e"},
	{"mail", "Mail", Prefix + "/mail", "m"},
	{"webhooks", "Webhooks", Prefix + "/webhooks", "w"},
	{"faults", "Faults", Prefix + "/faults", "f"},
	{"clock", "Clock", Prefix + "/clock", "c"},
	{"sandboxes", "Sandboxes", Prefix + "/sandboxes", "s"},
}

var funcs = template.FuncMap{
	"money": func(cents int64, currency string) string {
		return strings.TrimSpace(store.Money(cents) + " " + currency)
	},
	// when shows every instant, the zero time.Time too: it is 0001-01-01 00:00:00, a time the
	// sandbox clock can show. A time that may be missing is a pointer, shown with deref.
	"when": func(t time.Time) string {
		return t.UTC().Format("2006-01-02 15:04:05")
	},
	"ms": func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + " ms" },
	"dur": func(d time.Duration) string {
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
	},
	"statusClass": func(code int) string {
		switch {
		case code == 0:
			return "s0"
		case code < 300:
			return "s2"
		case code < 400:
			return "s3"
		case code < 500:
			return "s4"
		}
		return "s5"
	},
	"pretty":    prettyJSON,
	"u":         func(p string) string { return Prefix + p },
	"inc":       func(i int) int { return i + 1 },
	"header":    header,
	"formValue": formValue,
	"deref":     deref,
	"join":      strings.Join,
	"path":      url.PathEscape,
	"mask": func(token string) string {
		if len(token) <= 12 {
			return token
		}
		return token[:8] + "…" + token[len(token)-4:]
	},
}

// deref shows what an optional field points to.
func deref(v any) any {
	switch p := v.(type) {
	case *bool:
		return *p
	case *int:
		return *p
	case *int64:
		return *p
	case *string:
		return *p
	case *time.Time:
		return *p
	}
	return v
}

// prettyJSON indents a JSON document; anything else is shown as it is.
func prettyJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name string, sb *sandbox.Sandbox, v view) {
	h.renderStatus(w, r, http.StatusOK, name, sb, v)
}

func (h *Handler) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, sb *sandbox.Sandbox, v view) {
	pages, err := pageTemplates()
	if err != nil {
		h.log.ErrorContext(r.Context(), "parse dashboard templates", "err", err)
		http.Error(w, "The dashboard's templates do not parse: "+err.Error(), http.StatusInternalServerError)
		return
	}
	t, ok := pages[name]
	if !ok {
		http.Error(w, "no template "+name, http.StatusInternalServerError)
		return
	}
	if !v.Bare {
		v.Auth = h.opts.AdminToken != ""
		v.Nav = navigation
		v.Sandbox = sandboxSummary{Token: sb.Token(), Default: sb.IsDefault(), Sandboxes: len(h.opts.Sandboxes.All())}
	}
	q := r.URL.Query()
	if v.Notice == "" {
		v.Notice = q.Get("notice")
	}
	if v.Error == "" {
		v.Error = q.Get("error")
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", v); err != nil {
		h.log.ErrorContext(r.Context(), "render dashboard page", "page", name, "err", err)
		http.Error(w, "The page could not be rendered: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = b.WriteTo(w)
}

// pager is the window of a list a page shows, with links to its neighbours.
type pager struct {
	Offset, Limit, Total int
	query                url.Values
	path                 string
}

// pageSize is how many rows a list page shows.
const pageSize = 50

func newPager(r *http.Request, total int) pager {
	return pager{Offset: offsetOf(r), Limit: pageSize, Total: total, query: r.URL.Query(), path: r.URL.Path}
}

// offsetOf reads the requested offset before the total is known.
func offsetOf(r *http.Request) int {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	// Past any list a sandbox holds, and low enough that the row numbers cannot overflow.
	return min(max(0, offset), math.MaxInt32)
}

// From and To number the rows shown, from 1.
func (p pager) From() int { return min(p.Offset+1, p.Total) }

// To is the number of the last row shown.
func (p pager) To() int { return min(p.Offset+p.Limit, p.Total) }

func (p pager) link(offset int) string {
	q := url.Values{}
	for k, v := range p.query {
		if k != "offset" && k != "notice" && k != "error" {
			q[k] = v
		}
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	if len(q) == 0 {
		return p.path
	}
	return p.path + "?" + q.Encode()
}

// PastEnd says the page starts after the list's last row: an old link, or a list that
// shrank since.
func (p pager) PastEnd() bool { return p.Offset > 0 && p.Offset >= p.Total }

// Last links to the list's last page.
func (p pager) Last() string { return p.link(max(0, p.Total-1) / p.Limit * p.Limit) }

// Newer links to the previous page, or is empty on the first.
func (p pager) Newer() string {
	if p.Offset == 0 {
		return ""
	}
	return p.link(max(0, p.Offset-p.Limit))
}

// Older links to the next page, or is empty on the last.
func (p pager) Older() string {
	if p.Offset+p.Limit >= p.Total {
		return ""
	}
	return p.link(p.Offset + p.Limit)
}

func (p pager) String() string { return fmt.Sprintf("%d–%d of %d", p.From(), p.To(), p.Total) }
