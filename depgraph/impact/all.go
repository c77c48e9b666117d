package impact

import (
	"cmp"
	"runtime"
	"slices"
	"sync"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/depgraph"
)

// Summary is the impact of a whole advisory database.
type Summary struct {
	Advisories int `json:"advisories"`
	// Skipped advisories, by reason: "withdrawn", "other registry", "package not in graph".
	Skipped map[string]int `json:"skipped"`
	// Reports holds one counts-only report per advisory applied, largest blast radius first.
	Reports []*Report `json:"reports"`
}

// All applies every advisory to g, on GOMAXPROCS goroutines (the graph needs no locks).
func All(g *depgraph.Graph, advs []*advisory.Advisory, opt depgraph.Options) *Summary {
	s := &Summary{Advisories: len(advs), Skipped: map[string]int{}}
	var todo []*advisory.Advisory
	for _, a := range advs {
		switch _, ok := g.Crate(a.Package); {
		case a.Withdrawn != "":
			s.Skipped["withdrawn"]++
		case a.Source != "":
			s.Skipped["other registry"]++
		case !ok:
			s.Skipped["package not in graph"]++
		default:
			todo = append(todo, a)
		}
	}
	reports := make([]*Report, len(todo))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				// The package is in the graph and the advisory is live: no error is possible.
				reports[i], _ = ForAdvisory(g, todo[i], opt, true)
			}
		})
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	s.Reports = slices.DeleteFunc(reports, func(r *Report) bool { return r == nil })
	slices.SortFunc(s.Reports, func(a, b *Report) int {
		if c := cmp.Compare(b.BlastRadius, a.BlastRadius); c != 0 {
			return c
		}
		if c := cmp.Compare(b.ExposedVersions, a.ExposedVersions); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return s
}
