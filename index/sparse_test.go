package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newSparse serves h on 127.0.0.1 and returns a Sparse reading it with fast retries.
func newSparse(t *testing.T, h http.HandlerFunc) *Sparse {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Sparse{BaseURL: "sparse+" + srv.URL + "/", Backoff: time.Millisecond, Client: srv.Client()}
}

func testCtx(t *testing.T) context.Context {
	// Generous: only a hang hits it.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSparseFetch(t *testing.T) {
	body := line("MyCrate", "1.0.0", "") + "\n"
	var gotPath, gotUA atomic.Value
	sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
		gotPath.Store(r.URL.Path)
		gotUA.Store(r.UserAgent())
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		io.WriteString(w, body)
	})
	sp.UserAgent = "cratewatch-test/1"
	f, err := sp.Fetch(testCtx(t), "MyCrate", Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Data) != body || f.NotModified || f.Gone {
		t.Errorf("Fetch = %+v", f)
	}
	if f.File != (Validators{ETag: `"v1"`, LastModified: "Mon, 02 Jan 2006 15:04:05 GMT"}) {
		t.Errorf("validators = %+v", f.File)
	}
	if p := gotPath.Load(); p != "/my/cr/mycrate" {
		t.Errorf("requested %v, want the lowercase layout path /my/cr/mycrate", p)
	}
	if ua := gotUA.Load(); ua != "cratewatch-test/1" {
		t.Errorf("User-Agent %v", ua)
	}
	recs, errs := File{Path: Path("MyCrate"), Data: f.Data}.Parse()
	if len(recs) != 1 || len(errs) != 0 {
		t.Errorf("fetched file parses to %v, %v", recs, errs)
	}
	if _, err := sp.Fetch(testCtx(t), "../etc/passwd", Validators{}); err == nil {
		t.Errorf("Fetch of an invalid name was attempted")
	}
	if sp.String() != strings.TrimPrefix(sp.BaseURL, "sparse+") {
		t.Errorf("String() = %q", sp.String())
	}
}

func TestSparseConditional(t *testing.T) {
	const etag, lastMod = `"abc"`, "Tue, 03 Jan 2006 15:04:05 GMT"
	var mu sync.Mutex
	var seen []string
	sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
		inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		mu.Lock()
		seen = append(seen, inm+"|"+ims)
		mu.Unlock()
		switch {
		case r.URL.Path == "/se/rd/serde" && inm == etag:
			w.Header().Set("ETag", etag)
			w.WriteHeader(http.StatusNotModified)
		case r.URL.Path == "/to/ki/tokio" && ims == lastMod:
			// A 304 without validators: the caller's are still the right ones.
			w.WriteHeader(http.StatusNotModified)
		default:
			w.Header().Set("ETag", `"new"`)
			io.WriteString(w, line(r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:], "2.0.0", ""))
		}
	})
	ctx := testCtx(t)

	f, err := sp.Fetch(ctx, "serde", Validators{ETag: etag})
	if err != nil || !f.NotModified || len(f.Data) != 0 || f.File.ETag != etag {
		t.Errorf("ETag match: %+v, %v; want NotModified", f, err)
	}
	f, err = sp.Fetch(ctx, "tokio", Validators{LastModified: lastMod})
	if err != nil || !f.NotModified || f.File != (Validators{LastModified: lastMod}) {
		t.Errorf("Last-Modified match: %+v, %v; want NotModified keeping the validators", f, err)
	}
	f, err = sp.Fetch(ctx, "serde", Validators{ETag: `"stale"`})
	if err != nil || f.NotModified || f.File.ETag != `"new"` || len(f.Data) == 0 {
		t.Errorf("stale ETag: %+v, %v; want the new file", f, err)
	}
	f, err = sp.Fetch(ctx, "serde", Validators{})
	if err != nil || f.NotModified {
		t.Errorf("no validators: %+v, %v", f, err)
	}
	want := []string{etag + "|", "|" + lastMod, `"stale"|`, "|"}
	if !slices.Equal(seen, want) {
		t.Errorf("conditional headers sent %q, want %q", seen, want)
	}
}

func TestSparseGone(t *testing.T) {
	for _, code := range []int{http.StatusNotFound, http.StatusGone, http.StatusUnavailableForLegalReasons} {
		var n atomic.Int32
		sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(code)
		})
		f, err := sp.Fetch(testCtx(t), "nosuch", Validators{})
		if err != nil || !f.Gone || len(f.Data) != 0 {
			t.Errorf("HTTP %d: %+v, %v; want Gone", code, f, err)
		}
		if n.Load() != 1 {
			t.Errorf("HTTP %d: %d requests, want 1 (no retry)", code, n.Load())
		}
	}
}

func TestSparseClientErrorsNotRetried(t *testing.T) {
	for _, code := range []int{http.StatusForbidden, http.StatusBadRequest, http.StatusUnauthorized} {
		var n atomic.Int32
		sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(code)
		})
		_, err := sp.Fetch(testCtx(t), "serde", Validators{})
		if err == nil || !strings.Contains(err.Error(), fmt.Sprint(code)) || !strings.Contains(err.Error(), "/se/rd/serde") {
			t.Errorf("HTTP %d: %v; want an error naming the status and URL", code, err)
		}
		if n.Load() != 1 {
			t.Errorf("HTTP %d: %d requests, want 1", code, n.Load())
		}
	}
}

// flaky fails the first `fails` requests with fail, then serves a valid file.
func flaky(fails int32, fail func(w http.ResponseWriter, r *http.Request)) (http.HandlerFunc, *atomic.Int32) {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= fails {
			fail(w, r)
			return
		}
		io.WriteString(w, line("serde", "1.0.0", ""))
	}, &n
}

func TestSparseRetries(t *testing.T) {
	status := func(code int) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
	}
	drop := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	cutBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, `{"name":"serde",`)
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	tests := []struct {
		name string
		fail func(http.ResponseWriter, *http.Request)
	}{
		{"500", status(http.StatusInternalServerError)},
		{"502", status(http.StatusBadGateway)},
		{"503", status(http.StatusServiceUnavailable)},
		{"429", status(http.StatusTooManyRequests)},
		{"dropped connection", drop},
		{"body cut short", cutBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, n := flaky(2, tt.fail)
			sp := newSparse(t, h)
			sp.Retries = 2
			f, err := sp.Fetch(testCtx(t), "serde", Validators{})
			if err != nil || len(f.Data) == 0 {
				t.Fatalf("Fetch after 2 failures with 2 retries: %+v, %v", f, err)
			}
			if n.Load() != 3 {
				t.Errorf("%d requests, want 3", n.Load())
			}

			h, n = flaky(1000, tt.fail)
			sp = newSparse(t, h)
			sp.Retries = 2
			_, err = sp.Fetch(testCtx(t), "serde", Validators{})
			if err == nil || !strings.Contains(err.Error(), "/se/rd/serde") {
				t.Errorf("Fetch against a server that always fails: %v; want an error naming the URL", err)
			}
			if n.Load() != 3 {
				t.Errorf("gave up after %d requests, want 1 + Retries = 3", n.Load())
			}
		})
	}
}

func TestSparseDefaultRetries(t *testing.T) {
	h, n := flaky(1000, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	sp := newSparse(t, h)
	if _, err := sp.Fetch(testCtx(t), "serde", Validators{}); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("Fetch = %v, want the 503", err)
	}
	if n.Load() != 4 {
		t.Errorf("%d requests with Retries unset, want 1 + 3", n.Load())
	}
}

// TestSparseRetryAfter checks that Retry-After replaces the backoff: with an hour of backoff
// the fetch can only finish (before the test context's deadline) by waiting the 1 s the
// server asked for.
func TestSparseRetryAfter(t *testing.T) {
	h, n := flaky(1, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	sp := newSparse(t, h)
	sp.Backoff = time.Hour
	if _, err := sp.Fetch(testCtx(t), "serde", Validators{}); err != nil {
		t.Fatal(err)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
}

// TestSparseCancelDuringBackoff checks that a cancelled context ends the wait for a retry.
func TestSparseCancelDuringBackoff(t *testing.T) {
	h, n := flaky(1000, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	sp := newSparse(t, h)
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() {
		_, err := sp.Fetch(ctx, "serde", Validators{})
		done <- err
	}()
	for n.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch = %v, want context.Canceled", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests after cancel", n.Load())
	}
}

func TestSparseOversized(t *testing.T) {
	var n atomic.Int32
	sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		size := MaxFileBytes + 1
		if r.URL.Path == "/config.json" {
			size = maxConfigBytes + 1
		}
		chunk := make([]byte, 64<<10)
		for size > 0 {
			k := min(size, len(chunk))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			size -= k
		}
	})
	_, err := sp.Fetch(testCtx(t), "serde", Validators{})
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized index file: %v", err)
	}
	_, err = sp.Config(testCtx(t))
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized config.json: %v", err)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2: an oversized body is not worth a retry", n.Load())
	}
}

func TestSparseConfig(t *testing.T) {
	sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/config.json" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"dl":"https://static.example/{crate}/{version}","api":"https://example","auth-required":true}`)
	})
	c, err := sp.Config(testCtx(t))
	if err != nil || c.DL != "https://static.example/{crate}/{version}" || !c.AuthRequired {
		t.Errorf("Config() = %+v, %v", c, err)
	}
	missing := newSparse(t, http.NotFound)
	if _, err := missing.Config(testCtx(t)); err == nil || !strings.Contains(err.Error(), "config.json not found") {
		t.Errorf("Config() without config.json = %v", err)
	}
}

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("crate%03d", i)
	}
	return out
}

// boundServer counts requests in flight in its handler: the first `bound` wait for each
// other, so the bound is reached, and the peak records any request beyond it.
func boundServer(t *testing.T, bound int32) (*Sparse, *atomic.Int32) {
	var inFlight, peak atomic.Int32
	full := make(chan struct{})
	var fullOnce sync.Once
	sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		if cur == bound {
			fullOnce.Do(func() { close(full) })
		}
		select {
		case <-full:
		case <-time.After(5 * time.Second): // the bound is never reached: the test fails
		}
		time.Sleep(2 * time.Millisecond)
		name := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		w.Header().Set("ETag", `"`+name+`"`)
		io.WriteString(w, line(name, "1.0.0", ""))
	})
	sp.MaxInFlight = int(bound)
	return sp, &peak
}

func TestSparseFetchAllBound(t *testing.T) {
	const bound = 3
	sp, peak := boundServer(t, bound)
	all := names(40)
	var got []string
	var inFn atomic.Int32
	err := sp.FetchAll(testCtx(t), all, nil, func(name string, f Fetched, err error) error {
		if inFn.Add(1) != 1 {
			t.Error("fn called concurrently")
		}
		defer inFn.Add(-1)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if f.File.ETag != `"`+name+`"` {
			t.Errorf("%s delivered with the file of %s", name, f.File.ETag)
		}
		got = append(got, name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p != bound {
		t.Errorf("peak of %d requests in flight, want exactly MaxInFlight = %d", p, bound)
	}
	slices.Sort(got)
	if !slices.Equal(got, all) {
		t.Errorf("fn saw %d names, want each of the %d once", len(got), len(all))
	}
}

// TestSparseFetchBound checks the bound holds for callers of Fetch on many goroutines too,
// not only for FetchAll's workers.
func TestSparseFetchBound(t *testing.T) {
	const bound = 2
	sp, peak := boundServer(t, bound)
	var wg sync.WaitGroup
	for _, name := range names(12) {
		wg.Go(func() {
			if _, err := sp.Fetch(testCtx(t), name, Validators{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p != bound {
		t.Errorf("peak of %d requests in flight, want exactly MaxInFlight = %d", p, bound)
	}
}

func TestSparseFetchAllValidatorsAndErrors(t *testing.T) {
	sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/crate001"):
			http.Error(w, "gone", http.StatusGone)
		case strings.HasSuffix(r.URL.Path, "/crate002"):
			http.Error(w, "no", http.StatusForbidden)
		case r.Header.Get("If-None-Match") != "":
			w.WriteHeader(http.StatusNotModified)
		default:
			io.WriteString(w, "x")
		}
	})
	prev := func(name string) Validators {
		if name == "crate003" {
			return Validators{ETag: `"3"`}
		}
		return Validators{}
	}
	res := map[string]string{}
	err := sp.FetchAll(testCtx(t), append(names(5), "bad name"), prev, func(name string, f Fetched, err error) error {
		switch {
		case err != nil:
			res[name] = "error"
		case f.Gone:
			res[name] = "gone"
		case f.NotModified:
			res[name] = "not modified"
		default:
			res[name] = string(f.Data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"crate000": "x", "crate001": "gone", "crate002": "error", "crate003": "not modified", "crate004": "x", "bad name": "error"}
	for k, v := range want {
		if res[k] != v {
			t.Errorf("%s: %q, want %q", k, res[k], v)
		}
	}
}

func TestSparseFetchAllStops(t *testing.T) {
	var n atomic.Int32
	sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, "x")
	})
	sp.MaxInFlight = 2
	stop := errors.New("stop")
	calls := 0
	err := sp.FetchAll(testCtx(t), names(200), nil, func(string, Fetched, error) error {
		calls++
		if calls == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("FetchAll = %v, want fn's error", err)
	}
	if calls != 5 {
		t.Errorf("fn called %d times, want none after its error", calls)
	}
	if got := n.Load(); got > 5+2 {
		t.Errorf("%d requests made; the rest should not be fetched after fn's error", got)
	}
}

// TestSparseFetchAllCancel cancels while requests hang: FetchAll must return promptly with
// the context's error, calling fn no more, and leave the remaining names unfetched.
func TestSparseFetchAllCancel(t *testing.T) {
	var n atomic.Int32
	arrived := make(chan struct{}, 100)
	sp := newSparse(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	sp.MaxInFlight = 4
	ctx, cancel := context.WithCancel(testCtx(t))
	go func() {
		for range 4 {
			<-arrived
		}
		cancel()
	}()
	err := sp.FetchAll(ctx, names(1000), nil, func(name string, f Fetched, err error) error {
		t.Errorf("fn called for %s after cancellation (%v)", name, err)
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("FetchAll = %v, want context.Canceled", err)
	}
	if got := n.Load(); got > 4 {
		t.Errorf("%d requests made, want at most MaxInFlight = 4", got)
	}
}
