package callgraph_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cratewatch/cratewatch/callgraph"
	"github.com/cratewatch/cratewatch/internal/store"
)

// TestStoreRoundTrip saves a small graph and reads it back from SQLite (and PostgreSQL when
// CRATEWATCH_TEST_POSTGRES names one): queries on the loaded graph answer like the original.
func TestStoreRoundTrip(t *testing.T) {
	urls := []string{filepath.Join(t.TempDir(), "cg.db")}
	if pg := os.Getenv("CRATEWATCH_TEST_POSTGRES"); pg != "" {
		urls = append(urls, pg)
	}
	g := callgraph.FixtureGraph(t)
	for _, u := range urls {
		ctx := context.Background()
		st, err := store.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		cs, ok := st.(callgraph.Store)
		if !ok {
			t.Fatalf("%T does not implement callgraph.Store", st)
		}
		for range 2 { // saving twice replaces
			if err := cs.SaveCallGraph(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		back, err := cs.LoadCallGraph(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		if len(back.Fns) != len(g.Fns) || len(back.Edges()) != len(g.Edges()) || len(back.Aliases) != len(g.Aliases) {
			t.Fatalf("%s: loaded %d fns, %d edges, %d aliases; saved %d, %d, %d", u, len(back.Fns), len(back.Edges()),
				len(back.Aliases), len(g.Fns), len(g.Edges()), len(g.Aliases))
		}
		if off, backOff := countOff(g), countOff(back); off == 0 || backOff != off {
			t.Errorf("%s: %d edges marked another platform's after loading, %d before", u, backOff, off)
		}
		want := g.TransitiveCallers(g.Lookup("vuln::Danger::insert_many"), callgraph.EdgeApprox).Order
		got := back.TransitiveCallers(back.Lookup("vuln::Danger::insert_many"), callgraph.EdgeApprox).Order
		slices.Sort(want)
		slices.Sort(got)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: callers after loading %v, before %v", u, got, want)
		}
	}
}

func countOff(g *callgraph.Graph) int {
	n := 0
	for _, e := range g.Edges() {
		if e.CfgOff {
			n++
		}
	}
	return n
}
