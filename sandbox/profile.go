package sandbox

import (
	"fmt"
	"sort"
	"strings"
)

// Profile selects which generation of the live API the mock imitates where the live API has
// changed over time. docs/configuration.md lists the differences.
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
	// LiveAuthBodies applies today's body rules of sign-in and sign-up: sign-in takes authData
	// only, sign-up needs langCode, takes e-mail notifications only and answers
	// notificationData.phonePush as an array.
	LiveAuthBodies bool
	// CodeLimits applies the one-time code limits: a new code within CodeResendInterval of the
	// last answers 429, and MaxWrongCodes wrong tries destroy the code.
	CodeLimits bool
	// SiteProducts serves the products of the default project's site (fixtures'
	// product-details.json: titles and descriptions per language, statuses, images, related
	// products) instead of the answers the seed recorded.
	SiteProducts bool
	// SessionsMoveByProviderOnly stops serving PUT /payments/sessions/{id} (SDK 1.0.115's
	// updateSessionById, dropped by later SDKs): only the provider (the checkout page, the
	// admin payment actions) moves a session, and the PUT answers 404 "Cannot PUT".
	SessionsMoveByProviderOnly bool
	// FormModuleConfigs serves forms with their moduleFormConfigs, the bindings whose ids
	// submissions name, and pages with the configs that bind them; the 2025 recording has none
	// (its pages show an empty list). Products show theirs with SiteProducts.
	FormModuleConfigs bool
	// FlatMenus serves a menu's items in one list, each child after its parent and naming it
	// by parentId, as today's API does; without it they are served nested as the fixture
	// writes them (under `children`).
	FlatMenus bool
	// ListMultiselect serves every list attribute of an attribute set with multiselect (false
	// unless the fixture sets it), as today's attribute reads answer it.
	ListMultiselect bool
	// PreviewWeights serves each template preview size with a width also under its deprecated
	// name weight, as today's reads answer both.
	PreviewWeights bool
	// SDK115Paths serves the paths that only SDK 1.0.115 calls, for methods later SDKs dropped
	// or moved (getFormsData, getFormsByPageUrl, getConnected, webhookStripe, the templates,
	// previews and product statuses by id, GET /blocks, GET /products/empty-page, POST /admins).
	SDK115Paths bool
	// TypeNames2025 serves the general types of pages, blocks, templates and the general-types
	// list by the names SDK 1.0.115 knows (forUsualPage, forProductBlock, …), so that it attaches
	// a product block's products as it did in 2025.
	TypeNames2025 bool
	// RequestBodies2025 validates request bodies as the 2025 API did: the properties the
	// contract marks x-optional-in-2025 are optional. So a submission may name no
	// formModuleConfigId and moduleEntityIdentifier (SDK 1.0.115 sends neither), and goes to its
	// form's first module config.
	RequestBodies2025 bool
	// FormListWithTotal answers GET /forms as {total, items}, as SDK 1.0.149 reads it; the 2025
	// API answered the bare array (SDK 1.0.115's getAllForms types one, 1.0.137 validates one).
	FormListWithTotal bool
	// GiftLines marks each product of an order read with isGift, as today's API does since
	// gifts came with discounts; no 2025 type (SDK 1.0.115's, 1.0.137's) has the field.
	GiftLines bool
}

// The profiles the mock offers.
var (
	// ProfileSDK115 is the API as the seed scenario recorded it with SDK 1.0.115 (April 2025).
	ProfileSDK115 = Profile{Name: "sdk-1.0.115", SDK115Paths: true, TypeNames2025: true, RequestBodies2025: true}
	// ProfileLive is today's API, as OneEntry's own notes describe it; the default.
	ProfileLive = Profile{Name: "live", SessionsByOrderAsArray: true, RequireDeviceMetadata: true, ValidateSlots: true,
		LiveAuthBodies: true, CodeLimits: true, SiteProducts: true,
		SessionsMoveByProviderOnly: true, FormModuleConfigs: true, FlatMenus: true, PreviewWeights: true,
		ListMultiselect: true, FormListWithTotal: true, GiftLines: true}
	// ProfileLive2026 is ProfileLive under its earlier name; `live-2026` still parses to it.
	ProfileLive2026 = ProfileLive
	// ProfileDefault is the profile of zero options and of a --compat flag not given.
	ProfileDefault = ProfileLive
)

var profiles = map[string]Profile{
	ProfileSDK115.Name: ProfileSDK115,
	ProfileLive.Name:   ProfileLive,
	"live-2026":        ProfileLive,
}

// ProfileNames lists the names ParseProfile accepts, aliases included, sorted.
func ProfileNames() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseProfile returns the profile with the given name or alias.
func ParseProfile(name string) (Profile, error) {
	p, ok := profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("unknown compat profile %q (one of: %s)", name, strings.Join(ProfileNames(), ", "))
	}
	return p, nil
}
