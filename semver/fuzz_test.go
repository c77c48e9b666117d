package semver

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1.2.3", "0.0.0-alpha.1+build.5", "1.2.3-01", "v1.2.3", "1.2.3.4",
		"18446744073709551616.0.0", "1.0.0-beta-10", "1.2.3-a..b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		if v.String() != s {
			t.Fatalf("Parse(%q).String() = %q: a valid version has one spelling", s, v.String())
		}
		if v.Compare(v) != 0 {
			t.Fatalf("%s does not compare equal to itself", v)
		}
		exact := MustParseReq("=" + s)
		if !exact.Matches(v) {
			t.Fatalf("=%s does not match %s", s, v)
		}
		if !MustParseReq(">="+s).Matches(v) || MustParseReq("<"+s).Matches(v) || MustParseReq(">"+s).Matches(v) {
			t.Fatalf("ordering operators disagree with %s", v)
		}
	})
}

func FuzzParseReq(f *testing.F) {
	for _, s := range []string{"1.2.3", "^0.0.1", "~1", ">=1.2, <2", " * ", "1.*", "1.2.x", "=1.0.0-rc.1+b",
		"*, 1", "1.*.1", "> 0.0.9 <= 2.5.3", ""} {
		f.Add(s, "1.2.3-alpha.1")
	}
	f.Fuzz(func(t *testing.T, s, vs string) {
		r, err := ParseReq(s)
		if err != nil {
			return
		}
		again, err := ParseReq(r.String())
		if err != nil {
			t.Fatalf("ParseReq(%q).String() = %q does not parse: %v", s, r.String(), err)
		}
		if !again.Equal(r) {
			t.Fatalf("ParseReq(%q) = %q reparses as %q", s, r, again)
		}
		v, err := Parse(vs)
		if err != nil {
			return
		}
		m := r.Matches(v)
		if m && !r.Interval().Contains(v) {
			t.Fatalf("%q matches %s outside its interval %s", s, v, formatInterval(r.Interval()))
		}
		if again.Matches(v) != m {
			t.Fatalf("%q and its canonical form %q disagree on %s", s, r, v)
		}
		if m && v.IsPrerelease() {
			ok := false
			for _, c := range r.Comparators() {
				ok = ok || (c.Pre != "" && c.HasPatch && c.Major == v.Major && c.Minor == v.Minor && c.Patch == v.Patch)
			}
			if !ok {
				t.Fatalf("%q matches pre-release %s without naming it", s, v)
			}
		}
	})
}
