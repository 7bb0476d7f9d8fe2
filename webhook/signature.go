package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header names set on every delivery attempt. They are written with this exact casing;
// HTTP header names are case-insensitive, so receivers may look them up in any case.
const (
	SignatureHeader = "OneEntry-Mock-Signature"
	EventHeader     = "OneEntry-Mock-Event"
	DeliveryHeader  = "OneEntry-Mock-Delivery"
)

// DefaultTolerance is how far a signature's timestamp may be from the verifier's clock when
// Verify is given no tolerance; it matches the Stripe SDKs' default.
const DefaultTolerance = 5 * time.Minute

// MaxSignatureHeaderLength bounds the header Verify will parse. Rotation needs a handful of
// v1 values, each 67 bytes; anything much longer is not from a signer and is refused before
// any HMAC work.
const MaxSignatureHeaderLength = 4096

// Errors returned by Verify; match them with errors.Is, as most carry detail.
var (
	ErrNoSecret                = errors.New("webhook: empty signing secret")
	ErrNotSigned               = errors.New("webhook: missing signature header")
	ErrInvalidHeader           = errors.New("webhook: malformed signature header")
	ErrNoValidSignature        = errors.New("webhook: no signature matches the body")
	ErrTimestampOutOfTolerance = errors.New("webhook: signature timestamp outside tolerance")
)

// Sign returns the OneEntry-Mock-Signature header value for body signed with secret at ts
// (truncated to whole seconds): "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<body>">".
func Sign(secret []byte, ts time.Time, body []byte) string {
	unix := ts.Unix()
	return "t=" + strconv.FormatInt(unix, 10) + ",v1=" + hex.EncodeToString(mac(secret, unix, body))
}

func mac(secret []byte, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write(strconv.AppendInt(nil, unix, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks that header is a valid signature of body under secret, made within
// tolerance of now in either direction (a far-future timestamp would extend a replay window
// just as an old one does). A tolerance of zero or less means DefaultTolerance: replay
// protection cannot be switched off by accident; pass a large tolerance to relax it.
//
// The signature is checked before the timestamp, so ErrTimestampOutOfTolerance means the
// request was genuinely signed with secret, just not recently.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if len(secret) == 0 {
		// An empty HMAC key is a valid key that anyone can use: accepting it would make a
		// misconfigured receiver accept forged requests.
		return ErrNoSecret
	}
	if header == "" {
		return ErrNotSigned
	}
	unix, sigs, err := parseHeader(header)
	if err != nil {
		return err
	}
	want := mac(secret, unix, body)
	matched := false
	for _, s := range sigs {
		// No early exit: the time taken must not reveal which candidate matched.
		if hmac.Equal(want, s) {
			matched = true
		}
	}
	if !matched {
		return ErrNoValidSignature
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	signed := time.Unix(unix, 0)
	if skew := now.Sub(signed); skew > tolerance || skew < -tolerance {
		return fmt.Errorf("%w: signed at %s, verified at %s (tolerance %s)",
			ErrTimestampOutOfTolerance, signed.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339), tolerance)
	}
	return nil
}

// parseHeader splits "t=<unix>,v1=<hex>[,v1=<hex>...]". Unknown keys are skipped so a
// future scheme (or Stripe's v0) can be sent alongside v1 without breaking verifiers.
func parseHeader(header string) (int64, [][]byte, error) {
	if len(header) > MaxSignatureHeaderLength {
		return 0, nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidHeader, MaxSignatureHeaderLength)
	}
	var (
		unix  int64
		haveT bool
		sigs  [][]byte
	)
	for item := range strings.SplitSeq(header, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return 0, nil, fmt.Errorf("%w: item %q is not key=value", ErrInvalidHeader, item)
		}
		switch key {
		case "t":
			if haveT {
				return 0, nil, fmt.Errorf("%w: more than one timestamp", ErrInvalidHeader)
			}
			n, err := parseUnix(value)
			if err != nil {
				return 0, nil, err
			}
			unix, haveT = n, true
		case "v1":
			sig, err := hex.DecodeString(value)
			if err != nil || len(sig) != sha256.Size {
				return 0, nil, fmt.Errorf("%w: v1 is not a hex HMAC-SHA256", ErrInvalidHeader)
			}
			sigs = append(sigs, sig)
		}
	}
	if !haveT {
		return 0, nil, fmt.Errorf("%w: no timestamp", ErrInvalidHeader)
	}
	if len(sigs) == 0 {
		return 0, nil, fmt.Errorf("%w: no v1 signature", ErrInvalidHeader)
	}
	return unix, sigs, nil
}

// parseUnix accepts plain decimal digits only: ParseInt alone would also take a sign, and a
// signer never sends one.
func parseUnix(s string) (int64, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%w: timestamp %q is not a unix time", ErrInvalidHeader, s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: timestamp %q is out of range", ErrInvalidHeader, s)
	}
	return n, nil
}
