package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Form is a form definition (F1, F2): the fields an order, sign-up or data form collects.
type Form struct {
	ID             int  `json:"id"`
	AttributeSetID *int `json:"attributeSetId"`
	// Type is order, data, sign_in_up (sing_in_up on old instances), collection, rating, or
	// "" when the API sends null.
	Type           string                       `json:"type"`
	LocalizeInfos  Localized[FormLocalizeInfos] `json:"localizeInfos"`
	Version        int                          `json:"version"`
	Position       int                          `json:"position"`
	Identifier     string                       `json:"identifier"`
	ProcessingType string                       `json:"processingType"`
	TemplateID     *int                         `json:"templateId"`
	Attributes     []FormAttribute              `json:"attributes"`
	// Total is sent by some instances as a number, by others as a string.
	Total json.RawMessage `json:"total,omitempty"`
	// ModuleFormConfigs links the form to modules; [0].id is the formModuleConfigId of
	// form-data posts.
	ModuleFormConfigs []json.RawMessage `json:"moduleFormConfigs,omitempty"`
}

// Attribute returns the form field with the marker.
func (f *Form) Attribute(marker string) (*FormAttribute, bool) {
	for i := range f.Attributes {
		if f.Attributes[i].Marker == marker {
			return &f.Attributes[i], true
		}
	}
	return nil, false
}

// FormLocalizeInfos is the translated text of a form.
type FormLocalizeInfos struct {
	Title            string `json:"title"`
	TitleForSite     string `json:"titleForSite,omitempty"`
	SuccessMessage   string `json:"successMessage,omitempty"`
	UnsuccessMessage string `json:"unsuccessMessage,omitempty"`
	URLAddress       string `json:"urlAddress,omitempty"`
	Database         string `json:"database,omitempty"`
	Script           string `json:"script,omitempty"`
}

// FormAttribute is one field of a form.
type FormAttribute struct {
	// Type is the attribute type: string, integer, float, date, dateTime, time, text, list,
	// radioButton, entity, timeInterval, file, image, groupOfImages, …
	Type          string                            `json:"type"`
	Marker        string                            `json:"marker"`
	Position      int                               `json:"position"`
	IsVisible     bool                              `json:"isVisible"`
	LocalizeInfos Localized[AttributeLocalizeInfos] `json:"localizeInfos"`
	// ListTitles are the choices of list and entity fields.
	ListTitles []ListTitle `json:"listTitles"`
	// Validators maps a validator name (requiredValidator, …) to its settings.
	Validators map[string]json.RawMessage `json:"validators"`
	Settings   map[string]any             `json:"settings"`
	// AdditionalFields is an array on the wire (SDK 1.0.149 turns it into an object).
	AdditionalFields json.RawMessage `json:"additionalFields,omitempty"`
	InitialValue     json.RawMessage `json:"initialValue,omitempty"`
	// Value carries precomputed timeInterval slots on newer instances.
	Value json.RawMessage `json:"value,omitempty"`
	// The flags below are null on the wire for most fields.
	IsLogin                 *bool `json:"isLogin"`
	IsSignUp                *bool `json:"isSignUp"`
	IsPassword              *bool `json:"isPassword,omitempty"`
	IsSignUpRequired        *bool `json:"isSignUpRequired,omitempty"`
	IsNotificationEmail     *bool `json:"isNotificationEmail"`
	IsNotificationPhoneSMS  *bool `json:"isNotificationPhoneSMS"`
	IsNotificationPhonePush *bool `json:"isNotificationPhonePush"`
}

// Required reports whether the field has a strict requiredValidator.
func (a FormAttribute) Required() bool {
	raw, ok := a.Validators["requiredValidator"]
	if !ok {
		return false
	}
	var v struct {
		Strict bool `json:"strict"`
	}
	return json.Unmarshal(raw, &v) == nil && v.Strict
}

// EntityOptions returns the products an entity field offers: the list entries whose id is
// "p-<pageId>-<productId>", except those explicitly marked selected: false. Page entries
// (numeric ids) are headings, not choices.
func (a FormAttribute) EntityOptions() []EntityOption {
	var opts []EntityOption
	for _, lt := range a.ListTitles {
		id, ok := lt.ID.(string)
		if !ok {
			continue
		}
		pageID, _, ok := ParseProductEntityID(id)
		if !ok || (lt.Selected != nil && !*lt.Selected) {
			continue
		}
		opts = append(opts, EntityOption{ID: id, PageID: pageID, Title: lt.Title})
	}
	return opts
}

// AttributeLocalizeInfos is the translated text of a form field; timeInterval fields also
// carry their schedule here.
type AttributeLocalizeInfos struct {
	Title     string     `json:"title"`
	Intervals []Schedule `json:"intervals,omitempty"`
}

// Schedule is one rule of a timeInterval field: slots of Period minutes inside each window,
// from Range[0] to Range[1], repeated weekly and/or monthly. SDK 1.0.137+ computes the
// concrete slots on the client; the API sends only the rule.
type Schedule struct {
	ID string `json:"id"`
	// Range is [fromISO, toISO]; equal values mean a single start date.
	Range []string `json:"range"`
	// External holds exceptions to the rule.
	External     json.RawMessage `json:"external,omitempty"`
	Intervals    []TimeWindow    `json:"intervals"`
	InEveryWeek  bool            `json:"inEveryWeek"`
	InEveryMonth bool            `json:"inEveryMonth"`
}

// TimeWindow is a daily window cut into slots of Period minutes.
type TimeWindow struct {
	ID     string    `json:"id"`
	Start  ClockTime `json:"start"`
	End    ClockTime `json:"end"`
	Period int       `json:"period"`
}

// ClockTime is a UTC time of day.
type ClockTime struct {
	Hours   int `json:"hours"`
	Minutes int `json:"minutes"`
}

// ListTitle is one choice of a list or entity field. In entity fields pages have numeric ids
// (depth 0) and products string ids "p-<pageId>-<productId>" with parentId = the page.
type ListTitle struct {
	// ID is a float64 (a page, a list value) or a string (a product entry).
	ID       any    `json:"id"`
	Depth    int    `json:"depth"`
	Title    string `json:"title"`
	ParentID *int   `json:"parentId"`
	// Position is a number for products and a LexoRank string for pages.
	Position any   `json:"position"`
	Selected *bool `json:"selected,omitempty"`
	IsPinned *bool `json:"isPinned,omitempty"`
	// Value is set on list fields.
	Value any `json:"value,omitempty"`
}

// EntityOption is a product an entity field offers.
type EntityOption struct {
	// ID is the value to send in formData: "p-<pageId>-<productId>".
	ID     string
	PageID int
	Title  string
}

// ProductID returns the product id encoded in the option's ID, the productId of the order's
// products entry.
func (o EntityOption) ProductID() int {
	_, id, _ := ParseProductEntityID(o.ID)
	return id
}

// ProductEntityID formats the formData value that selects a product in an entity field.
func ProductEntityID(pageID, productID int) string {
	return fmt.Sprintf("p-%d-%d", pageID, productID)
}

// ParseProductEntityID splits "p-<pageId>-<productId>" into its ids.
func ParseProductEntityID(id string) (pageID, productID int, ok bool) {
	rest, found := strings.CutPrefix(id, "p-")
	if !found {
		return 0, 0, false
	}
	page, product, found := strings.Cut(rest, "-")
	if !found {
		return 0, 0, false
	}
	p, err1 := strconv.Atoi(page)
	q, err2 := strconv.Atoi(product)
	if err1 != nil || err2 != nil || p < 0 || q <= 0 {
		return 0, 0, false
	}
	return p, q, true
}

// FormDataItem is one submitted form value: the attribute's marker and type and a value
// whose shape depends on the type (a scalar, ["p-8-10"] for entity fields, [[startISO,
// endISO]] for timeInterval fields, …).
type FormDataItem struct {
	Marker string `json:"marker"`
	Type   string `json:"type"`
	Value  any    `json:"value"`
}

// FormList is a page of forms. Newer APIs answer {"total":N,"items":[…]}, older ones a bare
// array; both decode here (Total is then the array's length).
type FormList struct {
	Total Count  `json:"total"`
	Items []Form `json:"items"`
}

// UnmarshalJSON accepts the object and the bare-array form.
func (l *FormList) UnmarshalJSON(data []byte) error {
	if trimmed := strings.TrimSpace(string(data)); strings.HasPrefix(trimmed, "[") {
		var items []Form
		if err := json.Unmarshal(data, &items); err != nil {
			return err
		}
		*l = FormList{Total: Count(len(items)), Items: items}
		return nil
	}
	type alias FormList
	var a alias
	if err := json.Unmarshal(data, &a); err != nil {
		return err
	}
	*l = FormList(a)
	return nil
}

// Form returns the form with the marker (F1, GET /forms/marker/{marker}?langCode=).
func (c *Client) Form(ctx context.Context, marker string) (*Form, error) {
	return call[Form](ctx, c, http.MethodGet, "/forms/marker/"+seg(marker), c.langQuery(), nil)
}

// Forms lists the project's forms (F2, GET /forms?langCode=&offset=&limit=).
func (c *Client) Forms(ctx context.Context, offset, limit int) (*FormList, error) {
	return call[FormList](ctx, c, http.MethodGet, "/forms", c.pageQuery(offset, limit), nil)
}
