package drift

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// Formats lists the output formats Write accepts.
var Formats = []string{"text", "json", "junit", "markdown"}

// Write writes r in format: text, json, junit or markdown.
func Write(w io.Writer, format string, r *Report) error {
	switch format {
	case "text", "":
		return WriteText(w, r)
	case "json":
		return WriteJSON(w, r)
	case "junit":
		return WriteJUnit(w, r)
	case "markdown", "md":
		return WriteMarkdown(w, r)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// verdict is the one-line outcome of a report.
func verdict(r *Report) string {
	s := r.Summary
	outcome := "no breaking drift"
	if s.Breaking > 0 {
		outcome = "BREAKING DRIFT"
	}
	return fmt.Sprintf("%s: %d breaking, %s, %d info, %d acknowledged in %s (exit %d)",
		outcome, s.Breaking, plural(s.Warnings, "warning"), s.Info, s.Allowed, plural(s.Steps, "step"), r.ExitCode())
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func targetLine(r *Report) string {
	if r.TargetKind == "" {
		return "mock vs " + r.Target
	}
	return fmt.Sprintf("mock vs %s (%s)", r.Target, r.TargetKind)
}

// WriteText writes a per-step table, then every difference with its values, the notes, the
// expired allow entries and the verdict.
func WriteText(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	ew.printf("oneentry-mock drift: %s\n\n", targetLine(r))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tMOCK\tOTHER\tBREAKING\tWARNINGS\tINFO\tACKNOWLEDGED")
	for _, s := range r.Steps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\n", s.ID(), s.Mock, s.Other,
			s.Count(SeverityBreaking), s.Count(SeverityWarning), s.Count(SeverityInfo), s.Acknowledged())
	}
	_ = tw.Flush()
	for _, s := range r.Steps {
		if len(s.Items) == 0 && len(s.Omitted) == 0 {
			continue
		}
		ew.printf("\n%s\n", s.ID())
		for _, it := range s.Items {
			ew.printf("  %-8s %-14s %-18s %s  %s\n", it.Severity, it.Kind, orDash(it.Pointer), it.Side, it.Request)
			ew.printf("           %s\n", it.Message)
			if it.Mock != "" || it.Other != "" {
				ew.printf("           mock:  %s\n           other: %s\n", orDash(it.Mock), orDash(it.Other))
			}
			if it.Allowed != nil {
				ew.printf("           acknowledged until %s: %s\n", it.Allowed.Expires, it.Allowed.Reason)
			}
		}
		for _, o := range s.Omitted {
			ew.printf("  … %s\n", o)
		}
	}
	if len(r.Notes) > 0 {
		ew.printf("\nnotes:\n")
		for _, n := range r.Notes {
			ew.printf("  - %s\n", n)
		}
	}
	if len(r.Expired) > 0 {
		ew.printf("\nexpired allow entries (they silence nothing; renew or remove them):\n")
		for _, e := range r.Expired {
			ew.printf("  - %s %s %s, expired %s: %s\n", e.Step, e.Pointer, e.Kind, e.Expires, e.Reason)
		}
	}
	ew.printf("\n%s\n", verdict(r))
	return ew.err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }

// WriteMarkdown writes r for a pull-request comment: the verdict, the steps that differ, every
// unacknowledged difference, the acknowledged ones and the notes.
func WriteMarkdown(w io.Writer, r *Report) error {
	ew := &errWriter{w: w}
	ew.printf("## Contract drift: %s\n\n", mdCode(targetLine(r)))
	ew.printf("**%s**\n\n", verdict(r))
	var differing []StepReport
	for _, s := range r.Steps {
		if len(s.Items) > 0 || len(s.Omitted) > 0 {
			differing = append(differing, s)
		}
	}
	if len(differing) == 0 {
		ew.printf("Every step answers alike on both sides.\n")
	} else {
		ew.printf("| Step | Mock | Other | Breaking | Warnings | Info | Acknowledged |\n|---|---|---|---:|---:|---:|---:|\n")
		for _, s := range differing {
			ew.printf("| %s | %s | %s | %d | %d | %d | %d |\n", mdCode(s.ID()), mdCell(s.Mock), mdCell(s.Other),
				s.Count(SeverityBreaking), s.Count(SeverityWarning), s.Count(SeverityInfo), s.Acknowledged())
		}
		ew.printf("\n%d of %d steps differ.\n", len(differing), len(r.Steps))
	}
	var open, acked []Item
	for _, it := range r.Items() {
		if it.Allowed == nil {
			open = append(open, it)
		} else {
			acked = append(acked, it)
		}
	}
	if len(open) > 0 {
		ew.printf("\n### Differences\n\n| Severity | Step | Request | Pointer | Kind | Mock | Other | What |\n|---|---|---|---|---|---|---|---|\n")
		for _, it := range open {
			ew.printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", it.Severity, mdCode(it.StepID()), mdCode(it.Request), mdCode(orDash(it.Pointer)), it.Kind, mdCode(it.Mock), mdCode(it.Other), mdCell(it.Message))
		}
	}
	if len(acked) > 0 {
		ew.printf("\n### Acknowledged (drift-allow)\n\n| Step | Request | Pointer | Kind | Reason | Until |\n|---|---|---|---|---|---|\n")
		for _, it := range acked {
			ew.printf("| %s | %s | %s | %s | %s | %s |\n", mdCode(it.StepID()), mdCode(it.Request), mdCode(orDash(it.Pointer)), it.Kind, mdCell(it.Allowed.Reason), it.Allowed.Expires)
		}
	}
	if r.Summary.Unlisted > 0 {
		ew.printf("\n### Not listed\n\n")
		for _, s := range r.Steps {
			for _, o := range s.Omitted {
				ew.printf("- %s: %s\n", mdCode(s.ID()), mdCell(o.String()))
			}
		}
	}
	if len(r.Expired) > 0 {
		ew.printf("\n### Expired allow entries\n\n")
		for _, e := range r.Expired {
			ew.printf("- %s %s %s, expired %s: %s\n", mdCode(e.Step), mdCode(e.Pointer), e.Kind, e.Expires, mdCell(e.Reason))
		}
	}
	if len(r.Notes) > 0 {
		ew.printf("\n### Notes\n\n")
		for _, n := range r.Notes {
			ew.printf("- %s\n", mdCell(n))
		}
	}
	return ew.err
}

// mdCell makes text safe inside a table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

// mdCode puts text in a code span; empty text stays empty.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = mdCell(s)
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// WriteJUnit writes r as JUnit XML: one testsuite per flow, one testcase per step. A step with
// unacknowledged breaking differences is a failure; otherwise a step that did not run (or was
// not recorded) on one side is skipped, as nothing of it was compared; warnings, info and
// acknowledged items are in the testcase's system-out.
func WriteJUnit(w io.Writer, r *Report) error {
	doc := exchange.Suites{Name: "oneentry-mock drift: " + targetLine(r)}
	suites := map[string]int{}
	for _, s := range r.Steps {
		i, ok := suites[s.Flow]
		if !ok {
			i = len(doc.Suites)
			suites[s.Flow] = i
			doc.Suites = append(doc.Suites, exchange.Suite{Name: "drift/" + s.Flow, Time: "0"})
		}
		suite := &doc.Suites[i]
		// A comparison takes no measurable time, and the flows' own times are in their reports.
		tc := exchange.Case{Name: s.Step, ClassName: "drift." + s.Flow, Time: "0"}
		var lines, breaking []string
		for _, it := range s.Items {
			line := fmt.Sprintf("%s %s %s [%s]", it.Severity, it.Kind, orDash(it.Pointer), it.Side)
			if it.Request != "" {
				// A step's items may come from several requests to the same route.
				line += " " + it.Request + ":"
			}
			line += " " + it.Message
			if it.Mock != "" || it.Other != "" {
				line += fmt.Sprintf(" (mock: %s, other: %s)", orDash(it.Mock), orDash(it.Other))
			}
			if it.Allowed != nil {
				line += " — acknowledged until " + it.Allowed.Expires + ": " + it.Allowed.Reason
			} else if it.Severity == SeverityBreaking {
				breaking = append(breaking, line)
			}
			lines = append(lines, line)
		}
		for _, o := range s.Omitted {
			line := "… " + o.String()
			if o.Allowed == nil && o.Severity == SeverityBreaking {
				breaking = append(breaking, line)
			}
			lines = append(lines, line)
		}
		switch {
		case s.Count(SeverityBreaking) > 0:
			tc.Failure = &exchange.Problem{Message: fmt.Sprintf("%d breaking differences", s.Count(SeverityBreaking)), Type: string(SeverityBreaking), Text: strings.Join(breaking, "\n")}
		case s.Mock == "not run" || s.Other == "not run" || s.Other == "not recorded":
			tc.Skipped = &exchange.Problem{Message: fmt.Sprintf("nothing to compare: mock %s, other %s", s.Mock, s.Other)}
		}
		tc.SystemOut = strings.Join(lines, "\n")
		suite.Cases = append(suite.Cases, tc)
	}
	// The notes and the expired allow entries concern no one step: a suite of no cases says them.
	var said []string
	for _, n := range r.Notes {
		said = append(said, "note: "+n)
	}
	for _, e := range r.Expired {
		said = append(said, fmt.Sprintf("expired allow entry: %s %s %s, expired %s: %s", e.Step, e.Pointer, e.Kind, e.Expires, e.Reason))
	}
	if len(said) > 0 {
		doc.Suites = append(doc.Suites, exchange.Suite{Name: "drift/report", Time: "0", SystemOut: strings.Join(said, "\n")})
	}
	return exchange.WriteJUnit(w, &doc)
}
