package schedule

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRecordedForm(t *testing.T) {
	t.Parallel()
	s := seedSchedule(t)
	require.Len(t, s.Items, 1)
	it := s.Items[0]
	assert.Equal(t, "ef9cf848-7373-4b81-98bd-7ad33aa951e2", it.ID)
	assert.Equal(t, Range{From: mustTime(t, "2025-04-26T21:00:00Z"), To: mustTime(t, "2025-04-26T21:00:00Z")}, it.Range)
	assert.Equal(t, []Exclusion{}, it.External)
	assert.Equal(t, []Interval{{
		ID:     "f2042e47-c650-4fc6-ae1c-efdb109b450f",
		Start:  Clock{Hours: 16, Minutes: 30},
		End:    Clock{Hours: 21, Minutes: 30},
		Period: 90,
	}}, it.Intervals)
	assert.True(t, it.InEveryWeek)
	assert.True(t, it.InEveryMonth)
}

func TestParseInputShapes(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../fixtures/recorded/form-tickets_form.json")
	require.NoError(t, err)
	var form struct {
		Attributes []struct {
			LocalizeInfos struct {
				Intervals json.RawMessage `json:"intervals"`
			} `json:"localizeInfos"`
		} `json:"attributes"`
	}
	require.NoError(t, json.Unmarshal(raw, &form))
	intervals := form.Attributes[0].LocalizeInfos.Intervals
	want := seedSchedule(t)

	for name, in := range map[string]string{
		"intervals array": string(intervals),
		"localizeInfos":   `{"title":"Расписание","intervals":` + string(intervals) + `}`,
		"attribute":       `{"type":"timeInterval","marker":"schedule","localizeInfos":{"intervals":` + string(intervals) + `}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(json.RawMessage(in))
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}

	t.Run("null intervals", func(t *testing.T) {
		t.Parallel()
		for _, in := range []string{`null`, `{"intervals":null}`, `[]`} {
			s, err := Parse(json.RawMessage(in))
			require.NoError(t, err, in)
			assert.Empty(t, s.Items, in)
		}
	})

	t.Run("lenient where the SDK is", func(t *testing.T) {
		t.Parallel()
		s, err := Parse(json.RawMessage(`[
			{"id":7,"range":["2025-04-26","2025-04-26T00:00:00+00:00"],"intervals":[{"start":{"hours":9,"minutes":0},"end":{"hours":10,"minutes":0},"period":60.0}],
			 "inEveryWeek":null,"fullMonth":3,"selectedYear":2025},
			{"id":"no-intervals"}
		]`))
		require.NoError(t, err)
		require.Len(t, s.Items, 2)
		assert.Equal(t, "7", s.Items[0].ID)
		assert.False(t, s.Items[0].InEveryWeek)
		assert.Nil(t, s.Items[0].External)
		assert.Equal(t, 60, s.Items[0].Intervals[0].Period)
		assert.True(t, s.Items[0].Range.From.Equal(s.Items[0].Range.To))
		assert.Nil(t, s.Items[1].Intervals)
	})

	t.Run("exclusion shapes", func(t *testing.T) {
		t.Parallel()
		s, err := Parse(json.RawMessage(`[{"range":["2025-04-26T00:00:00Z","2025-04-26T00:00:00Z"],"intervals":[],"external":[
			{"date":"2025-05-03T00:00:00.000Z","inEveryWeek":true,"externalTimes":[["2025-05-03T18:00:00.000Z","2025-05-03T19:00:00.000Z"]]},
			{"date":"2025-05-04T00:00:00.000Z","externalTimes":null},
			{"range":["2025-06-01T00:00:00Z","2025-06-02T00:00:00Z"],"intervals":[{"start":{"hours":9,"minutes":0},"end":{"hours":12,"minutes":0}}]},
			["2025-07-01T10:00:00Z","2025-07-01T11:00:00Z"]
		]}]`))
		require.NoError(t, err)
		ex := s.Items[0].External
		require.Len(t, ex, 4)
		assert.Equal(t, Exclusion{
			Kind: ExclusionDate, Date: mustTime(t, "2025-05-03T00:00:00Z"), InEveryWeek: true,
			Times: []Range{{From: mustTime(t, "2025-05-03T18:00:00Z"), To: mustTime(t, "2025-05-03T19:00:00Z")}},
		}, ex[0])
		assert.Equal(t, Exclusion{Kind: ExclusionDate, Date: mustTime(t, "2025-05-04T00:00:00Z")}, ex[1])
		assert.Equal(t, ExclusionRange, ex[2].Kind)
		assert.Equal(t, []Interval{{Start: Clock{9, 0}, End: Clock{12, 0}}}, ex[2].Intervals)
		assert.Equal(t, Exclusion{Kind: ExclusionSpan, Range: Range{From: mustTime(t, "2025-07-01T10:00:00Z"), To: mustTime(t, "2025-07-01T11:00:00Z")}}, ex[3])
	})
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	const iv = `{"start":{"hours":9,"minutes":0},"end":{"hours":10,"minutes":0},"period":60}`
	const rng = `"range":["2025-04-26T00:00:00Z","2025-04-26T00:00:00Z"]`
	tests := map[string]struct {
		in    string
		field string
	}{
		"invalid JSON":              {`[{`, ""},
		"trailing data":             {`[] []`, ""},
		"object without intervals":  {`{"title":"x"}`, "intervals"},
		"not a timeInterval":        {`{"type":"entity","localizeInfos":{"intervals":[]}}`, "type"},
		"localizeInfos not object":  {`{"localizeInfos":[]}`, "localizeInfos"},
		"attribute without it":      {`{"localizeInfos":{"title":"x"}}`, "localizeInfos.intervals"},
		"intervals not an array":    {`{"intervals":{}}`, "intervals"},
		"scalar":                    {`"schedule"`, "intervals"},
		"item not an object":        {`[[]]`, "intervals[0]"},
		"range missing":             {`[{"intervals":[` + iv + `]}]`, "intervals[0].range"},
		"range one element":         {`[{"range":["2025-04-26T00:00:00Z"],"intervals":[]}]`, "intervals[0].range"},
		"range not a date":          {`[{"range":["2025-04-26T00:00:00Z","tomorrow"],"intervals":[]}]`, "intervals[0].range[1]"},
		"range without zone":        {`[{"range":["2025-04-26T00:00:00","2025-04-26T00:00:00Z"],"intervals":[]}]`, "intervals[0].range[0]"},
		"range number":              {`[{"range":[1,2],"intervals":[]}]`, "intervals[0].range[0]"},
		"range before year 1":       {`[{"range":["0001-01-01T00:30:00+01:00","2025-04-26T00:00:00Z"],"intervals":[]}]`, "intervals[0].range[0]"},
		"range past year 9999":      {`[{"range":["2025-04-26T00:00:00Z","9999-12-31T23:00:00-02:00"],"intervals":[]}]`, "intervals[0].range[1]"},
		"range date in year 0":      {`[{"range":["0000-12-31","2025-04-26"],"intervals":[]}]`, "intervals[0].range[0]"},
		"range reversed":            {`[{"range":["2025-04-27T00:00:00Z","2025-04-26T00:00:00Z"],"intervals":[]}]`, "intervals[0].range"},
		"range too long":            {`[{"range":["1900-01-01T00:00:00Z","2025-01-01T00:00:00Z"],"intervals":[]}]`, "intervals[0].range"},
		"flag not a bool":           {`[{` + rng + `,"intervals":[],"inEveryWeek":"yes"}]`, "intervals[0].inEveryWeek"},
		"id an object":              {`[{"id":{},` + rng + `,"intervals":[]}]`, "intervals[0].id"},
		"item intervals not array":  {`[{` + rng + `,"intervals":{}}]`, "intervals[0].intervals"},
		"interval not an object":    {`[{` + rng + `,"intervals":[1]}]`, "intervals[0].intervals[0]"},
		"start missing":             {`[{` + rng + `,"intervals":[{"end":{"hours":10,"minutes":0},"period":60}]}]`, "intervals[0].intervals[0].start"},
		"start a string":            {`[{` + rng + `,"intervals":[{"start":"09:00","end":{"hours":10,"minutes":0},"period":60}]}]`, "intervals[0].intervals[0].start"},
		"hours a string":            {`[{` + rng + `,"intervals":[{"start":{"hours":"9","minutes":0},"end":{"hours":10,"minutes":0},"period":60}]}]`, "intervals[0].intervals[0].start.hours"},
		"hours fractional":          {`[{` + rng + `,"intervals":[{"start":{"hours":9.5,"minutes":0},"end":{"hours":10,"minutes":0},"period":60}]}]`, "intervals[0].intervals[0].start.hours"},
		"hours 25":                  {`[{` + rng + `,"intervals":[{"start":{"hours":9,"minutes":0},"end":{"hours":25,"minutes":0},"period":60}]}]`, "intervals[0].intervals[0].end.hours"},
		"minutes 60":                {`[{` + rng + `,"intervals":[{"start":{"hours":9,"minutes":60},"end":{"hours":10,"minutes":0},"period":60}]}]`, "intervals[0].intervals[0].start.minutes"},
		"minutes missing":           {`[{` + rng + `,"intervals":[{"start":{"hours":9},"end":{"hours":10,"minutes":0},"period":60}]}]`, "intervals[0].intervals[0].start.minutes"},
		"past 24:00":                {`[{` + rng + `,"intervals":[{"start":{"hours":9,"minutes":0},"end":{"hours":24,"minutes":30},"period":60}]}]`, "intervals[0].intervals[0].end"},
		"period zero":               {`[{` + rng + `,"intervals":[{"start":{"hours":9,"minutes":0},"end":{"hours":10,"minutes":0},"period":0}]}]`, "intervals[0].intervals[0].period"},
		"period negative":           {`[{` + rng + `,"intervals":[{"start":{"hours":9,"minutes":0},"end":{"hours":10,"minutes":0},"period":-30}]}]`, "intervals[0].intervals[0].period"},
		"period missing":            {`[{` + rng + `,"intervals":[{"start":{"hours":9,"minutes":0},"end":{"hours":10,"minutes":0}}]}]`, "intervals[0].intervals[0].period"},
		"second item":               {`[{` + rng + `,"intervals":[` + iv + `]},{"range":null,"intervals":[` + iv + `]}]`, "intervals[1].range"},
		"external not an array":     {`[{` + rng + `,"intervals":[],"external":{}}]`, "intervals[0].external"},
		"exclusion a number":        {`[{` + rng + `,"intervals":[],"external":[5]}]`, "intervals[0].external[0]"},
		"exclusion unknown object":  {`[{` + rng + `,"intervals":[],"external":[{"day":"monday"}]}]`, "intervals[0].external[0]"},
		"exclusion date a number":   {`[{` + rng + `,"intervals":[],"external":[{"date":5}]}]`, "intervals[0].external[0].date"},
		"exclusion date invalid":    {`[{` + rng + `,"intervals":[],"external":[{"date":"soon"}]}]`, "intervals[0].external[0].date"},
		"exclusion flag":            {`[{` + rng + `,"intervals":[],"external":[{"date":"2025-05-03","inEveryYear":1}]}]`, "intervals[0].external[0].inEveryYear"},
		"externalTimes not array":   {`[{` + rng + `,"intervals":[],"external":[{"date":"2025-05-03","externalTimes":"all"}]}]`, "intervals[0].external[0].externalTimes"},
		"externalTimes bad pair":    {`[{` + rng + `,"intervals":[],"external":[{"date":"2025-05-03","externalTimes":[["2025-05-03T10:00:00Z"]]}]}]`, "intervals[0].external[0].externalTimes[0]"},
		"externalTimes empty span":  {`[{` + rng + `,"intervals":[],"external":[{"date":"2025-05-03","externalTimes":[["2025-05-03T10:00:00Z","2025-05-03T10:00:00Z"]]}]}]`, "intervals[0].external[0].externalTimes[0]"},
		"exclusion range reversed":  {`[{` + rng + `,"intervals":[],"external":[{"range":["2025-05-04T00:00:00Z","2025-05-03T00:00:00Z"]}]}]`, "intervals[0].external[0].range"},
		"exclusion range intervals": {`[{` + rng + `,"intervals":[],"external":[{"range":["2025-05-03T00:00:00Z","2025-05-03T00:00:00Z"],"intervals":[{"start":{"hours":9,"minutes":0}}]}]}]`, "intervals[0].external[0].intervals[0].end"},
		"exclusion pair reversed":   {`[{` + rng + `,"intervals":[],"external":[["2025-05-04T00:00:00Z","2025-05-03T00:00:00Z"]]}]`, "intervals[0].external[0]"},
		"exclusion pair of three":   {`[{` + rng + `,"intervals":[],"external":[["2025-05-03T00:00:00Z","2025-05-03T01:00:00Z","2025-05-03T02:00:00Z"]]}]`, "intervals[0].external[0]"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(json.RawMessage(tc.in))
			requireFieldError(t, err, tc.field, "schedule: ")
		})
	}
}

func TestParseSubmitted(t *testing.T) {
	t.Parallel()
	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		got, err := ParseSubmitted(json.RawMessage(`[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"],["2025-04-26T21:00:00+03:00","2025-04-26T19:30:00.5Z"]]`))
		require.NoError(t, err)
		require.Len(t, got, 2)
		assert.Equal(t, [2]string{"2025-04-26T16:30:00.000Z", "2025-04-26T18:00:00.000Z"}, got[0].Value())
		assert.Equal(t, [2]string{"2025-04-26T18:00:00.000Z", "2025-04-26T19:30:00.500Z"}, got[1].Value())
		assert.Equal(t, time.UTC, got[1].Start.Location())
	})
	t.Run("empty", func(t *testing.T) {
		t.Parallel()
		got, err := ParseSubmitted(json.RawMessage(`[]`))
		require.NoError(t, err)
		assert.Empty(t, got)
	})

	tests := map[string]struct {
		in    string
		field string
		msg   string
	}{
		"invalid JSON":         {`[[`, "", "invalid JSON"},
		"object":               {`{}`, "value", "array of [start, end] pairs"},
		"null":                 {`null`, "value", "got null"},
		"string":               {`"2025-04-26T16:30:00.000Z"`, "value", "got a string"},
		"bare pair":            {`["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"]`, "value", "wrap it as [[start, end]]"},
		"pair of one":          {`[["2025-04-26T16:30:00.000Z"]]`, "value[0]", "got 1 elements"},
		"pair of three":        {`[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z","x"]]`, "value[0]", "got 3 elements"},
		"pair of numbers":      {`[[1745685000000,1745690400000]]`, "value[0][0]", "want an ISO string"},
		"element an object":    {`[{"start":"2025-04-26T16:30:00.000Z","end":"2025-04-26T18:00:00.000Z"}]`, "value[0]", "got an object"},
		"bad date":             {`[["2025-04-26T16:30:00.000Z","2025-04-31T18:00:00.000Z"]]`, "value[0][1]", "not an ISO 8601"},
		"no zone":              {`[["2025-04-26T16:30:00","2025-04-26T18:00:00"]]`, "value[0][0]", "not an ISO 8601"},
		"date only":            {`[["2025-04-26","2025-04-27"]]`, "value[0][0]", "not an ISO 8601"},
		"end equals start":     {`[["2025-04-26T16:30:00.000Z","2025-04-26T16:30:00.000Z"]]`, "value[0]", "not after start"},
		"end before start":     {`[["2025-04-26T18:00:00.000Z","2025-04-26T16:30:00.000Z"]]`, "value[0]", "not after start"},
		"second pair is wrong": {`[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"],[]]`, "value[1]", "got 0 elements"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseSubmitted(json.RawMessage(tc.in))
			requireFieldError(t, err, tc.field, tc.msg)
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := `[{"id":"a","range":["2025-04-26T21:00:00.000Z","2025-04-27T21:00:00.000Z"],"external":[
		{"date":"2025-05-03T00:00:00.000Z","inEveryWeek":false,"inEveryMonth":true,"inEveryYear":false,"externalTimes":[]},
		{"date":"2025-05-04T00:00:00.000Z","inEveryWeek":false,"inEveryMonth":false,"inEveryYear":true},
		{"range":["2025-06-01T00:00:00.000Z","2025-06-02T00:00:00.000Z"],"intervals":[{"id":"","start":{"hours":9,"minutes":0},"end":{"hours":12,"minutes":0},"period":0}]},
		["2025-07-01T10:00:00.000Z","2025-07-01T11:00:00.000Z"]
	],"intervals":[{"id":"b","start":{"hours":16,"minutes":30},"end":{"hours":21,"minutes":30},"period":90}],"inEveryWeek":true,"inEveryMonth":false}]`
	s := mustParse(t, in)
	out, err := json.Marshal(s)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(out))
	again, err := Parse(out)
	require.NoError(t, err)
	assert.Equal(t, s, again)

	empty, err := json.Marshal(Schedule{})
	require.NoError(t, err)
	assert.Equal(t, "[]", string(empty))
	noExt, err := json.Marshal(Item{})
	require.NoError(t, err)
	assert.Contains(t, string(noExt), `"external":[]`)
}

func TestSlotJSON(t *testing.T) {
	t.Parallel()
	sl := Slot{Start: mustTime(t, "2025-04-26T19:30:00+03:00"), End: mustTime(t, "2025-04-26T18:00:00Z")}
	assert.Equal(t, [2]string{"2025-04-26T16:30:00.000Z", "2025-04-26T18:00:00.000Z"}, sl.Value())
	assert.Equal(t, "2025-04-26T16:30:00.000Z/2025-04-26T18:00:00.000Z", sl.String())

	b, err := json.Marshal([]Slot{sl})
	require.NoError(t, err)
	assert.JSONEq(t, `[["2025-04-26T16:30:00.000Z","2025-04-26T18:00:00.000Z"]]`, string(b))

	var back []Slot
	require.NoError(t, json.Unmarshal(b, &back))
	require.Len(t, back, 1)
	assert.True(t, back[0].Start.Equal(sl.Start) && back[0].End.Equal(sl.End))

	var bad Slot
	err = json.Unmarshal([]byte(`["2025-04-26T18:00:00.000Z","2025-04-26T16:30:00.000Z"]`), &bad)
	requireFieldError(t, err, "slot", "")
}

// requireFieldError checks that err is a *FieldError about field whose text contains msg.
func requireFieldError(t *testing.T, err error, field, msg string) {
	t.Helper()
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, field, fe.Field, "error: %v", err)
	assert.Contains(t, err.Error(), msg)
}
