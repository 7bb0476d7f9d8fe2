package sandbox

import (
	"fmt"
	"sort"
	"strings"
)

// Profile selects which generation of the live API the mock imitates where the live API has
// changed over time (reference §14). The README lists the differences.
type Profile struct {
	Name string
	// SessionsByOrderAsArray answers GET /payments/sessions/order/{id} with every session of the
	// order (newest first) instead of the newest session alone.
	SessionsByOrderAsArray bool
	// RequireDeviceMetadata refuses logins without the x-device-metadata header.
	RequireDeviceMetadata bool
	// ValidateSlots refuses orders whose timeInterval value is not a slot of the form's
	// schedule, or a slot that has already started on the mock clock.
	ValidateSlots bool
}

// The profiles the mock offers.
var (
	// ProfileSDK115 is the API as the seed scenario recorded it with SDK 1.0.115 (April 2025).
	ProfileSDK115 = Profile{Name: "sdk-1.0.115"}
	// ProfileLive2026 is the API as the current platform documentation describes it.
	ProfileLive2026 = Profile{Name: "live-2026", SessionsByOrderAsArray: true, RequireDeviceMetadata: true, ValidateSlots: true}
)

var profiles = map[string]Profile{
	ProfileSDK115.Name:   ProfileSDK115,
	ProfileLive2026.Name: ProfileLive2026,
}

// ProfileNames lists the profile names, sorted.
func ProfileNames() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseProfile returns the profile with the given name.
func ParseProfile(name string) (Profile, error) {
	p, ok := profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("unknown compat profile %q (one of: %s)", name, strings.Join(ProfileNames(), ", "))
	}
	return p, nil
}
