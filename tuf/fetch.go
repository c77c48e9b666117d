package tuf

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// fetcher performs size- and time-bounded GETs.
type fetcher struct {
	http    *http.Client
	timeout time.Duration
	count   map[string]int64 // bytes received per URL, for reporting
}

func (f *fetcher) get(ctx context.Context, url string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	resp, err := f.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("GET %s: %w (HTTP 404)", url, ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("GET %s: HTTP %s", url, resp.Status)
	case resp.ContentLength > limit:
		return nil, fmt.Errorf("GET %s: %w: Content-Length %d exceeds the %d bytes allowed", url, ErrTooLarge, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("GET %s: %w: more than the %d bytes allowed", url, ErrTooLarge, limit)
	}
	if f.count != nil {
		f.count[url] += int64(len(data))
	}
	return data, nil
}
