package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	fixedNow   = time.Date(2025, 4, 26, 16, 30, 0, 0, time.UTC)
	testSecret = []byte("whsec_test")
	testBody   = []byte(`{"id":"ps_1","status":"completed"}`)
)

func TestSignKnownVector(t *testing.T) {
	t.Parallel()
	// Computed independently: python3 hmac.new(b"whsec_test", b"1745685000." + body, sha256).
	want := "t=1745685000,v1=ca90fa8006ead79eacce9e505e4414d0c43dc3e37ee4e7a3aa1d4223601898d2"
	assert.Equal(t, want, Sign(testSecret, fixedNow, testBody))
	assert.Equal(t, want, Sign(testSecret, fixedNow.Add(999*time.Millisecond), testBody), "sub-second part is dropped")
}

func TestVerify(t *testing.T) {
	t.Parallel()
	valid := Sign(testSecret, fixedNow, testBody)
	otherSig := Sign([]byte("whsec_old"), fixedNow, testBody)
	_, oldV1, _ := strings.Cut(otherSig, ",")

	tests := map[string]struct {
		secret    []byte
		header    string
		body      []byte
		now       time.Time
		tolerance time.Duration
		want      error
	}{
		"valid":                    {header: valid},
		"valid with spaces":        {header: strings.ReplaceAll(valid, ",", ", ")},
		"unknown keys ignored":     {header: "v0=abc," + valid + ",v2=zzz"},
		"rotation: second matches": {header: valid[:strings.Index(valid, ",")] + "," + oldV1 + valid[strings.Index(valid, ","):]},
		"rotation: first matches":  {header: valid + "," + oldV1},
		"uppercase hex":            {header: "t=1745685000,v1=" + strings.ToUpper(valid[strings.Index(valid, "v1=")+3:])},
		"tampered body":            {header: valid, body: []byte(`{"id":"ps_1","status":"canceled"}`), want: ErrNoValidSignature},
		"body re-encoded":          {header: valid, body: []byte(`{"id": "ps_1", "status": "completed"}`), want: ErrNoValidSignature},
		"wrong secret":             {secret: []byte("whsec_other"), header: valid, want: ErrNoValidSignature},
		"only old secret":          {header: "t=1745685000," + oldV1, want: ErrNoValidSignature},
		"timestamp changed":        {header: strings.Replace(valid, "t=1745685000", "t=1745685001", 1), want: ErrNoValidSignature},
		"stale":                    {header: valid, now: fixedNow.Add(DefaultTolerance + time.Second), want: ErrTimestampOutOfTolerance},
		"edge of tolerance":        {header: valid, now: fixedNow.Add(DefaultTolerance)},
		"from the future":          {header: valid, now: fixedNow.Add(-DefaultTolerance - time.Second), want: ErrTimestampOutOfTolerance},
		"custom tolerance":         {header: valid, now: fixedNow.Add(2 * time.Second), tolerance: time.Second, want: ErrTimestampOutOfTolerance},
		"zero tolerance = default": {header: valid, now: fixedNow.Add(4 * time.Minute), tolerance: 0},
		"empty secret":             {secret: []byte{}, header: valid, want: ErrNoSecret},
		"missing header":           {header: "", want: ErrNotSigned},
		"no timestamp":             {header: valid[strings.Index(valid, ",")+1:], want: ErrInvalidHeader},
		"no v1":                    {header: "t=1745685000", want: ErrInvalidHeader},
		"v0 only":                  {header: "t=1745685000,v0=" + strings.Repeat("00", 32), want: ErrInvalidHeader},
		"two timestamps":           {header: "t=1745685000," + valid, want: ErrInvalidHeader},
		"timestamp not a number":   {header: strings.Replace(valid, "t=1745685000", "t=abc", 1), want: ErrInvalidHeader},
		"signed timestamp":         {header: strings.Replace(valid, "t=1745685000", "t=+1745685000", 1), want: ErrInvalidHeader},
		"timestamp overflow":       {header: strings.Replace(valid, "t=1745685000", "t=99999999999999999999", 1), want: ErrInvalidHeader},
		"empty timestamp":          {header: strings.Replace(valid, "t=1745685000", "t=", 1), want: ErrInvalidHeader},
		"v1 not hex":               {header: "t=1745685000,v1=xyz", want: ErrInvalidHeader},
		"v1 too short":             {header: "t=1745685000,v1=abcd", want: ErrInvalidHeader},
		"item without =":           {header: valid + ",garbage", want: ErrInvalidHeader},
		"empty item":               {header: valid + ",", want: ErrInvalidHeader},
		"too long":                 {header: valid + strings.Repeat(","+oldV1, 70), want: ErrInvalidHeader},
		"bare hex (no scheme)":     {header: valid[strings.Index(valid, "v1=")+3:], want: ErrInvalidHeader},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			secret := testSecret
			if tc.secret != nil {
				secret = tc.secret
			}
			body := testBody
			if tc.body != nil {
				body = tc.body
			}
			now := fixedNow
			if !tc.now.IsZero() {
				now = tc.now
			}
			err := Verify(secret, tc.header, body, now, tc.tolerance)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			for _, other := range []error{ErrNoSecret, ErrNotSigned, ErrInvalidHeader, ErrNoValidSignature, ErrTimestampOutOfTolerance} {
				if other != tc.want {
					assert.False(t, errors.Is(err, other), "error %v also matches %v", err, other)
				}
			}
		})
	}
}

// The default tolerance is five minutes, as docs/checkout.md tells receivers and as the Stripe
// SDKs have it: the other tests name DefaultTolerance, so they hold whatever value it has.
func TestDefaultToleranceIsFiveMinutes(t *testing.T) {
	t.Parallel()
	header := Sign(testSecret, fixedNow, testBody)
	for _, skew := range []time.Duration{5 * time.Minute, -5 * time.Minute} {
		assert.NoError(t, Verify(testSecret, header, testBody, fixedNow.Add(skew), 0), "%s off", skew)
	}
	for _, skew := range []time.Duration{5*time.Minute + time.Second, -5*time.Minute - time.Second} {
		assert.ErrorIs(t, Verify(testSecret, header, testBody, fixedNow.Add(skew), 0), ErrTimestampOutOfTolerance, "%s off", skew)
	}
}

func TestVerifyStaleButAuthentic(t *testing.T) {
	t.Parallel()
	// A forged old signature must be reported as forged, not as merely stale: only a
	// genuine signature may produce the timestamp error.
	old := fixedNow.Add(-time.Hour)
	forged := Sign([]byte("attacker"), old, testBody)
	require.ErrorIs(t, Verify(testSecret, forged, testBody, fixedNow, 0), ErrNoValidSignature)
	genuine := Sign(testSecret, old, testBody)
	require.ErrorIs(t, Verify(testSecret, genuine, testBody, fixedNow, 0), ErrTimestampOutOfTolerance)
}
