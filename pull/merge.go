package pull

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/oneentry-mock/oneentry-mock/capsule"
)

// mergeLanguages makes one fixture set of the sets read in each language. A value that reads
// the same in every language stays plain; one that differs becomes keyed by language
// ({"en_US": …, "ru_RU": …}) at the deepest level where the languages part, which is how the
// fixtures say "this text is translated".
func mergeLanguages(langs []string, sets map[string]*capsule.FixtureSet) (*capsule.FixtureSet, error) {
	// Each language's capsule names itself the default language; the pull's first is.
	for _, lang := range langs {
		if err := setDefaultLanguage(sets[lang], langs[0]); err != nil {
			return nil, err
		}
	}
	if len(langs) == 1 {
		return sets[langs[0]], nil
	}
	out := &capsule.FixtureSet{Files: map[string][]byte{}}
	names := map[string]bool{}
	for _, lang := range langs {
		for name := range sets[lang].Files {
			names[name] = true
		}
		for _, n := range sets[lang].Notes {
			if !slices.Contains(out.Notes, n) {
				out.Notes = append(out.Notes, n)
			}
		}
	}
	for name := range names {
		vals := map[string]any{}
		for _, lang := range langs {
			raw, ok := sets[lang].Files[name]
			if !ok {
				continue
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("pull: %s in %s: %w", name, lang, err)
			}
			vals[lang] = v
		}
		merged, err := json.MarshalIndent(mergeValues(langs, vals), "", "  ")
		if err != nil {
			return nil, fmt.Errorf("pull: %s: %w", name, err)
		}
		out.Files[name] = append(merged, '\n')
	}
	return out, nil
}

// mergeValues merges one value as each language read it (a language may lack it).
func mergeValues(langs []string, vals map[string]any) any {
	present := make([]string, 0, len(langs))
	for _, l := range langs {
		if _, ok := vals[l]; ok {
			present = append(present, l)
		}
	}
	first := vals[present[0]]
	same := true
	for _, l := range present[1:] {
		if !reflect.DeepEqual(vals[l], first) {
			same = false
			break
		}
	}
	if same || len(present) == 1 {
		return first
	}
	switch f := first.(type) {
	case map[string]any:
		if alike(present, vals, func(v any) bool {
			m, ok := v.(map[string]any)
			return ok && sameKeys(m, f)
		}) {
			out := make(map[string]any, len(f))
			for k := range f {
				out[k] = mergeValues(present, pick(present, vals, func(v any) any { return v.(map[string]any)[k] }))
			}
			return out
		}
	case []any:
		if alike(present, vals, func(v any) bool {
			s, ok := v.([]any)
			return ok && len(s) == len(f)
		}) {
			out := make([]any, len(f))
			for i := range f {
				out[i] = mergeValues(present, pick(present, vals, func(v any) any { return v.([]any)[i] }))
			}
			return out
		}
	}
	keyed := make(map[string]any, len(present))
	for _, l := range present {
		keyed[l] = vals[l]
	}
	return keyed
}

func alike(langs []string, vals map[string]any, ok func(any) bool) bool {
	for _, l := range langs {
		if !ok(vals[l]) {
			return false
		}
	}
	return true
}

func pick(langs []string, vals map[string]any, f func(any) any) map[string]any {
	out := make(map[string]any, len(langs))
	for _, l := range langs {
		out[l] = f(vals[l])
	}
	return out
}

func sameKeys(a, b map[string]any) bool {
	return len(a) == len(b) && !slices.ContainsFunc(slices.Collect(maps.Keys(a)), func(k string) bool {
		_, ok := b[k]
		return !ok
	})
}

func setDefaultLanguage(set *capsule.FixtureSet, lang string) error {
	raw, ok := set.Files[capsule.FixtureProject]
	if !ok {
		return nil
	}
	var project map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&project); err != nil {
		return fmt.Errorf("pull: %s: %w", capsule.FixtureProject, err)
	}
	project["defaultLanguage"] = lang
	out, err := json.MarshalIndent(project, "", "  ")
	if err != nil {
		return err
	}
	set.Files[capsule.FixtureProject] = append(out, '\n')
	return nil
}
