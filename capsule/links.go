package capsule

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// linkPrefix is where the replay serves the pages that stand in for recorded URLs.
const linkPrefix = "/__replay/link/"

// redactedURL matches a JSON string holding an http(s) URL with a placeholder in it (as the
// recording wrote it, or with < and > escaped), such as the paymentUrl of a session: the
// recorded host is not there during a replay, and the placeholder is no value a server knows.
var redactedURL = regexp.MustCompile(`"(https?://[^"\s]*?(?:<[a-z-]+(?:-\d+)?>|\\u003c[a-z-]+(?:-\d+)?\\u003e)[^"\s]*)"`)

// links turns recorded URLs that hold placeholders into URLs of the replay itself, each of
// which opens a page naming the recorded URL: a front end that follows a payment URL lands on
// a page that loads, rather than on a dead host or an address with a placeholder in it.
type links struct {
	mu    sync.Mutex
	byURL map[string]int
	urls  []string
}

// rewrite replaces every recorded URL with a placeholder in body by a link to the replay at
// base (scheme://host of the request).
func (l *links) rewrite(body []byte, base string) []byte {
	if !redactedURL.Match(body) {
		return body
	}
	return redactedURL.ReplaceAllFunc(body, func(m []byte) []byte {
		recorded := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">").Replace(string(m[1 : len(m)-1]))
		return []byte(strconv.Quote(base + linkPrefix + strconv.Itoa(l.number(recorded))))
	})
}

func (l *links) number(recorded string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byURL == nil {
		l.byURL = map[string]int{}
	}
	if n, ok := l.byURL[recorded]; ok {
		return n
	}
	l.urls = append(l.urls, recorded)
	l.byURL[recorded] = len(l.urls)
	return len(l.urls)
}

// serve answers GET /__replay/link/N with a page naming the recorded URL; it reports whether
// the request was one.
func (l *links) serve(w http.ResponseWriter, r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, linkPrefix)
	if !ok || r.Method != http.MethodGet {
		return false
	}
	n, err := strconv.Atoi(rest)
	l.mu.Lock()
	var recorded string
	if err == nil && n >= 1 && n <= len(l.urls) {
		recorded = l.urls[n-1]
	}
	l.mu.Unlock()
	if recorded == "" {
		http.NotFound(w, r)
		return true
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, fmt.Sprintf(`<!doctype html><meta charset="utf-8"><title>Recorded link</title>
<h1>Recorded link</h1>
<p>During the recording the API answered this URL (secrets replaced by placeholders):</p>
<p><code>%s</code></p>
<p>The replay cannot open it offline. <a href="javascript:history.back()">Back</a></p>
`, html.EscapeString(recorded)))
	return true
}
