package contracts

import "strings"

// siteExchanges are valid exchanges of the site's operations: pages, blocks, menus and their
// catalogues.
func siteExchanges() map[string]struct {
	method, target, body string
	status               int
	resp                 string
} {
	const (
		page     = `{"id":8,"parentId":null,"pageUrl":"tickets","depth":0,"localizeInfos":{"title":"Tickets","menuTitle":"Tickets"},"isVisible":true,"type":"catalog_page","templateIdentifier":"catalog_template","attributeSetIdentifier":"page","attributeValues":{"subtitle":{"type":"string","value":"Three ways","position":1,"additionalFields":[]}},"moduleFormConfigs":[],"rating":{},"isSync":true,"blocks":["similar_tickets"],"position":3,"config":{"rowsPerPage":12,"productsPerRow":3},"products":3}`
		block    = `{"id":1,"localizeInfos":{"title":"Hero banner"},"version":0,"position":1,"identifier":"hero","type":"common_block","templateIdentifier":"hero_template","isVisible":true,"attributeValues":{},"customSettings":{},"attributesSetIdentifier":"block","productPageUrls":[]}`
		product  = `{"id":10,"localizeInfos":{"title":"Bronze"},"statusIdentifier":null,"statusLocalizeInfos":{},"attributeSetIdentifier":"tickets","position":1,"templateIdentifier":null,"shortDescTemplateIdentifier":null,"price":100,"additional":{"prices":{"min":100,"max":300}},"sku":null,"isSync":true,"isVisible":true,"categories":["tickets"],"attributeValues":{}}`
		attr     = `{"type":"list","marker":"features","position":4,"isVisible":true,"initialValue":null,"localizeInfos":{"title":"Included"},"validators":{},"listTitles":[{"title":"Programme","value":"programme","position":1,"extended":{"value":null,"type":null}}],"additionalFields":[]}`
		set      = `{"id":1,"createdDate":"2025-03-01T10:00:00.000Z","updatedDate":"2025-04-20T09:30:00.000Z","version":1,"identifier":"tickets","typeId":1,"title":"Tickets","schema":{"features":` + attr + `},"isVisible":true,"properties":{},"type":{"id":1,"type":"product"},"position":1}`
		template = `{"id":1,"attributeSetIdentifier":"template","title":"Home page","generalTypeId":8,"identifier":"home_template","version":0,"generalTypeName":"common_page","attributeValues":{},"position":1}`
		preview  = `{"id":2,"title":"Wide banner","proportions":{"default":{"horizontal":{"width":1200,"height":400,"alignmentType":"center"},"vertical":null,"square":{"side":400,"alignmentType":"center"}}},"identifier":"hero_wide","version":0,"attributeValues":{},"position":2,"isUsed":true,"attributeSetIdentifier":null}`
		sitemaps = `["http://localhost:8080/cloud-static/sitemaps/sitemap-en_US.xml"]`
		notFound = `{"statusCode":404,"message":"Page not found","error":"Not Found","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`
	)
	return map[string]struct {
		method, target, body string
		status               int
		resp                 string
	}{
		"listPages":             {"GET", "/api/content/pages?langCode=ru_RU", "", 200, "[" + page + "]"},
		"listRootPages":         {"GET", "/api/content/pages/root?langCode=en_US", "", 200, "[" + page + "]"},
		"searchPages":           {"GET", "/api/content/pages/quick/search?url=undefined&lang=en_US&name=tick", "", 200, `[{"id":8,"title":"Tickets","pageUrl":"tickets"}]`},
		"getPageByUrl":          {"GET", "/api/content/pages/url/tickets?langCode=en_US", "", 200, page},
		"getPageByUrl unknown":  {"GET", "/api/content/pages/url/nowhere?langCode=en_US", "", 404, notFound},
		"listChildPages":        {"GET", "/api/content/pages/about/children?langCode=en_US", "", 200, "[]"},
		"getPageConfig":         {"GET", "/api/content/pages/home/config", "", 200, `{"rowsPerPage":null,"productsPerRow":null}`},
		"listPageBlocks":        {"GET", "/api/content/pages/home/blocks?langCode=en_US", "", 200, "[" + strings.TrimSuffix(block, "}") + `,"attributeSetIdentifier":"block","isSync":false}]`},
		"getPage":               {"GET", "/api/content/pages/8?langCode=en_US", "", 200, page},
		"listBlocks":            {"POST", "/api/content/blocks?langCode=en_US&type=&offset=0&limit=30", "", 201, `{"total":1,"items":[` + block + `]}`},
		"searchBlocks":          {"GET", "/api/content/blocks/quick/search?langCode=en_US&name=hero", "", 200, `[{"id":1,"identifier":"hero","name":"Hero banner"}]`},
		"getBlock":              {"GET", "/api/content/blocks/marker/hero?langCode=en_US", "", 200, block},
		"listBlockProducts":     {"GET", "/api/content/blocks/featured_tickets/products?langCode=en_US&offset=0&limit=30", "", 200, `{"total":1,"items":[` + product + `]}`},
		"listSimilarProducts":   {"GET", "/api/content/blocks/similar_tickets/similar-products?langCode=en_US&offset=0&limit=30", "", 200, `{"total":1,"items":[` + product + `]}`},
		"listFrequentlyOrdered": {"GET", "/api/content/blocks/frequently_ordered/products/10/frequently-ordered?langCode=en_US", "", 200, `{"total":0,"items":[],"fallbackUsed":true}`},
		"getMenu": {"GET", "/api/content/menus/marker/main?langCode=en_US", "", 200,
			`{"id":1,"identifier":"main","localizeInfos":{"title":"Main menu"},"pages":[{"id":2,"pageUrl":"about","itemType":"page","localizeInfos":{"title":"About"},"attributeValues":{},"position":2,"parentId":null,"children":[{"id":3,"pageUrl":"history","itemType":"page","localizeInfos":{"title":"History"},"attributeValues":{},"position":1,"parentId":2}]}]}`},
		"listLocales":          {"GET", "/api/content/locales/active/all", "", 200, `[{"id":1,"shortCode":"en","code":"en_US","name":"English (USA)","nativeName":"English (USA)","isActive":true,"image":null,"position":1}]`},
		"listGeneralTypes":     {"GET", "/api/content/general-types", "", 200, `[{"id":1,"type":"product"}]`},
		"listAttributeSets":    {"GET", "/api/content/attributes-sets?langCode=en_US&offset=0&limit=30&typeId=1", "", 200, `{"total":1,"items":[` + set + `]}`},
		"getAttributeSet":      {"GET", "/api/content/attributes-sets/marker/tickets?langCode=en_US", "", 200, set},
		"listSetAttributes":    {"GET", "/api/content/attributes-sets/tickets/attributes?langCode=en_US", "", 200, "[" + attr + "]"},
		"getSetAttribute":      {"GET", "/api/content/attributes-sets/tickets/attributes/features?langCode=en_US", "", 200, attr},
		"listTemplatesByType":  {"GET", "/api/content/templates?type=common_page&langCode=en_US", "", 200, "[" + template + "]"},
		"listTemplates":        {"GET", "/api/content/templates/all?langCode=en_US", "", 200, `{"common_page":[` + template + `]}`},
		"getTemplate":          {"GET", "/api/content/templates/marker/home_template?langCode=en_US", "", 200, template},
		"listTemplatePreviews": {"GET", "/api/content/template-previews?langCode=en_US", "", 200, "[" + preview + "]"},
		"getTemplatePreview":   {"GET", "/api/content/template-previews/marker/hero_wide?langCode=en_US", "", 200, preview},
		"getSitemap":           {"GET", "/api/content/sitemap/", "", 200, sitemaps},
		"updateSitemap":        {"POST", "/api/content/sitemap/", `{"baseUrls":{"en_US":"https://tickets.example"}}`, 201, sitemaps},
		"systemTest404": {"GET", "/api/content/system/test404", "", 404,
			`{"statusCode":404,"message":"Not Found","error":"Not Found","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`},
		"systemTest500": {"GET", "/api/content/system/test500", "", 500,
			`{"statusCode":500,"message":"Internal server error","error":"Internal Server Error","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`},
		"systemApiStat": {"GET", "/api/content/system/api-stat", "", 200, `{"date":"2025-04-30","count":12}`},
		"listAdmins": {"POST", "/api/content/admins/all?langCode=en_US&offset=0&limit=30", `[{"attributeMarker":"role","conditionMarker":"eq","conditionValue":"Owner"}]`, 201,
			`[{"id":1,"attributeSetId":null,"identifier":"admin","attributeSetIdentifier":null,"position":1,"isSync":true,"attributeValues":{"en_US":{"name":{"type":"string","value":"Anna Petrova"}}},"moduleFormConfigs":[]}]`},
	}
}
