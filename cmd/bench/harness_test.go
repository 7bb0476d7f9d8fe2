package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the harness re-execute this test binary as its bare server, as it re-executes
// the bench binary in a real run.
func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) == roleBare {
		ctx, stop := signalContext()
		defer stop()
		if err := runBare(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "bench bare:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// tableRows parses the harness's Markdown table into measure → [bare, mock, ratio, budget].
func tableRows(t *testing.T, out string) map[string][]string {
	t.Helper()
	rows := map[string][]string{}
	for line := range strings.Lines(out) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		rows[cells[0]] = cells[1:]
	}
	return rows
}

// TestHarnessRuns drives every workload for a fraction of a second against a freshly built
// server, so the harness keeps working as the mock changes. It asserts that every request
// succeeded and that every figure was measured, never how fast.
func TestHarnessRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server")
	}
	logPath := filepath.Join(t.TempDir(), "servers.log")
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	err := run(ctx, []string{
		"-duration", "300ms", "-warmup", "50ms", "-concurrency", "4", "-starts", "2",
		"-server-log", logPath,
	}, &out, &errOut)
	if err != nil {
		logs, _ := os.ReadFile(logPath)
		t.Fatalf("harness failed: %v\nprogress:\n%s\nserver logs:\n%s", err, errOut.String(), logs)
	}
	t.Log(out.String())

	rows := tableRows(t, out.String())
	for _, measure := range []string{
		"Form read: requests/s", "Form read: p50", "Form read: p99",
		"Order create: requests/s", "Order create: p99",
		"Ticket flow: flows/s", "Ticket flow: requests/s (6 per flow)", "Ticket flow: p99",
	} {
		cells, ok := rows[measure]
		if !assert.True(t, ok, "row %q missing", measure) {
			continue
		}
		assert.NotContains(t, []string{"0", "0.00 ms"}, cells[0], "%s: bare", measure)
		assert.NotContains(t, []string{"0", "0.00 ms"}, cells[1], "%s: mock", measure)
		assert.True(t, strings.HasSuffix(cells[2], "x"), "%s: ratio %q", measure, cells[2])
	}
	// CPU time is counted in 10 ms ticks: a run this short may see none on the bare side.
	for _, measure := range []string{"Form read", "Order create", "Ticket flow"} {
		cells, ok := rows[measure+": server CPU per request (ratio bare ÷ mock)"]
		if assert.True(t, ok, "%s: no CPU row", measure) && !strings.Contains(errOut.String(), "unpinned") {
			assert.True(t, strings.HasSuffix(cells[1], " µs"), "%s: mock CPU %q", measure, cells[1])
		}
		kernel, ok := rows[measure+": of which in the kernel"]
		if assert.True(t, ok, "%s: no kernel CPU row", measure) && !strings.Contains(errOut.String(), "unpinned") {
			assert.True(t, strings.HasSuffix(kernel[1], " µs"), "%s: mock kernel CPU %q", measure, kernel[1])
		}
	}
	require.Contains(t, rows, "Failed requests or flows")
	assert.Equal(t, []string{"0", "0"}, rows["Failed requests or flows"][:2], "progress:\n%s", errOut.String())
	require.Contains(t, rows, "Start to first 200 (median of 2)")
	assert.NotEqual(t, "0.00 ms", rows["Start to first 200 (median of 2)"][1])
	if _, err := os.Stat("/proc/self/status"); err == nil {
		assert.NotEqual(t, "n/a", rows["Idle RSS"][1])
		assert.NotEqual(t, "n/a", rows["Ticket flow: peak RSS so far"][1])
	}
	logs, err := os.ReadFile(logPath)
	require.NoError(t, err)
	assert.NotEmpty(t, logs, "the servers' stderr goes to -server-log")
}

func TestParseConfig(t *testing.T) {
	t.Parallel()
	cfg, err := parseConfig(nil, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, 32, cfg.concurrency)
	assert.Equal(t, 10*time.Second, cfg.duration)
	require.Len(t, cfg.scenarios, 3)

	cfg, err = parseConfig([]string{"-scenarios", "order, form,order", "-server-args", "--log-level=warn  --compat=live-2026"}, &bytes.Buffer{})
	require.NoError(t, err)
	require.Len(t, cfg.scenarios, 2)
	assert.Equal(t, "order", cfg.scenarios[0].key)
	assert.Equal(t, "form", cfg.scenarios[1].key)
	assert.Equal(t, []string{"--log-level=warn", "--compat=live-2026"}, cfg.serverArgs)

	for name, args := range map[string][]string{
		"no connections":   {"-concurrency", "0"},
		"too many":         {"-concurrency", "5000"},
		"endless":          {"-duration", "1h"},
		"no time":          {"-duration", "0s"},
		"unknown workload": {"-scenarios", "form,checkout"},
		"no starts":        {"-starts", "0"},
		"stray argument":   {"now"},
	} {
		_, err := parseConfig(args, &bytes.Buffer{})
		assert.Error(t, err, name)
	}
}

func TestHistogramQuantiles(t *testing.T) {
	t.Parallel()
	var h histogram
	for i := 1; i <= 10_000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 5 * time.Millisecond}, {0.99, 9900 * time.Microsecond}, {1, 10 * time.Millisecond}} {
		got := h.quantile(tc.q)
		assert.InEpsilon(t, float64(tc.want), float64(got), 1.0/64, "q=%v: %v", tc.q, got)
		assert.GreaterOrEqual(t, got, tc.want, "q=%v reports the bucket's upper bound", tc.q)
	}

	var small histogram
	for _, v := range []time.Duration{3, 3, 100, 127} {
		small.record(v)
	}
	assert.Equal(t, time.Duration(3), small.quantile(0.5), "values below 128 ns are exact")
	assert.Equal(t, time.Duration(127), small.quantile(1))

	var merged histogram
	merged.merge(&h)
	merged.merge(&small)
	assert.Equal(t, h.total+small.total, merged.total)
	assert.Equal(t, time.Duration(0), (&histogram{}).quantile(0.99))
}

func TestHistogramBucketsCoverEveryValue(t *testing.T) {
	t.Parallel()
	for _, v := range []uint64{0, 1, 127, 128, 129, 255, 256, 1 << 20, 1<<20 + 12345, 1<<62 + 7, 1<<63 - 1} {
		i := histIndex(v)
		require.Less(t, i, histBuckets, "value %d", v)
		assert.GreaterOrEqual(t, histUpper(i), v, "value %d in bucket %d", v, i)
		if i > 0 {
			assert.Less(t, histUpper(i-1), v, "value %d belongs to an earlier bucket than %d", v, i)
		}
	}
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	status := "Name:\toneentry-mock\nVmPeak:\t 1263268 kB\nVmHWM:\t   20480 kB\nVmRSS:\t   10240 kB\nThreads:\t6\n"
	m, err := parseStatus([]byte(status))
	require.NoError(t, err)
	assert.Equal(t, int64(10<<20), m.rss)
	assert.Equal(t, int64(20<<20), m.peak)

	_, err = parseStatus([]byte("Name:\tx\nVmRSS:\t 1 kB\n"))
	assert.Error(t, err, "VmHWM missing")
	_, err = parseStatus([]byte("VmRSS:\t lots\nVmHWM:\t 1 kB\n"))
	assert.Error(t, err)
}

func TestParseStat(t *testing.T) {
	t.Parallel()
	// A name with a space and a parenthesis; utime 250 and stime 50 ticks.
	stat := "4242 (odd) name) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 8 0 100 0 0\n"
	c, err := parseStat([]byte(stat))
	require.NoError(t, err)
	assert.Equal(t, cpuTime{user: 2500 * time.Millisecond, system: 500 * time.Millisecond}, c)
	assert.Equal(t, 3*time.Second, c.total())
	assert.Equal(t, cpuTime{user: 250 * time.Millisecond, system: 50 * time.Millisecond}, c.per(10))
	assert.Equal(t, cpuTime{user: 2 * time.Second, system: 400 * time.Millisecond},
		c.minus(cpuTime{user: 500 * time.Millisecond, system: 100 * time.Millisecond}))
	_, err = parseStat([]byte("4242 (x) S 1"))
	assert.Error(t, err)
	_, err = parseStat([]byte("4242 (x) S 1 2 3 4 5 6 7 8 9 10 ticks 5 0"))
	assert.ErrorContains(t, err, "not a tick count")
}

func TestLoopbackHost(t *testing.T) {
	t.Parallel()
	host, err := loopbackHost("oneentry-mock listening on http://127.0.0.1:39751")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:39751", host)

	_, err = loopbackHost("oneentry-mock listening on http://10.0.0.5:8080")
	assert.ErrorIs(t, err, errNoLoopback)
	for _, line := range []string{"ready", "listening on https://127.0.0.1:1", "listening on http://127.0.0.1"} {
		_, err = loopbackHost(line)
		assert.Error(t, err, line)
	}
}

func TestBareHandlerReplaysTheFlow(t *testing.T) {
	t.Parallel()
	set := &cannedSet{
		Login:           canned{Status: 201, Body: []byte(`{"accessToken":"t"}`)},
		Form:            canned{Status: 200, Body: []byte(`{"identifier":"tickets_form"}`)},
		OrderCreate:     canned{Status: 201, Body: []byte(`{"id":92}`)},
		SessionCreate:   canned{Status: 201, Body: []byte(`{"id":1}`)},
		SessionsByOrder: canned{Status: 200, Body: []byte(`{"orderId":92}`)},
		Order:           canned{Status: 200, Body: []byte(`{"id":92,"storageId":1}`)},
	}
	h := &bareHandler{set: set, healthz: canned{Status: 200, Body: []byte(`{"status":"ok"}`)}}
	for _, tc := range []struct {
		method, target string
		want           canned
	}{
		{http.MethodGet, "/healthz", h.healthz},
		{http.MethodPost, authPrefix + "/auth", set.Login},
		{http.MethodGet, formPath, set.Form},
		{http.MethodPost, ordersPath, set.OrderCreate},
		{http.MethodPost, sessionsPath, set.SessionCreate},
		{http.MethodGet, sessionsPath + "/order/92", set.SessionsByOrder},
		{http.MethodGet, ordersPath + "/92", set.Order},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.target, strings.NewReader("{}")))
		assert.Equal(t, tc.want.Status, rec.Code, "%s %s", tc.method, tc.target)
		assert.Equal(t, string(tc.want.Body), rec.Body.String(), "%s %s", tc.method, tc.target)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, ordersPath+"/92", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}
