package impact

import (
	"slices"
	"strings"
	"testing"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/depgraph"
	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/semver"
)

func graph(t *testing.T) *depgraph.Graph {
	b := depgraph.NewBuilder()
	add := func(name, num string, yanked bool, deps ...index.Dep) {
		if err := b.Add(name, num, yanked, deps); err != nil {
			t.Fatal(err)
		}
	}
	add("vuln", "1.0.0", false)
	add("vuln", "1.0.1", false)
	add("vuln", "1.1.0", false)
	add("mid", "0.1.0", false, index.Dep{Name: "vuln", Req: "=1.0.0"})
	add("mid", "0.2.0", false, index.Dep{Name: "vuln", Req: "^1.0"})
	add("app", "1.0.0", false, index.Dep{Name: "mid", Req: "^0.2"})
	add("old", "1.0.0", false, index.Dep{Name: "mid", Req: "=0.1.0"})
	add("old", "2.0.0", false)
	return b.Build()
}

func TestForAdvisory(t *testing.T) {
	g := graph(t)
	a := &advisory.Advisory{ID: "RUSTSEC-2099-0001", Package: "vuln", Date: "2099-01-01", Aliases: []string{"CVE-2099-1"},
		Patched: []semver.Req{semver.MustParseReq(">=1.1.0")}}
	if Find([]*advisory.Advisory{a}, "cve-2099-1") != a || Find([]*advisory.Advisory{a}, "RUSTSEC-2099-0002") != nil {
		t.Fatal("Find by alias")
	}
	r, err := ForAdvisory(g, a, depgraph.Options{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Vulnerable, []string{"1.0.0", "1.0.1"}) || r.NewestVulnerable {
		t.Errorf("vulnerable %v newest %v", r.Vulnerable, r.NewestVulnerable)
	}
	// mid 0.1.0, 0.2.0; app 1.0.0; old 1.0.0 (not its newest).
	if r.ExposedCrates != 3 || r.ExposedVersions != 4 || r.BlastRadius != 2 || r.FreshRadius != 0 {
		t.Errorf("counts: %+v", r)
	}
	if r.Crates[0].Name != "mid" || r.Crates[0].Chain != "mid@0.2.0 -(^1.0)-> vuln@1.0.0" {
		t.Errorf("first crate %+v", r.Crates[0])
	}
	if c := r.Crates[2]; c.Name != "old" || c.NewestExposed || c.Chain != "old@1.0.0 -(=0.1.0)-> mid@0.1.0 -(=1.0.0)-> vuln@1.0.0" {
		t.Errorf("old: %+v", c)
	}
	osv := OSV(r)
	if len(osv) != 3 || osv[1].ID != "CRATEWATCH-RUSTSEC-2099-0001-app" || !slices.Equal(osv[1].Affected[0].Versions, []string{"1.0.0"}) ||
		!slices.Equal(osv[1].Related, []string{a.ID}) || !strings.Contains(osv[1].Details, "app@1.0.0 -(^0.2)-> mid@0.2.0") {
		t.Errorf("osv %+v", osv[1])
	}
	counts, err := ForAdvisory(g, a, depgraph.Options{}, true)
	if err != nil || len(counts.Crates) != 0 || counts.BlastRadius != r.BlastRadius || counts.ExposedVersions != r.ExposedVersions {
		t.Errorf("counts-only %+v %v", counts, err)
	}
	a.Withdrawn = "2099-02-01"
	if _, err := ForAdvisory(g, a, depgraph.Options{}, false); err == nil {
		t.Error("withdrawn advisory applied")
	}
	s := All(g, []*advisory.Advisory{a, {ID: "X-1", Package: "vuln"}, {ID: "X-2", Package: "absent"}}, depgraph.Options{})
	if len(s.Reports) != 1 || s.Reports[0].ID != "X-1" || s.Skipped["withdrawn"] != 1 || s.Skipped["package not in graph"] != 1 {
		t.Errorf("All: %+v", s)
	}
	if s.Reports[0].FreshRadius != 2 { // nothing patched: mid and app freshly resolve to vuln 1.1.0
		t.Errorf("fresh radius %d, want 2", s.Reports[0].FreshRadius)
	}
}

func TestTarget(t *testing.T) {
	g := graph(t)
	r, err := func() (*Report, error) {
		pkg, vuln, err := Target("vuln@1.0.0")
		if err != nil {
			return nil, err
		}
		return Compute(g, "vuln@1.0.0", pkg, vuln, depgraph.Options{}, false)
	}()
	if err != nil || !slices.Equal(r.Vulnerable, []string{"1.0.0"}) || r.ExposedCrates != 3 {
		t.Errorf("vuln@1.0.0: %+v %v", r, err)
	}
	if _, vuln, err := Target("vuln@~1.0"); err != nil || !vuln(semver.MustParse("1.0.1")) || vuln(semver.MustParse("1.1.0")) {
		t.Errorf("requirement target: %v", err)
	}
	for _, bad := range []string{"vuln", "@1.0", "vuln@", "vuln@x.y.z"} {
		if _, _, err := Target(bad); err == nil {
			t.Errorf("Target(%q): no error", bad)
		}
	}
	if _, err := Compute(g, "nope@1", "nope", func(semver.Version) bool { return true }, depgraph.Options{}, false); err == nil {
		t.Error("unknown crate: no error")
	}
}
