package depgraph

import (
	"slices"
	"testing"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/semver"
)

// fixture is a small registry exercising every resolution rule.
var fixture = []ver{
	{name: "lib", vers: "0.1.0"},
	{name: "lib", vers: "0.1.1"},
	{name: "lib", vers: "0.2.0"},
	{name: "lib", vers: "1.0.0-alpha.1"},
	{name: "lib", vers: "1.0.0"},
	{name: "lib", vers: "1.0.1", yanked: true},
	{name: "lib", vers: "1.1.0"},
	{name: "lib", vers: "1.2.0-beta.1"},
	{name: "lib", vers: "2.0.0-rc.1"},

	{name: "caret", vers: "1.0.0", deps: []index.Dep{dep("lib", "^1.0")}},
	{name: "tilde", vers: "1.0.0", deps: []index.Dep{dep("lib", "~0.1")}},
	{name: "star", vers: "1.0.0", deps: []index.Dep{dep("lib", "*")}},
	{name: "pre", vers: "1.0.0", deps: []index.Dep{dep("lib", ">=1.0.0-alpha.1, <1.1")}},
	{name: "ren", vers: "0.1.0", deps: []index.Dep{dep("lib", "=1.0.1", "as:mylib")}},
	{name: "bad", vers: "1.0.0", deps: []index.Dep{dep("lib", "one point oh")}},
	{name: "devdep", vers: "1.0.0", deps: []index.Dep{dep("lib", "^1", "dev")}},
	{name: "opt", vers: "1.0.0", deps: []index.Dep{dep("lib", "^1.1", "optional")}},
	{name: "win", vers: "1.0.0", deps: []index.Dep{dep("lib", "^1", "target")}},
	{name: "bld", vers: "1.0.0", deps: []index.Dep{dep("lib", "^1", "build")}},
	{name: "unk", vers: "1.0.0", deps: []index.Dep{dep("nonexistent", "^1")}},

	// Chains: top -> caret -> lib; top2 -> devdep (whose dev-dependency must not propagate).
	{name: "top", vers: "1.0.0", deps: []index.Dep{dep("caret", "^1")}},
	{name: "top2", vers: "1.0.0", deps: []index.Dep{dep("devdep", "^1")}},
	// A cycle through lib 0.2: x <-> y.
	{name: "x", vers: "1.0.0", deps: []index.Dep{dep("y", "^1")}},
	{name: "y", vers: "1.0.0", deps: []index.Dep{dep("x", "^1"), dep("lib", "^0.2")}},
	// Old version exposed, newest not.
	{name: "moved", vers: "1.0.0", deps: []index.Dep{dep("lib", "^0.1")}},
	{name: "moved", vers: "2.0.0", deps: []index.Dep{dep("lib", "^1.1")}},
}

func TestResolution(t *testing.T) {
	g := buildGraph(t, fixture)
	for _, tc := range []struct {
		from, target   string
		admitted, yank []string
		best           string
	}{
		{"caret", "lib", []string{"lib@1.0.0", "lib@1.1.0"}, []string{"lib@1.0.1"}, "lib@1.1.0"},
		{"tilde", "lib", []string{"lib@0.1.0", "lib@0.1.1"}, nil, "lib@0.1.1"},
		// "*" admits every release and no pre-release: a set with holes.
		{"star", "lib", []string{"lib@0.1.0", "lib@0.1.1", "lib@0.2.0", "lib@1.0.0", "lib@1.1.0"}, []string{"lib@1.0.1"}, "lib@1.1.0"},
		// A comparator naming 1.0.0-alpha.1 opens pre-releases of 1.0.0 only.
		{"pre", "lib", []string{"lib@1.0.0", "lib@1.0.0-alpha.1"}, []string{"lib@1.0.1"}, "lib@1.0.0"},
		{"ren", "lib", nil, []string{"lib@1.0.1"}, ""},
		{"bad", "lib", nil, nil, ""},
		{"unk", "nonexistent", nil, nil, ""},
	} {
		d := firstDep(t, g, tc.from, g.Version(g.Newest(mustCrate(t, g, tc.from))).String(), tc.target)
		r := g.Resolve(d)
		if got := g.names_(r.Admitted); !slices.Equal(got, sorted(tc.admitted)) {
			t.Errorf("%s: admitted %v, want %v", tc.from, got, tc.admitted)
		}
		if got := g.names_(r.Yanked); !slices.Equal(got, sorted(tc.yank)) {
			t.Errorf("%s: yanked %v, want %v", tc.from, got, tc.yank)
		}
		best := ""
		if r.Best >= 0 {
			best = g.VersionString(r.Best)
		}
		if best != tc.best {
			t.Errorf("%s: best %q, want %q", tc.from, best, tc.best)
		}
	}
	if d := g.Dep(firstDep(t, g, "ren", "0.1.0", "lib")); !d.Renamed || d.Req != "=1.0.1" {
		t.Errorf("renamed dep: %+v", d)
	}
	if d := g.Dep(firstDep(t, g, "bad", "1.0.0", "lib")); !d.Unparsable {
		t.Errorf("unparsable dep not flagged: %+v", d)
	}
	st := g.Stats()
	if st.DepsUnparsable != 1 || st.DepsUnknownCrate != 1 || st.DepsOnlyYanked != 1 || st.IrregularResolutions != 1 {
		t.Errorf("stats %+v", st)
	}
	if st.Versions != 26 || st.Deps != 18 {
		t.Errorf("stats: %d versions %d deps, want 26 and 18", st.Versions, st.Deps)
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	if s == nil {
		s = []string{}
	}
	return s
}

// TestResolveAgreesWithMatches checks every dependency of the fixture against semver directly.
func TestResolveAgreesWithMatches(t *testing.T) {
	g := buildGraph(t, fixture)
	for d := DepID(0); int(d) < len(g.depRes); d++ {
		dd := g.Dep(d)
		req, err := semver.ParseReq(dd.Req)
		first, end := g.Versions(dd.Crate)
		for v := first; v < end; v++ {
			want := err == nil && req.Matches(g.Version(v))
			if got := g.Admits(d, v); got != want {
				t.Errorf("dep %q of %s on %s: admits=%v, Matches=%v", dd.Req, g.VersionString(dd.Owner), g.VersionString(v), got, want)
			}
		}
	}
}

func TestNewest(t *testing.T) {
	g := buildGraph(t, append(slices.Clone(fixture),
		ver{name: "allpre", vers: "0.1.0-a"}, ver{name: "allpre", vers: "0.1.0-b"},
		ver{name: "gone", vers: "1.0.0", yanked: true},
	))
	for name, want := range map[string]string{"lib": "lib@1.1.0", "allpre": "allpre@0.1.0-b", "moved": "moved@2.0.0", "gone": ""} {
		got := ""
		if v := g.Newest(mustCrate(t, g, name)); v >= 0 {
			got = g.VersionString(v)
		}
		if got != want {
			t.Errorf("newest of %s: %q, want %q", name, got, want)
		}
	}
}
