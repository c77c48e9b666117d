package typosquat

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// MaxBulkNames bounds how many names one bulk read accepts.
const MaxBulkNames = 10_000_000

// Result is the outcome of checking one package of a batch.
type Result struct {
	Hits []Hit
	Err  error
}

// CheckMany checks pkgs on workers goroutines (GOMAXPROCS when workers <= 0) and returns the
// results in input order. It stops early, with ctx's error, when ctx is cancelled.
func (ch *Checker) CheckMany(ctx context.Context, pkgs []Package, workers int) ([]Result, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Result, len(pkgs))
	const chunk = 256
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= len(pkgs) {
					return
				}
				for i := lo; i < min(lo+chunk, len(pkgs)); i++ {
					out[i].Hits, out[i].Err = ch.Check(pkgs[i])
				}
			}
		}()
	}
	wg.Wait()
	return out, ctx.Err()
}

// ReadNames reads one name per line; blank lines and lines starting with '#' are skipped.
func ReadNames(r io.Reader, src string) ([]string, error) {
	var names []string
	err := eachLine(r, src, func(line int, text string) error {
		if len(names) >= MaxBulkNames {
			return fmt.Errorf("%s: more than %d names", src, MaxBulkNames)
		}
		names = append(names, text)
		return nil
	})
	return names, err
}
