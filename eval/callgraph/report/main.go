// Command report builds the call graph of a corpus and prints the tables of docs/callgraph.md:
// the ten functions with the most transitive callers, and the reachability of every RustSec
// advisory with affected functions whose crate is in the corpus.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/callgraph"
)

func main() {
	corpus := flag.String("corpus", "", "corpus directory")
	advPath := flag.String("advisories", "", "advisory database")
	flag.Parse()
	ctx := context.Background()
	start := time.Now()
	b := &callgraph.Builder{}
	if _, err := b.LoadDir(ctx, *corpus, 0, nil); err != nil {
		fail(err)
	}
	g, err := b.Link(ctx)
	if err != nil {
		fail(err)
	}
	fmt.Printf("Graph: %+v (built in %.1fs)\n\n", g.Stats, time.Since(start).Seconds())
	fmt.Print("Over exact edges only:\n\n")
	topTen(g, callgraph.EdgeExact)
	fmt.Print("Over exact and trait-dispatch edges:\n\n")
	topTen(g, callgraph.EdgeTrait)
	res, err := advisory.LoadPath(*advPath)
	if err != nil {
		fail(err)
	}
	advisories(g, res.Advisories)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// topTen counts transitive callers over edges of maxKind or surer (approximate candidate edges would
// make nearly everything reach everything). Candidates: the 3,000 functions with the most direct
// callers and the callees of the top 300 of them.
func topTen(g *callgraph.Graph, maxKind callgraph.EdgeKind) {
	type cnt struct {
		fn       int32
		direct   int
		trans    int
		crates   int
		examples string
	}
	var all []cnt
	for fn := range g.Fns {
		n := 0
		for _, e := range g.Callers(int32(fn)) {
			if e.Kind <= maxKind {
				n++
			}
		}
		if n > 0 {
			all = append(all, cnt{fn: int32(fn), direct: n})
		}
	}
	slices.SortFunc(all, func(a, b cnt) int { return b.direct - a.direct })
	cands := map[int32]bool{}
	for i, c := range all {
		if i >= 3000 {
			break
		}
		cands[c.fn] = true
		if i < 300 {
			for _, e := range g.Callees(c.fn) {
				if e.Kind <= maxKind {
					cands[e.To] = true
				}
			}
		}
	}
	var res []cnt
	for fn := range cands {
		r := g.TransitiveCallers([]int32{fn}, maxKind)
		crates := map[int32]bool{}
		for _, f := range r.Order {
			if g.Fns[f].Crate != g.Fns[fn].Crate {
				crates[g.Fns[f].Crate] = true
			}
		}
		res = append(res, cnt{fn: fn, trans: len(r.Order), crates: len(crates), direct: len(g.Callers(fn))})
	}
	slices.SortFunc(res, func(a, b cnt) int { return b.trans - a.trans })
	fmt.Println("| # | function | crate | transitive callers | in other crates (crate versions) | direct callers (all kinds) |")
	fmt.Println("|---|---|---|---|---|---|")
	for i, c := range res[:min(10, len(res))] {
		cr := g.CrateOf(c.fn)
		fmt.Printf("| %d | `%s` | %s %s | %d | %d | %d |\n", i+1, g.Fns[c.fn].Path, cr.Name, cr.Version, c.trans, c.crates, c.direct)
	}
	fmt.Println()
}

func advisories(g *callgraph.Graph, advs []*advisory.Advisory) {
	fmt.Println("| advisory | crate (corpus versions) | affected functions found | reaching crate versions (exact / approximate only) | depending, not reaching | example path |")
	fmt.Println("|---|---|---|---|---|---|")
	n := 0
	for _, a := range advs {
		if len(a.Affected.Functions) == 0 || a.Withdrawn != "" {
			continue
		}
		ids := g.CratesNamed(a.Package)
		if len(ids) == 0 {
			continue
		}
		n++
		var vers []string
		for _, id := range ids {
			vers = append(vers, g.Crates[id].Version)
		}
		r := g.ReachAdvisory(a)
		ex, ap := 0, 0
		example := ""
		for _, f := range r.Reaching {
			if f.Approximate {
				ap++
				continue
			}
			ex++
			if example == "" || len(f.Path) < strings.Count(example, "→") {
				var hops []string
				for _, s := range f.Path {
					hops = append(hops, s.Caller)
				}
				example = "`" + strings.Join(append(hops, f.Target), "` → `") + "` (" + f.Path[0].At + ")"
				if f.OtherPlatform {
					example += ", not on x86_64 Linux"
				}
			}
		}
		found := fmt.Sprintf("%d of %d", len(r.Resolved), len(r.Functions))
		if len(r.Vulnerable) == 0 {
			found = "corpus version not vulnerable"
		}
		fmt.Printf("| %s | %s (%s) | %s | %d / %d | %d | %s |\n", a.ID, a.Package, strings.Join(vers, ", "), found, ex, ap, len(r.NotReaching), example)
	}
	fmt.Printf("\n%d advisories with affected functions have their crate in the corpus.\n", n)
}
