package mockserver

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// One reading of x-device-metadata serves the sign-in's device and a submission's fingerprint:
// the shape decides only whether a profile that insists on it refuses the header.
func TestParseDeviceMetadata(t *testing.T) {
	t.Parallel()
	linux := store.DeviceInfo{OS: "Linux", Browser: "Node.js", Location: "en-US"}
	tests := map[string]struct {
		header          string
		wantFingerprint string
		wantDevice      store.DeviceInfo
		wantShape       bool
	}{
		"as the SDK sends it":    {`{"fingerprint":"UQ_1","deviceInfo":{"os":"Linux","browser":"Node.js","location":"en-US"}}`, "UQ_1", linux, true},
		"deviceInfo not object":  {`{"fingerprint":"UQ_1","deviceInfo":"pc"}`, "UQ_1", store.DeviceInfo{}, false},
		"no deviceInfo":          {`{"fingerprint":"UQ_1"}`, "UQ_1", store.DeviceInfo{}, false},
		"fingerprint not string": {`{"fingerprint":1,"deviceInfo":{"os":"Linux","browser":"Node.js","location":"en-US"}}`, "", linux, false},
		"device field a number":  {`{"fingerprint":"UQ_1","deviceInfo":{"os":5}}`, "UQ_1", store.DeviceInfo{}, true},
		"null":                   {`null`, "", store.DeviceInfo{}, false},
		"not JSON":               {`fp-1`, "", store.DeviceInfo{}, false},
		"absent":                 {``, "", store.DeviceInfo{}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d, shape := parseDeviceMetadata(tc.header)
			assert.Equal(t, tc.wantFingerprint, d.fingerprint)
			assert.Equal(t, tc.wantDevice, d.device)
			assert.Equal(t, tc.wantShape, shape)
		})
	}
}
