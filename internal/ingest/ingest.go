// Package ingest brings a store in line with a registry index: it reads every crate's index
// file, skips the ones whose content the store already has, and writes the rest in atomic
// batches, so that a killed ingest resumes where it stopped and ends in the same store.
package ingest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/internal/progress"
	"github.com/cratewatch/cratewatch/internal/store"
)

// Options tunes an ingest; the zero value is sensible.
type Options struct {
	// Workers parse index files in parallel (0: GOMAXPROCS).
	Workers int
	// BatchVersions bounds the versions written per transaction (0: 20,000).
	BatchVersions int
	// MaxErrors bounds how many malformed-line errors are kept for the report (0: 1,000);
	// all are counted.
	MaxErrors int
	// Progress, when set, is advanced once per index file.
	Progress *progress.Bar
	// Now gives the time recorded for changes (nil: time.Now).
	Now func() time.Time
}

// Result summarises an ingest.
type Result struct {
	Files     int           `json:"files"`
	Unchanged int           `json:"unchanged"`
	Changes   store.Changes `json:"changes"`
	Removed   int           `json:"crates_removed"`
	// BadLines counts malformed lines and bad files; Errors holds the first MaxErrors of them.
	BadLines int     `json:"bad_lines"`
	Errors   []error `json:"-"`
}

// ErrorStrings returns the kept errors as text, for JSON output.
func (r *Result) ErrorStrings() []string {
	out := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		out[i] = e.Error()
	}
	return out
}

// Run ingests a whole enumerable index. Crates in the store that the index no longer has are
// marked removed, but only after the walk completed without error.
func Run(ctx context.Context, st store.Store, src index.Source, opt Options) (*Result, error) {
	// A full ingest allocates a few hundred MB of short-lived records; collecting less often
	// saves a tenth of the CPU for a bounded rise in peak memory.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	states, err := st.IndexStates(ctx)
	if err != nil {
		return nil, err
	}
	ing := newIngester(st, states, opt)
	// A store that holds this index already tells how many files to expect.
	opt.Progress.SetTotal(int64(len(states)))
	files := make(chan index.File, 256)
	walkErr := make(chan error, 1)
	go func() {
		defer close(files)
		walkErr <- src.Walk(ctx, func(f index.File) error {
			select {
			case files <- f:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}, ing.bad)
	}()
	err = ing.run(ctx, func(emit func(index.File, index.Validators)) {
		for f := range files {
			emit(f, index.Validators{})
		}
	})
	if werr := <-walkErr; err == nil {
		err = werr
	}
	if err != nil {
		return ing.res, err
	}
	var gone []string
	for name, s := range states {
		if !s.Removed && !ing.seen[name] {
			gone = append(gone, name)
		}
	}
	sort.Strings(gone)
	if len(gone) > 0 {
		if err := st.MarkRemoved(ctx, gone, ing.now()); err != nil {
			return ing.res, err
		}
	}
	ing.res.Removed = len(gone)
	return ing.res, nil
}

// RunSparse refreshes the named crates from a sparse HTTP index with conditional requests.
// A crate the server says is gone (404, 410, 451) is marked removed.
func RunSparse(ctx context.Context, st store.Store, sp *index.Sparse, names []string, opt Options) (*Result, error) {
	states, err := st.IndexStates(ctx)
	if err != nil {
		return nil, err
	}
	ing := newIngester(st, states, opt)
	var gone []string
	var fetchErr error
	err = ing.run(ctx, func(emit func(index.File, index.Validators)) {
		fetchErr = sp.FetchAll(ctx, names, func(name string) index.Validators {
			return states[name].Validators
		}, func(name string, f index.Fetched, err error) error {
			switch {
			case err != nil:
				ing.bad(err)
			case f.Gone:
				gone = append(gone, name)
			case f.NotModified:
				ing.seen[name] = true
				ing.mu.Lock()
				ing.res.Files++
				ing.res.Unchanged++
				ing.mu.Unlock()
			default:
				emit(index.File{Path: index.Path(name), Data: f.Data}, f.File)
			}
			return nil
		})
	})
	if err == nil {
		err = fetchErr
	}
	if err != nil {
		return ing.res, err
	}
	sort.Strings(gone)
	if len(gone) > 0 {
		if err := st.MarkRemoved(ctx, gone, ing.now()); err != nil {
			return ing.res, err
		}
	}
	ing.res.Removed = len(gone)
	return ing.res, nil
}

type ingester struct {
	st     store.Store
	states map[string]store.IndexState
	opt    Options
	res    *Result
	seen   map[string]bool // touched by the feeding goroutine only
	mu     sync.Mutex      // guards the counters of res
}

func newIngester(st store.Store, states map[string]store.IndexState, opt Options) *ingester {
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.BatchVersions <= 0 {
		opt.BatchVersions = 20000
	}
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = 1000
	}
	return &ingester{st: st, states: states, opt: opt, res: &Result{}, seen: make(map[string]bool)}
}

func (g *ingester) now() time.Time {
	if g.opt.Now != nil {
		return g.opt.Now()
	}
	return time.Now()
}

func (g *ingester) bad(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.res.BadLines++
	if len(g.res.Errors) < g.opt.MaxErrors {
		g.res.Errors = append(g.res.Errors, err)
	}
}

type job struct {
	f index.File
	v index.Validators
}

// run hashes and parses files from feed on the workers and writes changed crates in batches
// from this goroutine.
func (g *ingester) run(ctx context.Context, feed func(emit func(index.File, index.Validators))) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan job, 256)
	updates := make(chan *store.CrateUpdate, 256)
	go func() {
		defer close(jobs)
		feed(func(f index.File, v index.Validators) {
			g.seen[f.Name()] = true
			g.mu.Lock()
			g.res.Files++
			g.mu.Unlock()
			g.opt.Progress.Add(1, "crate files read")
			select {
			case jobs <- job{f, v}:
			case <-ctx.Done():
			}
		})
	}()
	var wg sync.WaitGroup
	for range g.opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				u := g.prepare(j)
				select {
				case updates <- u:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(updates)
	}()

	var batch []store.CrateUpdate
	nvers := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ch, err := g.st.ApplyIndex(ctx, batch, g.now())
		if err != nil {
			return err
		}
		g.res.Changes.Add(ch)
		batch, nvers = batch[:0], 0
		return nil
	}
	var err error
	for u := range updates {
		if err != nil {
			continue // drain so the workers can stop
		}
		if u == nil {
			g.mu.Lock()
			g.res.Unchanged++
			g.mu.Unlock()
			continue
		}
		batch = append(batch, *u)
		nvers += len(u.Records)
		if nvers >= g.opt.BatchVersions || len(batch) >= 5000 {
			if err = flush(); err != nil {
				cancel()
			}
		}
	}
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = ctx.Err()
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("ingest interrupted: %w", err)
	}
	return err
}

// prepare returns the update for a file, or nil when the store already has its content.
func (g *ingester) prepare(j job) *store.CrateUpdate {
	name := j.f.Name()
	sum := sha256.Sum256(j.f.Data)
	if st, ok := g.states[name]; ok && st.Hash == sum && !st.Removed {
		return nil
	}
	recs, errs := j.f.Parse()
	for _, e := range errs {
		g.bad(e)
	}
	return &store.CrateUpdate{Name: name, Hash: sum, Validators: j.v, Records: recs}
}
