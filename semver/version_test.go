package semver

import (
	"cmp"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Version
	}{
		{"1.2.3", Version{Major: 1, Minor: 2, Patch: 3}},
		{"0.0.0", Version{}},
		{"1.2.3-alpha1", Version{Major: 1, Minor: 2, Patch: 3, Pre: "alpha1"}},
		{"1.2.3+build5", Version{Major: 1, Minor: 2, Patch: 3, Build: "build5"}},
		{"1.2.3+5build", Version{Major: 1, Minor: 2, Patch: 3, Build: "5build"}},
		{"1.2.3-alpha1+build5", Version{Major: 1, Minor: 2, Patch: 3, Pre: "alpha1", Build: "build5"}},
		{"1.2.3-1.alpha1.9+build5.7.3aedf", Version{Major: 1, Minor: 2, Patch: 3, Pre: "1.alpha1.9", Build: "build5.7.3aedf"}},
		{"1.2.3-0a.alpha1.9+05build.7.3aedf", Version{Major: 1, Minor: 2, Patch: 3, Pre: "0a.alpha1.9", Build: "05build.7.3aedf"}},
		{"0.4.0-beta.1+0851523", Version{Minor: 4, Pre: "beta.1", Build: "0851523"}},
		{"1.1.0-beta-10", Version{Major: 1, Minor: 1, Pre: "beta-10"}},
		{"1.0.0-0", Version{Major: 1, Pre: "0"}},
		{"18446744073709551615.0.0", Version{Major: 18446744073709551615}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.in {
			t.Errorf("Parse(%q).String() = %q", tt.in, s)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "empty string, expected a semver version"},
		{"  ", "unexpected character ' ' while parsing major version number"},
		{" 1.2.3", "unexpected character ' ' while parsing major version number"},
		{"1.2.3 ", "unexpected character ' ' after patch version number"},
		{"1", "unexpected end of input while parsing major version number"},
		{"1.2", "unexpected end of input while parsing minor version number"},
		{"1.2.", "unexpected end of input while parsing patch version number"},
		{"1.2.3-", "empty identifier segment in pre-release identifier"},
		{"1.2.3-a..b", "empty identifier segment in pre-release identifier"},
		{"1.2.3-a.", "empty identifier segment in pre-release identifier"},
		{"1.2.3+", "empty identifier segment in build metadata"},
		{"a.b.c", "unexpected character 'a' while parsing major version number"},
		{"v1.2.3", "unexpected character 'v' while parsing major version number"},
		{"1.2.3 abc", "unexpected character ' ' after patch version number"},
		{"1.2.3.4", "unexpected character '.' after patch version number"},
		{"1.2.3-01", "invalid leading zero in pre-release identifier"},
		{"1.2.3-alpha.01", "invalid leading zero in pre-release identifier"},
		{"5.1.5++", "empty identifier segment in build metadata"},
		{"07", "invalid leading zero in major version number"},
		{"1.00.0", "invalid leading zero in minor version number"},
		{"75774777777757777757", "value of major version number exceeds u64::MAX"},
		{"18446744073709551616.0.0", "value of major version number exceeds u64::MAX"},
		{"8\x00", "unexpected character '\\x00' after major version number"},
		{"1.2.3-alpha_1", "unexpected character '_' after pre-release identifier"},
		{"1.2.3+b\u00ff", "unexpected character 'ÿ' after build metadata"},
		{"1.*.0", "unexpected character '*' while parsing minor version number"},
		{"1.2.3-" + strings.Repeat("a", MaxLen), "longer than the limit"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error %q", tt.in, tt.msg)
			continue
		}
		var se *Error
		if !errors.As(err, &se) || se.Input != tt.in || se.Req {
			t.Errorf("Parse(%q) error %#v does not name the input", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("Parse(%q) error %q, want it to contain %q", tt.in, err, tt.msg)
		}
	}
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse of an invalid version did not panic")
		}
	}()
	MustParse("1.2")
}

func TestCompareSpecOrder(t *testing.T) {
	// SemVer 2.0 section 11, then numbers, then releases.
	ordered := []string{
		"0.0.0", "0.0.1-1", "0.0.1", "0.1.0", "0.9.9", "1.0.0-0", "1.0.0-alpha", "1.0.0-alpha.1",
		"1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
		"1.2.3-99", "1.2.3-100", "1.2.3-100.a", "1.2.3-A", "1.2.3-a", "1.2.3", "1.10.0", "2.0.0",
		"10.0.0",
	}
	for i := range ordered {
		for j := range ordered {
			a, b := MustParse(ordered[i]), MustParse(ordered[j])
			want := cmp.Compare(i, j)
			if got := a.Compare(b); got != want {
				t.Errorf("%s.Compare(%s) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestCompareIgnoresBuild(t *testing.T) {
	a, b := MustParse("1.2.3+23"), MustParse("1.2.3+42")
	if a.Compare(b) != 0 || b.Compare(a) != 0 {
		t.Errorf("build metadata changed the order of %s and %s", a, b)
	}
	if a == b {
		t.Errorf("versions differing in build metadata are == as Go values")
	}
	if MustParse("1.2.3-a+z").Compare(MustParse("1.2.3-b+a")) != -1 {
		t.Error("build metadata overrode the pre-release order")
	}
}

func TestPrereleaseLargeNumbers(t *testing.T) {
	// Numeric identifiers beyond uint64 still order numerically.
	a := MustParse("1.0.0-99999999999999999999999")
	b := MustParse("1.0.0-100000000000000000000000")
	if a.Compare(b) != -1 {
		t.Errorf("%s should precede %s", a, b)
	}
}

func TestIsPrerelease(t *testing.T) {
	if MustParse("1.0.0+build").IsPrerelease() {
		t.Error("build metadata made a pre-release")
	}
	if !MustParse("1.0.0-rc.1").IsPrerelease() {
		t.Error("1.0.0-rc.1 is a pre-release")
	}
}

func TestVersionJSON(t *testing.T) {
	in := struct{ V Version }{MustParse("1.2.3-rc.1+meta")}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"V":"1.2.3-rc.1+meta"}` {
		t.Errorf("JSON %s", b)
	}
	var out struct{ V Version }
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("round trip gave %v, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"V":"1.2"}`), &out); err == nil {
		t.Error("invalid version unmarshalled")
	}
}
