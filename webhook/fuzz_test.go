package webhook

import (
	"errors"
	"testing"
	"time"
)

func FuzzVerify(f *testing.F) {
	valid := Sign(testSecret, fixedNow, testBody)
	for _, h := range []string{
		valid,
		valid + "," + valid,
		"t=1745685000",
		"t=,v1=",
		"v1=00,t=1",
		"t=1745685000, v1=ca90fa8006ead79eacce9e505e4414d0c43dc3e37ee4e7a3aa1d4223601898d2",
		"t=-1,v1=zz",
		"=,=,=",
		",",
		"t=9223372036854775807,v1=" + valid[len(valid)-64:],
	} {
		f.Add(h, testBody)
	}
	known := []error{ErrNotSigned, ErrInvalidHeader, ErrNoValidSignature, ErrTimestampOutOfTolerance}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := Verify(testSecret, header, body, fixedNow, time.Minute)
		if err != nil {
			ok := false
			for _, k := range known {
				ok = ok || errors.Is(err, k)
			}
			if !ok {
				t.Fatalf("Verify(%q) = %v, not one of the documented errors", header, err)
			}
		} else if _, _, perr := parseHeader(header); perr != nil {
			t.Fatalf("Verify accepted %q, which does not parse: %v", header, perr)
		}
		// Whatever the body, a fresh signature of it verifies.
		if err := Verify(testSecret, Sign(testSecret, fixedNow, body), body, fixedNow, time.Minute); err != nil {
			t.Fatalf("own signature of %q rejected: %v", body, err)
		}
	})
}
