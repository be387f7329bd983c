//go:build !js

package edge

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// idemTestHandler is a test handler with a settable clock and one extra
// route, POST /v1/test/op, that honours Idempotency-Key and counts its
// runs; fail makes it answer 502, crash makes it panic.
type idemTestHandler struct {
	h           *Handler
	pk          string
	now         time.Time
	runs        int
	fail, crash bool
}

func newIdemTestHandler(t *testing.T) *idemTestHandler {
	h, pk, _ := newTestHandler(t, nil)
	x := &idemTestHandler{h: h, pk: pk, now: time.Unix(1_800_000_000, 0)}
	h.now = func() time.Time { return x.now }
	h.mux.Handle("POST /v1/test/op", h.api(route{action: "test", auth: authPublishable, idem: true, fn: func(c *call) (*response, error) {
		x.runs++
		if x.crash {
			panic("crash in the operation")
		}
		if x.fail {
			return nil, errUpstream
		}
		return &response{status: http.StatusCreated, body: map[string]int{"run": x.runs}}, nil
	}}))
	return x
}

func (x *idemTestHandler) request(key, body string) *http.Request {
	r := httptest.NewRequest("POST", "/v1/test/op", strings.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+x.pk)
	r.Header.Set("Origin", "https://shop.example")
	r.Header.Set("Idempotency-Key", key)
	return r
}

func (x *idemTestHandler) do(key, body string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	x.h.ServeHTTP(w, x.request(key, body))
	return w
}

func errCode(w *httptest.ResponseRecorder) string {
	var e errorBody
	json.Unmarshal(w.Body.Bytes(), &e)
	return string(e.Error.Code)
}

// TestIdempotencyServerErrorsNotStored: a 5xx answer (and a panic) releases
// the key, so the retry runs again; the first answer below 500 is stored.
func TestIdempotencyServerErrorsNotStored(t *testing.T) {
	for _, mode := range []string{"fail", "crash"} {
		t.Run(mode, func(t *testing.T) {
			x := newIdemTestHandler(t)
			x.fail, x.crash = mode == "fail", mode == "crash"
			for i := range 2 {
				if w := x.do("k1", `{"a":1}`); w.Code < 500 {
					t.Fatalf("try %d = %d %s, want a 5xx", i+1, w.Code, errCode(w))
				}
			}
			if x.runs != 2 {
				t.Errorf("operation ran %d times for two tries answered 5xx, want 2", x.runs)
			}
			x.fail, x.crash = false, false
			first := x.do("k1", `{"a":1}`)
			again := x.do("k1", `{"a":1}`)
			if first.Code != http.StatusCreated || again.Code != http.StatusCreated || !bytes.Equal(first.Body.Bytes(), again.Body.Bytes()) {
				t.Errorf("after the 5xx: %d then %d (same body %t), want 201 replayed", first.Code, again.Code, bytes.Equal(first.Body.Bytes(), again.Body.Bytes()))
			}
			if x.runs != 3 {
				t.Errorf("operation ran %d times, want 3 (the replay runs nothing)", x.runs)
			}
		})
	}
}

// TestIdempotencyLease: a claim whose request never stored its answer (the
// edge stopped in between) holds the key for IdempotencyLease; then a
// retry of the same request takes it over and runs, another request is
// still a mismatch.
func TestIdempotencyLease(t *testing.T) {
	x := newIdemTestHandler(t)
	// The crashed request: claimed, never finished.
	r := x.request("k2", `{"a":1}`)
	c := &call{r: r, merchant: x.h.cfg.lookupKey(x.pk, publishableKind), body: []byte(`{"a":1}`), now: x.now}
	if resp, err := x.h.beginIdem(c, authPublishable); resp != nil || err != nil || c.idem == nil {
		t.Fatalf("claim = %v, %v, held %t; want the key claimed", resp, err, c.idem != nil)
	}
	tests := []struct {
		after  time.Duration
		body   string
		status int
		code   string
	}{
		{0, `{"a":1}`, http.StatusConflict, "idempotency_in_progress"},
		{IdempotencyLease - time.Second, `{"a":1}`, http.StatusConflict, "idempotency_in_progress"},
		{2 * time.Second, `{"a":2}`, http.StatusUnprocessableEntity, "idempotency_mismatch"},
		{0, `{"a":1}`, http.StatusCreated, ""},
	}
	for i, tc := range tests {
		x.now = x.now.Add(tc.after)
		w := x.do("k2", tc.body)
		if w.Code != tc.status || errCode(w) != tc.code {
			t.Errorf("step %d: %d %s, want %d %s", i, w.Code, errCode(w), tc.status, tc.code)
		}
	}
	if x.runs != 1 {
		t.Errorf("operation ran %d times, want once (after the lease)", x.runs)
	}
	// The crashed request's late answer does not overwrite the new one.
	late := newAnswerBuffer()
	late.WriteHeader(http.StatusTeapot)
	x.h.finishIdem(c, late)
	if w := x.do("k2", `{"a":1}`); w.Code != http.StatusCreated || x.runs != 1 {
		t.Errorf("after the stale owner's answer: %d, %d runs; want the taker's 201 replayed", w.Code, x.runs)
	}
}

func TestValidIdemKey(t *testing.T) {
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"a", true}, {strings.Repeat("x", MaxIdempotencyKey), true}, {"order_42:retry-1", true},
		{"", false}, {strings.Repeat("x", MaxIdempotencyKey+1), false}, {"a b", false}, {"a\tb", false}, {"é", false},
	} {
		if got := validIdemKey(tc.key); got != tc.want {
			t.Errorf("validIdemKey(%d chars) = %t, want %t", len(tc.key), got, tc.want)
		}
	}
}
