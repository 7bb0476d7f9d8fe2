package scenarios_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/oneentry-mock/oneentry-mock/client"
	"github.com/oneentry-mock/oneentry-mock/scenarios"
)

// TestHundredSandboxesRunTheSuiteInParallel drives 100 sandboxes of one server with every flow
// at once, as parallel test suites sharing a container would: each sees only its own data.
func TestHundredSandboxesRunTheSuiteInParallel(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("100 sandboxes × every flow: skipped with -short")
	}
	server := newSandbox(t, nil)
	const n = 100
	type sandboxRun struct {
		token   string
		users   [2]scenarios.Credentials
		results []scenarios.Result
	}
	runs := make([]sandboxRun, n)
	for i := range runs {
		resp, err := server.Client().Post(server.URL+"/__admin/sandboxes", "application/json", nil)
		require.NoError(t, err)
		var created struct {
			AppToken string `json:"appToken"`
			Users    []struct {
				Identifier string `json:"identifier"`
				Password   string `json:"password"`
			} `json:"users"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
		resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
		runs[i].token = created.AppToken
		for j := range 2 {
			runs[i].users[j] = scenarios.Credentials{Login: created.Users[j].Identifier, Password: created.Users[j].Password}
		}
	}

	var wg sync.WaitGroup
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tg := scenarios.URLTarget(server.URL, runs[i].token)
			tg.User, tg.User2 = runs[i].users[0], runs[i].users[1]
			runs[i].results = scenarios.Run(t.Context(), tg, scenarios.All()...)
		}()
	}
	wg.Wait()

	for _, run := range runs {
		requirePassed(t, run.results)
		var created []int
		for _, r := range run.results {
			for _, c := range r.Created {
				if c.Kind == "order" {
					created = append(created, c.ID)
				}
			}
		}
		require.NotEmpty(t, created)
		assert.Equal(t, 92, slices.Min(created), "every sandbox's order ids start at the fixtures' first id")

		var listed []int
		for _, u := range run.users {
			c, err := client.New(server.URL, client.WithAppToken(run.token))
			require.NoError(t, err)
			_, err = c.Auth(t.Context(), "email", client.AuthRequest{AuthData: []client.AuthData{{Marker: "email_reg", Value: u.Login}, {Marker: "password_reg", Value: u.Password}}})
			require.NoError(t, err)
			orders, err := c.Orders(t.Context(), "tickets", 0, 100)
			require.NoError(t, err)
			for _, o := range orders.Items {
				listed = append(listed, o.ID)
			}
		}
		assert.ElementsMatch(t, created, listed, "sandbox %s holds exactly the orders its own flows created", run.token)
	}
}

// slowSandboxes is a mock whose POST /__admin/sandboxes answers once runEnded is closed (the
// run's deadline has passed), and whose DELETE answers deleteStatus, telling deleted.
func slowSandboxes(t *testing.T, runEnded <-chan struct{}, deleteStatus int, deleted chan<- string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /__admin/sandboxes", func(w http.ResponseWriter, r *http.Request) {
		<-runEnded
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"appToken":"sbx_late","users":[]}`))
	})
	mux.HandleFunc("DELETE /__admin/sandboxes/{token}", func(w http.ResponseWriter, r *http.Request) {
		deleted <- r.PathValue("token")
		w.WriteHeader(deleteStatus)
	})
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	return server
}

// A run whose time runs out while its sandbox is being made deletes the sandbox: the mock made
// it, and only its answer named it.
func TestASandboxMadeAsTheRunTimesOutIsDeleted(t *testing.T) {
	t.Parallel()
	deleted := make(chan string, 1)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	server := slowSandboxes(t, ctx.Done(), http.StatusNoContent, deleted)

	tg := scenarios.URLTarget(server.URL, "")
	tg.SetSandboxGrace(time.Minute) // the answer comes right after the end, however busy the machine
	before := tg.AppToken
	_, ok, err := tg.OwnSandbox(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, ok)
	assert.Equal(t, before, tg.AppToken, "the target is left as it was")
	select {
	case token := <-deleted:
		assert.Equal(t, "sbx_late", token)
	default:
		t.Fatal("the sandbox made as the run timed out was left on the target")
	}
}

// A sandbox that could not be deleted after the run ended is named in the error.
func TestASandboxLeftOnTheTargetIsNamed(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	server := slowSandboxes(t, ctx.Done(), http.StatusInternalServerError, make(chan string, 1))
	tg := scenarios.URLTarget(server.URL, "")
	tg.SetSandboxGrace(time.Minute)
	_, _, err := tg.OwnSandbox(ctx)
	var left *scenarios.SandboxLeftError
	require.ErrorAs(t, err, &left)
	assert.Equal(t, "sbx_late", left.AppToken)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// A target that never answers holds the run only a little past its end: making the sandbox is
// abandoned then.
func TestMakingASandboxIsAbandonedSoonAfterTheRunEnds(t *testing.T) {
	t.Parallel()
	abandoned := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("POST /__admin/sandboxes", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		close(abandoned)
	})
	server := httptest.NewServer(mux)
	t.Cleanup(server.Close)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, _, err := scenarios.URLTarget(server.URL, "").OwnSandbox(ctx)
		done <- err
	}()
	cancel() // Ctrl-C
	select {
	case <-abandoned:
	case <-time.After(5 * time.Second):
		t.Fatal("the request for a sandbox outlived the run by more than its grace")
	}
	assert.Error(t, <-done)
}
