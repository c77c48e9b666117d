package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sparse reads a registry's sparse index over HTTP (https://index.crates.io/ style). A sparse
// index cannot be listed, so callers name the crates they want.
type Sparse struct {
	// BaseURL is the index root; a "sparse+" prefix is accepted and removed.
	BaseURL string
	Client  *http.Client
	// MaxInFlight bounds concurrent requests (0: 8). Retries bounds attempts after the first
	// for transient failures (0: 3), with exponential backoff from Backoff (0: 200ms).
	MaxInFlight int
	Retries     int
	Backoff     time.Duration
	UserAgent   string

	once sync.Once
	sem  chan struct{}
}

// Validators are the cache validators of an earlier response, for conditional requests.
type Validators struct {
	ETag         string
	LastModified string
}

// Fetched is the outcome of fetching one crate's index file.
type Fetched struct {
	File Validators
	Data []byte
	// NotModified: the server confirmed the validators still hold; Data is empty.
	NotModified bool
	// Gone: 404, 410 or 451, which Cargo reads as "no such crate".
	Gone bool
}

func (s *Sparse) String() string { return s.base() }

func (s *Sparse) base() string {
	return strings.TrimSuffix(strings.TrimPrefix(s.BaseURL, "sparse+"), "/") + "/"
}

func (s *Sparse) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// Config fetches config.json.
func (s *Sparse) Config(ctx context.Context) (*Config, error) {
	f, err := s.get(ctx, "config.json", Validators{}, maxConfigBytes)
	if err != nil {
		return nil, err
	}
	if f.Gone {
		return nil, fmt.Errorf("index %s: config.json not found", s.base())
	}
	return ParseConfig(f.Data)
}

// Fetch fetches one crate's index file, conditionally when prev holds validators.
func (s *Sparse) Fetch(ctx context.Context, name string, prev Validators) (Fetched, error) {
	if err := ValidName(name); err != nil {
		return Fetched{}, err
	}
	return s.get(ctx, Path(name), prev, MaxFileBytes)
}

// FetchAll fetches many crates with at most MaxInFlight requests at once and calls fn, from
// one goroutine at a time, for each. It stops at the first error fn returns; fetch errors go
// to fn so one unreachable crate does not stop the rest.
func (s *Sparse) FetchAll(ctx context.Context, names []string, prev func(string) Validators, fn func(name string, f Fetched, err error) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.once.Do(s.initSem)
	work := make(chan string)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range cap(s.sem) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range work {
				var v Validators
				if prev != nil {
					v = prev(name)
				}
				f, err := s.Fetch(ctx, name, v)
				mu.Lock()
				if firstErr == nil && ctx.Err() == nil {
					if cerr := fn(name, f, err); cerr != nil {
						firstErr = cerr
						cancel()
					}
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, name := range names {
		select {
		case work <- name:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func (s *Sparse) initSem() {
	n := s.MaxInFlight
	if n <= 0 {
		n = 8
	}
	s.sem = make(chan struct{}, n)
}

// errTransient marks a failure worth retrying.
var errTransient = errors.New("transient")

func (s *Sparse) get(ctx context.Context, rel string, prev Validators, limit int64) (Fetched, error) {
	s.once.Do(s.initSem)
	retries, backoff := s.Retries, s.Backoff
	if retries <= 0 {
		retries = 3
	}
	if backoff <= 0 {
		backoff = 200 * time.Millisecond
	}
	url := s.base() + rel
	for attempt := 0; ; attempt++ {
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return Fetched{}, ctx.Err()
		}
		f, wait, err := s.once1(ctx, url, prev, limit)
		<-s.sem
		if err == nil || !errors.Is(err, errTransient) || attempt >= retries {
			if err != nil {
				err = fmt.Errorf("index %s: %w", url, err)
			}
			return f, err
		}
		if wait <= 0 {
			wait = backoff << attempt
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return Fetched{}, ctx.Err()
		}
	}
}

// maxRetryAfter caps how long a server may ask us to wait.
const maxRetryAfter = 30 * time.Second

func (s *Sparse) once1(ctx context.Context, url string, prev Validators, limit int64) (Fetched, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Fetched{}, 0, err
	}
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}
	ua := s.UserAgent
	if ua == "" {
		ua = "cratewatch"
	}
	req.Header.Set("User-Agent", ua)
	resp, err := s.client().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return Fetched{}, 0, ctx.Err()
		}
		return Fetched{}, 0, fmt.Errorf("%w: %v", errTransient, err)
	}
	defer resp.Body.Close()
	v := Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	switch {
	case resp.StatusCode == http.StatusOK:
		data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
		if err != nil {
			return Fetched{}, 0, fmt.Errorf("%w: reading body: %v", errTransient, err)
		}
		if int64(len(data)) > limit {
			return Fetched{}, 0, fmt.Errorf("response larger than the limit of %d bytes", limit)
		}
		return Fetched{File: v, Data: data}, 0, nil
	case resp.StatusCode == http.StatusNotModified:
		if v == (Validators{}) {
			v = prev
		}
		return Fetched{File: v, NotModified: true}, 0, nil
	case resp.StatusCode == http.StatusNotFound, resp.StatusCode == http.StatusGone,
		resp.StatusCode == http.StatusUnavailableForLegalReasons:
		return Fetched{Gone: true}, 0, nil
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		var wait time.Duration
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			wait = min(time.Duration(secs)*time.Second, maxRetryAfter)
		}
		return Fetched{}, wait, fmt.Errorf("%w: HTTP %s", errTransient, resp.Status)
	default:
		return Fetched{}, 0, fmt.Errorf("HTTP %s", resp.Status)
	}
}
