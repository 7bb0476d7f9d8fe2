package mockserver

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/mux"
	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/webhook"
)

// handleAdminMailList handles GET /__admin/mail: newest first, `?to=` filters by recipient,
// `?limit=` caps the list.
func (s *Server) handleAdminMailList(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	adminList(s, w, r, "messages", func(q url.Values, limit int) ([]mail.Message, error) {
		return sb.Outbox().List(mail.Filter{To: q.Get("to"), Limit: limit}), nil
	})
}

func (s *Server) mailByID(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) (mail.Message, bool) {
	id := mux.Vars(r)["id"]
	m, ok := sb.Outbox().Get(id)
	if !ok {
		s.writeError(w, r, store.Errorf(store.CodeNotFound, "No message %q in the outbox", id))
	}
	return m, ok
}

type mailDetailResponse struct {
	mail.Message
	Parsed mail.Parsed `json:"parsed"`
}

// handleAdminMailGet handles GET /__admin/mail/{id} (`latest` is the newest): the message and
// its parsed MIME parts.
func (s *Server) handleAdminMailGet(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	m, ok := s.mailByID(w, r, sb)
	if !ok {
		return
	}
	parsed, err := mail.Parse(m.Raw)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, mailDetailResponse{Message: m, Parsed: parsed})
}

// handleAdminMailRaw handles GET /__admin/mail/{id}/raw: the RFC 5322 message.
func (s *Server) handleAdminMailRaw(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	m, ok := s.mailByID(w, r, sb)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(m.Raw)
}

// handleAdminMailClear handles DELETE /__admin/mail.
func (s *Server) handleAdminMailClear(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	sb.Outbox().Clear()
	w.WriteHeader(http.StatusNoContent)
}

// handleAdminWebhooks handles GET /__admin/webhooks: every delivery with its attempts and the
// receiver's answers, newest first; `?event=`, `?status=`, `?requestId=`, `?limit=` filter.
func (s *Server) handleAdminWebhooks(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	adminList(s, w, r, "deliveries", func(q url.Values, limit int) ([]webhook.Record, error) {
		if st := q.Get("status"); st != "" && !webhook.Status(st).Valid() {
			return nil, store.Invalid("status must be pending, delivered or failed")
		}
		ev := q.Get("event")
		if ev != "" && !slices.Contains(store.SessionEvents, store.EventType(ev)) {
			names := make([]string, len(store.SessionEvents))
			for i, e := range store.SessionEvents {
				names[i] = string(e)
			}
			return nil, store.Invalid("event must be one of the following values: " + strings.Join(names, ", "))
		}
		return sb.Webhooks(webhook.Filter{Event: ev, Status: q.Get("status"), RequestID: q.Get("requestId"), Limit: limit}), nil
	})
}

// adminList answers an admin list as {"total": n, name: items}: what list finds for the query,
// capped by its ?limit= (0 when absent).
func adminList[T any](s *Server, w http.ResponseWriter, r *http.Request, name string, list func(q url.Values, limit int) ([]T, error)) {
	q := r.URL.Query()
	limit, err := limitParam(q.Get("limit"))
	var items []T
	if err == nil {
		items, err = list(q, limit)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if items == nil {
		items = []T{}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"total": len(items), name: items})
}

// handleAdminWebhookRedeliver handles POST /__admin/webhooks/{id}/redeliver: the delivery sent
// again as a new one.
func (s *Server) handleAdminWebhookRedeliver(w http.ResponseWriter, r *http.Request, sb *sandbox.Sandbox) {
	id := mux.Vars(r)["id"]
	newID, err := sb.Redeliver(id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusAccepted, map[string]string{"id": newID, "redeliveryOf": id})
}
