package scenarios

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// OwnSandbox asks the mock at t.BaseURL for a sandbox of its own (POST /__admin/sandboxes)
// and points t at it, with its app token and its first two users, so a run leaves the
// default sandbox, which a developer's front end may be using, as it was. ok is false, and t
// unchanged, when the target does not answer as the mock does (a live project, another
// server, the sandbox limit reached); release deletes the sandbox.
func (t *Target) OwnSandbox(ctx context.Context) (release func(context.Context) error, ok bool, err error) {
	status, body, err := t.adminRequest(ctx, http.MethodPost, "/__admin/sandboxes", "", nil)
	if err != nil {
		return nil, false, err
	}
	if status != http.StatusCreated {
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
	t.AppToken = sb.AppToken
	users := []*Credentials{&t.User, &t.User2}
	for i, u := range sb.Users {
		if i < len(users) {
			*users[i] = Credentials{Login: u.Identifier, Password: u.Password}
		}
	}
	release = func(ctx context.Context) error {
		status, body, err := t.adminRequest(ctx, http.MethodDelete, "/__admin/sandboxes/"+sb.AppToken, "", nil)
		if err == nil && status != http.StatusNoContent {
			err = fmt.Errorf("delete sandbox: %d %s", status, body)
		}
		return err
	}
	return release, true, nil
}

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
