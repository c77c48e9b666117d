package depgraph

import (
	"strings"
	"testing"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/semver"
)

// FuzzBuild feeds hostile version and requirement strings to the Builder. Each input line is
// "crate version [y] [dep:req[:dev|:build|:opt]]...". The graph must agree with
// semver.Req.Matches on every edge, and traversals must yield valid chains.
func FuzzBuild(f *testing.F) {
	f.Add("a 1.0.0\nb 0.1.0 a:^1\nc 2.0.0-rc.1 b:*:dev a:>=1.0.0-alpha,<2")
	f.Add("a 1.0.0-alpha.1\na 1.0.0\na 1.0.0+build y\nb 1.0.0 a:=1.0.0-alpha.1 b:~1\nb 1.0.0")
	f.Add("x 0.0.1 y:^0.0.1\ny 0.0.1 x:^0.0:build\nz 1.2.3 x:1.*:opt")
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 4096 {
			return
		}
		b := NewBuilder()
		for line := range strings.SplitSeq(in, "\n") {
			fs := strings.Fields(line)
			if len(fs) < 2 {
				continue
			}
			var deps []index.Dep
			yanked := false
			for _, d := range fs[2:] {
				if d == "y" {
					yanked = true
					continue
				}
				parts := strings.SplitN(d, ":", 3)
				dep := index.Dep{Name: parts[0]}
				if len(parts) > 1 {
					dep.Req = parts[1]
				}
				if len(parts) > 2 {
					switch parts[2] {
					case "dev":
						dep.Kind = index.Dev
					case "build":
						dep.Kind = index.Build
					case "opt":
						dep.Optional = true
					}
				}
				deps = append(deps, dep)
			}
			_ = b.Add(fs[0], fs[1], yanked, deps) // rejected entries are fine; panics are not
		}
		g := b.Build()
		for d := DepID(0); int(d) < len(g.depRes); d++ {
			dd := g.Dep(d)
			req, err := semver.ParseReq(dd.Req)
			first, end := g.Versions(dd.Crate)
			for v := first; v < end; v++ {
				want := err == nil && len(dd.Req) <= MaxReqLen && req.Matches(g.Version(v))
				if got := g.Admits(d, v); got != want {
					t.Fatalf("dep %q on %s: admits %v, Matches %v", dd.Req, g.VersionString(v), got, want)
				}
			}
		}
		all := make([]VersionID, g.NumVersions())
		for i := range all {
			all[i] = VersionID(i)
		}
		for _, opt := range []Options{{}, {Yanked: true, Filter: Filter{Kinds: KindNormal | KindBuild | KindDev}}, {Fresh: true}} {
			r := g.Reverse(all[:len(all)/2], opt)
			for i, st := range r.Steps {
				ch := r.Chain(i)
				if len(ch) != int(st.Depth)+1 {
					t.Fatalf("chain length %d for depth %d", len(ch), st.Depth)
				}
				for k := 0; k+1 < len(ch); k++ {
					if !g.Admits(ch[k].Dep, ch[k+1].Version) {
						t.Fatalf("chain hop %d not admitted", k)
					}
				}
			}
		}
		g.Popularity(Filter{})
	})
}
