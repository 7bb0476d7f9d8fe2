package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
)

// An action is a form's POST: it changes state through the same sandbox and registry methods
// the admin API calls, then redirects back (to the form's "back" field, else fallback) with a
// notice or the error.
type action struct {
	path     string
	fallback string
	run      func(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error)
	// ofRegistry marks an action that names its sandbox itself (or makes one), rather than
	// acting on the one the page showed.
	ofRegistry bool
	// upload marks the action whose form carries a state document, bounded by MaxStateBytes
	// rather than maxForm.
	upload bool
}

var actions = []action{
	{"/sessions/{id}/{action}", Prefix + "/orders", paymentAction, false, false},
	{"/faults", Prefix + "/faults", addFault, false, false},
	{"/faults/{id}/remove", Prefix + "/faults", removeFault, false, false},
	{"/clock", Prefix + "/clock", setClock, false, false},
	{"/webhooks/{id}/redeliver", Prefix + "/webhooks", redeliver, false, false},
	{"/form-data/{id}/approve", Prefix + "/form-data", approveSubmission, false, false},
	{"/product-events/fire", Prefix + "/product-events", fireEvent, false, false},
	{"/sandboxes", Prefix + "/sandboxes", createSandbox, true, false},
	{"/sandboxes/switch", Prefix + "/", switchSandbox, true, false},
	{"/sandboxes/reset", Prefix + "/sandboxes", resetSandbox, false, false},
	{"/sandboxes/{token}/remove", Prefix + "/sandboxes", removeSandbox, true, false},
	{"/sandboxes/import", Prefix + "/sandboxes", importState, false, true},
}

// maxForm bounds an action's form, the state import excepted.
const maxForm = 64 << 10

func (h *Handler) action(a action) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxForm)
		if a.upload {
			limit += h.stateLimit()
			// The form holds the document in memory: it is read once the import is let in.
			ctx, release, err := h.opts.Sandboxes.AdmitImport(r.Context())
			if err != nil {
				back(w, r, a.fallback, "", err)
				return
			}
			defer release()
			r = r.WithContext(ctx)
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := parseForm(r, limit); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				http.Error(w, fmt.Sprintf("The form is over the %d bytes it may hold, so nothing was changed.", limit), http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "The form could not be read, so nothing was changed: "+err.Error(), http.StatusBadRequest)
			return
		}
		if r.MultipartForm != nil {
			defer func() { _ = r.MultipartForm.RemoveAll() }()
		}
		sb := h.chosenSandbox(r)
		if !a.ofRegistry {
			var err error
			if sb, err = h.formSandbox(r); err != nil {
				back(w, r, a.fallback, "", err)
				return
			}
		}
		notice, err := a.run(h, w, r, sb)
		if err != nil && h.opts.ErrorStatus(err) == http.StatusInternalServerError {
			h.log.ErrorContext(r.Context(), "dashboard action", "path", r.URL.Path, "err", err)
		}
		back(w, r, a.fallback, notice, err)
	}
}

// parseForm reads a URL-encoded or multipart form. A multipart one is held in memory whole (the
// body is bounded by limit): files spilled to disk would outlive the request, since the
// server cleans up only the forms of the request it made, not of the router's copy.
func parseForm(r *http.Request, limit int64) error {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		return r.ParseMultipartForm(limit)
	}
	return r.ParseForm()
}

func (h *Handler) stateLimit() int64 {
	if h.opts.MaxStateBytes > 0 {
		return h.opts.MaxStateBytes
	}
	return 64 << 20
}

func paymentAction(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return "", store.Errorf(store.CodeNotFound, "No payment session %q", r.PathValue("id"))
	}
	p, _, err := sb.PaymentAction(r.Context(), id, r.PathValue("action"))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Payment session %d is now %s.", p.ID, p.Status), nil
}

// addFault reads the fault form: the fields of POST /__admin/faults.
func addFault(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	f := r.PostForm
	num := func(name string) (int, error) {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, store.Invalid(name + " must be a whole number")
		}
		return n, nil
	}
	rule := sandbox.FaultRule{
		Method: f.Get("method"), Path: strings.TrimSpace(f.Get("path")), BodyContains: f.Get("bodyContains"),
		Message: f.Get("message"), Reset: f.Get("kind") == "reset", Truncate: f.Get("kind") == "truncate",
	}
	var errs []error
	var err error
	if f.Get("kind") == "status" || f.Get("kind") == "" {
		rule.Status, err = num("status")
		errs = append(errs, err)
	}
	rule.Times, err = num("times")
	errs = append(errs, err)
	fixed, err := num("latencyMs")
	errs = append(errs, err)
	lo, err := num("latencyMinMs")
	errs = append(errs, err)
	hi, err := num("latencyMaxMs")
	errs = append(errs, err)
	if fixed != 0 || lo != 0 || hi != 0 {
		rule.Latency = &sandbox.FaultLatency{FixedMs: fixed, MinMs: lo, MaxMs: hi}
	}
	if v := strings.TrimSpace(f.Get("probability")); v != "" {
		p, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, store.Invalid("probability must be a number between 0 and 1"))
		}
		rule.Probability = p
	}
	if err := errors.Join(errs...); err != nil {
		var e *store.Error
		errors.As(err, &e)
		return "", e
	}
	added, err := sb.AddFault(rule)
	if err != nil {
		return "", err
	}
	return "Fault rule " + added.ID + " added.", nil
}

func removeFault(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	if err := sb.RemoveFault(r.PathValue("id")); err != nil {
		return "", err
	}
	return "Fault rule " + r.PathValue("id") + " removed.", nil
}

// setClock reads the clock forms: one of advance, set, freeze, unfreeze or reset.
func setClock(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	f := r.PostForm
	in := sandbox.ClockInput{Reset: f.Get("op") == "reset", Advance: strings.TrimSpace(f.Get("advance")), Set: strings.TrimSpace(f.Get("set"))}
	switch f.Get("op") {
	case "freeze", "unfreeze":
		freeze := f.Get("op") == "freeze"
		in.Freeze = &freeze
	case "advance":
		in.Set = ""
	case "set":
		in.Advance = ""
	}
	if err := sb.SetClock(r.Context(), in); err != nil {
		return "", err
	}
	return "The clock now shows " + sb.Store().Now().UTC().Format("2006-01-02 15:04:05") + " UTC.", nil
}

func redeliver(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	id, err := sb.Redeliver(r.PathValue("id"))
	if err != nil {
		return "", err
	}
	return "Sent again as " + id + ".", nil
}

// approveSubmission approves a submission held in moderation, as POST
// /__admin/form-data/{id}/approve does.
func approveSubmission(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return "", store.Errorf(store.CodeNotFound, "No form data %q", r.PathValue("id"))
	}
	sub, err := sb.Store().ApproveSubmission(r.Context(), id)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Form data %d is now %s.", sub.ID, sub.Status), nil
}

func createSandbox(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	created, err := h.opts.Sandboxes.Create(r.Context())
	if err != nil {
		return "", err
	}
	return "Sandbox " + created.Token() + " created.", nil
}

func switchSandbox(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	token := r.PostFormValue("token")
	next := h.opts.Sandboxes.Lookup(token)
	if next == nil {
		return "", store.Errorf(store.CodeNotFound, "No sandbox has app token %q", token)
	}
	h.setCookie(w, r, SandboxCookie, token)
	return "Showing sandbox " + token + ".", nil
}

func resetSandbox(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	if err := sb.Reset(r.Context()); err != nil {
		return "", err
	}
	return "Sandbox " + sb.Token() + " is back to the fixtures.", nil
}

func removeSandbox(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	token := r.PathValue("token")
	ok, err := h.opts.Sandboxes.Remove(r.Context(), token)
	if !ok {
		return "", store.Errorf(store.CodeNotFound, "No removable sandbox has app token %q", token)
	}
	if err != nil {
		return "", err
	}
	if c, err := r.Cookie(SandboxCookie); err == nil && c.Value == token {
		h.clearCookie(w, r, SandboxCookie)
		return "Sandbox " + token + " removed; the dashboard shows the default sandbox.", nil
	}
	return "Sandbox " + token + " removed.", nil
}

// importState reads an uploaded state document (from Export or GET /__admin/state).
func importState(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	file, header, err := r.FormFile("state")
	if err != nil {
		return "", store.Invalid("choose a state document (a JSON file from Export) to import: " + err.Error())
	}
	defer file.Close()
	if limit := h.stateLimit(); header.Size > limit {
		return "", store.Errorf(store.CodeTooLarge, "The state document has %d bytes, over the %d of --max-state-bytes, so nothing was imported.", header.Size, limit)
	}
	if err := sb.ImportState(r.Context(), file); err != nil {
		return "", err
	}
	return "State imported into sandbox " + sb.Token() + ".", nil
}

// handleExport handles GET /__admin/ui/sandboxes/export: the shown sandbox's state as a
// download, the document GET /__admin/state answers.
func (h *Handler) handleExport(w http.ResponseWriter, r *http.Request) {
	sb, err := h.sandboxOf(r)
	if err != nil {
		http.Error(w, errorText(err), http.StatusNotFound)
		return
	}
	// Encoded whole before the headers go, so a failure is not a 200 with half a document.
	doc, err := json.MarshalIndent(sb.Store().Export(r.Context()), "", "  ")
	if err != nil {
		h.log.ErrorContext(r.Context(), "export state", "err", err)
		http.Error(w, "The state cannot be written: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="oneentry-mock-state.json"`)
	_, _ = w.Write(append(doc, '\n'))
}

// fireEvent reads the fields of POST /__admin/events/{marker}/fire: the marker, the product and
// the message.
func fireEvent(h *Handler, w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (string, error) {
	f := r.PostForm
	product, err := strconv.Atoi(strings.TrimSpace(f.Get("productId")))
	if err != nil {
		return "", store.Invalid("productId must be a number")
	}
	ev, err := sb.FireProductEvent(sandbox.ProductEvent{Marker: strings.TrimSpace(f.Get("marker")), ProductID: product, Message: f.Get("message")})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Fired %s about product %d: %d subscribed, heard on %d sockets.", ev.Marker, ev.ProductID, ev.Subscribers, ev.Delivered), nil
}
