package pull

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/oneentry-mock/oneentry-mock/capsule"
)

// mergeLanguages makes one fixture set of the sets read in each language. A value that reads
// the same in every language stays plain; one that differs becomes keyed by language
// ({"en_US": …, "ru_RU": …}) at the deepest level where the languages part, which is how the
// fixtures say "this text is translated". Objects keep their keys in the order the project sent
// them, which the pulled sandbox serves as written: a site listing an object's entries (the
// attribute values of a page) gets them in the project's order. probes are languages read
// only to find that level where the project answers them blank (see otherLocales): they take
// part in the merge, and are then left out of every keyed value, as is any language whose
// value is blank, so that the pulled sandbox answers a language without the text blank at the
// same level the project does.
func mergeLanguages(langs, probes []string, sets map[string]*capsule.FixtureSet) (*capsule.FixtureSet, error) {
	all := append(slices.Clone(langs), probes...)
	// Each language's capsule names itself the default language; the pull's first is.
	for _, lang := range all {
		if err := setDefaultLanguage(sets[lang], langs[0]); err != nil {
			return nil, err
		}
	}
	if len(all) == 1 {
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
		for _, lang := range all {
			raw, ok := sets[lang].Files[name]
			if !ok {
				continue
			}
			v, err := capsule.DecodeOrdered(raw)
			if err != nil {
				return nil, fmt.Errorf("pull: %s in %s: %w", name, lang, err)
			}
			vals[lang] = v
		}
		v := mergeValues(all, vals, probes)
		if _, keyed := v.(*capsule.Object); keyed && !sameShape(v, vals[langs[0]]) {
			// A probe blank as a whole (an empty list) would key the whole file by language,
			// which is no fixture file: the file is merged from the languages pulled alone.
			for _, p := range probes {
				delete(vals, p)
			}
			v = mergeValues(langs, vals, nil)
		}
		merged, err := capsule.MarshalFile(v)
		if err != nil {
			return nil, fmt.Errorf("pull: %s: %w", name, err)
		}
		out.Files[name] = merged
	}
	return out, nil
}

// mergeValues merges one value as each language read it (a language may lack it). Keyed values
// leave out the probes and the languages whose value is blank, keeping at least one language:
// the fixtures serve a language a keyed value lacks blank.
func mergeValues(langs []string, vals map[string]any, probes []string) any {
	present := make([]string, 0, len(langs))
	for _, l := range langs {
		if _, ok := vals[l]; ok {
			present = append(present, l)
		}
	}
	// A probe counts where it is blank or has the shape of the languages pulled: read to find
	// where texts are blank, a list shorter in it, or an object with other members, must not
	// key what the languages pulled read alike.
	if pulled := slices.IndexFunc(present, func(l string) bool { return !slices.Contains(probes, l) }); pulled >= 0 {
		shape := vals[present[pulled]]
		present = slices.DeleteFunc(present, func(l string) bool {
			return slices.Contains(probes, l) && !isBlank(vals[l]) && !sameShape(vals[l], shape)
		})
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
	case *capsule.Object:
		if alike(present, vals, func(v any) bool {
			o, ok := v.(*capsule.Object)
			return ok && sameKeys(o, f)
		}) {
			out := &capsule.Object{Keys: slices.Clone(f.Keys), Values: make([]any, len(f.Keys))}
			for i, k := range f.Keys {
				out.Values[i] = mergeValues(present, pick(present, vals, func(v any) any {
					member, _ := v.(*capsule.Object).Get(k)
					return member
				}), probes)
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
				out[i] = mergeValues(present, pick(present, vals, func(v any) any { return v.([]any)[i] }), probes)
			}
			return out
		}
	}
	var pulled []string
	for _, l := range present {
		if !slices.Contains(probes, l) {
			pulled = append(pulled, l)
		}
	}
	if len(pulled) == 0 {
		return first
	}
	kept := slices.DeleteFunc(slices.Clone(pulled), func(l string) bool { return isBlank(vals[l]) })
	if len(kept) == 0 {
		if alike(pulled, vals, func(v any) bool { return reflect.DeepEqual(v, vals[pulled[0]]) }) {
			return vals[pulled[0]] // blank in every language pulled
		}
		kept = pulled // blanks of different kinds: each keeps its own
	}
	// The fixtures serve a language a keyed value lacks the blank of the kind of the value
	// written first: a language kept goes first, and one left out blank of another kind keeps
	// its value. The others are written in the order of the languages pulled.
	served := blankOf(vals[kept[0]])
	keyed := &capsule.Object{}
	keyed.Set(kept[0], vals[kept[0]])
	for _, l := range pulled {
		if slices.Contains(kept, l) || !reflect.DeepEqual(blankOf(vals[l]), served) {
			keyed.Set(l, vals[l])
		}
	}
	return keyed
}

// sameShape says whether a and b are objects with the same members, lists of the same length,
// or both neither.
func sameShape(a, b any) bool {
	switch a := a.(type) {
	case *capsule.Object:
		o, ok := b.(*capsule.Object)
		return ok && sameKeys(a, o)
	case []any:
		s, ok := b.([]any)
		return ok && len(s) == len(a)
	}
	switch b.(type) {
	case *capsule.Object, []any:
		return false
	}
	return true
}

// isBlank says whether v is the empty value of its kind, as the fixtures serve a language a
// keyed value lacks: {}, [], "" or null.
func isBlank(v any) bool {
	switch v := v.(type) {
	case *capsule.Object:
		return len(v.Keys) == 0
	case []any:
		return len(v) == 0
	case string:
		return v == ""
	}
	return v == nil
}

// blankOf is the empty value of v's kind (store.Localize's blank).
func blankOf(v any) any {
	switch v.(type) {
	case *capsule.Object:
		return &capsule.Object{}
	case []any:
		return []any{}
	case string:
		return ""
	}
	return nil
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

// sameKeys says whether two objects have the same keys, in any order.
func sameKeys(a, b *capsule.Object) bool {
	return len(a.Keys) == len(b.Keys) && !slices.ContainsFunc(a.Keys, func(k string) bool {
		_, ok := b.Get(k)
		return !ok
	})
}

func setDefaultLanguage(set *capsule.FixtureSet, lang string) error {
	raw, ok := set.Files[capsule.FixtureProject]
	if !ok {
		return nil
	}
	var project capsule.Object
	if err := json.Unmarshal(raw, &project); err != nil {
		return fmt.Errorf("pull: %s: %w", capsule.FixtureProject, err)
	}
	project.Set("defaultLanguage", lang)
	out, err := capsule.MarshalFile(&project)
	if err != nil {
		return err
	}
	set.Files[capsule.FixtureProject] = out
	return nil
}
