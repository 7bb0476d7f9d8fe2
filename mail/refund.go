package mail

import (
	htmltemplate "html/template"
	"strconv"
	"text/template"
)

// RefundData is what the ticket-cancellation e-mail shows once the shop approves a refund.
type RefundData struct {
	EventTitle string
	// Tickets lists what was refunded ("Бронзовый × 2, Серебряный").
	Tickets  string
	OrderID  int
	RefundID int
	// Amount is the refunded amount as the API renders it ("90.00").
	Amount     string
	Currency   string
	BuyerName  string
	BuyerEmail string
}

// RefundEmail renders the message telling the buyer that the refunded tickets are canceled.
func RefundEmail(d RefundData) (subject, text, html string) {
	subject = "Your tickets are canceled: order #" + strconv.Itoa(d.OrderID)
	if d.EventTitle != "" {
		subject += ", " + d.EventTitle
	}
	return subject, render(refundText, d), renderHTML(refundHTML, d)
}

var refundText = template.Must(template.New("refund.txt").Parse(`Hello{{with .BuyerName}} {{.}}{{end}},

Your refund request #{{.RefundID}} is approved. These tickets are canceled and can no longer
be used:
{{with .EventTitle}}
Event:   {{.}}{{end}}
Tickets: {{.Tickets}}
Order:   #{{.OrderID}}
Refund:  {{.Amount}}{{with .Currency}} {{.}}{{end}}
{{- with .BuyerEmail}}

This e-mail was sent to {{.}}.{{end}}
`))

var refundHTML = htmltemplate.Must(htmltemplate.New("refund.html").Parse(`<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Your tickets are canceled</title></head>
<body style="font-family: sans-serif">
<p>Hello{{with .BuyerName}} {{.}}{{end}},</p>
<p>Your refund request #{{.RefundID}} is approved. These tickets are canceled and can no longer be used:</p>
<table>
{{- with .EventTitle}}
<tr><th align="left">Event</th><td>{{.}}</td></tr>{{end}}
<tr><th align="left">Tickets</th><td>{{.Tickets}}</td></tr>
<tr><th align="left">Order</th><td>#{{.OrderID}}</td></tr>
<tr><th align="left">Refund</th><td>{{.Amount}}{{with .Currency}} {{.}}{{end}}</td></tr>
</table>
{{- with .BuyerEmail}}
<p style="color: #666">This e-mail was sent to {{.}}.</p>{{end}}
</body>
</html>
`))
