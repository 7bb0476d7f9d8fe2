package scenarios

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// SandboxRefusedError is a mock's refusal of a sandbox for the run: it serves the admin API but
// wants an admin token, or holds as many sandboxes as it may.
type SandboxRefusedError struct {
	Status  int
	Message string
}

func (e *SandboxRefusedError) Error() string {
	hint := "give its --admin-token"
	if e.Status == http.StatusConflict {
		hint = "delete a sandbox of it or raise its --max-sandboxes"
	}
	return fmt.Sprintf("the target refused a sandbox for the run (POST /__admin/sandboxes answered %d %s): %s, or run in its default sandbox with --sandbox default", e.Status, e.Message, hint)
}

// OwnSandbox asks the mock at t.BaseURL for a sandbox of its own (POST /__admin/sandboxes)
// and points t at it, with its app token and its first two users, so a run leaves the
// default sandbox, which a developer's front end may be using, as it was. ok is false, and t
// unchanged, when the target does not serve the mock's admin API (a live project, another
// server). A mock that refuses (a missing or wrong admin token, the sandbox limit reached) is
// a *SandboxRefusedError: running in its default sandbox instead would change the state a
// front end may be using. Every flow run on t then starts from the sandbox's fixtures, as on
// the in-process mock: the sandbox is reset before each. release deletes the sandbox.
func (t *Target) OwnSandbox(ctx context.Context) (release func(context.Context) error, ok bool, err error) {
	// The answer is awaited a little past the run's end (its deadline, Ctrl-C): the sandbox
	// may exist by then, and only the answer names it for deletion.
	grace := cmp.Or(t.sandboxGrace, sandboxGrace)
	create, cancel := context.WithTimeout(context.WithoutCancel(ctx), sandboxCallTimeout)
	defer cancel()
	defer context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancel) })()
	status, body, err := t.adminRequest(create, http.MethodPost, "/__admin/sandboxes", "", nil)
	if err != nil {
		if runErr := ctx.Err(); runErr != nil {
			// The run's end, not the grace that followed it, is why there is no sandbox.
			return nil, false, fmt.Errorf("%w; no answer within %s after it: %v", runErr, grace, err)
		}
		return nil, false, err
	}
	switch status {
	case http.StatusCreated:
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict:
		if msg, isMock := adminRefusal(body); isMock {
			return nil, false, &SandboxRefusedError{Status: status, Message: msg}
		}
		return nil, false, nil
	default:
		return nil, false, nil
	}
	var sb struct {
		AppToken string `json:"appToken"`
		Users    []struct {
			Identifier string `json:"identifier"`
			Password   string `json:"password"`
		} `json:"users"`
	}
	if err := json.Unmarshal(body, &sb); err != nil || sb.AppToken == "" {
		return nil, false, nil
	}
	release = func(ctx context.Context) error {
		status, body, err := t.adminRequest(ctx, http.MethodDelete, "/__admin/sandboxes/"+sb.AppToken, "", nil)
		if err == nil && status != http.StatusNoContent {
			err = fmt.Errorf("delete sandbox: %d %s", status, body)
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		if rerr := release(create); rerr != nil {
			return nil, false, &SandboxLeftError{AppToken: sb.AppToken, Run: err, Delete: rerr}
		}
		return nil, false, err
	}
	t.AppToken, t.ownSandbox = sb.AppToken, true
	users := []*Credentials{&t.User, &t.User2}
	for i, u := range sb.Users {
		if i < len(users) {
			*users[i] = Credentials{Login: u.Identifier, Password: u.Password}
		}
	}
	return release, true, nil
}

// sandboxCallTimeout bounds making a run's sandbox; sandboxGrace is how long past the run's
// end its answer is still awaited.
const (
	sandboxCallTimeout = 10 * time.Second
	sandboxGrace       = time.Second
)

// SandboxLeftError is a run that ended while the mock made its sandbox, whose deletion then
// failed: the sandbox stays on the target, counted against its --max-sandboxes.
type SandboxLeftError struct {
	AppToken    string
	Run, Delete error
}

func (e *SandboxLeftError) Error() string {
	return fmt.Sprintf("%v; the sandbox %s made meanwhile could not be deleted and is left on the target: %v", e.Run, e.AppToken, e.Delete)
}

func (e *SandboxLeftError) Unwrap() error { return e.Run }

// adminRequest sends one admin call with body as JSON (none when nil), outside any
// recording, addressing the sandbox of appToken ("" for none).
func (t *Target) adminRequest(ctx context.Context, method, path, appToken string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	timeout := t.RequestTimeout
	if timeout <= 0 {
		timeout = defaultRequestTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(t.BaseURL, "/")+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if appToken != "" {
		req.Header.Set("x-app-token", appToken)
	}
	if t.AdminToken != "" {
		req.Header.Set("x-admin-token", t.AdminToken)
	}
	resp, err := (&http.Client{Transport: t.base()}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, data, err
}

// adminRefusal reads the error body of an admin call as the mock writes it (the OneEntry error
// shape with the status it answered), so another server's 401 is not taken for the mock's.
func adminRefusal(body []byte) (message string, ok bool) {
	var e struct {
		StatusCode int             `json:"statusCode"`
		Message    json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil || e.StatusCode == 0 || e.Message == nil {
		return "", false
	}
	var one string
	if json.Unmarshal(e.Message, &one) == nil {
		return one, true
	}
	var many []string
	if json.Unmarshal(e.Message, &many) == nil {
		return strings.Join(many, "; "), true
	}
	return "", false
}
