package mockserver

import (
	"encoding/json"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
	"github.com/oneentry-mock/oneentry-mock/sandbox"
	"github.com/oneentry-mock/oneentry-mock/webhook"
)

// webhookEvent is the JSON body of a payment provider's callback. It carries the session as
// the API answers it, which is why it is encoded here and not in the sandbox.
type webhookEvent struct {
	Type    string          `json:"type"`
	Created string          `json:"created"`
	Session sessionResponse `json:"session"`
	Order   webhookOrder    `json:"order"`
}

type webhookOrder struct {
	ID               int    `json:"id"`
	StorageMarker    string `json:"storageMarker"`
	StatusIdentifier string `json:"statusIdentifier"`
	TotalSum         string `json:"totalSum"`
	Currency         string `json:"currency"`
	IsCompleted      *bool  `json:"isCompleted"`
}

// sendWebhook returns the sandboxes' event hook: the signed callback to the payment account's
// webhook URL, then next when set.
func (s *Server) sendWebhook(next func(*sandbox.Sandbox, store.Event)) func(*sandbox.Sandbox, store.Event) {
	return func(sb *sandbox.Sandbox, e store.Event) {
		if e.Account.WebhookURL != "" {
			body, err := json.Marshal(webhookEvent{
				Type:    string(e.Type),
				Created: timestamp(e.Time),
				Session: newSessionResponse(e.Session),
				Order: webhookOrder{
					ID: e.Order.ID, StorageMarker: e.Order.StorageMarker, StatusIdentifier: e.Order.StatusIdentifier,
					TotalSum: store.Money(e.Order.TotalCents), Currency: e.Order.Currency, IsCompleted: e.Order.IsCompleted,
				},
			})
			if err != nil {
				s.log.Error("encode webhook", "err", err)
			} else {
				sb.SendWebhook(webhook.Delivery{URL: e.Account.WebhookURL, Secret: []byte(e.Account.SigningSecret), Event: string(e.Type), Body: body, RequestID: e.RequestID})
			}
		}
		if next != nil {
			next(sb, e)
		}
	}
}
