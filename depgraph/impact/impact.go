package impact

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/depgraph"
	"github.com/cratewatch/cratewatch/semver"
)

// Report is the impact of one vulnerable version set.
type Report struct {
	ID      string `json:"id"` // advisory id, or "crate@version" when named by hand
	Package string `json:"package"`
	Title   string `json:"title,omitempty"`
	Kind    string `json:"kind"` // "vulnerability", or the advisory's informational kind
	// Vulnerable lists the vulnerable versions present in the graph, lowest first.
	Vulnerable []string `json:"vulnerable_versions"`
	// NewestVulnerable is set when the package's own newest version is vulnerable.
	NewestVulnerable bool `json:"newest_vulnerable"`
	// ExposedVersions and ExposedCrates count dependents (the package itself excluded) that a
	// new resolution can lead to a vulnerable version.
	ExposedVersions int `json:"exposed_versions"`
	ExposedCrates   int `json:"exposed_crates"`
	// BlastRadius counts exposed crates whose newest version is exposed.
	BlastRadius int `json:"blast_radius"`
	// FreshRadius counts crates whose newest version's fresh resolution (every dependency
	// at the highest non-yanked version it admits) includes a vulnerable version.
	FreshRadius int `json:"fresh_blast_radius"`
	// YankedOnly counts dependent versions exposed only when a yanked version is chosen
	// (lockfiles written before the yank).
	YankedOnly int     `json:"exposed_only_through_yanked"`
	Crates     []Crate `json:"crates"`
	Published  string  `json:"-"` // advisory date, for OSV export
}

// Crate is one exposed dependent crate.
type Crate struct {
	Name          string   `json:"name"`
	Versions      []string `json:"exposed_versions"`
	Total         int      `json:"total_versions"`
	Newest        string   `json:"newest,omitempty"`
	NewestExposed bool     `json:"newest_exposed"`
	DevOnly       bool     `json:"dev_only,omitempty"` // exposed through dev-dependencies only
	// Chain is a shortest dependency chain from one exposed version (the newest when it is
	// exposed) to a vulnerable version: "a@1.0.0 -(^0.3)-> b@0.3.2".
	Chain string `json:"chain"`
	Depth int    `json:"depth"`
}

// Compute reports the impact of the versions of pkg for which vulnerable returns true. With
// countsOnly, Crates is left empty and chains are not formatted (for whole-database runs).
func Compute(g *depgraph.Graph, id, pkg string, vulnerable func(semver.Version) bool, opt depgraph.Options, countsOnly bool) (*Report, error) {
	e, err := g.Exposure(pkg, vulnerable, opt)
	if err != nil {
		return nil, err
	}
	r := &Report{ID: id, Package: pkg, Kind: "vulnerability", Crates: []Crate{}, Vulnerable: []string{}}
	for _, v := range e.Vulnerable {
		r.Vulnerable = append(r.Vulnerable, g.Version(v).String())
	}
	if n := g.Newest(e.Package); n >= 0 {
		r.NewestVulnerable = vulnerable(g.Version(n))
	}
	for _, cr := range e.Exposed.Crates() {
		if cr.Crate == e.Package {
			continue
		}
		c := Crate{Name: g.Name(cr.Crate), Total: cr.Total, NewestExposed: cr.NewestReached && !cr.NewestDevOnly, DevOnly: cr.DevOnly}
		r.ExposedVersions += len(cr.Steps)
		r.ExposedCrates++
		if c.NewestExposed {
			r.BlastRadius++
		}
		if countsOnly {
			continue
		}
		if n := g.Newest(cr.Crate); n >= 0 {
			c.Newest = g.Version(n).String()
		}
		for _, i := range cr.Steps {
			c.Versions = append(c.Versions, g.Version(e.Exposed.Steps[i].Version).String())
		}
		pick := cr.First
		if cr.NewestStep >= 0 {
			pick = cr.NewestStep
		}
		c.Chain = g.FormatChain(e.Exposed.Chain(pick))
		c.Depth = int(e.Exposed.Steps[pick].Depth)
		r.Crates = append(r.Crates, c)
	}
	r.FreshRadius = e.BlastRadius(e.Fresh)
	for _, i := range e.YankedOnly() {
		if g.CrateOf(e.WithYanked.Steps[i].Version) != e.Package {
			r.YankedOnly++
		}
	}
	slices.SortFunc(r.Crates, func(a, b Crate) int {
		if a.NewestExposed != b.NewestExposed {
			if a.NewestExposed {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(a.Depth, b.Depth); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return r, nil
}

// ForAdvisory reports the impact of advisory a. Withdrawn advisories and advisories for
// another registry are refused with an error saying so.
func ForAdvisory(g *depgraph.Graph, a *advisory.Advisory, opt depgraph.Options, countsOnly bool) (*Report, error) {
	if a.Withdrawn != "" {
		return nil, fmt.Errorf("advisory %s: withdrawn on %s", a.ID, a.Withdrawn)
	}
	if a.Source != "" {
		return nil, fmt.Errorf("advisory %s: package %s is from registry %s, not this one", a.ID, a.Package, a.Source)
	}
	r, err := Compute(g, a.ID, a.Package, a.Vulnerable, opt, countsOnly)
	if err != nil {
		return nil, fmt.Errorf("advisory %s: %w", a.ID, err)
	}
	r.Title, r.Published = a.Title, a.Date
	if a.Informational != "" {
		r.Kind = a.Informational
	}
	return r, nil
}

// Find returns the advisory whose id or alias (CVE-..., GHSA-...) is id, ignoring case.
func Find(advs []*advisory.Advisory, id string) *advisory.Advisory {
	for _, a := range advs {
		if strings.EqualFold(a.ID, id) {
			return a
		}
	}
	for _, a := range advs {
		for _, al := range a.Aliases {
			if strings.EqualFold(al, id) {
				return a
			}
		}
	}
	return nil
}

// Target parses "crate@version" (that version only) or "crate@requirement" (every version
// it matches, Cargo's pre-release rule included) into a package and a vulnerable predicate.
func Target(s string) (pkg string, vulnerable func(semver.Version) bool, err error) {
	pkg, spec, ok := strings.Cut(s, "@")
	if !ok || pkg == "" || spec == "" {
		return "", nil, fmt.Errorf("impact target %.80q: want CRATE@VERSION or CRATE@REQUIREMENT", s)
	}
	if v, err := semver.Parse(spec); err == nil {
		return pkg, func(x semver.Version) bool { return x.Compare(v) == 0 && x.Build == v.Build }, nil
	}
	req, err := semver.ParseReq(spec)
	if err != nil {
		return "", nil, fmt.Errorf("impact target %.80q: %w", s, err)
	}
	return pkg, req.Matches, nil
}
