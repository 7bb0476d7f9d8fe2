package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/mail"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// handleEvent turns a store event into what the live project's integrations would produce:
// the ticket e-mail here, the payment provider's callbacks through Options.OnEvent; a removed
// account's sockets are ended.
func (sb *Sandbox) handleEvent(e store.Event) {
	defer sb.changed()
	if e.TicketDue {
		sb.sendTicket(e)
	}
	switch e.Type {
	case store.EventRefundApproved:
		sb.sendRefund(e)
	case store.EventUserRemoved:
		sb.sockets.DropStrangers()
	}
	if f := sb.reg.opts.OnEvent; f != nil {
		f(sb, e)
	}
}

// sendTicket puts the ticket e-mail for a paid order in the sandbox's outbox.
func (sb *Sandbox) sendTicket(e store.Event) {
	log := sb.reg.opts.Logger
	fx := sb.Store().Fixtures()
	to := e.User.Email()
	if to == "" {
		log.Warn("ticket e-mail not sent: the buyer has no e-mail address", "order", e.Order.ID, "user", e.User.ID)
		return
	}
	data := mail.TicketData{
		EventTitle: fx.Title(e.Order),
		TicketType: sb.ticketTypes(e.Order),
		Location:   fx.Project.Location,
		OrderID:    e.Order.ID,
		TicketCode: mail.TicketCode([]byte(sb.secret), e.Order.ID, e.Session.ID),
		BuyerName:  formValue(e.User.FormData, "name_reg"),
		BuyerEmail: to,
		Total:      store.Money(e.Order.DueCents()),
		Currency:   e.Order.Currency,
	}
	if len(e.Order.Slots) > 0 {
		data.Slot = &mail.Slot{Start: e.Order.Slots[0].Start, End: e.Order.Slots[0].End}
	}
	subject, text, html := mail.TicketEmail(data)
	if err := sb.send(e.RequestID, to, subject, text, html, e.Time, "order.ticket", e.Order.ID); err != nil {
		log.Error("build ticket e-mail", "order", e.Order.ID, "err", err)
	}
}

// send puts a message for event (its X-Oneentry-Event) to one address in the outbox; orderID,
// when not 0, is its X-Oneentry-Order.
func (sb *Sandbox) send(requestID, to, subject, text, html string, date time.Time, event string, orderID int) error {
	headers := map[string]string{"X-Oneentry-Event": event}
	if orderID != 0 {
		headers["X-Oneentry-Order"] = strconv.Itoa(orderID)
	}
	msg, err := mail.Build(mail.Draft{
		RequestID: requestID,
		From:      mail.DefaultFrom,
		To:        []string{to},
		Subject:   subject,
		Text:      text,
		HTML:      html,
		Date:      date,
		Headers:   headers,
	})
	if err != nil {
		return err
	}
	sb.outbox.Add(msg)
	return nil
}

// sendRefund puts the ticket-cancellation e-mail of an approved refund in the outbox.
func (sb *Sandbox) sendRefund(e store.Event) {
	log := sb.reg.opts.Logger
	to := e.User.Email()
	if to == "" {
		log.Warn("refund e-mail not sent: the buyer has no e-mail address", "order", e.Order.ID, "user", e.User.ID)
		return
	}
	refunded := e.Order
	refunded.Products = nil
	for _, l := range e.Refund.Products {
		refunded.Products = append(refunded.Products, store.OrderLine{ProductID: l.ProductID, Quantity: l.Quantity})
	}
	subject, text, html := mail.RefundEmail(mail.RefundData{
		EventTitle: sb.Store().Fixtures().Title(e.Order),
		Tickets:    sb.ticketTypes(refunded),
		OrderID:    e.Order.ID,
		RefundID:   e.Refund.ID,
		Amount:     store.Money(e.Refund.AmountCents),
		Currency:   e.Order.Currency,
		BuyerName:  formValue(e.User.FormData, "name_reg"),
		BuyerEmail: to,
	})
	if err := sb.send(e.RequestID, to, subject, text, html, e.Time, "order.refund", e.Order.ID); err != nil {
		log.Error("build refund e-mail", "order", e.Order.ID, "err", err)
	}
}

// SendCode puts an auth-provider code e-mail in the outbox.
func (sb *Sandbox) SendCode(requestID, to, purpose, code string) error {
	subject, text, html := mail.CodeEmail(purpose, code)
	return sb.send(requestID, to, subject, text, html, sb.Store().Now(), "user."+purpose, 0)
}

// ticketTypes names what o holds, in the order's language ("Bronze ticket × 2, Silver ticket").
func (sb *Sandbox) ticketTypes(o store.Order) string {
	fx, catalog := sb.Store().Fixtures(), sb.Catalog()
	names := make([]string, 0, len(o.Products))
	for _, l := range o.Products {
		title := store.ShowLine(fx, catalog, o.Language, l).Title
		if l.Quantity > 1 {
			title += " × " + strconv.Itoa(l.Quantity)
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
