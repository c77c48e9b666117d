package semver

import "math"

// Bound is one end of an Interval. The zero Bound is unbounded.
type Bound struct {
	Version   Version
	Inclusive bool
	Bounded   bool
}

// Interval is a range of versions in precedence order, from Lo to Hi.
type Interval struct {
	Lo, Hi Bound
}

// lowest is the smallest pre-release identifier list: every X.Y.Z-pre is at least X.Y.Z-0.
const lowest Prerelease = "0"

// Interval returns the smallest interval of precedence order holding every version r
// matches. It is exact for releases; because of Cargo's pre-release rule some pre-releases
// inside it may still not match, so use it to narrow a sorted version list by binary search
// and Matches to decide. Partial versions and the caret and tilde upper limits use the
// "-0" pre-release, the lowest version of a release: ^1.2.3 is [1.2.3, 2.0.0-0).
func (r Req) Interval() Interval {
	var iv Interval
	for i := range r.cmps {
		lo, hi := r.cmps[i].bounds()
		if lo.Bounded && (!iv.Lo.Bounded || lowerLess(iv.Lo, lo)) {
			iv.Lo = lo
		}
		if hi.Bounded && (!iv.Hi.Bounded || upperLess(hi, iv.Hi)) {
			iv.Hi = hi
		}
	}
	return iv
}

// lowerLess reports whether lower bound a admits more than lower bound b.
func lowerLess(a, b Bound) bool {
	if c := a.Version.Compare(b.Version); c != 0 {
		return c < 0
	}
	return a.Inclusive && !b.Inclusive
}

// upperLess reports whether upper bound a admits less than upper bound b.
func upperLess(a, b Bound) bool {
	if c := a.Version.Compare(b.Version); c != 0 {
		return c < 0
	}
	return !a.Inclusive && b.Inclusive
}

// Contains reports whether v lies in the interval.
func (iv Interval) Contains(v Version) bool {
	if iv.Lo.Bounded {
		c := v.Compare(iv.Lo.Version)
		if c < 0 || (c == 0 && !iv.Lo.Inclusive) {
			return false
		}
	}
	if iv.Hi.Bounded {
		c := v.Compare(iv.Hi.Version)
		if c > 0 || (c == 0 && !iv.Hi.Inclusive) {
			return false
		}
	}
	return true
}

// IsEmpty reports whether the bounds cross, as in ">2, <1", so no version lies inside.
func (iv Interval) IsEmpty() bool {
	if !iv.Lo.Bounded || !iv.Hi.Bounded {
		return false
	}
	c := iv.Lo.Version.Compare(iv.Hi.Version)
	return c > 0 || (c == 0 && !(iv.Lo.Inclusive && iv.Hi.Inclusive))
}

// base is the comparator's version with missing parts as zero.
func (c *Comparator) base() Version {
	return Version{Major: c.Major, Minor: c.Minor, Patch: c.Patch, Pre: c.Pre}
}

func incl(v Version) Bound { return Bound{Version: v, Inclusive: true, Bounded: true} }
func excl(v Version) Bound { return Bound{Version: v, Bounded: true} }

// floor is the lowest version of the release v.Major.v.Minor.v.Patch.
func floor(major, minor, patch uint64) Version {
	return Version{Major: major, Minor: minor, Patch: patch, Pre: lowest}
}

// after returns the exclusive upper limit just past the partial version of c ("<1.3.0-0" for
// "1.2"), or an unbounded Bound when the number would overflow.
func (c *Comparator) after() Bound {
	switch {
	case c.HasPatch:
		return incl(c.base())
	case c.HasMinor:
		if c.Minor == math.MaxUint64 {
			return c.bumpMajor()
		}
		return excl(floor(c.Major, c.Minor+1, 0))
	default:
		return c.bumpMajor()
	}
}

func (c *Comparator) bumpMajor() Bound {
	if c.Major == math.MaxUint64 {
		return Bound{}
	}
	return excl(floor(c.Major+1, 0, 0))
}

// bounds follows the matching rules of matches in req.go, without the pre-release rule.
func (c *Comparator) bounds() (lo, hi Bound) {
	switch c.Op {
	case OpExact, OpWildcard:
		return incl(c.base()), c.after()
	case OpGreaterEq:
		return incl(c.base()), Bound{}
	case OpGreater:
		if c.HasPatch {
			return excl(c.base()), Bound{}
		}
		// >1.2 admits 1.3.0-alpha.
		next := *c
		next.Op = OpLessEq
		up := next.after()
		if !up.Bounded {
			return excl(Version{Major: math.MaxUint64, Minor: math.MaxUint64, Patch: math.MaxUint64}), Bound{}
		}
		return incl(up.Version), Bound{}
	case OpLess:
		if c.HasPatch {
			return Bound{}, excl(c.base())
		}
		return Bound{}, excl(floor(c.Major, c.Minor, 0))
	case OpLessEq:
		return Bound{}, c.after()
	case OpTilde:
		if c.HasMinor {
			hi := excl(floor(c.Major, c.Minor+1, 0))
			if c.Minor == math.MaxUint64 {
				hi = c.bumpMajor()
			}
			return incl(c.base()), hi
		}
		return incl(c.base()), c.bumpMajor()
	default:
		return c.caretBounds()
	}
}

func (c *Comparator) caretBounds() (lo, hi Bound) {
	lo = incl(c.base())
	if !c.HasPatch {
		// ^1.2 admits 1.2.0-alpha before the pre-release rule.
		lo = incl(floor(c.Major, c.Minor, 0))
	}
	switch {
	case c.Major > 0 || !c.HasMinor:
		return lo, c.bumpMajor()
	case c.Minor > 0 || !c.HasPatch:
		if c.Minor == math.MaxUint64 {
			return lo, c.bumpMajor()
		}
		return lo, excl(floor(0, c.Minor+1, 0))
	default:
		if c.Patch == math.MaxUint64 {
			return lo, excl(floor(0, 1, 0))
		}
		return lo, excl(floor(0, 0, c.Patch+1))
	}
}
