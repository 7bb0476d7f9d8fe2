package mockserver_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chromiumPath finds Debian's Chromium, or the one CHROMIUM_PATH names.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no Chromium found: install Debian's chromium (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH")
	return ""
}

// newBrowser starts a headless Chromium for the test, stopped when it ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	return browserCtx
}

// TestCheckoutInChromium pays on the checkout page in a real headless browser, as a buyer would.
func TestCheckoutInChromium(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	f := ts.openStripeSession(t, 10, 1)
	browserCtx := newBrowser(t)

	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(browserCtx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return v
	}
	require.NoError(t, chromedp.Do(browserCtx,
		chromedp.Navigate(f.payURL),
		chromedp.WaitVisible(chromedp.CSS("#complete")),
	))
	total, before := text("#total"), text("#status")
	require.NoError(t, chromedp.Do(browserCtx,
		chromedp.Click(chromedp.CSS("#complete")),
		chromedp.WaitVisible(chromedp.CSS("#result")),
	))
	after, result := text("#status"), text("#result")
	assert.Equal(t, "100.00 USD", strings.TrimSpace(total))
	assert.Equal(t, "waiting", before)
	assert.Equal(t, "completed", after)
	assert.Contains(t, result, "Payment accepted")

	assert.Equal(t, "completed", ts.session(t, f.token, f.sessionID)["status"])
	assert.Equal(t, true, ts.order(t, f.token, f.orderID)["isCompleted"])
	assert.Len(t, ts.mails(t, userLogin), 1)
}
