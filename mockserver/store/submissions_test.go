package store_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/fixtures"
	"github.com/oneentry-mock/oneentry-mock/mockserver/store"
)

// defaultForms returns the default forms.json with edit applied to the contact form's config.
func defaultForms(t *testing.T, edit func(cfg map[string]any, all []map[string]any)) string {
	return contactForms(t, func(form map[string]any, all []map[string]any) {
		edit(form["moduleFormConfigs"].([]any)[0].(map[string]any), all)
	})
}

// contactForms returns the default forms.json with edit applied to the contact form.
func contactForms(t *testing.T, edit func(form map[string]any, all []map[string]any)) string {
	t.Helper()
	data, err := fs.ReadFile(fixtures.FS, store.FileForms)
	require.NoError(t, err)
	var forms []map[string]any
	require.NoError(t, json.Unmarshal(data, &forms))
	for _, f := range forms {
		if f["identifier"] == "contact_us" {
			edit(f, forms)
		}
	}
	out, err := json.Marshal(forms)
	require.NoError(t, err)
	return string(out)
}

func TestModuleConfigFixturesAreChecked(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		edit func(cfg map[string]any, all []map[string]any)
		want string
	}{
		"form id":      {func(c map[string]any, _ []map[string]any) { c["formId"] = 9 }, "moduleFormConfigs[0].formId"},
		"duplicate id": {func(c map[string]any, _ []map[string]any) { c["id"] = 1 }, "duplicate module config id 1"},
		"no id":        {func(c map[string]any, _ []map[string]any) { delete(c, "id") }, "moduleFormConfigs[0].id"},
		"no entities":  {func(c map[string]any, _ []map[string]any) { c["entityIdentifiers"] = []any{} }, "entityIdentifiers"},
		"object entity": {func(c map[string]any, _ []map[string]any) {
			c["entityIdentifiers"] = []any{map[string]any{"id": map[string]any{}}}
		}, "entityIdentifiers[0].id"},
		"null entity":   {func(c map[string]any, _ []map[string]any) { c["entityIdentifiers"] = []any{map[string]any{"id": nil}} }, "entityIdentifiers[0].id"},
		"unknown field": {func(c map[string]any, _ []map[string]any) { c["isPrivate"] = false }, "isPrivate"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := store.LoadFixtures(withFile(t, store.FileForms, defaultForms(t, tc.edit)))
			var fe *store.FixtureError
			require.True(t, errors.As(err, &fe), "%v", err)
			require.Contains(t, err.Error(), tc.want)
		})
	}
	fx, err := store.LoadFixtures(withFile(t, store.FileForms, defaultForms(t, func(c map[string]any, _ []map[string]any) {
		c["isGlobal"], c["entityIdentifiers"] = true, []any{}
	})))
	require.NoError(t, err, "a global config needs no entities")
	cfg, form, ok := fx.ModuleFormConfig(2)
	require.True(t, ok)
	require.Equal(t, "contact_us", form.Identifier)
	require.True(t, cfg.IsGlobal)
}

// A form's served bytes never hold its configs or its mock-only isPrivate, wherever the fixture
// puts them; the server adds the configs per profile.
func TestFormRawLeavesConfigsOut(t *testing.T) {
	t.Parallel()
	const cfg = `{"id":5,"formId":1,"moduleId":4,"isGlobal":true,"entityIdentifiers":[],"isClosed":false,"isModerate":false,"viewOnlyUserData":false,"commentOnlyUserData":false,"moduleIdentifier":"content"}`
	attrs := `[{"type":"string","marker":"a","isLogin":null,"isSignUp":null,"position":1,"settings":{},"isVisible":true,"listTitles":[],"validators":{},"localizeInfos":{"title":"A"},"additionalFields":[],"isNotificationEmail":null,"isNotificationPhoneSMS":null,"isNotificationPhonePush":null}]`
	rest := `"attributeSetId":null,"type":"data","localizeInfos":{"title":"F"},"version":1,"position":1,"identifier":"f","processingType":"db","templateId":null,"attributes":` + attrs
	for name, form := range map[string]string{
		"first":  `{"moduleFormConfigs":[` + cfg + `],"id":1,` + rest + `}`,
		"middle": `{"id":1,"moduleFormConfigs":[` + cfg + `],"isPrivate":false,` + rest + `}`,
		"last":   `{"id":1,` + rest + `,"moduleFormConfigs":[` + cfg + `]}`,
	} {
		data, err := fs.ReadFile(fixtures.FS, store.FileForms)
		require.NoError(t, err)
		forms := strings.TrimSpace(string(data))
		forms = forms[:len(forms)-1] + "," + form + "]"
		fx, err := store.LoadFixtures(withFile(t, store.FileForms, forms))
		require.NoError(t, err, name)
		f, ok := fx.Form("f")
		require.True(t, ok, name)
		require.JSONEq(t, `{"id":1,`+rest+`}`, string(f.Raw), name)
		require.Len(t, f.ModuleFormConfigs, 1, name)
		c, _ := fx.Collection(store.FileForms)
		served, _ := c.ByMarker("f", "")
		require.JSONEq(t, `{"id":1,`+rest+`}`, string(served), name)
	}
}
