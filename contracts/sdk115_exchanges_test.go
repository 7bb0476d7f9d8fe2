package contracts

import "testing"

// sdk115Exchanges are valid exchanges of the paths only SDK 1.0.115 calls, which profile
// sdk-1.0.115 serves.
func sdk115Exchanges(t *testing.T) map[string]struct {
	method, target, body string
	status               int
	resp                 string
} {
	const (
		submissions = `{"items":[{"id":1,"formIdentifier":"contact_us","time":"2025-04-30T21:54:48.918Z","formData":[{"marker":"name","type":"string","value":"Ann"}],"attributeSetIdentifier":null,"moduleIdentifier":"content","entityIdentifier":"contacts","formModuleConfigId":2,"status":"sent","userIdentifier":null,"isUserAdmin":false,"parentId":null,"depth":0}],"total":1}`
		block       = `{"id":1,"localizeInfos":{"title":"Hero banner"},"version":0,"position":1,"identifier":"hero","type":"common_block","templateIdentifier":"hero_template","isVisible":true,"attributeValues":{},"customSettings":{},"attributesSetIdentifier":"block","productPageUrls":[]}`
		template    = `{"id":1,"attributeSetIdentifier":"template","title":"Home page","generalTypeId":8,"identifier":"home_template","version":0,"generalTypeName":"common_page","attributeValues":{},"position":1}`
		preview     = `{"id":2,"title":"Wide banner","proportions":{"default":{"horizontal":{"width":1200,"height":400,"alignmentType":"center"},"vertical":null,"square":{"side":400,"alignmentType":"center"}}},"identifier":"hero_wide","version":0,"attributeValues":{},"position":2,"isUsed":true,"attributeSetIdentifier":null}`
		status      = `{"id":1,"identifier":"in_stock","localizeInfos":{"title":"In stock"},"isDefault":true,"version":0,"position":1}`
		admin       = `{"id":1,"attributeSetId":null,"identifier":"admin","attributeSetIdentifier":null,"position":1,"isSync":true,"attributeValues":{"en_US":{"name":{"type":"string","value":"Anna Petrova"}}},"moduleFormConfigs":[]}`
		unsigned    = `{"statusCode":400,"message":["No stripe-signature header value was provided"],"error":"Bad Request","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`
	)
	form := string(recorded(t, "form-tickets_form.json"))
	return map[string]struct {
		method, target, body string
		status               int
		resp                 string
	}{
		"listAllFormData":               {"GET", "/api/content/form-data?langCode=en_US&offset=0&limit=30", "", 200, submissions},
		"getFormDataByMarkerSDK115":     {"GET", "/api/content/form-data/marker/contact_us?langCode=en_US&offset=0&limit=30", "", 200, submissions},
		"getPaymentsConnected":          {"GET", "/api/content/payments/connected", "", 200, `{"stripeAccountId":null,"stripePublishableKey":null}`},
		"stripeWebhook":                 {"POST", "/api/content/payments/webhook/stripe", `{}`, 400, unsigned},
		"listProductsWithoutPageSDK115": {"GET", "/api/content/products/empty-page?langCode=en_US&offset=0&limit=30", "", 200, `{"items":[],"total":0}`},
		"getProductStatusById":          {"GET", "/api/content/product-statuses/1", "", 200, status},
		"listPageForms":                 {"GET", "/api/content/pages/tickets/forms?langCode=en_US", "", 200, "[" + form + "]"},
		"listBlocksSDK115":              {"GET", "/api/content/blocks?langCode=en_US&type=common_block&offset=0&limit=30", "", 200, `{"total":1,"items":[` + block + `]}`},
		"getTemplateByIdOrMarker":       {"GET", "/api/content/templates/1?langCode=en_US", "", 200, template},
		"getTemplateByIdOrMarker name":  {"GET", "/api/content/templates/home_template?langCode=en_US", "", 200, template},
		"getTemplatePreviewById":        {"GET", "/api/content/template-previews/2?langCode=en_US", "", 200, preview},
		"listAdminsSDK115":              {"POST", "/api/content/admins/?langCode=en_US&offset=0&limit=30", `[]`, 201, "[" + admin + "]"},
	}
}
