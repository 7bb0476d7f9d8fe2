package mockserver

import (
	"encoding/json"
	"strings"

	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// notifier turns a sandbox's store events into what the live project's integrations would
// produce: the ticket e-mail and the payment provider's signed callbacks.
type notifier struct {
	srv *Server
	sb  *sandbox
}

func newNotifier(srv *Server, sb *sandbox) *notifier { return &notifier{srv: srv, sb: sb} }

// webhookEvent is the JSON body of a callback.
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

func (n *notifier) handle(e store.Event) {
	if e.TicketDue {
		n.sendTicket(e)
	}
	if e.Account.WebhookURL != "" && n.srv.webhooks != nil {
		body, err := json.Marshal(webhookEvent{
			Type:    string(e.Type),
			Created: timestamp(e.Time),
			Session: newSessionResponse(e.Session),
			Order: webhookOrder{
				ID: e.Order.ID, StorageMarker: e.Order.StorageMarker, StatusIdentifier: e.Order.StatusIdentifier,
				TotalSum: moneyString(e.Order.TotalCents), Currency: e.Order.Currency, IsCompleted: e.Order.IsCompleted,
			},
		})
		if err != nil {
			n.srv.log.Error("encode webhook", "err", err)
			return
		}
		n.srv.webhooks.send(n.sb, e.Account.WebhookURL, []byte(e.Account.SigningSecret), string(e.Type), body, e.RequestID)
	}
}

// sendTicket puts the ticket e-mail for a paid order in the sandbox's outbox.
func (n *notifier) sendTicket(e store.Event) {
	fx := n.sb.store.Fixtures()
	to := buyerAddress(e.User)
	if to == "" {
		n.srv.log.Warn("ticket e-mail not sent: the buyer has no e-mail address", "order", e.Order.ID, "user", e.User.ID)
		return
	}
	data := mail.TicketData{
		EventTitle: eventTitle(fx, e.Order),
		TicketType: ticketTypes(fx, e.Order),
		Location:   fx.Project.Location,
		OrderID:    e.Order.ID,
		TicketCode: mail.TicketCode([]byte(fx.Project.TokenSecret), e.Order.ID, e.Session.ID),
		BuyerName:  formValue(e.User.FormData, "name_reg"),
		BuyerEmail: to,
		Total:      moneyString(e.Order.TotalCents),
		Currency:   e.Order.Currency,
	}
	if len(e.Order.Slots) > 0 {
		data.SlotStart, data.SlotEnd = e.Order.Slots[0].Start, e.Order.Slots[0].End
	}
	subject, text, html := mail.TicketEmail(data)
	msg, err := mail.Build(mail.Draft{
		RequestID: e.RequestID,
		From:      mail.DefaultFrom,
		To:        []string{to},
		Subject:   subject,
		Text:      text,
		HTML:      html,
		Date:      e.Time,
		Headers:   map[string]string{"X-OneEntry-Event": "order.ticket", "X-OneEntry-Order": itoa(e.Order.ID)},
	})
	if err != nil {
		n.srv.log.Error("build ticket e-mail", "order", e.Order.ID, "err", err)
		return
	}
	n.sb.outbox.Add(msg)
}

// sendCode puts an auth-provider code e-mail in the outbox.
func (n *notifier) sendCode(requestID, to, purpose, code string) error {
	subject, text, html := mail.CodeEmail(purpose, code)
	msg, err := mail.Build(mail.Draft{
		RequestID: requestID,
		From:      mail.DefaultFrom,
		To:        []string{to},
		Subject:   subject,
		Text:      text,
		HTML:      html,
		Date:      n.sb.store.Now(),
		Headers:   map[string]string{"X-OneEntry-Event": "user." + purpose},
	})
	if err != nil {
		return err
	}
	n.sb.outbox.Add(msg)
	return nil
}

// buyerAddress is where the ticket goes: the login when it is an e-mail address, else the
// e-mail of the user's notification data.
func buyerAddress(u store.User) string {
	if strings.Contains(u.Identifier, "@") {
		return u.Identifier
	}
	var nd struct {
		Email string `json:"email"`
	}
	if json.Unmarshal(u.NotificationData, &nd) == nil && strings.Contains(nd.Email, "@") {
		return nd.Email
	}
	return ""
}

func eventTitle(fx *store.Fixtures, o store.Order) string {
	if form, ok := fx.Form(o.FormIdentifier); ok {
		if t := store.LocalizedTitle(form.LocalizeInfos, o.Language); t != "" {
			return t
		}
	}
	return o.StorageMarker
}

func ticketTypes(fx *store.Fixtures, o store.Order) string {
	names := make([]string, 0, len(o.Products))
	for _, line := range o.Products {
		title := "product " + itoa(line.ProductID)
		if p, ok := fx.Product(line.ProductID); ok && p.Title != "" {
			title = p.Title
		}
		if line.Quantity > 1 {
			title += " × " + itoa(line.Quantity)
		}
		names = append(names, title)
	}
	return strings.Join(names, ", ")
}

func formValue(items []store.FormDataItem, marker string) string {
	for _, it := range items {
		if it.Marker == marker {
			var s string
			if json.Unmarshal(it.Value, &s) == nil {
				return s
			}
		}
	}
	return ""
}
