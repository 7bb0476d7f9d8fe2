package mockserver_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/sandbox"
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

// requestLog keeps the URL of every request a browser tab makes.
type requestLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *requestLog) listen(t *testing.T, ctx context.Context) {
	t.Helper()
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			l.mu.Lock()
			l.urls = append(l.urls, e.Request.URL)
			l.mu.Unlock()
		}
	}))
}

func (l *requestLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.urls...)
}

// submit clicks a form's button and waits for the page the form leads to: the page it leaves
// may show what the test looks for already.
func submit(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	require.NoError(t, err, sel)
	require.Equal(t, int64(http.StatusOK), resp.Status, sel)
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(t, err, sel)
	return v
}

// The dashboard in a real browser: it follows the API live, drives sessions, faults and
// sandboxes through the same code as the admin API, and loads nothing from elsewhere.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	ctx := newBrowser(t)
	var log requestLog
	log.listen(t, ctx)
	ui := ts.URL + "/__admin/ui"

	t.Run("a purchase appears without a reload", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(ui+"/"),
			chromedp.WaitVisible(chromedp.CSS("#live.on")),
		))
		_, err := chromedp.Run(ctx, chromedp.Evaluate[int]("window.loadedOnce = 7"))
		require.NoError(t, err)

		f := ts.openStripeSession(t, 10, 1)
		ts.settle(t, f.sessionID, "complete")

		require.NoError(t, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#orders tr[data-order="%d"]`, f.orderID))),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#sessions tr[data-session="%d"] .p-completed`, f.sessionID))),
			chromedp.WaitVisible(chromedp.CSS(`#mails tr[data-mail]`)),
		))
		assert.Contains(t, text(t, ctx, "#mails"), "Your ticket")
		marker, err := chromedp.Run(ctx, chromedp.Evaluate[int]("window.loadedOnce || 0"))
		require.NoError(t, err)
		assert.Equal(t, 7, marker, "the page was updated in place, not reloaded")
	})

	t.Run("complete a session from the order page", func(t *testing.T) {
		f := ts.openStripeSession(t, 11, 1)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(fmt.Sprintf("%s/orders/%d", ui, f.orderID)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#complete-%d", f.sessionID))),
		))
		submit(t, ctx, fmt.Sprintf("#complete-%d", f.sessionID))
		assert.Contains(t, text(t, ctx, "#notice"), "completed")
		assert.Equal(t, "completed", ts.session(t, f.token, f.sessionID)["status"], "the API agrees")
		assert.Equal(t, true, ts.order(t, f.token, f.orderID)["isCompleted"])
	})

	t.Run("add and remove a fault", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(ui+"/faults"),
			chromedp.WaitVisible(chromedp.CSS("#fault-path")),
			chromedp.SendKeys(chromedp.CSS("#fault-path"), "/api/content/forms/**"),
			chromedp.SendKeys(chromedp.CSS("#fault-status"), "503"),
			chromedp.SendKeys(chromedp.CSS("#fault-times"), "2"),
		))
		submit(t, ctx, "#fault-add")
		require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#faults tr[data-fault]"))))
		faults := ts.server.Sandboxes().Default().Faults().List()
		require.Len(t, faults, 1, "the admin API sees the rule")
		status, body := ts.callWith(t, http.MethodGet, "/__admin/faults", "", nil, nil)
		require.Equal(t, http.StatusOK, status)
		assert.Contains(t, string(body), `"path":"/api/content/forms/**"`)
		assert.Contains(t, string(body), `"status":503`)
		status, _ = ts.call(t, http.MethodGet, "/api/content/forms", "", nil)
		assert.Equal(t, http.StatusServiceUnavailable, status, "the rule applies")
		// The page follows: the rule's matched count goes live before the test clicks in it.
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(
			`document.querySelector('#faults tr[data-fault=%q] td:nth-child(5)')?.textContent === "1"`, faults[0].ID)))
		require.NoError(t, err)

		submit(t, ctx, "#remove-"+faults[0].ID)
		assert.Contains(t, text(t, ctx, "#notice"), "removed")
		assert.Contains(t, text(t, ctx, "#faults"), "No fault rules")
		_, body = ts.callWith(t, http.MethodGet, "/__admin/faults", "", nil, nil)
		assert.JSONEq(t, "[]", string(body), "the admin API agrees")
	})

	t.Run("open a request's detail", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(ui+"/requests?q=orders"),
			chromedp.WaitVisible(chromedp.CSS("#requests tr[data-request] td.path a")),
			chromedp.Click(chromedp.CSS("#requests tr[data-request] td.path a")),
			chromedp.WaitVisible(chromedp.CSS("#curl")),
		))
		assert.Contains(t, text(t, ctx, "#curl"), "curl")
		assert.Contains(t, text(t, ctx, "#request-headers"), "x-app-token")
		assert.Contains(t, text(t, ctx, "#contract"), "follows")
	})

	t.Run("a hidden tab closes its stream and catches up when shown", func(t *testing.T) {
		// The page's visibility as the browser reports it when the tab is switched away from.
		setHidden := func(hidden bool) {
			t.Helper()
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`Object.defineProperty(document, "hidden", {configurable: true, get: () => %t});
				document.dispatchEvent(new Event("visibilitychange")); true`, hidden)))
			require.NoError(t, err)
		}
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(ui+"/"), chromedp.WaitVisible(chromedp.CSS("#live.on"))))
		setHidden(true)
		require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#live.off"))))
		assert.Equal(t, "paused", text(t, ctx, "#live"))
		setHidden(false)
		require.NoError(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#live.on"))))
	})

	t.Run("usable with the keyboard", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(ui+"/faults"),
			chromedp.WaitVisible(chromedp.CSS("#fault-path")),
			chromedp.KeyEvent(kb.Tab),
		))
		first, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.activeElement.className"))
		require.NoError(t, err)
		assert.Equal(t, "skip", first, "the first Tab reaches the skip link")

		// Enter in a field submits the form; Enter on a focused button presses it.
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Focus(chromedp.CSS("#fault-path")),
			chromedp.KeyEvent("/api/content/pages/**"),
			chromedp.Focus(chromedp.CSS("#fault-status")),
			chromedp.KeyEvent("500"),
		))
		resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
		require.NoError(t, err)
		require.Equal(t, int64(http.StatusOK), resp.Status)
		faults := ts.server.Sandboxes().Default().Faults().List()
		require.Len(t, faults, 1)
		assert.Equal(t, "/api/content/pages/**", faults[0].Path)
		require.NoError(t, chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#remove-"+faults[0].ID))))
		_, err = chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
		require.NoError(t, err)
		assert.Empty(t, ts.server.Sandboxes().Default().Faults().List())
	})

	t.Run("a live update keeps the focus where the reader left it", func(t *testing.T) {
		status, _ := ts.callWith(t, http.MethodPost, "/__admin/faults", "", `{"path":"/api/content/pages/**","status":503}`, nil)
		require.Equal(t, http.StatusCreated, status)
		faults := ts.server.Sandboxes().Default().Faults().List()
		require.Len(t, faults, 1)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(ui+"/faults"),
			chromedp.WaitVisible(chromedp.CSS("#live.on")),
			chromedp.Focus(chromedp.CSS("#remove-"+faults[0].ID)),
		))
		before, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body.dataset.refreshed || '0'"))
		require.NoError(t, err)
		status, _ = ts.call(t, http.MethodGet, "/api/content/pages/1", "", nil)
		require.Equal(t, http.StatusServiceUnavailable, status)
		// The rule's matched count changes, so its row is swapped.
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(
			`document.querySelector('#faults tr[data-fault=%q] td:nth-child(5)')?.textContent === "1" && document.body.dataset.refreshed !== %q`, faults[0].ID, before)))
		require.NoError(t, err)
		focused, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.activeElement.id"))
		require.NoError(t, err)
		assert.Equal(t, "remove-"+faults[0].ID, focused)
		status, _ = ts.callWith(t, http.MethodDelete, "/__admin/faults/"+faults[0].ID, "", nil, nil)
		require.Equal(t, http.StatusNoContent, status)
	})

	t.Run("switch sandboxes", func(t *testing.T) {
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(ui+"/sandboxes"),
			chromedp.WaitVisible(chromedp.CSS("#sandbox-create")),
		))
		submit(t, ctx, "#sandbox-create")
		all := ts.server.Sandboxes().All()
		require.Len(t, all, 2, "the admin API lists the new sandbox")
		other := all[0].Token()
		if other == appToken {
			other = all[1].Token()
		}
		submit(t, ctx, "#switch-"+other)
		assert.Equal(t, other, text(t, ctx, "#current-sandbox"))
		assert.Equal(t, other, text(t, ctx, "#app-token"))
		assert.Equal(t, "0", text(t, ctx, "#count-orders"), "the new sandbox has none of the default one's orders")
	})

	t.Run("nothing is loaded from outside the server", func(t *testing.T) {
		mails := ts.mails(t, userLogin)
		require.NotEmpty(t, mails)
		var visits []chromedp.Action[chromedp.Void]
		for _, p := range []string{"/", "/requests", "/orders", "/mail", "/mail/" + mails[0].ID, "/webhooks", "/faults", "/clock", "/sandboxes"} {
			visits = append(visits, chromedp.Navigate(ui+p), chromedp.WaitReady(chromedp.CSS("main")))
		}
		require.NoError(t, chromedp.Do(ctx, visits...))
		urls := log.all()
		require.NotEmpty(t, urls)
		for _, u := range urls {
			assert.True(t, strings.HasPrefix(u, ts.URL+"/"), "a request left the server: %s", u)
		}
	})
}

// TestDashboardScreenshots renders the main views. With UPDATE_SCREENSHOTS=1 it writes them
// to docs/img/, as the documentation shows them:
//
//	UPDATE_SCREENSHOTS=1 go test ./mockserver -run TestDashboardScreenshots
func TestDashboardScreenshots(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, withProfile(sandbox.ProfileSDK115))
	ts.paidPurchase(t)
	waiting := ts.openStripeSession(t, 11, 1)
	status, _ := ts.call(t, http.MethodGet, "/api/content/form/marker/tickets_form", "", nil)
	require.Equal(t, http.StatusNotFound, status)
	_, err := ts.server.Sandboxes().Default().AddFault(sandbox.FaultRule{Method: http.MethodPost, Path: "/api/content/payments/sessions", Status: 502, Times: 3})
	require.NoError(t, err)
	mails := ts.mails(t, userLogin)
	require.Len(t, mails, 1)
	ctx := newBrowser(t)
	ui := ts.URL + "/__admin/ui"

	shots := []struct{ name, path, dark string }{
		{"dashboard-overview.png", "/", ""},
		{"dashboard-overview-dark.png", "/", "dark"},
		{"dashboard-requests.png", "/requests", ""},
		{"dashboard-order.png", fmt.Sprintf("/orders/%d", waiting.orderID), ""},
		{"dashboard-mail.png", "/mail/" + mails[0].ID, ""},
		{"dashboard-faults.png", "/faults", ""},
	}
	update := os.Getenv("UPDATE_SCREENSHOTS") == "1"
	for _, s := range shots {
		scheme := "light"
		if s.dark != "" {
			scheme = "dark"
		}
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(ui+s.path), chromedp.WaitVisible(chromedp.CSS("#live.on"))))
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		require.NoError(t, err, s.name)
		require.Greater(t, len(png), 1000, s.name)
		if update {
			require.NoError(t, os.WriteFile(filepath.Join("..", "docs", "img", s.name), png, 0o644))
		}
	}
	if !update {
		t.Log("screenshots rendered, not written: set UPDATE_SCREENSHOTS=1 to write them to docs/img/")
	}
}
