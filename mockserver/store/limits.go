package store

import (
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Caps on state that grows from requests. Public endpoints (generate-code, auth) store what
// the caller sends; without these a few requests with megabyte strings held gigabytes.
const (
	// MaxEventIdentifierBytes bounds a generate-code event identifier: the project's events
	// are short markers ("reg", "reset_password").
	MaxEventIdentifierBytes = 128
	// MaxCodesPerUser bounds the one-time codes a user holds at once, one per event
	// identifier; a code for a further event replaces the user's oldest one.
	MaxCodesPerUser = 16
	// MaxSessionsPerUser bounds a user's open auth sessions with one provider; a further
	// login ends the oldest session (its refresh token stops working), as a device list would.
	MaxSessionsPerUser = 100
	// MaxDeviceFieldBytes bounds each field of a session's device (os, browser, location).
	MaxDeviceFieldBytes = 256
	// MaxCounter bounds the next ids of a state document, and so every id: 2^53, one past
	// the largest integer a JavaScript number holds exactly, far below where an id would wrap
	// negative.
	MaxCounter = 1 << 53
	// MaxOAuthGrants bounds the authorization codes waiting to be exchanged in one sandbox; the
	// consent page is public, so issuing one more past the bound forgets the oldest.
	MaxOAuthGrants = 1024
	// MaxRedirectURIBytes bounds the redirect address an authorization code remembers.
	MaxRedirectURIBytes = 2048
	// MaxEventMarkerBytes bounds the event marker of a subscription: the project's events are
	// short markers ("back_in_stock", "price_change").
	MaxEventMarkerBytes = 128
	// MaxSubscriptionsPerUser bounds a user's event subscriptions (one per event marker and
	// product): a shop's few events over its products, with room to spare.
	MaxSubscriptionsPerUser = 1000
	// MaxAccountPatchKeys bounds the settings and test settings a payment account's run-time
	// patches keep, which add up until a reset.
	MaxAccountPatchKeys = 100
	// MaxLocaleBytes bounds the locale a subscription keeps: a language tag.
	MaxLocaleBytes = 32
)

// checkEventIdentifier refuses an event identifier that could not name a project event or
// could not go into a mail header: too long, control characters, or invalid UTF-8 (which the
// JSON decoder has already turned into U+FFFD).
func checkEventIdentifier(event string) error {
	if len(event) > MaxEventIdentifierBytes {
		return Invalid("eventIdentifier must be at most " + strconv.Itoa(MaxEventIdentifierBytes) + " bytes long")
	}
	if !printable(event) {
		return Invalid("eventIdentifier must be valid UTF-8 without control characters")
	}
	return nil
}

// checkEventMarker refuses an event marker that could name no project event, or that the
// state could not keep as it is: saved state is keyed by it, and an invalid UTF-8 marker comes
// back from a document as another string.
func checkEventMarker(marker string) error {
	switch {
	case marker == "":
		return Invalid("marker should not be empty")
	case len(marker) > MaxEventMarkerBytes:
		return Invalid("marker must be at most " + strconv.Itoa(MaxEventMarkerBytes) + " bytes long")
	case !printable(marker):
		return Invalid("marker must be valid UTF-8 without control characters")
	}
	return nil
}

// printable reports whether s is valid UTF-8 without control characters or U+FFFD.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError })
}

// singleAddress reports whether s is exactly one bare e-mail address: no display name, no
// list, no angle brackets, nothing a mail header could not carry.
func singleAddress(s string) bool {
	if !printable(s) {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s
}

// checkDevice refuses device fields longer than MaxDeviceFieldBytes.
func checkDevice(d DeviceInfo) error {
	for _, f := range [...]struct{ name, value string }{{"os", d.OS}, {"browser", d.Browser}, {"location", d.Location}} {
		if len(f.value) > MaxDeviceFieldBytes {
			return Invalid("x-device-metadata deviceInfo." + f.name + " must be at most " + strconv.Itoa(MaxDeviceFieldBytes) + " bytes long")
		}
	}
	return nil
}

// checkIDLeft refuses a write that would hand out the id next of a counter at MaxCounter: the
// id would not survive a JavaScript client, nor the sandbox's export its own import. Only an
// imported state document brings a counter there.
func checkIDLeft(next int, what string) error {
	if next >= MaxCounter {
		return Errorf(CodeIDsUsedUp, "The sandbox has no %s ids left: reset it, or import its state with lower counters", what)
	}
	return nil
}
