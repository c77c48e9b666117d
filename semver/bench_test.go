package semver

import "testing"

var benchVersions = []string{"1.0.0", "0.2.17", "1.0.104", "0.11.0-rc.3", "2.0.0-beta.1+build.42", "0.3.21"}

var benchReqs = []string{"^1.0", "0.2.17", ">=1.0.0, <2.0.0", "~0.11", "=2.0.0-beta.1", "*", "0.3.*"}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Parse(benchVersions[i%len(benchVersions)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseReq(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := ParseReq(benchReqs[i%len(benchReqs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatches(b *testing.B) {
	reqs := make([]Req, len(benchReqs))
	for i, s := range benchReqs {
		reqs[i] = MustParseReq(s)
	}
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParse(s)
	}
	b.ReportAllocs()
	n := 0
	for i := 0; b.Loop(); i++ {
		if reqs[i%len(reqs)].Matches(vs[i%len(vs)]) {
			n++
		}
	}
	_ = n
}

func BenchmarkCompare(b *testing.B) {
	vs := make([]Version, len(benchVersions))
	for i, s := range benchVersions {
		vs[i] = MustParse(s)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		vs[i%len(vs)].Compare(vs[(i+1)%len(vs)])
	}
}
