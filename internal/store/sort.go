package store

import (
	"slices"

	"github.com/cratewatch/cratewatch/semver"
)

// sortVersions orders versions by semver precedence, oldest first; unparsable ones go first.
func sortVersions(vs []Version) {
	slices.SortStableFunc(vs, func(a, b Version) int {
		va, ea := semver.Parse(a.Num)
		vb, eb := semver.Parse(b.Num)
		switch {
		case ea != nil || eb != nil:
			return boolCmp(ea == nil, eb == nil)
		}
		return va.Compare(vb)
	})
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
