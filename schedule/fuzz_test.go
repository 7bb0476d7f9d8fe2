package schedule

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary JSON to Parse. Whatever parses must marshal
// back to something Parse reads to the same schedule, and must expand
// within a bounded window without panicking, sorted and without
// duplicates, every slot passing Contains.
func FuzzParse(f *testing.F) {
	if raw, err := os.ReadFile("../fixtures/recorded/form-tickets_form.json"); err == nil {
		f.Add(raw)
	}
	if raw, err := os.ReadFile("testdata/sdk_slots.json"); err == nil {
		var fx sdkFixture
		if json.Unmarshal(raw, &fx) == nil {
			for _, c := range fx.Cases {
				f.Add([]byte(c.Items))
			}
		}
	}
	for _, s := range []string{
		`null`, `[]`, `{}`, `{"intervals":null}`, `[{}]`, `[[]]`,
		`[{"range":["2025-03-29T23:00:00Z","2025-03-29T23:00:00Z"],"intervals":[{"start":{"hours":1,"minutes":0},"end":{"hours":4,"minutes":0},"period":30}],"inEveryWeek":true}]`,
		`[{"range":["2025-04-26","2025-05-26"],"intervals":[{"start":{"hours":0,"minutes":0},"end":{"hours":24,"minutes":0},"period":1}],"inEveryWeek":true,"inEveryMonth":true,
		   "external":[{"date":"2025-05-03","inEveryWeek":true,"externalTimes":[["2025-05-03T10:00:00Z","2025-05-03T12:00:00Z"]]},{"range":["2025-05-10","2025-05-11"]},["2025-05-20T00:00:00Z","2025-05-20T00:00:00Z"]]}]`,
		`[{"range":["0001-01-01T00:00:00Z","0001-01-01T00:00:00Z"],"intervals":[{"start":{"hours":0,"minutes":0},"end":{"hours":1,"minutes":0},"period":1}],"inEveryMonth":true}]`,
		`[{"range":["9999-12-31T23:59:59Z","9999-12-31T23:59:59Z"],"intervals":[{"start":{"hours":23,"minutes":0},"end":{"hours":24,"minutes":0},"period":60}],"inEveryWeek":true,"inEveryMonth":true}]`,
	} {
		f.Add([]byte(s))
	}
	ber, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	from := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := Parse(raw)
		if err != nil {
			return
		}
		out, again := reparse(t, s, Parse)
		out2, err := json.Marshal(again)
		if err != nil || string(out2) != string(out) {
			t.Fatalf("round trip changed the schedule:\n%s\n%s", out, out2)
		}
		for _, opts := range []Options{
			{From: from, To: from.AddDate(0, 2, 0), Limit: 2000},
			{Location: ber, From: from, To: from.AddDate(0, 2, 0), Limit: 2000},
		} {
			got := s.Slots(opts)
			if !slices.IsSortedFunc(got, compareSlots) {
				t.Fatalf("slots not sorted: %v", got)
			}
			for i, sl := range got {
				if !sl.End.After(sl.Start) || !opts.admits(sl.Start) {
					t.Fatalf("bad slot %v for %+v", sl, opts)
				}
				if i > 0 && compareSlots(got[i-1], sl) == 0 {
					t.Fatalf("duplicate slot %v", sl)
				}
				if i < 5 && !s.Contains(sl, opts) {
					t.Fatalf("Contains(%v) = false for a generated slot", sl)
				}
			}
		}
	})
}

// FuzzParseSubmitted feeds arbitrary JSON to ParseSubmitted. Accepted
// slots have end after start and survive a JSON round trip.
func FuzzParseSubmitted(f *testing.F) {
	for _, s := range []string{
		`[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"]]`,
		`[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"],["2025-04-26T21:00:00+03:00","2025-04-26T19:30:00.5Z"]]`,
		`["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"]`,
		`[]`, `{}`, `null`, `[[]]`, `[[1,2]]`, `[["",""]]`, `[["2025-04-26","2025-04-27"]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		slots, err := ParseSubmitted(raw)
		if err != nil {
			return
		}
		for _, sl := range slots {
			if !sl.End.After(sl.Start) {
				t.Fatalf("accepted an empty or reversed slot %v", sl)
			}
		}
		_, back := reparse(t, slots, ParseSubmitted)
		if len(back) != len(slots) {
			t.Fatalf("round trip changed the count: %d → %d", len(slots), len(back))
		}
		for i := range back {
			// Values keep milliseconds only, as the wire does.
			if back[i].Value() != slots[i].Value() {
				t.Fatalf("round trip changed %v into %v", slots[i], back[i])
			}
		}
	})
}

// reparse marshals v and parses the JSON again with parse; a value a parser accepted must
// marshal into JSON the same parser accepts.
func reparse[T any](t *testing.T, v T, parse func(json.RawMessage) (T, error)) (out []byte, back T) {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	back, err = parse(out)
	if err != nil {
		t.Fatalf("re-parse of %s: %v", out, err)
	}
	return out, back
}
