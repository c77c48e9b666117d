package semver

import "testing"

func TestInterval(t *testing.T) {
	// The caret and tilde rows follow the RustSec OSV conversion (rustsec crate,
	// unaffected_range.rs), which writes the upper limits with "-0".
	tests := []struct{ req, want string }{
		{"^1.2.3", "[1.2.3, 2.0.0-0)"},
		{"^1.2", "[1.2.0-0, 2.0.0-0)"},
		{"^1", "[1.0.0-0, 2.0.0-0)"},
		{"^0.2.3", "[0.2.3, 0.3.0-0)"},
		{"^0.2", "[0.2.0-0, 0.3.0-0)"},
		{"^0.0.3", "[0.0.3, 0.0.4-0)"},
		{"^0.0", "[0.0.0-0, 0.1.0-0)"},
		{"^0", "[0.0.0-0, 1.0.0-0)"},
		{"^1.2.3-alpha", "[1.2.3-alpha, 2.0.0-0)"},
		{"~1.2.3", "[1.2.3, 1.3.0-0)"},
		{"~1.2", "[1.2.0, 1.3.0-0)"},
		{"~1", "[1.0.0, 2.0.0-0)"},
		{"=1.2.3", "[1.2.3, 1.2.3]"},
		{"=1.0", "[1.0.0, 1.1.0-0)"},
		{"1.2.*", "[1.2.0, 1.3.0-0)"},
		{"*", "(-inf, +inf)"},
		{">= 1.2.0", "[1.2.0, +inf)"},
		{"> 1.2.3", "(1.2.3, +inf)"},
		{"> 1.2", "[1.3.0-0, +inf)"},
		{"< 1.2.3", "(-inf, 1.2.3)"},
		{"< 1.2", "(-inf, 1.2.0-0)"},
		{"<= 1.2.3", "(-inf, 1.2.3]"},
		{"<= 1.2", "(-inf, 1.3.0-0)"},
		{">= 1.0.2, < 2.0.0", "[1.0.2, 2.0.0)"},
		{">= 111.25, < 300.0", "[111.25.0, 300.0.0-0)"},
		{">=1.2.3, ^1.5", "[1.5.0-0, 2.0.0-0)"},
		{"<2, <1.5.0", "(-inf, 1.5.0)"},
		{"^18446744073709551615", "[18446744073709551615.0.0-0, +inf)"},
	}
	for _, tt := range tests {
		if got := formatInterval(MustParseReq(tt.req).Interval()); got != tt.want {
			t.Errorf("%q.Interval() = %s, want %s", tt.req, got, tt.want)
		}
	}
}

func TestIntervalEmptyAndContains(t *testing.T) {
	for _, s := range []string{">2, <1", ">1.2.3, <1.2.3", "=1.2.3, <1.2.3", "<1.2.3, >=1.2.3"} {
		if !MustParseReq(s).Interval().IsEmpty() {
			t.Errorf("%q is not empty", s)
		}
	}
	for _, s := range []string{"=1.2.3", "*", ">1", "<0.0.1"} {
		if MustParseReq(s).Interval().IsEmpty() {
			t.Errorf("%q is empty", s)
		}
	}
	iv := MustParseReq("^1.2.3").Interval()
	for v, want := range map[string]bool{"1.2.3": true, "1.9.9-rc": true, "2.0.0-0": false, "2.0.0": false, "1.2.3-rc": false, "1.2.2": false} {
		if iv.Contains(MustParse(v)) != want {
			t.Errorf("^1.2.3 interval Contains(%s) = %v", v, !want)
		}
	}
}

// TestIntervalHoldsMatches checks over a grid that every matching version lies in the
// interval, and that the interval is tight for releases.
func TestIntervalHoldsMatches(t *testing.T) {
	var grid []Version
	for _, maj := range []uint64{0, 1, 2} {
		for _, min := range []uint64{0, 1, 2, 3} {
			for _, pat := range []uint64{0, 1, 2, 3} {
				for _, pre := range []Prerelease{"", "0", "alpha", "beta.2"} {
					grid = append(grid, Version{Major: maj, Minor: min, Patch: pat, Pre: pre})
				}
			}
		}
	}
	for _, row := range reqCases {
		r := MustParseReq(row.req)
		iv := r.Interval()
		for _, v := range grid {
			m, in := r.Matches(v), iv.Contains(v)
			if m && !in {
				t.Errorf("%q matches %s outside its interval %s", row.req, v, formatInterval(iv))
			}
			if !m && in && !v.IsPrerelease() && len(r.cmps) == 1 {
				t.Errorf("%q does not match release %s inside its interval %s", row.req, v, formatInterval(iv))
			}
		}
	}
}

func formatInterval(iv Interval) string {
	s := "(-inf"
	if iv.Lo.Bounded {
		s = "(" + iv.Lo.Version.String()
		if iv.Lo.Inclusive {
			s = "[" + iv.Lo.Version.String()
		}
	}
	s += ", "
	if !iv.Hi.Bounded {
		return s + "+inf)"
	}
	if iv.Hi.Inclusive {
		return s + iv.Hi.Version.String() + "]"
	}
	return s + iv.Hi.Version.String() + ")"
}
