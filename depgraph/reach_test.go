package depgraph

import (
	"slices"
	"strings"
	"testing"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/semver"
)

func allVersions(g *Graph, c CrateID) []VersionID {
	var out []VersionID
	first, end := g.Versions(c)
	for v := first; v < end; v++ {
		out = append(out, v)
	}
	return out
}

func TestReverseDirect(t *testing.T) {
	g := buildGraph(t, fixture)
	lib := allVersions(g, mustCrate(t, g, "lib"))
	libs := g.names_(lib)
	for _, tc := range []struct {
		name string
		opt  Options
		want []string // besides the seeds
		dev  []string
	}{
		{"default", Options{MaxDepth: 1}, []string{"bld@1.0.0", "caret@1.0.0", "moved@1.0.0", "moved@2.0.0", "opt@1.0.0", "pre@1.0.0", "star@1.0.0", "tilde@1.0.0", "win@1.0.0", "y@1.0.0"}, nil},
		{"yanked", Options{MaxDepth: 1, Yanked: true}, []string{"bld@1.0.0", "caret@1.0.0", "moved@1.0.0", "moved@2.0.0", "opt@1.0.0", "pre@1.0.0", "ren@0.1.0", "star@1.0.0", "tilde@1.0.0", "win@1.0.0", "y@1.0.0"}, nil},
		{"no optional, no target, normal only", Options{MaxDepth: 1, Filter: Filter{Kinds: KindNormal, NoOptional: true, NoTarget: true}},
			[]string{"caret@1.0.0", "moved@1.0.0", "moved@2.0.0", "pre@1.0.0", "star@1.0.0", "tilde@1.0.0", "y@1.0.0"}, nil},
		{"dev only", Options{MaxDepth: 1, Filter: Filter{Kinds: KindDev}}, nil, []string{"devdep@1.0.0"}},
	} {
		r := g.Reverse(lib, tc.opt)
		got := stepNames(g, r, false)
		got = slices.DeleteFunc(got, func(s string) bool { return slices.Contains(libs, s) })
		if !slices.Equal(got, sorted(tc.want)) {
			t.Errorf("%s: got %v\nwant %v", tc.name, got, tc.want)
		}
		if dev := stepNames(g, r, true); !slices.Equal(dev, sorted(tc.dev)) {
			t.Errorf("%s: dev-only %v, want %v", tc.name, dev, tc.dev)
		}
	}
}

func TestReverseTransitive(t *testing.T) {
	g := buildGraph(t, fixture)
	// Seed: lib 0.2.0 only; y depends on it, x on y, y on x (cycle).
	r := g.Reverse([]VersionID{mustVersion(t, g, "lib", "0.2.0")}, Options{})
	if got, want := stepNames(g, r, false), []string{"lib@0.2.0", "star@1.0.0", "x@1.0.0", "y@1.0.0"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i, st := range r.Steps {
		if g.VersionString(st.Version) == "x@1.0.0" {
			if st.Depth != 2 {
				t.Errorf("x depth %d, want 2", st.Depth)
			}
			if got, want := g.FormatChain(r.Chain(i)), "x@1.0.0 -(^1)-> y@1.0.0 -(^0.2)-> lib@0.2.0"; got != want {
				t.Errorf("chain %q, want %q", got, want)
			}
		}
	}

	// Dev edges end chains: top2 depends on devdep, whose dev-dependency on lib its users
	// never build. With dev edges allowed devdep is reported, top2 is not.
	r = g.Reverse(allVersions(g, mustCrate(t, g, "lib")), Options{Filter: Filter{Kinds: KindNormal | KindDev}})
	if dev := stepNames(g, r, true); !slices.Equal(dev, []string{"devdep@1.0.0"}) {
		t.Errorf("dev-only %v", dev)
	}
	if got := stepNames(g, r, false); slices.Contains(got, "top2@1.0.0") {
		t.Errorf("dev-dependency propagated to top2: %v", got)
	}
	if got := stepNames(g, r, false); !slices.Contains(got, "top@1.0.0") {
		t.Errorf("top not reached through caret: %v", got)
	}
	// A version first met through a dev edge and later through a normal one is reported once,
	// as propagating.
	g2 := buildGraph(t, []ver{
		{name: "v", vers: "1.0.0"},
		{name: "a", vers: "1.0.0", deps: []index.Dep{dep("v", "^1", "dev"), dep("b", "^1")}},
		{name: "b", vers: "1.0.0", deps: []index.Dep{dep("v", "^1")}},
		{name: "c", vers: "1.0.0", deps: []index.Dep{dep("a", "^1")}},
	})
	r = g2.Reverse([]VersionID{mustVersion(t, g2, "v", "1.0.0")}, Options{Filter: Filter{Kinds: KindNormal | KindDev}})
	if got := stepNames(g2, r, false); !slices.Equal(got, []string{"a@1.0.0", "b@1.0.0", "c@1.0.0", "v@1.0.0"}) {
		t.Errorf("got %v", got)
	}
	if dev := stepNames(g2, r, true); len(dev) != 0 {
		t.Errorf("dev-only %v, want none", dev)
	}
}

func TestExposure(t *testing.T) {
	g := buildGraph(t, fixture)
	// Vulnerable: lib < 1.1.0 (patched >= 1.1.0).
	patched := semver.MustParseReq(">=1.1.0")
	e, err := g.Exposure("lib", func(v semver.Version) bool { return !patched.Matches(v) }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"bld@1.0.0", "caret@1.0.0", "moved@1.0.0", "pre@1.0.0", "star@1.0.0", "tilde@1.0.0", "top@1.0.0", "win@1.0.0", "x@1.0.0", "y@1.0.0",
		"lib@0.1.0", "lib@0.1.1", "lib@0.2.0", "lib@1.0.0", "lib@1.0.0-alpha.1",
		// >=1.1.0 does not match pre-releases of later versions: the predicate calls them
		// vulnerable, and nothing here admits them.
		"lib@1.2.0-beta.1", "lib@2.0.0-rc.1",
	}
	if got := stepNames(g, e.Exposed, false); !slices.Equal(got, sorted(want)) {
		t.Errorf("exposed %v\nwant %v", got, sorted(want))
	}
	var yo []VersionID
	for _, i := range e.YankedOnly() {
		yo = append(yo, e.WithYanked.Steps[i].Version)
	}
	if got := g.names_(yo); !slices.Equal(got, []string{"lib@1.0.1", "ren@0.1.0"}) {
		t.Errorf("yanked-only %v", got)
	}
	newest := map[string]bool{}
	for _, cr := range e.Exposed.Crates() {
		newest[g.Name(cr.Crate)] = cr.NewestReached
	}
	// moved's old version is exposed, its newest (^1.1) is not; opt requires ^1.1 (patched).
	for name, want := range map[string]bool{"moved": false, "caret": true, "top": true, "x": true, "star": true, "lib": false} {
		if got, ok := newest[name]; !ok || got != want {
			t.Errorf("%s: newest exposed %v (present %v), want %v", name, got, ok, want)
		}
	}
	if _, ok := newest["opt"]; ok {
		t.Errorf("opt exposed, but ^1.1 admits only patched versions")
	}
	// caret, top, star, pre, tilde, bld, win, x, y: moved and lib excluded.
	if got := e.BlastRadius(e.Exposed); got != 9 {
		t.Errorf("blast radius %d, want 9", got)
	}
	// Fresh resolution: only dependencies whose highest admitted version is vulnerable.
	fresh := []string{"moved@1.0.0", "pre@1.0.0", "tilde@1.0.0", "x@1.0.0", "y@1.0.0"}
	if got := slices.DeleteFunc(stepNames(g, e.Fresh, false), func(s string) bool { return strings.HasPrefix(s, "lib@") }); !slices.Equal(got, fresh) {
		t.Errorf("fresh %v, want %v", got, fresh)
	}
	if got := e.BlastRadius(e.Fresh); got != 4 {
		t.Errorf("fresh blast radius %d, want 4", got)
	}
	// Every chain ends at a vulnerable version, starts at the step, and each hop is admitted.
	for i, st := range e.Exposed.Steps {
		ch := e.Exposed.Chain(i)
		if ch[0].Version != st.Version || len(ch) != int(st.Depth)+1 {
			t.Fatalf("chain of %s: %v", g.VersionString(st.Version), ch)
		}
		for k := 0; k+1 < len(ch); k++ {
			if !g.Admits(ch[k].Dep, ch[k+1].Version) || g.Dep(ch[k].Dep).Owner != ch[k].Version {
				t.Errorf("chain of %s: hop %d not a dependency edge", g.VersionString(st.Version), k)
			}
		}
		if last := ch[len(ch)-1].Version; g.Name(g.CrateOf(last)) != "lib" || patched.Matches(g.Version(last)) {
			t.Errorf("chain of %s ends at %s", g.VersionString(st.Version), g.VersionString(last))
		}
	}
	if _, err := g.Exposure("nonexistent", func(semver.Version) bool { return true }, Options{}); err == nil {
		t.Error("exposure of a crate with no versions: no error")
	}
}

func TestPopularity(t *testing.T) {
	g := buildGraph(t, fixture)
	got := map[string][2]int{}
	for _, p := range g.Popularity(Filter{}) {
		got[p.Name] = [2]int{p.Direct, p.Transitive}
	}
	// Newest versions resolving to lib (fresh resolution): caret, star, pre, opt, win, bld,
	// y, moved@2; tilde resolves to 0.1.1, also lib. Not ren (only yanked), bad, devdep (dev).
	// Transitive adds top (via caret) and x (via y).
	if got["lib"] != [2]int{9, 11} {
		t.Errorf("lib: %v, want direct 9, transitive 11", got["lib"])
	}
	if got["y"] != [2]int{1, 1} || got["x"] != [2]int{1, 1} {
		t.Errorf("cycle x<->y: x %v y %v, want 1,1 each", got["x"], got["y"])
	}
	if got["devdep"] != [2]int{1, 1} {
		t.Errorf("devdep: %v", got["devdep"])
	}
	withDev := map[string][2]int{}
	for _, p := range g.Popularity(Filter{Kinds: KindNormal | KindBuild | KindDev}) {
		withDev[p.Name] = [2]int{p.Direct, p.Transitive}
	}
	// devdep's dev-dependency counts for devdep itself, not for top2.
	if withDev["lib"] != [2]int{10, 12} {
		t.Errorf("lib with dev: %v, want 10, 12", withDev["lib"])
	}
}
