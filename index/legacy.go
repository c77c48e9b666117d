package index

import (
	"strings"

	"github.com/cratewatch/cratewatch/semver"
)

// parseVers parses a version as found in an index. crates.io accepted, before its move to the
// strict semver parser, pre-release identifiers with leading zeros ("0.0.1-001"); those lines
// are real published versions, so they are kept: the core must still be strict, and the
// pre-release is taken as written. legacy reports that fallback.
func parseVers(s string) (v semver.Version, legacy bool, err error) {
	v, err = semver.Parse(s)
	if err == nil {
		return v, false, nil
	}
	rest, build, hasBuild := strings.Cut(s, "+")
	core, pre, ok := strings.Cut(rest, "-")
	if !ok || pre == "" {
		return v, false, err
	}
	cv, cerr := semver.Parse(core)
	if cerr != nil || !validIdents(pre) || (hasBuild && !validIdents(build)) {
		return v, false, err
	}
	cv.Pre, cv.Build = semver.Prerelease(pre), build
	return cv, true, nil
}

func validIdent(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

func validIdents(b string) bool {
	for _, id := range strings.Split(b, ".") {
		if id == "" || !validIdent(id) {
			return false
		}
	}
	return true
}
