package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/internal/budget"
)

// The budgets, measured on a 2-core machine. They are printed next to the figures, never
// asserted: a loaded CI runner would fail them for reasons that have nothing to do with the
// code. The ratios are of server CPU time per request, bare ÷ mock, so higher is better.
const (
	budgetStartup     = 50 * time.Millisecond
	budgetIdleRSS     = 20 << 20
	budgetPeakRSS     = 50 << 20
	budgetFormRatio   = 0.6
	budgetFormP99     = 10 * time.Millisecond
	budgetOrderRatio  = 0.4
	budgetFlowsPerSec = 1500
)

// serverFigures are the per-process measurements of one server.
type serverFigures struct {
	startup time.Duration // median time from exec to the first 200 on /healthz
	idle    memory        // after the first 200, before any load
	idleErr error
}

// scenarioRun is one workload measured against both servers.
type scenarioRun struct {
	scenario
	bare, mock result
}

// report is everything one harness run measured.
type report struct {
	cfg        config
	machine    string
	pinning    string
	bare, mock serverFigures
	runs       []scenarioRun
}

type row struct {
	measure, bare, mock, ratio, budget string
}

func (r *report) rows() []row {
	var rows []row
	rows = append(rows, row{
		measure: fmt.Sprintf("Start to first 200 (median of %d)", r.cfg.starts),
		bare:    fmtDuration(r.bare.startup),
		mock:    fmtDuration(r.mock.startup),
		ratio:   fmtRatio(float64(r.mock.startup), float64(r.bare.startup)),
		budget:  budget.Verdict(r.mock.startup < budgetStartup, "< 50 ms"),
	})
	rows = append(rows, row{
		measure: "Idle RSS",
		bare:    fmtBytes(r.bare.idle.rss, r.bare.idleErr),
		mock:    fmtBytes(r.mock.idle.rss, r.mock.idleErr),
		ratio:   fmtMemRatio(r.mock.idle.rss, r.mock.idleErr, r.bare.idle.rss, r.bare.idleErr),
		budget:  memVerdict(r.mock.idle.rss, r.mock.idleErr, budgetIdleRSS, "< 20 MiB"),
	})
	var bareErrors, mockErrors int64
	for _, run := range r.runs {
		bareErrors += run.bare.errors
		mockErrors += run.mock.errors
		unit := "requests/s"
		if run.perOp > 1 {
			unit = "flows/s"
		}
		bareRate, mockRate := run.bare.throughput(), run.mock.throughput()
		rate := row{
			measure: run.title + ": " + unit,
			bare:    fmtRate(bareRate),
			mock:    fmtRate(mockRate),
			ratio:   fmtRatio(mockRate, bareRate),
		}
		if run.key == "flow" {
			rate.budget = budget.Verdict(mockRate >= budgetFlowsPerSec, "≥ 1,500 flows/s")
		}
		rows = append(rows, rate)
		rows = append(rows, cpuRow(run), kernelCPURow(run))
		if run.perOp > 1 {
			b, m := bareRate*float64(run.perOp), mockRate*float64(run.perOp)
			rows = append(rows, row{
				measure: fmt.Sprintf("%s: requests/s (%d per flow)", run.title, run.perOp),
				bare:    fmtRate(b),
				mock:    fmtRate(m),
				ratio:   fmtRatio(m, b),
			})
		}
		for _, q := range []struct {
			name string
			q    float64
		}{{"p50", 0.50}, {"p99", 0.99}} {
			b, m := run.bare.latency.quantile(q.q), run.mock.latency.quantile(q.q)
			lat := row{
				measure: run.title + ": " + q.name,
				bare:    fmtDuration(b),
				mock:    fmtDuration(m),
				ratio:   fmtRatio(float64(m), float64(b)),
			}
			if run.key == "form" && q.name == "p99" {
				lat.budget = budget.Verdict(run.mock.ops > 0 && m < budgetFormP99, "< 10 ms")
			}
			rows = append(rows, lat)
		}
		rows = append(rows, row{
			measure: run.title + ": peak RSS so far",
			bare:    fmtBytes(run.bare.peakRSS, run.bare.peakErr),
			mock:    fmtBytes(run.mock.peakRSS, run.mock.peakErr),
			ratio:   fmtMemRatio(run.mock.peakRSS, run.mock.peakErr, run.bare.peakRSS, run.bare.peakErr),
			budget:  memVerdict(run.mock.peakRSS, run.mock.peakErr, budgetPeakRSS, "< 50 MiB"),
		})
	}
	rows = append(rows, row{
		measure: "Failed requests or flows",
		bare:    strconv.FormatInt(bareErrors, 10),
		mock:    strconv.FormatInt(mockErrors, 10),
		budget:  budget.Verdict(mockErrors == 0, "0"),
	})
	return rows
}

// write prints the run as Markdown: what was run where, then the table.
func (r *report) write(w io.Writer) {
	names := make([]string, len(r.cfg.scenarios))
	for i, s := range r.cfg.scenarios {
		names[i] = s.key
	}
	fmt.Fprintf(w, "Workloads %s; %d connections; %v measured per workload and server after %v of warm-up.\n",
		strings.Join(names, ", "), r.cfg.concurrency, r.cfg.duration, r.cfg.warmup)
	fmt.Fprintf(w, "Machine: %s; %s.\n\n", r.machine, r.pinning)
	fmt.Fprintln(w, "| Measure | bare net/http | oneentry-mock | mock ÷ bare | Budget |")
	fmt.Fprintln(w, "|---|--:|--:|--:|---|")
	for _, row := range r.rows() {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", row.measure, row.bare, row.mock, row.ratio, row.budget)
	}
}

// cpuRow is the server's CPU time per request. Its ratio is bare ÷ mock, the share of the
// ceiling the mock reaches, like the throughput ratio: higher is better.
func cpuRow(run scenarioRun) row {
	b, bok := run.bare.cpuPerRequest(run.perOp)
	m, mok := run.mock.cpuPerRequest(run.perOp)
	r := row{measure: run.title + ": server CPU per request (ratio bare ÷ mock)", bare: "n/a", mock: "n/a", ratio: "–"}
	if bok {
		r.bare = budget.Micros(b.total())
	}
	if mok {
		r.mock = budget.Micros(m.total())
	}
	if bok && mok {
		r.ratio = fmtRatio(float64(b.total()), float64(m.total()))
	}
	minRatio := map[string]float64{"form": budgetFormRatio, "order": budgetOrderRatio}[run.key]
	if minRatio > 0 {
		text := "≥ " + strconv.FormatFloat(minRatio, 'f', 1, 64) + "x"
		if bok && mok && m.total() > 0 {
			r.budget = budget.Verdict(float64(b.total())/float64(m.total()) >= minRatio, text)
		} else {
			r.budget = "n/a (" + text + ")"
		}
	}
	return r
}

// kernelCPURow is the part of cpuRow's figure the kernel spent: the socket work, the same for
// both servers in kind, but dearer per request when the load generator sleeps between answers
// and each one has to wake it. What remains is the server's own code.
func kernelCPURow(run scenarioRun) row {
	r := row{measure: run.title + ": of which in the kernel", bare: "n/a", mock: "n/a", ratio: "–"}
	if b, ok := run.bare.cpuPerRequest(run.perOp); ok {
		r.bare = budget.Micros(b.system)
	}
	if m, ok := run.mock.cpuPerRequest(run.perOp); ok {
		r.mock = budget.Micros(m.system)
	}
	return r
}

func memVerdict(v int64, err error, limit int64, text string) string {
	if err != nil {
		return "n/a (" + text + ")"
	}
	return budget.Verdict(v < limit, text)
}

func fmtDuration(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return strconv.FormatFloat(ms, 'f', 2, 64) + " ms"
	case ms < 100:
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	default:
		return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
	}
}

func fmtBytes(n int64, err error) string {
	if err != nil {
		return "n/a"
	}
	return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
}

// fmtRate writes a rate rounded to a whole number, with thousands separators: 12,345.
func fmtRate(v float64) string {
	return budget.Thousands(int64(math.Round(v)))
}

func fmtRatio(mock, bare float64) string {
	if bare <= 0 {
		return "–"
	}
	return strconv.FormatFloat(mock/bare, 'f', 2, 64) + "x"
}

func fmtMemRatio(mock int64, mockErr error, bare int64, bareErr error) string {
	if mockErr != nil || bareErr != nil {
		return "–"
	}
	return fmtRatio(float64(mock), float64(bare))
}

// describeMachine names the CPU, its logical cores, the memory and the Go version, so a table
// can be compared with another machine's, and the load average, so a noisy run shows as one.
func describeMachine() string {
	cpu := runtime.GOARCH
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	parts := []string{cpu, fmt.Sprintf("%d logical CPUs", runtime.NumCPU())}
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.Lines(string(data)) {
			if k, v, ok := strings.Cut(line, ":"); ok && k == "MemTotal" {
				if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64); err == nil {
					parts = append(parts, strconv.FormatFloat(float64(kb)/(1<<20), 'f', 1, 64)+" GiB RAM")
				}
			}
		}
	}
	parts = append(parts, runtime.GOOS+"/"+runtime.GOARCH, runtime.Version())
	// Other work on the machine skews every figure; the load average says whether there was any.
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) > 0 {
			parts = append(parts, "load average "+f[0]+" at the start")
		}
	}
	return strings.Join(parts, ", ")
}
