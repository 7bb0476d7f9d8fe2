package contracts

import "strings"

// boundary separates the parts of the multipart bodies of the examples.
const boundary = "XBOUNDARY"

type exchangeExample = struct {
	method, target, body string
	status               int
	resp                 string
}

// catalogExchanges are valid exchanges of the catalogue's operations and those of the site's
// state around it (statuses, collections, files, events); product is a valid product.
func catalogExchanges(product string) map[string]exchangeExample {
	const (
		status     = `{"id":1,"identifier":"in_stock","localizeInfos":{"title":"In stock"},"isDefault":true,"version":0,"position":1}`
		collection = `{"id":1,"identifier":"faq","formId":null,"localizeInfos":{"title":"FAQ"},"attributeSetId":null,"selectedAttributeMarkers":"question,answer"}`
		row        = `{"id":1,"createdDate":"2025-04-30T21:54:48.918Z","updatedDate":"2025-04-30T21:54:48.918Z","collectionId":1,"formData":[{"marker":"question","type":"string","value":"Why?"}],"entityType":null,"entityId":null,"attributeSetIdentifier":null}`
		rowBody    = `{"formIdentifier":"faq","formData":[{"marker":"question","type":"string","value":"Why?"}]}`
		filter     = `{"filter":[{"attributeMarker":"price","conditionMarker":"mth","conditionValue":1,"pageUrls":["tickets"],"isNested":false,"title":""}]}`
		counts     = `{"totalAll":3,"totalInCategory":3,"totalInCategoryWithNested":3}`
		query      = "?langCode=en_US&offset=0&limit=30&sortKey=price&sortOrder=ASC&statusMarker=in_stock&conditionMarker=eq&attributeMarker=price&conditionValue=100"
		true_      = `true`
	)
	related := strings.Replace(product, `"paymentStages":null`, `"paymentStages":null,"relatedIds":[11,12]`, 1)
	list := `{"items":[` + related + `],"total":1}`
	return map[string]exchangeExample{
		"listProducts":             {"POST", "/api/content/products/all" + query, filter, 201, list},
		"listProducts bare":        {"POST", "/api/content/products/all?langCode=en_US", `[]`, 201, `{"items":[],"total":0}`},
		"countProducts":            {"POST", "/api/content/products/all/counts", `[]`, 201, counts},
		"listProductsWithoutPage":  {"POST", "/api/content/products/empty-page?langCode=en_US", `{}`, 201, `[]`},
		"listProductsByPageUrl":    {"POST", "/api/content/products/page/url/tickets" + query, filter, 201, list},
		"countProductsByPageUrl":   {"POST", "/api/content/products/page/url/tickets/counts", `[]`, 201, counts},
		"listProductsByPageId":     {"POST", "/api/content/products/page/8" + query, filter, 201, list},
		"countProductsByPageId":    {"POST", "/api/content/products/page/8/counts", `[]`, 201, counts},
		"listProductPrices":        {"GET", "/api/content/products/page/tickets/prices?langCode=en_US", "", 200, `{"items":[{"id":10,"price":100}],"total":1}`},
		"searchProducts":           {"GET", "/api/content/products/quick/search?langCode=en_US&name=bro", "", 200, `[{"id":10,"title":"Bronze ticket"}]`},
		"listRelatedProducts":      {"GET", "/api/content/products/10/related?langCode=en_US", "", 200, list},
		"listProductBlocks":        {"GET", "/api/content/products/10/blocks", "", 200, `[]`},
		"listProductStatuses":      {"GET", "/api/content/product-statuses", "", 200, "[" + status + "]"},
		"getProductStatus":         {"GET", "/api/content/product-statuses/marker/in_stock", "", 200, status},
		"validateProductStatus":    {"GET", "/api/content/product-statuses/marker-validation/in_stock", "", 200, `{"valid":true}`},
		"listCollections":          {"GET", "/api/content/integration-collections?langCode=en_US&offset=0&limit=30", "", 200, "[" + collection + "]"},
		"getCollection":            {"GET", "/api/content/integration-collections/1?langCode=en_US", "", 200, collection},
		"validateCollectionMarker": {"GET", "/api/content/integration-collections/marker-validation/faq", "", 200, `{"valid":false}`},
		"listCollectionRowsById":   {"GET", "/api/content/integration-collections/1/rows?langCode=en_US&offset=0&limit=30&entityType=orders&entityId=1", "", 200, `{"items":[` + row + `],"total":1}`},
		"listCollectionRows":       {"GET", "/api/content/integration-collections/marker/faq/rows?langCode=en_US", "", 200, `{"items":[],"total":0}`},
		"createCollectionRow":      {"POST", "/api/content/integration-collections/marker/faq/rows?langCode=en_US", rowBody, 201, row},
		"getCollectionRow":         {"GET", "/api/content/integration-collections/marker/faq/rows/1?langCode=en_US", "", 200, row},
		"updateCollectionRow":      {"PUT", "/api/content/integration-collections/marker/faq/rows/1?langCode=en_US", rowBody, 200, row},
		"deleteCollectionRow":      {"DELETE", "/api/content/integration-collections/marker/faq/rows/1", "", 200, true_},
		"getFile":                  {"GET", "/api/content/files?id=1&type=page&entity=editor&filename=a.png", "", 404, `{"statusCode":404,"message":"File a.png not found","error":"Not Found","pageData":null,"timestamp":"2025-04-30T21:54:48.918Z"}`},
		"deleteFile":               {"DELETE", "/api/content/files?filename=files/project/page/a.png", "", 200, true_},
		"listSubscriptions":        {"GET", "/api/content/events/subscriptions?offset=0&limit=30", "", 200, `{"total":1,"items":[{"eventMarker":"price_change","productId":10}]}`},
		"subscribe":                {"POST", "/api/content/events/subscribe/marker/price_change", `{"locale":"en_US","productId":10}`, 201, true_},
		"unsubscribe":              {"DELETE", "/api/content/events/unsubscribe/marker/price_change", `{"productId":10,"locale":"en_US"}`, 200, true_},
		"uploadFiles": {"POST", "/api/content/files?type=page&entity=editor&id=3787", "--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--" + boundary + "--\r\n", 201,
			`[{"filename":"files/project/page/editor/3787/a.txt","downloadLink":"http://localhost/cloud-static/t/files/project/page/editor/3787/a.txt","size":5}]`},
	}
}
