package mail

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	htmltemplate "html/template"
	"strings"
	"text/template"
	"time"
)

// TicketData is what the ticket e-mail shows; the store fills it when an order's payment
// session completes.
type TicketData struct {
	EventTitle string
	TicketType string
	// Slot is the booked time, nil when the order booked none: a pointer, as a slot can start
	// at the zero time.Time (0001-01-01T00:00:00Z) like at any instant of the clock's range.
	Slot *Slot
	// Location is the project's time zone; the slot is shown in it with its abbreviation.
	// Nil means UTC.
	Location   *time.Location
	OrderID    int
	TicketCode string
	BuyerName  string
	BuyerEmail string
	// Total is the amount as the API renders it ("100.00"), so the mail and the order agree.
	Total    string
	Currency string
}

// Slot is a booked time, from its start to its end.
type Slot struct {
	Start, End time.Time
}

type ticketView struct {
	TicketData
	Title string
	When  string
}

// TicketEmail renders the confirmation sent to the buyer once payment completes.
func TicketEmail(d TicketData) (subject, text, html string) {
	v := ticketView{TicketData: d, Title: d.EventTitle}
	if d.Slot != nil {
		v.When = formatSlot(*d.Slot, d.Location)
	}
	if v.Title == "" {
		v.Title = d.TicketType
	}
	subject = "Your ticket: " + v.Title
	if v.When != "" {
		subject += ", " + v.When
	}
	return subject, render(ticketText, v), renderHTML(ticketHTML, v)
}

// formatSlot shows a slot on one line, e.g. "Sat, 26 Apr 2025, 16:30–18:00 MSK"; a slot
// spanning days, or a zone change such as a DST switch, repeats date and zone.
func formatSlot(slot Slot, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	start, end := slot.Start.In(loc), slot.End.In(loc)
	if start.Format("2006-01-02 MST") == end.Format("2006-01-02 MST") {
		return start.Format("Mon, 2 Jan 2006, 15:04") + "–" + end.Format("15:04 MST")
	}
	return start.Format("Mon, 2 Jan 2006, 15:04 MST") + " – " + end.Format("Mon, 2 Jan 2006, 15:04 MST")
}

var ticketText = template.Must(template.New("ticket.txt").Parse(`Hello{{with .BuyerName}} {{.}}{{end}},

Thank you for your order. Your ticket is confirmed.

Event:       {{.Title}}
{{- with .TicketType}}
Ticket:      {{.}}{{end}}
{{- with .When}}
When:        {{.}}{{end}}
Order:       #{{.OrderID}}
{{- with .Total}}
Total:       {{.}}{{with $.Currency}} {{.}}{{end}}{{end}}

Ticket code: {{.TicketCode}}

Show this code at the entrance.
{{- with .BuyerEmail}}
This e-mail was sent to {{.}}.{{end}}
`))

var ticketHTML = htmltemplate.Must(htmltemplate.New("ticket.html").Parse(`<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Your ticket</title></head>
<body style="font-family: sans-serif">
<p>Hello{{with .BuyerName}} {{.}}{{end}},</p>
<p>Thank you for your order. Your ticket is confirmed.</p>
<table>
<tr><th align="left">Event</th><td>{{.Title}}</td></tr>
{{- with .TicketType}}
<tr><th align="left">Ticket</th><td>{{.}}</td></tr>{{end}}
{{- with .When}}
<tr><th align="left">When</th><td>{{.}}</td></tr>{{end}}
<tr><th align="left">Order</th><td>#{{.OrderID}}</td></tr>
{{- with .Total}}
<tr><th align="left">Total</th><td>{{.}}{{with $.Currency}} {{.}}{{end}}</td></tr>{{end}}
</table>
<p>Ticket code: <strong style="font-family: monospace; font-size: 1.4em">{{.TicketCode}}</strong></p>
<p>Show this code at the entrance.</p>
{{- with .BuyerEmail}}
<p style="color: #666">This e-mail was sent to {{.}}.</p>{{end}}
</body>
</html>
`))

// Auth code purposes with their own wording in CodeEmail. OneEntry lets a project name
// the event of generate-code freely, so any other purpose gets the generic wording.
const (
	PurposeSignUp        = "sign-up"
	PurposePasswordReset = "password-reset"
)

type codeView struct {
	Heading string
	Intro   string
	Code    string
}

// CodeEmail renders the message carrying an auth provider's one-time code.
func CodeEmail(purpose, code string) (subject, text, html string) {
	v := codeView{Code: code}
	switch purpose {
	case PurposeSignUp:
		v.Heading = "Confirm your e-mail address"
		v.Intro = "Use this code to activate your account:"
	case PurposePasswordReset:
		v.Heading = "Reset your password"
		v.Intro = "Use this code to set a new password:"
	default:
		v.Heading = "Your verification code"
		v.Intro = "Use this code to confirm the action"
		if purpose != "" {
			v.Intro += " (" + purpose + ")"
		}
		v.Intro += ":"
	}
	subject = v.Heading + ": " + code
	return subject, render(codeText, v), renderHTML(codeHTML, v)
}

var codeText = template.Must(template.New("code.txt").Parse(`{{.Heading}}

{{.Intro}}

    {{.Code}}

If you did not ask for it, ignore this e-mail.
`))

var codeHTML = htmltemplate.Must(htmltemplate.New("code.html").Parse(`<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>{{.Heading}}</title></head>
<body style="font-family: sans-serif">
<h1 style="font-size: 1.2em">{{.Heading}}</h1>
<p>{{.Intro}}</p>
<p><strong style="font-family: monospace; font-size: 1.6em; letter-spacing: 0.2em">{{.Code}}</strong></p>
<p style="color: #666">If you did not ask for it, ignore this e-mail.</p>
</body>
</html>
`))

// The templates are fixed and their data holds only strings and ints, so executing them
// cannot fail short of a bug in the template text, which the tests would catch.
func render(t *template.Template, data any) string {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		panic("mail: " + t.Name() + ": " + err.Error())
	}
	return b.String()
}

func renderHTML(t *htmltemplate.Template, data any) string {
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		panic("mail: " + t.Name() + ": " + err.Error())
	}
	return b.String()
}

// ticketCodeAlphabet is Crockford's base32: no I, L, O or U, so a code read aloud or
// typed from a phone screen cannot be mistaken.
const ticketCodeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// TicketCode returns the code printed on a ticket, "TKT-XXXX-XXXX": 40 bits of
// HMAC-SHA256(secret, order id, session id). The same order and session always give the same
// code, so a re-sent e-mail matches the first, while without the secret codes cannot be
// derived from the sequential ids.
func TicketCode(secret []byte, orderID, sessionID int) string {
	mac := hmac.New(sha256.New, secret)
	var buf [len("ticket") + 16]byte
	copy(buf[:], "ticket") // domain separation from other uses of the same secret
	binary.BigEndian.PutUint64(buf[6:], uint64(orderID))
	binary.BigEndian.PutUint64(buf[14:], uint64(sessionID))
	mac.Write(buf[:])
	sum := mac.Sum(nil)

	v := uint64(sum[0])<<32 | uint64(sum[1])<<24 | uint64(sum[2])<<16 | uint64(sum[3])<<8 | uint64(sum[4])
	var code [8]byte
	for i := len(code) - 1; i >= 0; i-- {
		code[i] = ticketCodeAlphabet[v&31]
		v >>= 5
	}
	return "TKT-" + string(code[:4]) + "-" + string(code[4:])
}
