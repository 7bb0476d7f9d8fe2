package client_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
)

// recorded reads a response recorded from the live API for the ticket-ordering scenario.
// Only the data is shared with the rest of the repository, never code.
func recorded(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "fixtures", "recorded", name))
	require.NoError(t, err)
	return string(b)
}

// serveBody answers every request with body (201 for POST, 200 otherwise).
func serveBody(t *testing.T, body string) *client.Client {
	t.Helper()
	return newFakeAPI(t, answer(body)).client(t)
}

func TestRecordedAuth(t *testing.T) {
	t.Parallel()
	c := serveBody(t, recorded(t, "auth.json"))
	res, err := c.Auth(t.Context(), "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: "your-user@email.com"}}})
	require.NoError(t, err)
	assert.Equal(t, "your-user@email.com", res.UserIdentifier)
	assert.Equal(t, "email", res.AuthProviderIdentifier)
	assert.Equal(t, "1745494429101-5a2b9c1e-0d7f-4b7a-9a43-6c1e2834edf8", res.RefreshToken)
	assert.Equal(t, res.AccessToken, c.AccessToken())
}

func TestRecordedForm(t *testing.T) {
	t.Parallel()
	body := recorded(t, "form-tickets_form.json")
	form, err := serveBody(t, body).Form(t.Context(), "tickets_form")
	require.NoError(t, err)

	assert.Equal(t, 9, form.ID)
	assert.Equal(t, "tickets_form", form.Identifier)
	assert.Equal(t, "order", form.Type)
	require.NotNil(t, form.AttributeSetID)
	assert.Equal(t, 12, *form.AttributeSetID)
	assert.Nil(t, form.TemplateID)
	assert.Equal(t, "Билеты", form.LocalizeInfos.Value.Title)
	assert.Equal(t, "script", form.ProcessingType)

	tickets, ok := form.Attribute("tickets")
	require.True(t, ok)
	assert.Equal(t, "entity", tickets.Type)
	assert.True(t, tickets.Required())
	assert.Nil(t, tickets.IsLogin, "null flags stay nil")
	opts := tickets.EntityOptions()
	require.Len(t, opts, 3, "the page heading is not an option")
	assert.Equal(t, client.EntityOption{ID: "p-8-10", PageID: 8, Title: "Бронзовый"}, opts[0])
	assert.Equal(t, []int{10, 11, 12}, []int{opts[0].ProductID(), opts[1].ProductID(), opts[2].ProductID()})

	schedule, ok := form.Attribute("schedule")
	require.True(t, ok)
	assert.False(t, schedule.Required())
	assert.Empty(t, schedule.EntityOptions())
	require.Len(t, schedule.LocalizeInfos.Value.Intervals, 1)
	rule := schedule.LocalizeInfos.Value.Intervals[0]
	assert.Equal(t, []string{"2025-04-26T21:00:00.000Z", "2025-04-26T21:00:00.000Z"}, rule.Range)
	assert.True(t, rule.InEveryWeek)
	assert.True(t, rule.InEveryMonth)
	require.Len(t, rule.Intervals, 1)
	assert.Equal(t, client.TimeWindow{
		ID:     "f2042e47-c650-4fc6-ae1c-efdb109b450f",
		Start:  client.ClockTime{Hours: 16, Minutes: 30},
		End:    client.ClockTime{Hours: 21, Minutes: 30},
		Period: 90,
	}, rule.Intervals[0])

	_, ok = form.Attribute("missing")
	assert.False(t, ok)
}

func TestRecordedOrderCreate(t *testing.T) {
	t.Parallel()
	body := recorded(t, "order-create.json")
	order, err := serveBody(t, body).CreateOrder(t.Context(), "tickets", ticketsOrder())
	require.NoError(t, err)

	assert.Equal(t, 92, order.ID)
	assert.Equal(t, int64(10000), order.TotalSum.Cents)
	assert.False(t, order.TotalSum.IsString(), "create answers carry a number")
	assert.Equal(t, "USD", order.Currency)
	assert.Equal(t, "2025-04-30T21:54:48.918Z", order.CreatedDate)
	assert.False(t, order.FormData.Keyed(), "the recording shows the SDK-unwrapped array")
	assert.Equal(t, []client.FormDataItem{{Marker: "tickets", Type: "entity", Value: []any{"p-8-10"}}}, order.FormData.Value)
	require.Len(t, order.Products, 1)
	assert.Equal(t, 10, order.Products[0].EffectiveProductID())
	assert.Equal(t, 1, order.Products[0].Quantity)
}

func TestRecordedSessions(t *testing.T) {
	t.Parallel()
	session, err := serveBody(t, recorded(t, "payment-session-create.json")).CreateSession(t.Context(), 92, client.SessionTypeSession, false)
	require.NoError(t, err)
	assert.Equal(t, 49, session.ID)
	assert.Equal(t, 92, session.OrderID)
	assert.Equal(t, 1, session.PaymentAccountID)
	assert.Equal(t, "waiting", session.Status)
	assert.Equal(t, client.SessionTypeSession, session.Type)
	assert.Nil(t, session.PaymentURL)
	assert.Nil(t, session.Amount)

	sessions, err := serveBody(t, recorded(t, "payment-session-by-order.json")).SessionsByOrder(t.Context(), 92)
	require.NoError(t, err)
	require.Len(t, sessions, 1)
	assert.Equal(t, session.ID, sessions[0].ID)
}
