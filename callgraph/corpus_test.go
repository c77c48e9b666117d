package callgraph

import (
	"cmp"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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

// fingerprint hashes the graph's edges (with kind, position and cfg mark) and its crates,
// functions, files and aliases, so that a change meant to keep the graph (a memory or speed
// one) can be checked on the corpus. Aliases are sorted: their order follows map iteration.
func fingerprint(g *Graph) (edges, nodes string) {
	es := slices.Clone(g.edges)
	slices.SortFunc(es, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	h := sha256.New()
	for _, e := range es {
		fmt.Fprintf(h, "%d %d %d %d %d %t\n", e.From, e.To, e.Line, e.Col, e.Kind, e.CfgOff)
	}
	edges = fmt.Sprintf("%x", h.Sum(nil))
	h.Reset()
	for _, c := range g.Crates {
		fmt.Fprintf(h, "%s %s %d %d %d %d %v\n", c.Name, c.Version, c.FirstFn, c.EndFn, c.FirstFile, c.Problems, c.Deps)
	}
	for _, f := range g.Fns {
		fmt.Fprintf(h, "%d %s %s %s %d %d %d\n", f.Crate, f.Path, f.Name, f.Owner, f.File, f.Line, f.Flags)
	}
	for _, f := range g.Files {
		fmt.Fprintln(h, f)
	}
	as := make([]string, len(g.Aliases))
	for i, a := range g.Aliases {
		as[i] = fmt.Sprintf("%+v", a)
	}
	slices.Sort(as)
	for _, a := range as {
		fmt.Fprintln(h, a)
	}
	return edges, fmt.Sprintf("%x", h.Sum(nil))
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
	edges, nodes := fingerprint(g)
	t.Logf("edge hash %s, node hash %s", edges, nodes)
}
