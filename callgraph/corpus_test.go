package callgraph

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// corpusDir is the Debian crates corpus fetched by ../shared/scripts/debian-crates.sh.
func corpusDir(tb testing.TB) string {
	home, _ := os.UserHomeDir()
	dir := filepath.Join(home, ".cache/cratewatch/debian-crates/registry")
	if _, err := os.Stat(dir); err != nil {
		tb.Skip("Debian corpus absent:", dir)
	}
	return dir
}

func buildCorpus(tb testing.TB) *Graph {
	dir := corpusDir(tb)
	start := time.Now()
	b := &Builder{}
	errs, err := b.LoadDir(context.Background(), dir, 0, nil)
	if err != nil {
		tb.Fatal(err)
	}
	loaded := time.Since(start)
	g, err := b.Link(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	tb.Logf("load %v, link %v, %d load errors; stats %+v; heap in use %d MB", loaded, time.Since(start)-loaded, len(errs), g.Stats, ms.HeapInuse>>20)
	return g
}

// TestCorpusBuild is a measurement over 1,500 crates, minutes on a loaded 2-core machine: it
// runs only when asked, so the default test command stays fast.
func TestCorpusBuild(t *testing.T) {
	if testing.Short() || os.Getenv("CRATEWATCH_CORPUS_TESTS") == "" {
		t.Skip("corpus build: set CRATEWATCH_CORPUS_TESTS=1 to run it")
	}
	g := buildCorpus(t)
	if g.Stats.Crates < 1000 {
		t.Errorf("only %d crates loaded", g.Stats.Crates)
	}
}
