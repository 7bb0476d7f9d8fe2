package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/bits"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection held by one virtual user, as wrk holds its
// connections: the request is written from a reused buffer and the response parsed with
// net/http's own reader. On two cores the load generator shares the CPU with the server it
// measures: against the same bare handler, a generator built on http.Client reached ~28k
// requests/s and this one ~45k. A heavier client pushes every ratio towards 1, flattering the
// mock; this one leaves more of the machine to the server.
type conn struct {
	host    string // 127.0.0.1:PORT, also the Host header
	timeout time.Duration
	nc      net.Conn
	br      *bufio.Reader
	req     []byte
	body    bytes.Buffer
}

// header is one request header line.
type header struct{ name, value string }

func newConn(host string, timeout time.Duration) *conn {
	return &conn{host: host, timeout: timeout}
}

// do sends one request and reads the whole response. The returned body is valid until the next
// call. Any transport failure closes the connection; the next call dials a new one.
func (c *conn) do(method, target string, headers []header, body []byte) (int, []byte, error) {
	if c.nc == nil {
		nc, err := net.DialTimeout("tcp", c.host, c.timeout)
		if err != nil {
			return 0, nil, err
		}
		c.nc = nc
		if c.br == nil {
			c.br = bufio.NewReaderSize(nc, 16<<10)
		} else {
			c.br.Reset(nc)
		}
	}
	c.req = append(c.req[:0], method...)
	c.req = append(c.req, ' ')
	c.req = append(c.req, target...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, c.host...)
	c.req = append(c.req, "\r\n"...)
	for _, h := range headers {
		c.req = append(c.req, h.name...)
		c.req = append(c.req, ": "...)
		c.req = append(c.req, h.value...)
		c.req = append(c.req, "\r\n"...)
	}
	if body != nil {
		c.req = append(c.req, "Content-Type: application/json\r\nContent-Length: "...)
		c.req = strconv.AppendInt(c.req, int64(len(body)), 10)
		c.req = append(c.req, "\r\n"...)
	}
	c.req = append(c.req, "\r\n"...)
	c.req = append(c.req, body...)

	if err := c.nc.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		c.close()
		return 0, nil, err
	}
	if _, err := c.nc.Write(c.req); err != nil {
		c.close()
		return 0, nil, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.close()
		return 0, nil, err
	}
	c.body.Reset()
	_, err = c.body.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		c.close()
		return 0, nil, err
	}
	if resp.Close {
		c.close()
	}
	return resp.StatusCode, c.body.Bytes(), nil
}

func (c *conn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// histogram counts durations in log-linear buckets: exact below 128 ns, then 64 buckets per
// power of two, so any quantile is within 1/64 (1.6%) of the true value. It is fixed-size and
// allocation-free, so recording costs the load generator nothing measurable however long it runs.
type histogram struct {
	counts [histBuckets]uint64
	total  uint64
}

const (
	histSubBits = 6                                          // 64 buckets per power of two
	histLinear  = 2 << histSubBits                           // values below this are counted exactly
	histBuckets = histLinear + (64-histSubBits)<<histSubBits // room for any int64 nanoseconds
)

func histIndex(v uint64) int {
	if v < histLinear {
		return int(v)
	}
	shift := bits.Len64(v) - histSubBits - 1 // ≥ 1; keeps the top 7 bits, whose top bit is set
	return shift<<histSubBits + int(v>>shift)
}

// histUpper is the largest value counted in bucket i.
func histUpper(i int) uint64 {
	if i < histLinear {
		return uint64(i)
	}
	shift := i>>histSubBits - 1
	mantissa := uint64(i - shift<<histSubBits)
	return (mantissa+1)<<shift - 1
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[histIndex(uint64(d))]++
	h.total++
}

func (h *histogram) merge(o *histogram) {
	for i, n := range o.counts {
		h.counts[i] += n
	}
	h.total += o.total
}

// quantile returns the smallest recorded bucket bound below which a fraction q of the values lie.
func (h *histogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(q*float64(h.total) + 0.999999)
	rank = max(rank, 1)
	var seen uint64
	for i, n := range h.counts {
		seen += n
		if seen >= rank {
			return time.Duration(histUpper(i))
		}
	}
	return time.Duration(histUpper(histBuckets - 1))
}

// loadConfig bounds one measured run.
type loadConfig struct {
	concurrency int
	warmup      time.Duration
	duration    time.Duration
	maxOps      int64 // counted ops after warmup; 0 means no bound but time
	timeout     time.Duration
	// cpu, when set, reads the server's CPU time at the start and the end of the measured window.
	cpu func() (cpuTime, error)
}

// opFunc is one unit of work of a virtual user (a request, or a whole flow) on its connection.
type opFunc func(c *conn) error

// result is what a run measured.
type result struct {
	ops      int64         // successful ops in the measured window
	errors   int64         // failed ops in the measured window
	elapsed  time.Duration // length of the measured window
	latency  histogram     // successful ops only
	firstErr error
	peakRSS  int64 // the server's VmHWM right after the run
	peakErr  error
	cpu      cpuTime // the server's CPU time in the measured window
	cpuErr   error
}

// cpuPerRequest is the server's CPU time per request of the measured window; perOp requests
// make one op.
func (r *result) cpuPerRequest(perOp int) (cpuTime, bool) {
	n := (r.ops + r.errors) * int64(max(perOp, 1))
	if r.cpuErr != nil || n == 0 {
		return cpuTime{}, false
	}
	return r.cpu.per(n), true
}

// throughput is successful ops per second.
func (r *result) throughput() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ops) / r.elapsed.Seconds()
}

// drive runs cfg.concurrency virtual users, each looping its op on its own connection, for
// warmup plus duration. Only ops that start after the warmup are counted; the window closes at
// the deadline or when maxOps ops have been counted, whichever comes first.
func drive(ctx context.Context, host string, cfg loadConfig, newOp func(vu int) opFunc) result {
	start := time.Now()
	measureFrom := start.Add(cfg.warmup)
	deadline := measureFrom.Add(cfg.duration)
	var counted atomic.Int64
	type vuResult struct {
		ops, errors int64
		last        time.Time
		latency     histogram
		firstErr    error
	}
	results := make([]vuResult, cfg.concurrency)
	var cpuStart cpuTime
	cpuErr := errors.New("not measured")
	cpuStarted := make(chan struct{})
	go func() {
		defer close(cpuStarted)
		if cfg.cpu == nil {
			return
		}
		timer := time.NewTimer(time.Until(measureFrom))
		defer timer.Stop()
		select {
		case <-timer.C:
			cpuStart, cpuErr = cfg.cpu()
		case <-ctx.Done():
		}
	}()
	var wg sync.WaitGroup
	for vu := range cfg.concurrency {
		wg.Go(func() {
			res := &results[vu]
			op := newOp(vu)
			c := newConn(host, cfg.timeout)
			defer c.close()
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					return
				}
				err := op(c)
				t1 := time.Now()
				if t0.Before(measureFrom) {
					continue
				}
				if cfg.maxOps > 0 && counted.Add(1) > cfg.maxOps {
					return
				}
				res.last = t1
				if err != nil {
					res.errors++
					if res.firstErr == nil {
						res.firstErr = err
					}
					c.close()
					continue
				}
				res.ops++
				res.latency.record(t1.Sub(t0))
			}
		})
	}
	wg.Wait()
	<-cpuStarted
	var out result
	out.cpuErr = cpuErr
	if cpuErr == nil {
		end, err := cfg.cpu()
		out.cpu, out.cpuErr = end.minus(cpuStart), err
	}
	end := measureFrom
	for i := range results {
		r := &results[i]
		out.ops += r.ops
		out.errors += r.errors
		out.latency.merge(&r.latency)
		if r.last.After(end) {
			end = r.last
		}
		if out.firstErr == nil {
			out.firstErr = r.firstErr
		}
	}
	out.elapsed = end.Sub(measureFrom)
	if err := ctx.Err(); err != nil && out.firstErr == nil {
		out.firstErr = err
	}
	return out
}

// statusError is an answer with a status the scenario did not expect.
type statusError struct {
	method, target string
	got, want      int
	body           string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d, want %d: %s", e.method, e.target, e.got, e.want, e.body)
}

// expect performs a request and fails unless the answer has the wanted status.
func expect(c *conn, want int, method, target string, headers []header, body []byte) ([]byte, error) {
	status, resp, err := c.do(method, target, headers, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, target, err)
	}
	if status != want {
		snippet := resp
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return nil, &statusError{method: method, target: target, got: status, want: want, body: string(snippet)}
	}
	return resp, nil
}
