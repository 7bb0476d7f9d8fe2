package webhook

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A redelivery is a new delivery of the same event and body, signed with the same secret.
func TestRedeliver(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, answer(http.StatusNoContent))
	d, _ := newTestDispatcher(t, Options{})
	first := d.Enqueue(delivery(rc.URL))
	waitIdle(t, d)
	before := d.Changes()

	again, err := d.Redeliver(first)
	require.NoError(t, err)
	waitIdle(t, d)
	assert.NotEqual(t, first, again)
	assert.Greater(t, d.Changes(), before, "watchers see the new record")

	reqs := rc.requests()
	require.Len(t, reqs, 2)
	require.NoError(t, reqs[1].verifyErr, "signed with the original secret")
	assert.Equal(t, reqs[0].body, reqs[1].body)
	assert.Equal(t, again, reqs[1].header.Get(DeliveryHeader))
	rec := get(t, d, again)
	assert.Equal(t, StatusDelivered, rec.Status)
	assert.Equal(t, get(t, d, first).RequestID, rec.RequestID)

	_, err = d.Redeliver("whd_none")
	assert.ErrorIs(t, err, ErrUnknownDelivery)
}
