package capsule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/oneentry-mock/oneentry-mock/contracts"
	"github.com/oneentry-mock/oneentry-mock/exchange"
)

// DefaultMaxBodyBytes bounds the request and response bodies the proxy buffers.
const DefaultMaxBodyBytes = 32 << 20

// CheckFunc validates an exchange as it passes the proxy and returns one message per contract
// breach. It sees the exchange before redaction, and must not log values.
type CheckFunc func(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) []string

// apiPrefix starts the paths of the content API, the only traffic the contract describes.
const apiPrefix = "/api/content/"

// ContractCheck is the CheckFunc that validates content-API traffic against the contract v;
// other paths and CORS preflights pass unchecked.
func ContractCheck(v *contracts.Validator) CheckFunc {
	return func(req *http.Request, _ []byte, status int, header http.Header, body []byte) []string {
		if !strings.HasPrefix(exchange.CleanPath(req.URL.Path), apiPrefix) || req.Method == http.MethodOptions {
			return nil
		}
		var out []string
		for _, violation := range contracts.Violations(v.ValidateExchange(req.Context(), req, status, header, body)) {
			out = append(out, violation.String())
		}
		return out
	}
}

// ProxyOptions configures NewProxy.
type ProxyOptions struct {
	// Upstream is the API the proxy forwards to (https://<project>.oneentry.cloud). Required.
	Upstream *url.URL
	// Recorder receives every forwarded exchange. Required.
	Recorder *Recorder
	// Transport sends requests upstream; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// Check validates each exchange; breaches are logged at warn level. Optional.
	Check CheckFunc
	// Logger receives one line per exchange and one per breach; discarded when nil.
	Logger *slog.Logger
	// MaxBodyBytes bounds buffered bodies; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// UpstreamTimeout bounds each exchange, from the moment the proxy starts reading the
	// request to the end of the upstream's answer. An upstream that takes longer is given up on
	// and the client gets a 504; zero means no bound, which leaves a client waiting forever on
	// an upstream that accepts a request and never answers.
	UpstreamTimeout time.Duration
	// Now is the clock of recorded timings and error timestamps; time.Now when nil.
	Now func() time.Time
}

type proxyState struct {
	start time.Time
	body  []byte
	path  string
	query string
	req   *http.Request
}

type proxyStateKey struct{}

// NewProxy returns a recording reverse proxy: it answers CORS preflights itself (a front end on
// any origin can call it), forwards every other request to the upstream unchanged, checks and
// records each exchange, and returns the upstream's answer with its own CORS headers.
func NewProxy(opts ProxyOptions) (http.Handler, error) {
	if opts.Upstream == nil || opts.Upstream.Scheme == "" || opts.Upstream.Host == "" {
		return nil, errors.New("capsule: ProxyOptions.Upstream must be an absolute URL")
	}
	if opts.Recorder == nil {
		return nil, errors.New("capsule: ProxyOptions.Recorder is required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &proxy{opts: opts}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(opts.Upstream)
			// Without Accept-Encoding the transport asks for gzip itself and decompresses, so the
			// recorded body is the JSON and not compressed bytes.
			pr.Out.Header.Del("Accept-Encoding")
		},
		Transport:      opts.Transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.upstreamError,
		ErrorLog:       slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
	}
	return p, nil
}

type proxy struct {
	opts ProxyOptions
	rp   *httputil.ReverseProxy
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if preflight(w, r) {
		return
	}
	if p.opts.UpstreamTimeout > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), p.opts.UpstreamTimeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, p.opts.MaxBodyBytes))
	if err != nil {
		writeAPIError(w, r, http.StatusRequestEntityTooLarge, "request entity too large", p.opts.Now())
		return
	}
	st := &proxyState{start: p.opts.Now(), body: body, path: r.URL.Path, query: r.URL.RawQuery, req: r}
	r = r.WithContext(context.WithValue(r.Context(), proxyStateKey{}, st))
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	p.rp.ServeHTTP(w, r)
}

func (p *proxy) modifyResponse(resp *http.Response) error {
	st, _ := resp.Request.Context().Value(proxyStateKey{}).(*proxyState)
	if st == nil {
		return errors.New("capsule: proxy state missing")
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.opts.MaxBodyBytes+1))
	_ = resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read upstream answer: %w", err)
	}
	if int64(len(body)) > p.opts.MaxBodyBytes {
		return fmt.Errorf("upstream answer is larger than %d bytes", p.opts.MaxBodyBytes)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", fmt.Sprint(len(body)))
	duration := p.opts.Now().Sub(st.start)

	raw := RawExchange{
		Method: st.req.Method, Path: st.path, RawQuery: st.query,
		RequestHeader: st.req.Header, RequestBody: st.body,
		Status: resp.StatusCode, ResponseHeader: resp.Header.Clone(), ResponseBody: body,
		Start: st.start, Duration: duration,
	}
	ctx := st.req.Context()
	var breaches []string
	if p.opts.Check != nil {
		checkReq := st.req.Clone(ctx)
		checkReq.Body = io.NopCloser(bytes.NewReader(st.body))
		breaches = p.opts.Check(checkReq, st.body, resp.StatusCode, resp.Header, body)
	}
	defer setCORS(resp.Header, st.req)
	if _, err := p.opts.Recorder.Record(raw); err != nil {
		// The answer still goes to the client: a full capsule ends the recording, not the proxy.
		p.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "not recorded",
			slog.String("method", st.req.Method),
			slog.String("path", exchange.MaskUnroutedPath(st.path)),
			slog.String("error", err.Error()))
		return nil
	}
	n := p.opts.Recorder.Len()
	level := slog.LevelInfo
	switch {
	case resp.StatusCode >= 500:
		level = slog.LevelError
	case resp.StatusCode >= 400 || len(breaches) > 0:
		level = slog.LevelWarn
	}
	p.opts.Logger.LogAttrs(ctx, level, "recorded",
		slog.Int("exchange", n),
		slog.String("method", st.req.Method),
		slog.String("path", exchange.MaskUnroutedPath(st.path)),
		slog.Int("status", resp.StatusCode),
		slog.Duration("duration", duration),
		slog.Int("violations", len(breaches)))
	for _, b := range breaches {
		p.opts.Logger.LogAttrs(ctx, slog.LevelWarn, "contract violation",
			slog.Int("exchange", n),
			slog.String("method", st.req.Method),
			slog.String("path", exchange.MaskUnroutedPath(st.path)),
			slog.Int("status", resp.StatusCode),
			slog.String("violation", maskRequestIn(b, st.req)))
	}
	return nil
}

func (p *proxy) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	p.opts.Logger.ErrorContext(r.Context(), "upstream failed", "method", r.Method, "path", exchange.MaskUnroutedPath(r.URL.Path),
		"err", maskRequestIn(err.Error(), r))
	if errors.Is(err, context.DeadlineExceeded) {
		writeAPIError(w, r, http.StatusGatewayTimeout,
			fmt.Sprintf("oneentry-mock proxy: upstream did not answer within %s", p.opts.UpstreamTimeout), p.opts.Now())
		return
	}
	writeAPIError(w, r, http.StatusBadGateway, "oneentry-mock proxy: upstream failed: "+err.Error(), p.opts.Now())
}

// maskRequestIn returns text (an error that names r) as a log line may show it: r's path and
// query masked wherever text spells them, as sent, unescaped or with its slashes collapsed.
func maskRequestIn(text string, r *http.Request) string {
	var pairs []string
	for _, p := range []string{r.URL.EscapedPath(), r.URL.Path, exchange.CleanPath(r.URL.Path)} {
		pairs = append(pairs, p, exchange.MaskUnroutedPath(p))
	}
	if r.URL.RawQuery != "" {
		pairs = append(pairs, r.URL.RawQuery, exchange.MaskQuery(r.URL.RawQuery))
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// setCORS replaces the upstream's CORS headers with the content API's for the calling origin,
// as the mock sets them (exchange.SetCORS).
func setCORS(h http.Header, r *http.Request) {
	for k := range h {
		if strings.HasPrefix(http.CanonicalHeaderKey(k), "Access-Control-") {
			delete(h, k)
		}
	}
	h.Add("Vary", "Origin")
	exchange.SetCORS(h, r.Header.Get("Origin"))
}

// preflight answers a CORS preflight as the mock answers one of the content API, and reports
// whether it did.
func preflight(w http.ResponseWriter, r *http.Request) bool {
	if !exchange.IsPreflight(r) {
		return false
	}
	setCORS(w.Header(), r)
	return exchange.AnswerPreflight(w, r)
}

// writeAPIError answers with the live error body, as the mock does.
func writeAPIError(w http.ResponseWriter, r *http.Request, status int, msg string, now time.Time) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(exchange.NewErrorBody(status, msg, now))
	h := w.Header()
	setCORS(h, r)
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimRight(b.Bytes(), "\n"))
}
