package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// Summary counts the outcomes of a run.
type Summary struct {
	Flows, FlowsPassed, FlowsFailed, FlowsSkipped int
	Steps, StepsPassed, StepsFailed, StepsSkipped int
	Violations                                    int
}

// Summarize counts the outcomes of results.
func Summarize(results []Result) Summary {
	var s Summary
	for _, r := range results {
		s.Flows++
		switch r.Status {
		case StatusPassed:
			s.FlowsPassed++
		case StatusFailed:
			s.FlowsFailed++
		case StatusSkipped:
			s.FlowsSkipped++
		}
		for _, st := range r.Steps {
			s.Steps++
			s.Violations += len(st.Violations)
			switch st.Status {
			case StatusPassed:
				s.StepsPassed++
			case StatusFailed:
				s.StepsFailed++
			case StatusSkipped:
				s.StepsSkipped++
			}
		}
	}
	return s
}

// Failed reports whether any flow failed.
func (s Summary) Failed() bool { return s.FlowsFailed > 0 }

// String is the one-line summary printed at the end of a text report.
func (s Summary) String() string {
	return fmt.Sprintf("%d flows: %d passed, %d failed, %d skipped; %d steps: %d passed, %d failed, %d skipped; %d contract violations",
		s.Flows, s.FlowsPassed, s.FlowsFailed, s.FlowsSkipped, s.Steps, s.StepsPassed, s.StepsFailed, s.StepsSkipped, s.Violations)
}

// WriteJSON writes results as an indented JSON array of Result, always valid UTF-8.
func WriteJSON(w io.Writer, results []Result) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		return err
	}
	// A recorded body is kept as the target sent it, and encoding/json copies a RawMessage
	// without checking its strings' bytes, so a target's invalid UTF-8 would reach the report.
	// Such bytes can only sit inside a string (outside one, JSON is ASCII), where the escape
	// encoding/json writes for them in its own strings is valid too.
	out := buf.Bytes()
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte(`\ufffd`))
	}
	_, err := w.Write(out)
	return err
}

// WriteText writes a per-step table, the details of every failure, what each flow created and a
// summary line.
func WriteText(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FLOW\tSTEP\tRESULT\tTIME\tHTTP\tNOTE")
	for _, r := range results {
		if len(r.Steps) == 0 || r.Err != "" || r.SkipReason != "" {
			fmt.Fprintf(tw, "%s\t-\t%s\t%s\t\t%s\n", r.Flow, Label(r.Status), millis(r.Duration), oneLine(firstOf(r.Err, r.SkipReason), 100))
		}
		for _, s := range r.Steps {
			note := firstOf(s.Err, s.SkipReason)
			if note == "" && len(s.Violations) > 0 {
				note = fmt.Sprintf("%d contract violations", len(s.Violations))
			}
			if note == "" && len(s.Notes) > 0 {
				note = s.Notes[0]
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Flow, s.Name, Label(s.Status), millis(s.Duration), statuses(s.Exchanges), oneLine(note, 100))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var b strings.Builder
	first := true
	for _, r := range results {
		for _, s := range r.Steps {
			if !s.Failed() {
				continue
			}
			if first {
				b.WriteString("\nFailures:\n")
				first = false
			}
			fmt.Fprintf(&b, "\n%s / %s\n%s", r.Flow, s.Name, indent(Details(s), "  "))
		}
		if r.Err != "" {
			if first {
				b.WriteString("\nFailures:\n")
				first = false
			}
			fmt.Fprintf(&b, "\n%s\n  %s\n", r.Flow, r.Err)
		}
	}
	first = true
	for _, r := range results {
		if len(r.Created) == 0 {
			continue
		}
		if first {
			b.WriteString("\nCreated:\n")
			first = false
		}
		names := make([]string, len(r.Created))
		for i, c := range r.Created {
			names[i] = c.String()
		}
		fmt.Fprintf(&b, "  %s: %s\n", r.Flow, strings.Join(names, ", "))
	}
	target := ""
	if len(results) > 0 {
		target = " on " + results[0].Target
	}
	fmt.Fprintf(&b, "\n%s%s\n", Summarize(results), target)
	_, err := io.WriteString(w, b.String())
	return err
}

// Label is the short word for a status in reports: ok, FAIL, skip.
func Label(s Status) string {
	switch s {
	case StatusPassed:
		return "ok"
	case StatusFailed:
		return "FAIL"
	case StatusSkipped:
		return "skip"
	}
	return string(s)
}

// Details describes a step for a failure report: its error, its contract violations and an
// excerpt of each of its exchanges.
func Details(s StepResult) string {
	var b strings.Builder
	if s.Err != "" {
		fmt.Fprintf(&b, "error: %s\n", s.Err)
	}
	for _, v := range s.Violations {
		fmt.Fprintf(&b, "contract: %s\n", v)
	}
	for _, n := range s.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, ex := range s.Exchanges {
		b.WriteString(Excerpt(ex, 1024))
	}
	return b.String()
}

// Excerpt writes an exchange as "> METHOD path?query", the request body, "< status" and the
// response body, each body cut to max bytes.
func Excerpt(ex exchange.Exchange, max int) string {
	var b strings.Builder
	target := ex.Path
	if ex.Query != "" {
		target += "?" + ex.Query
	}
	fmt.Fprintf(&b, "> %s %s\n", ex.Method, target)
	if body := firstOf(string(ex.RequestBody), ex.RequestText); body != "" {
		fmt.Fprintf(&b, "> %s\n", cut(body, max))
	}
	if ex.Error != "" {
		fmt.Fprintf(&b, "< (no answer: %s)\n", ex.Error)
		return b.String()
	}
	fmt.Fprintf(&b, "< %d\n", ex.Status)
	if body := firstOf(string(ex.ResponseBody), ex.ResponseText); body != "" {
		fmt.Fprintf(&b, "< %s\n", cut(body, max))
	}
	return b.String()
}

// String names a created entity as reports list it: "order 92 in storage tickets".
func (c Created) String() string {
	s := fmt.Sprintf("%s %d", c.Kind, c.ID)
	if c.Storage != "" {
		s += " in storage " + c.Storage
	}
	return s
}

// flowCase names the testcase that stands for a whole flow when it failed or was skipped
// outside its steps.
const flowCase = "(flow)"

// WriteJUnit writes results as JUnit XML, one testsuite per flow and one testcase per step
// (classname = flow): a step that failed or broke the contract is a <failure> with the error,
// the violations and the request/response excerpts; a failure outside steps (unreachable
// target, failed cleanup) is an <error>; skips are <skipped>, the steps a flow did not run after
// a failing or skipping step among them, so a flow's testcases are the same in every run on a
// target. What a step created is in its testcase's system-out, after its notes, so data left
// on a live project can be found.
func WriteJUnit(w io.Writer, results []Result) error {
	doc := exchange.Suites{Name: "oneentry-mock scenarios"}
	if len(results) > 0 {
		doc.Name += " on " + results[0].Target
	}
	var total time.Duration
	for _, r := range results {
		suite := exchange.Suite{
			Name:       r.Flow,
			Time:       seconds(r.Duration),
			Timestamp:  r.Started.UTC().Format("2006-01-02T15:04:05"),
			Properties: &exchange.Properties{Property: []exchange.Property{{Name: "target", Value: r.Target}}},
		}
		created := map[string][]string{}
		for _, c := range r.Created {
			created[c.Step] = append(created[c.Step], "created "+c.String())
		}
		for _, s := range r.Steps {
			if s.Name == outsideSteps && !s.Failed() {
				// Traffic outside steps is a cleanup's, made in some runs only: as a testcase it
				// would change a suite's cases from run to run, so only a breach makes it one.
				suite.SystemOut = strings.Join(s.Notes, "\n")
				continue
			}
			c := exchange.Case{ClassName: r.Flow, Name: s.Name, Time: seconds(s.Duration)}
			switch s.Status {
			case StatusFailed:
				msg := s.Err
				if msg == "" {
					msg = fmt.Sprintf("%d contract violations", len(s.Violations))
					if len(s.Violations) > 0 {
						msg += ": " + s.Violations[0].String()
					}
				}
				typ := "step"
				if s.Err == "" {
					typ = "contract"
				}
				c.Failure = &exchange.Problem{Message: oneLine(msg, 500), Type: typ, Text: Details(s)}
			case StatusSkipped:
				c.Skipped = &exchange.Problem{Message: s.SkipReason}
			}
			c.SystemOut = strings.Join(append(slices.Clone(s.Notes), created[s.Name]...), "\n")
			delete(created, s.Name)
			suite.Cases = append(suite.Cases, c)
		}
		// Entities credited to a step the result does not hold (one edited by hand) are kept.
		for _, c := range r.Created {
			if _, ok := created[c.Step]; ok {
				suite.Properties.Property = append(suite.Properties.Property, exchange.Property{Name: "created", Value: c.String() + " (step " + c.Step + ")"})
			}
		}
		switch {
		case r.Err != "":
			suite.Cases = append(suite.Cases, exchange.Case{ClassName: r.Flow, Name: flowCase, Time: "0.000",
				Error: &exchange.Problem{Message: oneLine(r.Err, 500), Type: "flow", Text: r.Err}})
		case r.SkipReason != "":
			suite.Cases = append(suite.Cases, exchange.Case{ClassName: r.Flow, Name: flowCase, Time: "0.000",
				Skipped: &exchange.Problem{Message: r.SkipReason}})
		}
		total += r.Duration
		doc.Suites = append(doc.Suites, suite)
	}
	doc.Time = seconds(total)
	return exchange.WriteJUnit(w, &doc)
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func millis(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	return d.Round(time.Millisecond).String()
}

// statuses lists the statuses of a step's exchanges ("401 201 200"), "ERR" for a failed one.
func statuses(exs []exchange.Exchange) string {
	const show = 6
	parts := make([]string, 0, show+1)
	for i, ex := range exs {
		if i == show {
			parts = append(parts, fmt.Sprintf("+%d", len(exs)-show))
			break
		}
		if ex.Status == 0 {
			parts = append(parts, "ERR")
		} else {
			parts = append(parts, fmt.Sprint(ex.Status))
		}
	}
	return strings.Join(parts, " ")
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// oneLine flattens s to one line of at most max bytes.
func oneLine(s string, max int) string {
	return cut(strings.Join(strings.Fields(s), " "), max)
}

// cut shortens s to at most max bytes without splitting a character.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + fmt.Sprintf("… (%d more bytes)", len(s)-i)
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}
