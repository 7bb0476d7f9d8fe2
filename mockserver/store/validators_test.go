package store_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// formsWithValidators is the default forms.json with contact_us's name field carrying validators.
func formsWithValidators(t *testing.T, validators map[string]any) string {
	return contactForms(t, func(form map[string]any, _ []map[string]any) {
		form["attributes"].([]any)[0].(map[string]any)["validators"] = validators
	})
}

// A validator the mock would enforce in a shape it cannot read fails the load, naming it, rather
// than being skipped. A pattern Go's RE2 cannot run (lookaround, backreferences), which may be
// valid JavaScript, loads and is left unchecked: a live project's forms must load.
func TestValidatorFixturesAreChecked(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		validators map[string]any
		want       string
	}{
		"pattern not a string":      {map[string]any{"regExpValidator": map[string]any{"patternValue": 12}}, "regExpValidator must be an object with patternValue"},
		"a name of no validator":    {map[string]any{"regExValidator": map[string]any{"patternValue": "^a$"}}, "regExValidator is not a validator; the platform's are requiredValidator"},
		"length not a number":       {map[string]any{"stringInspectionValidator": map[string]any{"stringMax": "ten"}}, "stringInspectionValidator.stringMax must be a whole number"},
		"negative length":           {map[string]any{"stringInspectionValidator": map[string]any{"stringMin": -1}}, "stringInspectionValidator.stringMin must be a whole number"},
		"min above max":             {map[string]any{"stringInspectionValidator": map[string]any{"stringMin": "9", "stringMax": "3"}}, "stringMin 9 is above stringMax 3"},
		"number bound not a number": {map[string]any{"checkForNumberValidator": map[string]any{"minValue": "one"}}, "checkForNumberValidator.minValue must be a number"},
		"number bounds crossed":     {map[string]any{"checkForNumberValidator": map[string]any{"minValue": 5, "maxValue": "1"}}, "minValue 5 is above maxValue 1"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := store.LoadFixtures(withFile(t, store.FileForms, formsWithValidators(t, tc.validators)))
			var fe *store.FixtureError
			require.True(t, errors.As(err, &fe), "%v", err)
			require.Contains(t, err.Error(), "[2].attributes[0].validators")
			require.Contains(t, err.Error(), tc.want)
		})
	}
	for name, validators := range map[string]map[string]any{
		"unset bounds":       {"stringInspectionValidator": map[string]any{"stringMin": "", "stringMax": 0, "stringLength": ""}},
		"empty pattern":      {"regExpValidator": map[string]any{"patternValue": ""}},
		"unbalanced pattern": {"regExpValidator": map[string]any{"patternValue": "([0-9]"}},
		"lookahead":          {"regExpValidator": map[string]any{"patternValue": "^(?=.*[0-9]).+$"}},
		"lookbehind":         {"regExpValidator": map[string]any{"patternValue": "(?<!x)y"}},
		"backreference":      {"regExpValidator": map[string]any{"patternValue": "^(a)\\1$"}},
		"switched off":       {"regExpValidator": false, "urlInspectionValidator": nil},
		"number flag alone":  {"checkForNumberValidator": true},
		"panel only":         {"sizeInPixelsValidator": map[string]any{"maxX": "500"}, "minMaxDateValidator": map[string]any{}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := store.LoadFixtures(withFile(t, store.FileForms, formsWithValidators(t, validators)))
			require.NoError(t, err)
		})
	}
}

// requiredValidator makes a field required unless its strict is false.
func TestRequiredValidatorStrict(t *testing.T) {
	t.Parallel()
	for want, validators := range map[bool]map[string]any{
		true:  {"requiredValidator": map[string]any{"strict": true}},
		false: {"requiredValidator": map[string]any{"strict": false}},
	} {
		fx, err := store.LoadFixtures(withFile(t, store.FileForms, formsWithValidators(t, validators)))
		require.NoError(t, err)
		form, ok := fx.Form("contact_us")
		require.True(t, ok)
		assert.Equal(t, want, form.Attributes[0].Required(), "%v", validators)
	}
}
