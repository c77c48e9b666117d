package depgraph

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/internal/store"
)

// The real-data benchmarks read a store ingested from the 2020 index snapshot, named by
// CRATEWATCH_DEPGRAPH_DB (see docs/BENCHMARKS.md), and the advisory database at
// CRATEWATCH_ADVISORIES (default ../../shared/data/advisory-db-2026-08-21.tar.gz). They skip
// when either is absent.

func realStore(tb testing.TB) store.Store {
	tb.Helper()
	p := os.Getenv("CRATEWATCH_DEPGRAPH_DB")
	if p == "" {
		tb.Skip("CRATEWATCH_DEPGRAPH_DB not set: no ingested index to measure")
	}
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("CRATEWATCH_DEPGRAPH_DB: %v", err)
	}
	st, err := store.Open(context.Background(), p)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

var (
	realOnce sync.Once
	realG    *Graph
	realErr  error
)

func realGraph(tb testing.TB) *Graph {
	st := realStore(tb)
	realOnce.Do(func() { realG, realErr = FromStore(context.Background(), st) })
	if realErr != nil {
		tb.Fatal(realErr)
	}
	return realG
}

func realAdvisories(tb testing.TB) []*advisory.Advisory {
	p := os.Getenv("CRATEWATCH_ADVISORIES")
	if p == "" {
		p = filepath.Join("..", "..", "shared", "data", "advisory-db-2026-08-21.tar.gz")
	}
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("advisory database: %v", err)
	}
	res, err := advisory.LoadPath(p)
	if err != nil {
		tb.Fatal(err)
	}
	return res.Advisories
}

// cpuTime is the process's user+system CPU time: on a machine shared with other jobs it
// measures the work done where wall time measures the wait for a core too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs body b.N times and reports CPU milliseconds per op next to ns/op.
func loop(b *testing.B, body func()) {
	start := cpuTime()
	n := 0
	for b.Loop() {
		body()
		n++
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(n), "cpu-ms/op")
}

func BenchmarkScanStore(b *testing.B) {
	st := realStore(b)
	loop(b, func() {
		if err := st.ScanVersions(context.Background(), func(*store.ScannedVersion) error { return nil }); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkFromStore(b *testing.B) {
	st := realStore(b)
	loop(b, func() {
		if _, err := FromStore(context.Background(), st); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkBuild measures the graph build alone, from entries already in memory.
func BenchmarkBuild(b *testing.B) {
	st := realStore(b)
	type entry struct {
		crate, num string
		yanked     bool
		deps       []index.Dep
	}
	var all []entry
	err := st.ScanVersions(context.Background(), func(sv *store.ScannedVersion) error {
		if sv.Dup == 0 {
			all = append(all, entry{sv.Crate, sv.Num, sv.Yanked, slices.Clone(sv.Deps)})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	loop(b, func() {
		bl := NewBuilder()
		for i := range all {
			_ = bl.Add(all[i].crate, all[i].num, all[i].yanked, all[i].deps) // FromStore counts these
		}
		bl.Build()
	})
}

func mostDependedOn(g *Graph) CrateID {
	pop := g.Popularity(Filter{})
	best := pop[0]
	for _, p := range pop {
		if p.Direct > best.Direct {
			best = p
		}
	}
	return best.Crate
}

func BenchmarkReverseTransitiveTop(b *testing.B) {
	g := realGraph(b)
	c := mostDependedOn(g)
	seeds := allVersions(g, c)
	var n int
	loop(b, func() { n = len(g.Reverse(seeds, Options{}).Steps) })
	b.ReportMetric(float64(n), "versions")
	b.Logf("%s: %d versions reach it", g.Name(c), n)
}

func BenchmarkPopularity(b *testing.B) {
	g := realGraph(b)
	loop(b, func() { g.Popularity(Filter{}) })
}

func BenchmarkExposureAll(b *testing.B) {
	g := realGraph(b)
	advs := realAdvisories(b)
	var n, exposed int
	loop(b, func() {
		n, exposed = 0, 0
		for _, a := range advs {
			if a.Withdrawn != "" {
				continue
			}
			e, err := g.Exposure(a.Package, a.Vulnerable, Options{})
			if err != nil {
				continue // package not in the graph
			}
			n++
			exposed += len(e.Exposed.Steps)
		}
	})
	b.ReportMetric(float64(n), "advisories")
	b.ReportMetric(float64(exposed), "exposed-versions")
}

// TestRealMemory reports the heap the graph of the real index holds.
func TestRealMemory(t *testing.T) {
	st := realStore(t)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	g, err := FromStore(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("graph: %+v", g.Stats())
	t.Logf("heap held: %.1f MB (live heap after GC, before %.1f MB, after %.1f MB); estimate from arrays %.1f MB",
		float64(after.HeapAlloc-before.HeapAlloc)/1e6, float64(before.HeapAlloc)/1e6, float64(after.HeapAlloc)/1e6, float64(g.MemoryBytes())/1e6)
	runtime.KeepAlive(g)
}
