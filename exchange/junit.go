package exchange

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
)

// Suites is a JUnit XML report as CI systems read it (the Jenkins/Ant schema): testsuites >
// testsuite > testcase. WriteJUnit fills in the counts.
type Suites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Time     string   `xml:"time,attr,omitempty"`
	Suites   []Suite  `xml:"testsuite"`
}

// Suite is one testsuite.
type Suite struct {
	Name       string      `xml:"name,attr"`
	Tests      int         `xml:"tests,attr"`
	Failures   int         `xml:"failures,attr"`
	Errors     int         `xml:"errors,attr"`
	Skipped    int         `xml:"skipped,attr"`
	Time       string      `xml:"time,attr"`
	Timestamp  string      `xml:"timestamp,attr,omitempty"`
	Properties *Properties `xml:"properties,omitempty"`
	Cases      []Case      `xml:"testcase"`
	// SystemOut is what the suite says beside its cases.
	SystemOut string `xml:"system-out,omitempty"`
}

// Properties are the name/value pairs of a testsuite.
type Properties struct {
	Property []Property `xml:"property"`
}

// Property is a name and value of a testsuite.
type Property struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Case is one testcase; at most one of Failure, Error and Skipped is set.
type Case struct {
	ClassName string   `xml:"classname,attr"`
	Name      string   `xml:"name,attr"`
	Time      string   `xml:"time,attr"`
	Failure   *Problem `xml:"failure,omitempty"`
	Error     *Problem `xml:"error,omitempty"`
	Skipped   *Problem `xml:"skipped,omitempty"`
	SystemOut string   `xml:"system-out,omitempty"`
}

// Problem is a failure, an error or a skip: a one-line message, its type and the details.
type Problem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit counts the tests, failures, errors and skips of every suite and of the whole
// report from its cases and writes doc as indented XML.
func WriteJUnit(w io.Writer, doc *Suites) error {
	doc.Tests, doc.Failures, doc.Errors, doc.Skipped = 0, 0, 0, 0
	for i := range doc.Suites {
		s := &doc.Suites[i]
		s.Tests, s.Failures, s.Errors, s.Skipped = len(s.Cases), 0, 0, 0
		for _, c := range s.Cases {
			switch {
			case c.Failure != nil:
				s.Failures++
			case c.Error != nil:
				s.Errors++
			case c.Skipped != nil:
				s.Skipped++
			}
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		doc.Errors += s.Errors
		doc.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitRequired lists the attributes the Jenkins/Ant schema requires of each element: a CI
// system reading a report without them misses results.
var junitRequired = map[string][]string{
	"testsuites": {"tests", "failures", "errors"},
	"testsuite":  {"name", "tests", "failures", "errors", "skipped", "time"},
	"testcase":   {"classname", "name", "time"},
	"failure":    {"message"},
	"error":      {"message"},
}

// ReadJUnit decodes a JUnit XML report, as a CI system would, and checks it: every element
// carries the attributes the schema requires, and every count agrees with the cases.
func ReadJUnit(data []byte) (*Suites, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, name := range junitRequired[el.Name.Local] {
			if !slices.ContainsFunc(el.Attr, func(a xml.Attr) bool { return a.Name.Local == name }) {
				return nil, fmt.Errorf("junit: <%s> has no %s attribute", el.Name.Local, name)
			}
		}
	}
	var doc Suites
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	want := doc
	want.Suites = slices.Clone(doc.Suites)
	if err := WriteJUnit(io.Discard, &want); err != nil {
		return nil, err
	}
	if got, exp := counts(&doc), counts(&want); !slices.Equal(got, exp) {
		return nil, fmt.Errorf("junit: counts %v do not agree with the cases %v", got, exp)
	}
	return &doc, nil
}

// counts lists the report's tests, failures, errors and skips, then each suite's.
func counts(doc *Suites) []int {
	out := []int{doc.Tests, doc.Failures, doc.Errors, doc.Skipped}
	for _, s := range doc.Suites {
		out = append(out, s.Tests, s.Failures, s.Errors, s.Skipped)
	}
	return out
}
