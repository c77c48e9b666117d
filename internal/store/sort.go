package store

import (
	"slices"

	"github.com/cratewatch/cratewatch/semver"
)

// sortVersions orders versions by semver precedence, oldest first; unparsable ones go first.
// Each version is parsed once, not once per comparison.
func sortVersions(vs []Version) {
	type keyed struct {
		v   Version
		sv  semver.Version
		bad bool
	}
	ks := make([]keyed, len(vs))
	for i, v := range vs {
		sv, err := semver.Parse(v.Num)
		ks[i] = keyed{v, sv, err != nil}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		switch {
		case a.bad && b.bad:
			return 0
		case a.bad:
			return -1
		case b.bad:
			return 1
		}
		return a.sv.Compare(b.sv)
	})
	for i := range ks {
		vs[i] = ks[i].v
	}
}
