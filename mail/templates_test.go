package mail

import (
	"regexp"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the DST case must not depend on the host's zoneinfo

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var msk = time.FixedZone("MSK", 3*60*60)

func ticketData() TicketData {
	return TicketData{
		EventTitle: "Концерт",
		TicketType: "Бронзовый",
		Slot:       &Slot{time.Date(2025, 4, 26, 13, 30, 0, 0, time.UTC), time.Date(2025, 4, 26, 15, 0, 0, 0, time.UTC)},
		Location:   msk,
		OrderID:    92,
		TicketCode: "TKT-AB12-CD34",
		BuyerName:  "Иван",
		BuyerEmail: "your-user@email.com",
		Total:      "100.00",
		Currency:   "USD",
	}
}

func TestTicketEmail(t *testing.T) {
	t.Parallel()
	subject, text, html := TicketEmail(ticketData())

	assert.Equal(t, "Your ticket: Концерт, Sat, 26 Apr 2025, 16:30–18:00 MSK", subject)
	for _, want := range []string{"Hello Иван,", "Концерт", "Бронзовый", "Sat, 26 Apr 2025, 16:30–18:00 MSK", "#92", "100.00 USD", "TKT-AB12-CD34", "your-user@email.com"} {
		assert.Contains(t, text, want)
		assert.Contains(t, html, want)
	}
	assert.True(t, strings.HasPrefix(html, "<!DOCTYPE html>"))

	m, err := Build(Draft{From: DefaultFrom, To: []string{"your-user@email.com"}, Subject: subject, Text: text, HTML: html, Date: fixedDate})
	require.NoError(t, err)
	p, err := Parse(m.Raw)
	require.NoError(t, err)
	assert.Equal(t, subject, p.Subject)
	assert.Equal(t, text, p.Text)
	assert.Equal(t, html, p.HTML)
}

func TestTicketEmailEscapesHTML(t *testing.T) {
	t.Parallel()
	d := ticketData()
	d.EventTitle = `<script>alert("x")</script>`
	d.TicketType = `Gold & "VIP"`
	d.BuyerName = `<b>Mallory</b>`
	d.BuyerEmail = `a@b.test"><img src=x>`
	d.TicketCode = `<i>code</i>`
	d.Total, d.Currency = `<1>`, `<USD>`
	_, text, html := TicketEmail(d)

	for _, raw := range []string{"<script>", "<b>Mallory", "<img", "<i>code", "<1>", "<USD>", `"VIP"`} {
		assert.NotContains(t, html, raw)
	}
	assert.Contains(t, html, "&lt;script&gt;")
	assert.Contains(t, html, "Gold &amp; &#34;VIP&#34;")
	assert.Contains(t, text, `<script>alert("x")</script>`, "plain text is not HTML-escaped")
}

func TestTicketEmailOptionalFields(t *testing.T) {
	t.Parallel()
	subject, text, html := TicketEmail(TicketData{TicketType: "Silver", OrderID: 7, TicketCode: "TKT-0000-0000"})
	assert.Equal(t, "Your ticket: Silver", subject)
	assert.Contains(t, text, "Hello,\n")
	assert.NotContains(t, text, "When:")
	assert.NotContains(t, text, "Total:")
	assert.NotContains(t, text, "sent to")
	assert.NotContains(t, html, "When")
	assert.Contains(t, html, "#7")
}

func TestFormatSlot(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 4, 26, 13, 30, 0, 0, time.UTC)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	switchStart := time.Date(2025, 3, 30, 0, 30, 0, 0, time.UTC)
	tests := map[string]struct {
		start, end time.Time
		loc        *time.Location
		want       string
	}{
		"same day":   {start, start.Add(90 * time.Minute), msk, "Sat, 26 Apr 2025, 16:30–18:00 MSK"},
		"nil is UTC": {start, start.Add(90 * time.Minute), nil, "Sat, 26 Apr 2025, 13:30–15:00 UTC"},
		// The zero time.Time is an instant the clock can show, not a missing start.
		"first instant": {time.Time{}, time.Time{}.Add(90 * time.Minute), nil, "Mon, 1 Jan 0001, 00:00–01:30 UTC"},
		"across days":   {start.Add(7 * time.Hour), start.Add(9 * time.Hour), msk, "Sat, 26 Apr 2025, 23:30 MSK – Sun, 27 Apr 2025, 01:30 MSK"},
		"numeric zone":  {start, start.Add(time.Hour), time.FixedZone("", 5*60*60+30*60), "Sat, 26 Apr 2025, 19:00–20:00 +0530"},
		// The zone abbreviation changes within the day, so both ends carry theirs.
		"dst switch": {switchStart, switchStart.Add(time.Hour), berlin, "Sun, 30 Mar 2025, 01:30 CET – Sun, 30 Mar 2025, 03:30 CEST"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, formatSlot(Slot{tc.start, tc.end}, tc.loc))
		})
	}
}

func TestTicketCode(t *testing.T) {
	t.Parallel()
	secret := []byte("project-secret")
	code := TicketCode(secret, 92, 49)
	assert.Regexp(t, regexp.MustCompile(`^TKT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`), code)
	assert.Equal(t, code, TicketCode(secret, 92, 49), "deterministic")
	assert.Equal(t, "TKT-XM30-J4SH", code, "stable across releases (value checked with an independent HMAC computation): codes already e-mailed must stay valid")

	seen := map[string]bool{code: true}
	for _, other := range []string{
		TicketCode(secret, 93, 49),
		TicketCode(secret, 92, 50),
		TicketCode(secret, 49, 92),
		TicketCode([]byte("other-secret"), 92, 49),
		TicketCode(nil, 92, 49),
	} {
		assert.False(t, seen[other], "collision: %s", other)
		seen[other] = true
	}

	// 40 bits over 10k orders: any collision would point at a truncation bug.
	all := map[string]bool{}
	for id := range 10000 {
		all[TicketCode(secret, id, 1)] = true
	}
	assert.Len(t, all, 10000)
}

func TestCodeEmail(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		purpose     string
		wantSubject string
		wantIntro   string
	}{
		"sign-up":        {PurposeSignUp, "Confirm your e-mail address: 407063", "activate your account"},
		"password reset": {PurposePasswordReset, "Reset your password: 407063", "set a new password"},
		"custom event":   {"change_email", "Your verification code: 407063", "confirm the action (change_email)"},
		"no purpose":     {"", "Your verification code: 407063", "confirm the action:"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			subject, text, html := CodeEmail(tc.purpose, "407063")
			assert.Equal(t, tc.wantSubject, subject)
			assert.Contains(t, text, "407063")
			assert.Contains(t, html, "407063")
			assert.Contains(t, text, tc.wantIntro)
			assert.Contains(t, html, tc.wantIntro)
		})
	}

	_, _, html := CodeEmail(`<evt>`, `<b>1</b>`)
	assert.NotContains(t, html, "<evt>")
	assert.NotContains(t, html, "<b>1</b>")
	assert.Contains(t, html, "&lt;b&gt;1&lt;/b&gt;")
}
