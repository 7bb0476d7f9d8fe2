package pull

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/oneentry-mock/oneentry-mock/capsule"
)

// markReadableForms gives each form of a set whose submissions the project lets anyone read
// the fixtures' "isPrivate": false. A form's answer does not show the setting, so the pull
// reads the submissions as a site does (FormData.getFormsDataByMarker, asking for one): a form
// the project answers 403 stays private, as a fixture form is unless it says otherwise, and the
// pulled copy refuses the read as the project does. A form whose read the project answers with
// another refusal (a project without the read) is made readable, with a note: a site reads the
// submissions of the forms its project lets it read, so the copy must not refuse those.
func (w *walker) markReadableForms(ctx context.Context, set *capsule.FixtureSet) error {
	raw, ok := set.Files[capsule.FixtureForms]
	if !ok {
		return nil
	}
	v, err := capsule.DecodeOrdered(raw)
	if err != nil {
		return fmt.Errorf("pull: %s: %w", capsule.FixtureForms, err)
	}
	forms, _ := v.([]any)
	for i, f := range forms {
		form, ok := f.(*capsule.Object)
		if !ok {
			continue
		}
		identifier, _ := form.Get("identifier")
		marker, _ := identifier.(string)
		if marker == "" {
			continue
		}
		readable, err := w.submissionsReadable(ctx, marker, firstConfigID(form))
		if err != nil {
			return err
		}
		if readable {
			form.Set("isPrivate", false)
		}
		w.progress("form privacy", i+1, i+1, len(forms))
	}
	out, err := capsule.MarshalFile(forms)
	if err != nil {
		return err
	}
	set.Files[capsule.FixtureForms] = out
	return nil
}

// submissionsReadable reads one submission of a form, in the first language pulled, through
// the module config given (0: none), and says whether the project let it.
func (w *walker) submissionsReadable(ctx context.Context, marker string, configID int) (bool, error) {
	q := url.Values{"langCode": {w.langs[0]}, "offset": {"0"}, "limit": {"1"}}
	if configID > 0 {
		q.Set("formModuleConfigId", strconv.Itoa(configID))
	}
	path := "/api/content/form-data/marker/" + url.PathEscape(marker)
	e, err := w.do(ctx, "submissions of "+marker, http.MethodPost, path, q, []byte(`{}`))
	switch {
	case err == nil:
		return true, nil
	case e.Status == http.StatusForbidden:
		return false, nil
	case e.Status >= 400 && e.Status < 500 && ctx.Err() == nil:
		w.note("forms.json: %q: POST %s answered %d %s; its submissions are left publicly readable (isPrivate false)", marker, path, e.Status, message(e))
		return true, nil
	}
	return false, err
}

// firstConfigID is the id of a form's first module config, as a site reading the form's
// submissions names one; 0 when the form shows none.
func firstConfigID(form *capsule.Object) int {
	configs, _ := form.Get("moduleFormConfigs")
	list, _ := configs.([]any)
	if len(list) == 0 {
		return 0
	}
	config, ok := list[0].(*capsule.Object)
	if !ok {
		return 0
	}
	id, _ := config.Get("id")
	n, _ := id.(json.Number)
	v, _ := strconv.Atoi(n.String())
	return v
}
