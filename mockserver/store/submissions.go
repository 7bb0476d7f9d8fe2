package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ModuleFormConfig binds a form to entities of a module. A submission names the config it is
// made against; a form without one accepts nothing.
type ModuleFormConfig struct {
	ID                  int                `json:"id"`
	FormID              int                `json:"formId"`
	ModuleID            int                `json:"moduleId"`
	IsGlobal            bool               `json:"isGlobal"`
	EntityIdentifiers   []EntityIdentifier `json:"entityIdentifiers"`
	IsClosed            bool               `json:"isClosed"`
	IsModerate          bool               `json:"isModerate"`
	ViewOnlyUserData    bool               `json:"viewOnlyUserData"`
	CommentOnlyUserData bool               `json:"commentOnlyUserData"`
	// ModuleIdentifier names the module in read submissions (`moduleIdentifier`); the live
	// config carries only the module's id, so a pulled fixture has none ("" is served).
	ModuleIdentifier string `json:"moduleIdentifier,omitempty" fixture:"mock"`
}

// EntityIdentifier is an entity a config binds: a textual identifier or, with IsNumeric, an id.
type EntityIdentifier struct {
	ID         json.RawMessage `json:"id"`
	IsNumeric  bool            `json:"isNumeric"`
	ChildrenOn bool            `json:"childrenOn"`
}

// text is the identifier as a submission's moduleEntityIdentifier would carry it.
func (e EntityIdentifier) text() string {
	var s string
	if json.Unmarshal(e.ID, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(e.ID))
}

// EntityFormConfig is a module config as the read of a page or product it binds shows it:
// SDK 1.0.149's IFormConfig in the variant it marks "only in products/pages API". It names its
// form by marker, since a site has no other way to learn which form a page takes, and its
// entities as strings, with isNested for childrenOn. The user-data flags are the config's
// viewOnlyUserData and commentOnlyUserData under this variant's names.
type EntityFormConfig struct {
	ID                      int             `json:"id"`
	FormIdentifier          string          `json:"formIdentifier"`
	ModuleIdentifier        string          `json:"moduleIdentifier"`
	IsGlobal                bool            `json:"isGlobal"`
	IsClosed                bool            `json:"isClosed"`
	IsModerate              bool            `json:"isModerate"`
	ViewOnlyMyData          bool            `json:"viewOnlyMyData"`
	CommentOnlyMyData       bool            `json:"commentOnlyMyData"`
	EntityIdentifiers       []NestingEntity `json:"entityIdentifiers"`
	NestedEntityIdentifiers []string        `json:"nestedEntityIdentifiers"`
	ExceptionIDs            []string        `json:"exceptionIds"`
}

// NestingEntity is an entity of an EntityFormConfig: its identifier, and whether the config
// takes in the entity's children.
type NestingEntity struct {
	ID       string `json:"id"`
	IsNested bool   `json:"isNested"`
}

// onEntity returns the config as the read of an entity it binds shows it; form is its form's
// identifier.
func (c *ModuleFormConfig) onEntity(form string) EntityFormConfig {
	out := EntityFormConfig{
		ID: c.ID, FormIdentifier: form, ModuleIdentifier: c.ModuleIdentifier, IsGlobal: c.IsGlobal,
		IsClosed: c.IsClosed, IsModerate: c.IsModerate, ViewOnlyMyData: c.ViewOnlyUserData,
		CommentOnlyMyData: c.CommentOnlyUserData, EntityIdentifiers: []NestingEntity{},
		NestedEntityIdentifiers: []string{}, ExceptionIDs: []string{},
	}
	for _, e := range c.EntityIdentifiers {
		out.EntityIdentifiers = append(out.EntityIdentifiers, NestingEntity{ID: e.text(), IsNested: e.ChildrenOn})
		if e.ChildrenOn {
			out.NestedEntityIdentifiers = append(out.NestedEntityIdentifiers, e.text())
		}
	}
	return out
}

// checkModuleConfigs validates the configs of a form; ids are unique across forms.
func (f *Fixtures) checkModuleConfigs(form *Form, at string, taken map[int]bool) error {
	for k := range form.ModuleFormConfigs {
		c := &form.ModuleFormConfigs[k]
		cat := fmt.Sprintf("%s.moduleFormConfigs[%d]", at, k)
		switch {
		case c.ID < 1:
			return fixtureErr(FileForms, cat+".id", "must be a positive integer")
		case taken[c.ID]:
			return fixtureErr(FileForms, cat+".id", "duplicate module config id %d", c.ID)
		case c.FormID != form.ID:
			return fixtureErr(FileForms, cat+".formId", "must be the form's id %d, not %d", form.ID, c.FormID)
		case !c.IsGlobal && len(c.EntityIdentifiers) == 0:
			return fixtureErr(FileForms, cat+".entityIdentifiers", "must list entities unless isGlobal is set")
		}
		for e, ent := range c.EntityIdentifiers {
			if ent.text() == "" || (ent.ID[0] != '"' && !json.Valid(ent.ID)) || ent.ID[0] == '{' || ent.ID[0] == '[' {
				return fixtureErr(FileForms, fmt.Sprintf("%s.entityIdentifiers[%d].id", cat, e), "must be a non-empty string or a number")
			}
		}
		if c.EntityIdentifiers == nil {
			c.EntityIdentifiers = []EntityIdentifier{}
		}
		taken[c.ID] = true
	}
	return nil
}

// ModuleFormConfig returns the config with the given id and its form.
func (f *Fixtures) ModuleFormConfig(id int) (*ModuleFormConfig, *Form, bool) {
	for i := range f.Forms {
		for k := range f.Forms[i].ModuleFormConfigs {
			if c := &f.Forms[i].ModuleFormConfigs[k]; c.ID == id {
				return c, &f.Forms[i], true
			}
		}
	}
	return nil, nil, false
}

// The statuses of a submission, lowercase as the API takes them.
const (
	SubmissionSent       = "sent"
	SubmissionModeration = "moderation"
	SubmissionApproved   = "approved"
	SubmissionBanned     = "banned"
	SubmissionDeleted    = "deleted"
)

// SubmissionStatuses lists every status, in the order the API's messages name them.
var SubmissionStatuses = []string{SubmissionSent, SubmissionModeration, SubmissionApproved, SubmissionBanned, SubmissionDeleted}

// Submission is one set of values submitted against a form through one of its configs.
type Submission struct {
	ID               int
	FormIdentifier   string
	ConfigID         int
	EntityIdentifier string
	Language         string
	FormData         []FormDataItem
	Status           string
	// UserIdentifier is the login of the signed-in submitter, "" for a visitor.
	UserIdentifier string
	Fingerprint    string
	IP             string
	Time           time.Time
}

func (s *Submission) clone() Submission {
	c := *s
	c.FormData = slices.Clone(s.FormData)
	return c
}

// visible reports whether a status shows in reads: moderated, banned and deleted entries don't.
func visible(status string) bool { return status == SubmissionSent || status == SubmissionApproved }

// SubmissionInput is the body of a submission.
type SubmissionInput struct {
	FormIdentifier   string
	ConfigID         int
	EntityIdentifier string
	// FormData is the locale-keyed values as sent: {"en_US": [{marker, type, value}]}.
	FormData       json.RawMessage
	UserIdentifier string
	Fingerprint    string
	IP             string
	// Status is the one the body asks for, "" for none: sent or approved, as OneEntry's own
	// create-reviews code posts a review approved and reads approved ones back.
	Status string
}

// postableStatuses are the statuses a submission may be sent with.
var postableStatuses = []string{SubmissionSent, SubmissionApproved}

// checkSubmission runs the checks the live API runs on a submission, in its order, and
// answers the first failing step: (1) shape, locale and markers, (2) required values,
// (3) types and validators, (4) the form's type, (5) the config against formIdentifier.
// It returns the values to store, typed by their attributes, and their locale.
func (s *Store) checkSubmission(in SubmissionInput) ([]FormDataItem, string, *ModuleFormConfig, error) {
	form, formOK := s.fx.Form(in.FormIdentifier)
	if !formOK {
		return nil, "", nil, Invalid(msgIncorrectConfig)
	}
	items, lang, err := checkFields(s.fx, form, in.FormData)
	if err != nil {
		return nil, "", nil, err
	}
	if form.Type == nil || (*form.Type != "data" && *form.Type != "rating") {
		t := "null"
		if form.Type != nil {
			t = *form.Type
		}
		return nil, "", nil, Invalid("Form has incorrect type: " + t)
	}
	cfg, err := s.submissionConfig(form, in)
	if err != nil {
		return nil, "", nil, err
	}
	if cfg.IsClosed {
		return nil, "", nil, Errorf(CodeForbidden, "Form is closed for submissions")
	}
	return items, lang, cfg, nil
}

// submissionConfig is the config a submission names, which must be one of its form's and bind
// its entity; or, where submissions may name none, the form's first.
func (s *Store) submissionConfig(form *Form, in SubmissionInput) (*ModuleFormConfig, error) {
	if in.ConfigID == 0 && s.opts.ConfigFreeSubmissions {
		if len(form.ModuleFormConfigs) == 0 {
			return nil, Invalid(msgIncorrectConfig)
		}
		return &form.ModuleFormConfigs[0], nil
	}
	cfg, cfgForm, ok := s.fx.ModuleFormConfig(in.ConfigID)
	if !ok || cfgForm.ID != form.ID {
		return nil, Invalid(msgIncorrectConfig)
	}
	if !s.fx.bindsEntity(cfg, in.EntityIdentifier) {
		return nil, Invalid("Incorrect moduleEntityIdentifier for provided config")
	}
	return cfg, nil
}

const msgIncorrectConfig = "Incorrect formIdentifier for provided config"

// checkFields runs the field steps (1 to 3) of a submission, which an update runs too.
func checkFields(fx *Fixtures, form *Form, formData json.RawMessage) ([]FormDataItem, string, error) {
	items, lang, err := parseSubmissionValues(fx, form, formData)
	if err != nil {
		return nil, "", err
	}
	if msgs := missingRequired(form, items); len(msgs) > 0 {
		return nil, "", Invalid(msgs...)
	}
	if msgs := badValues(form, items); len(msgs) > 0 {
		return nil, "", Invalid(msgs...)
	}
	return items, lang, nil
}

// parseSubmissionValues is step 1: formData is an object with one key, an active locale of the
// project, holding a list of {marker, type?, value}, each marker a field of the form, none twice.
func parseSubmissionValues(fx *Fixtures, form *Form, raw json.RawMessage) ([]FormDataItem, string, error) {
	var byLang map[string]json.RawMessage
	if err := json.Unmarshal(raw, &byLang); err != nil || byLang == nil {
		return nil, "", Invalid(`formData must be an object keyed by locale, such as {"en_US": [{"marker": "name", "value": "…"}]}`)
	}
	if len(byLang) != 1 {
		return nil, "", Invalid("formData must hold the values of exactly one locale")
	}
	var lang string
	var list []json.RawMessage
	for k, v := range byLang {
		lang = k
		if err := fx.CheckLocale("formData", k); err != nil {
			return nil, "", err
		}
		if json.Unmarshal(v, &list) != nil {
			return nil, "", Invalid(fmt.Sprintf("formData.%s must be an array of {marker, value}", k))
		}
	}
	items := make([]FormDataItem, 0, len(list))
	seen := map[string]bool{}
	var msgs []string
	for i, r := range list {
		var fields struct {
			Marker *string          `json:"marker"`
			Type   *string          `json:"type"`
			Value  *json.RawMessage `json:"value"`
		}
		if json.Unmarshal(r, &fields) != nil || fields.Marker == nil || *fields.Marker == "" {
			msgs = append(msgs, fmt.Sprintf("formData.%s[%d] must be an object with a marker and a value", lang, i))
			continue
		}
		marker := *fields.Marker
		attr, ok := form.Attribute(marker)
		switch {
		case !ok:
			msgs = append(msgs, fmt.Sprintf("form %s has no attribute %s", form.Identifier, marker))
			continue
		case seen[marker]:
			msgs = append(msgs, "duplicate value for "+marker)
			continue
		}
		seen[marker] = true
		item := FormDataItem{Marker: marker, Type: attr.Type, Value: json.RawMessage("null")}
		if fields.Type != nil {
			item.Type = *fields.Type
		}
		if fields.Value != nil {
			item.Value = slices.Clone(*fields.Value)
		}
		items = append(items, item)
	}
	if len(msgs) > 0 {
		return nil, "", Invalid(msgs...)
	}
	return items, lang, nil
}

// missingRequired is step 2.
func missingRequired(form *Form, items []FormDataItem) []string {
	var msgs []string
	for i := range form.Attributes {
		attr := &form.Attributes[i]
		if !attr.Required() {
			continue
		}
		k := slices.IndexFunc(items, func(it FormDataItem) bool { return it.Marker == attr.Marker })
		if k < 0 || isEmptyValue(items[k].Value) || (attr.Type == "text" && emptyText(items[k].Value)) ||
			(attr.Type == "textWithHeader" && emptyHeadedText(items[k].Value)) {
			msgs = append(msgs, requiredMessage(attr.Marker))
		}
	}
	return msgs
}

// badValues is step 3: each value's type is its field's, and its shape and validators hold.
func badValues(form *Form, items []FormDataItem) []string {
	var msgs []string
	for _, item := range items {
		attr, _ := form.Attribute(item.Marker)
		if item.Type != attr.Type {
			msgs = append(msgs, fmt.Sprintf("%s must have type %s, not %s", item.Marker, attr.Type, item.Type))
			continue
		}
		if isEmptyValue(item.Value) && !isDateType(attr.Type) {
			continue
		}
		msg := ""
		switch attr.Type {
		case "text":
			msg = checkTextValue(attr.Marker, item.Value)
		case "date", "dateTime", "time":
			msg = checkDateValue(attr.Marker, attr.Type, item.Value)
		default:
			msg = checkValue(attr, item.Value)
		}
		if msg == "" {
			msg = checkRules(attr, item.Value)
		}
		if msg != "" {
			msgs = append(msgs, msg)
		}
	}
	return msgs
}

// dateFormats are the date types, each with its usual formatString, for the example of the
// message.
var dateFormats = map[string]string{"date": "DD-MM-YYYY", "dateTime": "DD-MM-YYYY HH:mm", "time": "HH:mm"}

func isDateType(t string) bool { _, ok := dateFormats[t]; return ok }

// checkDateValue accepts what a submission takes for a date, dateTime or time field: an object
// with all of fullDate (an ISO 8601 timestamp), formattedValue and formatString, as strings.
// Unlike an entity's attribute, no part may be left out and the value cannot be cleared.
func checkDateValue(marker, typ string, value json.RawMessage) string {
	msg := fmt.Sprintf(`%s: a %s value must be an object with fullDate, formattedValue and formatString, such as {"fullDate": "2026-03-12T00:00:00.000Z", "formattedValue": "12-03-2026", "formatString": %q}`,
		marker, typ, dateFormats[typ])
	var v struct {
		FullDate, FormattedValue, FormatString *string
	}
	if json.Unmarshal(value, &v) != nil || v.FullDate == nil || v.FormattedValue == nil || v.FormatString == nil {
		return msg
	}
	if _, err := time.Parse(time.RFC3339Nano, *v.FullDate); err != nil {
		return fmt.Sprintf("%s: fullDate %q is not an ISO 8601 timestamp, such as 2026-03-12T00:00:00.000Z", marker, *v.FullDate)
	}
	return ""
}

var textKeys = []string{"plainValue", "htmlValue", "mdValue"}

// checkTextValue accepts a list of one object carrying exactly one of plainValue, htmlValue or
// mdValue, a string, and nothing else: the one way a form takes a text value.
func checkTextValue(marker string, value json.RawMessage) string {
	msg := marker + ": a text value must be a list of one object with exactly one of plainValue, htmlValue, mdValue"
	var list []map[string]json.RawMessage
	if json.Unmarshal(value, &list) != nil || len(list) != 1 || len(list[0]) != 1 {
		return msg
	}
	for k, v := range list[0] {
		var s string
		if !slices.Contains(textKeys, k) || json.Unmarshal(v, &s) != nil {
			return msg
		}
	}
	return ""
}

// emptyText reports a well-formed text value whose one string is blank.
func emptyText(value json.RawMessage) bool {
	var list []map[string]string
	if json.Unmarshal(value, &list) != nil || len(list) != 1 || len(list[0]) != 1 {
		return false
	}
	for _, v := range list[0] {
		return strings.TrimSpace(v) == ""
	}
	return false
}

// emptyHeadedText reports a textWithHeader value whose every header and text is blank: a
// required field left blank, as a blank text is.
func emptyHeadedText(value json.RawMessage) bool {
	var list []map[string]json.RawMessage
	if json.Unmarshal(value, &list) != nil {
		return false
	}
	for _, pair := range list {
		for k, v := range pair {
			var s string
			if k != "params" && json.Unmarshal(v, &s) == nil && strings.TrimSpace(s) != "" {
				return false
			}
		}
	}
	return true
}

// Submit checks and stores a submission, with the status it asks for (sent when none). Under a
// config with isModerate it waits in moderation, out of reads, until approved, whatever it asks.
func (s *Store) Submit(ctx context.Context, in SubmissionInput) (Submission, error) {
	if in.Status != "" && !slices.Contains(postableStatuses, in.Status) {
		return Submission{}, Invalid("status must be one of the following values: " + strings.Join(postableStatuses, ", "))
	}
	items, lang, cfg, err := s.checkSubmission(in)
	if err != nil {
		return Submission{}, err
	}
	status := cmp.Or(in.Status, SubmissionSent)
	if cfg.IsModerate {
		status = SubmissionModeration
	}
	return updated(ctx, s, func() (Submission, error) {
		if err := checkIDLeft(s.state.nextFormDataID, "form data"); err != nil {
			return Submission{}, err
		}
		sub := &Submission{
			ID:               s.state.nextFormDataID,
			FormIdentifier:   in.FormIdentifier,
			ConfigID:         cfg.ID,
			EntityIdentifier: in.EntityIdentifier,
			Language:         lang,
			FormData:         items,
			Status:           status,
			UserIdentifier:   in.UserIdentifier,
			Fingerprint:      in.Fingerprint,
			IP:               in.IP,
			Time:             s.clock.Now(),
		}
		s.touchSubmission(sub.ID)
		s.state.nextFormDataID++
		s.state.formData[sub.ID] = sub
		s.state.formDataByForm[sub.FormIdentifier] = append(s.state.formDataByForm[sub.FormIdentifier], sub.ID)
		return sub.clone(), nil
	})
}

// SubmissionFilter narrows a read of a form's submissions.
type SubmissionFilter struct {
	// ConfigID keeps one config's submissions; 0 keeps every config's.
	ConfigID         int
	EntityIdentifier string
	UserIdentifier   string
	// ParentID keeps the replies to one entry; 0 keeps the root-level entries (a submission's
	// parentId, as SDK 1.0.149's IFormByMarkerDataEntity names its parent).
	ParentID int
	// SentByAdmin keeps only what an operator submitted; false does not narrow.
	SentByAdmin bool
	Statuses    []string
	// From and To bound the submission time, both inclusive; zero means open.
	From, To time.Time
	Language string
	// Viewer is the login of the signed-in reader, "" for a visitor: a config with
	// viewOnlyUserData shows a reader only their own submissions.
	Viewer string
}

// Submissions reads a form's visible submissions, newest first, and how many match.
func (s *Store) Submissions(ctx context.Context, formMarker string, f SubmissionFilter, p Page) ([]Submission, int, error) {
	form, ok := s.fx.Form(formMarker)
	if !ok {
		return nil, 0, Errorf(CodeNotFound, "Form with marker %q not found", formMarker)
	}
	if form.IsPrivate == nil || *form.IsPrivate {
		return nil, 0, Errorf(CodeForbidden, "This form's submissions are not publicly readable")
	}
	var out []Submission
	var total int
	err := s.read(ctx, func() error {
		var ids []int
		for _, id := range s.state.formDataByForm[formMarker] {
			if s.matches(s.state.formData[id], f) {
				ids = append(ids, id)
			}
		}
		out, total = newestFirst[Submission](ids, s.state.formData, p), len(ids)
		return nil
	})
	return out, total, err
}

// PublicSubmissions returns a page of the submissions of every publicly readable form that
// pass f, newest first, and how many there are: SDK 1.0.115's flat listing (getFormsData).
func (s *Store) PublicSubmissions(ctx context.Context, f SubmissionFilter, p Page) ([]Submission, int, error) {
	var out []Submission
	var total int
	err := s.read(ctx, func() error {
		var ids []int
		for i := range s.fx.Forms {
			form := &s.fx.Forms[i]
			if form.IsPrivate != nil && !*form.IsPrivate {
				for _, id := range s.state.formDataByForm[form.Identifier] {
					if s.matches(s.state.formData[id], f) {
						ids = append(ids, id)
					}
				}
			}
		}
		slices.Sort(ids)
		out, total = newestFirst[Submission](ids, s.state.formData, p), len(ids)
		return nil
	})
	return out, total, err
}

func (s *Store) matches(sub *Submission, f SubmissionFilter) bool {
	cfg, _, _ := s.fx.ModuleFormConfig(sub.ConfigID)
	switch {
	case !visible(sub.Status),
		len(f.Statuses) > 0 && !slices.Contains(f.Statuses, sub.Status),
		f.ConfigID != 0 && sub.ConfigID != f.ConfigID,
		f.EntityIdentifier != "" && sub.EntityIdentifier != f.EntityIdentifier,
		f.UserIdentifier != "" && sub.UserIdentifier != f.UserIdentifier,
		f.Language != "" && sub.Language != f.Language,
		// Every submission here is a visitor's root-level entry: the content API takes no
		// replies (replayTo threads are not modelled) and no operator's submissions.
		f.ParentID != 0, f.SentByAdmin,
		!f.From.IsZero() && sub.Time.Before(f.From),
		!f.To.IsZero() && sub.Time.After(f.To),
		cfg != nil && cfg.ViewOnlyUserData && (f.Viewer == "" || sub.UserIdentifier != f.Viewer):
		return false
	}
	return true
}

// ownSubmissionLocked returns a submission the user made; any other is "not found".
func (s *Store) ownSubmissionLocked(userIdentifier string, id int) (*Submission, error) {
	sub, ok := s.state.formData[id]
	if !ok || userIdentifier == "" || sub.UserIdentifier != userIdentifier {
		return nil, Errorf(CodeNotFound, "Form data with id %d not found", id)
	}
	return sub, nil
}

// UpdateSubmission replaces the values of one of the user's submissions; they pass the same
// field checks (steps 1 to 3) as a new one.
func (s *Store) UpdateSubmission(ctx context.Context, userIdentifier string, id int, formData json.RawMessage) (Submission, error) {
	var formMarker string
	err := s.read(ctx, func() error {
		sub, err := s.ownSubmissionLocked(userIdentifier, id)
		if err == nil {
			formMarker = sub.FormIdentifier
		}
		return err
	})
	if err != nil {
		return Submission{}, err
	}
	form, _ := s.fx.Form(formMarker) // a stored submission's form exists
	items, lang, err := checkFields(s.fx, form, formData)
	if err != nil {
		return Submission{}, err
	}
	return updated(ctx, s, func() (Submission, error) {
		sub, err := s.changeableSubmissionLocked(userIdentifier, id)
		if err != nil {
			return Submission{}, err
		}
		s.touchSubmission(id)
		sub.FormData, sub.Language = items, lang
		return sub.clone(), nil
	})
}

// changeableSubmissionLocked is one of the user's submissions that its author may still change
// or delete: one in moderation or banned stays as the operator has it (403), as its status does.
func (s *Store) changeableSubmissionLocked(userIdentifier string, id int) (*Submission, error) {
	sub, err := s.ownSubmissionLocked(userIdentifier, id)
	if err != nil {
		return nil, err
	}
	if sub.Status == SubmissionModeration || sub.Status == SubmissionBanned {
		return nil, Errorf(CodeForbidden, "Forbidden resource")
	}
	return sub, nil
}

// SetSubmissionStatus moves one of the user's submissions to a status. Approving and banning
// are an operator's decisions (an admin call approves).
func (s *Store) SetSubmissionStatus(ctx context.Context, userIdentifier string, id int, status string) error {
	if !slices.Contains(SubmissionStatuses, status) {
		return Invalid("status must be one of the following values: " + strings.Join(SubmissionStatuses, ", "))
	}
	return s.update(ctx, func() ([]Event, error) {
		sub, err := s.changeableSubmissionLocked(userIdentifier, id)
		if err != nil {
			return nil, err
		}
		if status == SubmissionApproved || status == SubmissionBanned {
			return nil, Errorf(CodeForbidden, "Forbidden resource")
		}
		s.touchSubmission(id)
		sub.Status = status
		return nil, nil
	})
}

// DeleteSubmission removes one of the user's submissions.
func (s *Store) DeleteSubmission(ctx context.Context, userIdentifier string, id int) error {
	return s.remove(ctx, func() ([]Event, error) {
		sub, err := s.changeableSubmissionLocked(userIdentifier, id)
		if err != nil {
			return nil, err
		}
		s.touchSubmission(id)
		delete(s.state.formData, id)
		s.state.formDataByForm[sub.FormIdentifier] = slices.DeleteFunc(s.state.formDataByForm[sub.FormIdentifier], func(v int) bool { return v == id })
		return nil, nil
	})
}

// ApproveSubmission is the operator's approval: a submission waiting in moderation (or any
// other) becomes approved and shows in reads, except one its author deleted, which readers no
// longer see and an approval must not bring back.
func (s *Store) ApproveSubmission(ctx context.Context, id int) (Submission, error) {
	return updated(ctx, s, func() (Submission, error) {
		sub, ok := s.state.formData[id]
		if !ok {
			return Submission{}, Errorf(CodeNotFound, "Form data with id %d not found", id)
		}
		if sub.Status == SubmissionDeleted {
			return Submission{}, Errorf(CodeConflict, "Form data %d was deleted by its author: it cannot be approved", id)
		}
		s.touchSubmission(id)
		sub.Status = SubmissionApproved
		return sub.clone(), nil
	})
}
