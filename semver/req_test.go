package semver

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// reqCases are the matching cases of the Rust semver crate that Cargo uses.
var reqCases = []struct {
	req    string
	str    string // canonical String(); "" to skip
	match  []string
	reject []string
}{
	{"1.0.0", "^1.0.0", []string{"1.0.0", "1.1.0", "1.0.1"}, []string{"0.9.9", "0.10.0", "0.1.0", "1.0.0-pre", "1.0.1-pre"}},
	{"=1.0.0", "=1.0.0", []string{"1.0.0"}, []string{"1.0.1", "0.9.9", "0.10.0", "0.1.0", "1.0.0-pre"}},
	{"=0.9.0", "=0.9.0", []string{"0.9.0"}, []string{"0.9.1", "1.9.0", "0.0.9", "0.9.0-pre"}},
	{"=0.0.2", "=0.0.2", []string{"0.0.2"}, []string{"0.0.1", "0.0.3", "0.0.2-pre"}},
	{"=0.1.0-beta2.a", "=0.1.0-beta2.a", []string{"0.1.0-beta2.a"}, []string{"0.9.1", "0.1.0", "0.1.1-beta2.a", "0.1.0-beta2"}},
	{"=0.1.0+meta", "=0.1.0", []string{"0.1.0", "0.1.0+meta", "0.1.0+any"}, nil},
	{">= 1.0.0", ">=1.0.0", []string{"1.0.0", "2.0.0"}, []string{"0.1.0", "0.0.1", "1.0.0-pre", "2.0.0-pre"}},
	{">= 2.1.0-alpha2", ">=2.1.0-alpha2", []string{"2.1.0-alpha2", "2.1.0-alpha3", "2.1.0", "3.0.0"}, []string{"2.0.0", "2.1.0-alpha1", "2.0.0-alpha2", "3.0.0-alpha2"}},
	{"< 1.0.0", "<1.0.0", []string{"0.1.0", "0.0.1"}, []string{"1.0.0", "1.0.0-beta", "1.0.1", "0.9.9-alpha"}},
	{"<= 2.1.0-alpha2", "<=2.1.0-alpha2", []string{"2.1.0-alpha2", "2.1.0-alpha1", "2.0.0", "1.0.0"}, []string{"2.1.0", "2.2.0-alpha1", "2.0.0-alpha2", "1.0.0-alpha2"}},
	{">1.0.0-alpha, <1.0.0", "", []string{"1.0.0-beta"}, nil},
	{">1.0.0-alpha, <1.0", "", nil, []string{"1.0.0-beta"}},
	{">1.0.0-alpha, <1", "", nil, []string{"1.0.0-beta"}},
	{"> 0.0.9, <= 2.5.3", ">0.0.9, <=2.5.3", []string{"0.0.10", "1.0.0", "2.5.3"}, []string{"0.0.8", "2.5.4"}},
	{"0.3.0, 0.4.0", "^0.3.0, ^0.4.0", nil, []string{"0.0.8", "0.3.0", "0.4.0"}},
	{"<= 0.2.0, >= 0.5.0", "<=0.2.0, >=0.5.0", nil, []string{"0.0.8", "0.3.0", "0.5.1"}},
	{"0.1.0, 0.1.4, 0.1.6", "^0.1.0, ^0.1.4, ^0.1.6", []string{"0.1.6", "0.1.9"}, []string{"0.1.0", "0.1.4", "0.2.0"}},
	{">=0.5.1-alpha3, <0.6", ">=0.5.1-alpha3, <0.6", []string{"0.5.1-alpha3", "0.5.1-alpha4", "0.5.1-beta", "0.5.1", "0.5.5"}, []string{"0.5.1-alpha1", "0.5.2-alpha3", "0.5.5-pre", "0.5.0-pre", "0.6.0", "0.6.0-pre"}},
	{"~1", "~1", []string{"1.0.0", "1.0.1", "1.1.1"}, []string{"0.9.1", "2.9.0", "0.0.9"}},
	{"~1.2", "~1.2", []string{"1.2.0", "1.2.1"}, []string{"1.1.1", "1.3.0", "0.0.9"}},
	{"~1.2.2", "~1.2.2", []string{"1.2.2", "1.2.4"}, []string{"1.2.1", "1.9.0", "1.0.9", "2.0.1", "0.1.3"}},
	{"~1.2.3-beta.2", "~1.2.3-beta.2", []string{"1.2.3", "1.2.4", "1.2.3-beta.2", "1.2.3-beta.4"}, []string{"1.3.3", "1.1.4", "1.2.3-beta.1", "1.2.4-beta.2"}},
	{"^1", "^1", []string{"1.1.2", "1.1.0", "1.2.1", "1.0.1"}, []string{"0.9.1", "2.9.0", "0.1.4", "1.0.0-beta1", "0.1.0-alpha", "1.0.1-pre"}},
	{"^1.1", "^1.1", []string{"1.1.2", "1.1.0", "1.2.1"}, []string{"0.9.1", "2.9.0", "1.0.1", "0.1.4"}},
	{"^1.1.2", "^1.1.2", []string{"1.1.2", "1.1.4", "1.2.1"}, []string{"0.9.1", "2.9.0", "1.1.1", "0.0.1", "1.1.2-alpha1", "1.1.3-alpha1", "2.9.0-alpha1"}},
	{"^0.1.2", "^0.1.2", []string{"0.1.2", "0.1.4"}, []string{"0.9.1", "2.9.0", "1.1.1", "0.0.1", "0.1.2-beta", "0.1.3-alpha", "0.2.0-pre"}},
	{"^0.5.1-alpha3", "^0.5.1-alpha3", []string{"0.5.1-alpha3", "0.5.1-alpha4", "0.5.1-beta", "0.5.1", "0.5.5"}, []string{"0.5.1-alpha1", "0.5.2-alpha3", "0.5.5-pre", "0.5.0-pre", "0.6.0"}},
	{"^0.0.2", "^0.0.2", []string{"0.0.2"}, []string{"0.9.1", "2.9.0", "1.1.1", "0.0.1", "0.1.4", "0.0.3"}},
	{"^0.0.1", "^0.0.1", []string{"0.0.1"}, []string{"0.0.2", "0.0.1-alpha", "0.0.0"}},
	{"^0.0", "^0.0", []string{"0.0.2", "0.0.0"}, []string{"0.9.1", "2.9.0", "1.1.1", "0.1.4"}},
	{"^0", "^0", []string{"0.9.1", "0.0.2", "0.0.0"}, []string{"2.9.0", "1.1.1"}},
	{"^1.4.2-beta.5", "^1.4.2-beta.5", []string{"1.4.2", "1.4.3", "1.4.2-beta.5", "1.4.2-beta.6", "1.4.2-c"}, []string{"0.9.9", "2.0.0", "1.4.2-alpha", "1.4.2-beta.4", "1.4.3-beta.5"}},
	{"1.2.3-alpha", "^1.2.3-alpha", []string{"1.2.3-alpha", "1.2.3-beta", "1.2.3", "1.9.0"}, []string{"1.2.3-0", "1.2.4-alpha", "2.0.0", "1.2.2"}},
	{"*", "*", []string{"0.9.1", "2.9.0", "0.0.9", "1.0.1", "1.1.1"}, []string{"1.0.0-pre"}},
	{"x", "*", []string{"0.0.0", "9.9.9"}, []string{"1.0.0-pre"}},
	{"  *  ", "*", []string{"0.0.0"}, nil},
	{"1.*", "1.*", []string{"1.2.0", "1.2.1", "1.1.1", "1.3.0"}, []string{"0.0.9", "1.2.0-pre", "2.0.0"}},
	{"1.X", "1.*", []string{"1.0.0"}, nil},
	{"1.*.*", "1.*", []string{"1.0.0"}, nil},
	{"1.2.*", "1.2.*", []string{"1.2.0", "1.2.2", "1.2.4"}, []string{"1.9.0", "1.0.9", "2.0.1", "0.1.3", "1.2.2-pre"}},
	{"1.2.x", "1.2.*", []string{"1.2.0"}, nil},
	{"0.*.*", "0.*", []string{"0.5.0"}, nil},
	{"0.0.*", "0.0.*", []string{"0.0.7"}, []string{"0.1.0"}},
	{"=2.1.1-really.0", "=2.1.1-really.0", []string{"2.1.1-really.0"}, nil},
	// Operators combined with wildcards keep their operator.
	{">=1.*", ">=1", []string{"1.0.0", "7.0.0"}, []string{"0.9.0"}},
	{"=1.*", "=1", []string{"1.0.0", "1.9.9"}, []string{"2.0.0", "1.0.0-a"}},
	{"^1.2.*", "^1.2", []string{"1.2.0", "1.9.0"}, []string{"1.1.0", "2.0.0"}},
	{"<2.*", "<2", []string{"1.9.9"}, []string{"2.0.0", "2.5.0"}},
	{">1", ">1", []string{"2.0.0"}, []string{"1.0.0", "1.9.9"}},
	{"<=1.2", "<=1.2", []string{"1.2.9", "0.1.0"}, []string{"1.3.0"}},
	{">= 1.2, < 1.5", ">=1.2, <1.5", []string{"1.2.0", "1.4.9"}, []string{"1.5.0", "1.1.9"}},
	{">=1.2,<2", ">=1.2, <2", []string{"1.9.0"}, []string{"2.0.0"}},
	{"  >=  1.2  ,  <2  ", ">=1.2, <2", []string{"1.9.0"}, []string{"2.0.0"}},
	{"1.2.3+build.7", "^1.2.3", []string{"1.2.3", "1.2.3+other"}, nil},
	{"1.2.3-01a", "^1.2.3-01a", []string{"1.2.3-01a"}, nil},
}

func TestReqMatches(t *testing.T) {
	for _, tt := range reqCases {
		r, err := ParseReq(tt.req)
		if err != nil {
			t.Errorf("ParseReq(%q): %v", tt.req, err)
			continue
		}
		if tt.str != "" && r.String() != tt.str {
			t.Errorf("ParseReq(%q).String() = %q, want %q", tt.req, r.String(), tt.str)
		}
		for _, v := range tt.match {
			if !r.Matches(MustParse(v)) {
				t.Errorf("%q does not match %s", tt.req, v)
			}
		}
		for _, v := range tt.reject {
			if r.Matches(MustParse(v)) {
				t.Errorf("%q matches %s", tt.req, v)
			}
		}
	}
}

// TestCargoDocEquivalences checks every row of the tables in Cargo's "Specifying
// dependencies" chapter against its spelled-out range, over a grid of versions.
func TestCargoDocEquivalences(t *testing.T) {
	rows := []struct{ req, equiv string }{
		{"1.2.3", ">=1.2.3, <2.0.0"},
		{"1.2", ">=1.2.0, <2.0.0"},
		{"1", ">=1.0.0, <2.0.0"},
		{"0.2.3", ">=0.2.3, <0.3.0"},
		{"0.2", ">=0.2.0, <0.3.0"},
		{"0.0.3", ">=0.0.3, <0.0.4"},
		{"0.0", ">=0.0.0, <0.1.0"},
		{"0", ">=0.0.0, <1.0.0"},
		{"^1.2.3", ">=1.2.3, <2.0.0"},
		{"^1.2", ">=1.2.0, <2.0.0"},
		{"^1", ">=1.0.0, <2.0.0"},
		{"^0.2.3", ">=0.2.3, <0.3.0"},
		{"^0.2", ">=0.2.0, <0.3.0"},
		{"^0.0.3", ">=0.0.3, <0.0.4"},
		{"^0.0", ">=0.0.0, <0.1.0"},
		{"^0", ">=0.0.0, <1.0.0"},
		{"~1.2.3", ">=1.2.3, <1.3.0"},
		{"~1.2", ">=1.2.0, <1.3.0"},
		{"~1", ">=1.0.0, <2.0.0"},
		{"*", ">=0.0.0"},
		{"1.*", ">=1.0.0, <2.0.0"},
		{"1.2.*", ">=1.2.0, <1.3.0"},
		{">= 1.2.0", ">=1.2.0"},
		{"> 1", ">=2.0.0"},
		{"< 2", "<2.0.0"},
		{"= 1.2.3", ">=1.2.3, <=1.2.3"},
	}
	var grid []Version
	for _, maj := range []uint64{0, 1, 2, 3} {
		for _, min := range []uint64{0, 1, 2, 3, 4} {
			for _, pat := range []uint64{0, 1, 2, 3, 4} {
				grid = append(grid, Version{Major: maj, Minor: min, Patch: pat})
				grid = append(grid, Version{Major: maj, Minor: min, Patch: pat, Pre: "alpha"})
			}
		}
	}
	for _, row := range rows {
		r, e := MustParseReq(row.req), MustParseReq(row.equiv)
		matched := 0
		for _, v := range grid {
			got, want := r.Matches(v), e.Matches(v)
			if got != want {
				t.Errorf("%q.Matches(%s) = %v, but %q gives %v", row.req, v, got, row.equiv, want)
			}
			if got {
				matched++
			}
			if got && v.IsPrerelease() {
				t.Errorf("%q matches pre-release %s", row.req, v)
			}
		}
		if matched == 0 {
			t.Errorf("%q matches nothing in the grid", row.req)
		}
	}
}

func TestReqParseErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"", "unexpected end of input while parsing major version number"},
		{"   ", "unexpected end of input while parsing major version number"},
		{"> 0.1.0,", "unexpected end of input while parsing major version number"},
		{"> 0.3.0, ,", "unexpected character ',' while parsing major version number"},
		{"1.2.3 - 2.3.4", "expected comma after patch version number, found '-'"},
		{"> 0.0.9 <= 2.5.3", "expected comma after patch version number, found '<'"},
		{"=1.2.3 || =2.3.4", "expected comma after patch version number, found '|'"},
		{"1.1 || =1.2.3", "expected comma after minor version number, found '|'"},
		{"6.* || 8.* || >= 10.*", "expected comma after minor version number, found '|'"},
		{"\x00", "unexpected character '\\x00' while parsing major version number"},
		{">= >= 0.0.2", "unexpected character '>' while parsing major version number"},
		{">== 0.0.2", "unexpected character '=' while parsing major version number"},
		{"a.0.0", "unexpected character 'a' while parsing major version number"},
		{"1.0.0-", "empty identifier segment in pre-release identifier"},
		{">=", "unexpected end of input while parsing major version number"},
		{"1.2.3-01", "invalid leading zero in pre-release identifier"},
		{"1.2.3+4.", "empty identifier segment in build metadata"},
		{"1.", "unexpected end of input while parsing minor version number"},
		{"1.*.", "unexpected character after wildcard in version req"},
		{"*.1", "unexpected character after wildcard in version req"},
		{"1.*.1", "unexpected character after wildcard in version req"},
		{">=1.*.1", "unexpected character after wildcard in version req"},
		{"1.2.3+4\u00ff", "expected comma after build metadata, found 'ÿ'"},
		{"*, 0.20.0-any", "wildcard req (*) must be the only comparator in the version req"},
		{"0.20.0-any, *", "wildcard req (*) must be the only comparator in the version req"},
		{"0.20.0-any, *, 1.0", "wildcard req (*) must be the only comparator in the version req"},
		{"1.0, x", "wildcard req (x) must be the only comparator in the version req"},
		{"v1.2.3", "unexpected character 'v' while parsing major version number"},
		{"1.2.3.4", "expected comma after patch version number, found '.'"},
		{"1.2-alpha", "expected comma after minor version number, found '-'"},
		{"^01.2", "invalid leading zero in major version number"},
		{"\t1.2", "unexpected character '\\t' while parsing major version number"},
		{">=1.2\t", "expected comma after minor version number, found '\\t'"},
		{"~>1.2", "unexpected character '>' while parsing major version number"},
		{"1.2.3 abc", "expected comma after patch version number, found 'a'"},
		{"latest", "unexpected character 'l' while parsing major version number"},
		{strings.Repeat("1,", 1000), "longer than the limit"},
	}
	for _, tt := range tests {
		_, err := ParseReq(tt.in)
		if err == nil {
			t.Errorf("ParseReq(%q) succeeded, want error %q", tt.in, tt.msg)
			continue
		}
		var se *Error
		if !errors.As(err, &se) || se.Input != tt.in || !se.Req {
			t.Errorf("ParseReq(%q) error %#v does not name the input", tt.in, err)
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseReq(%q) error %q, want it to contain %q", tt.in, err, tt.msg)
		}
	}
}

func TestReqComparatorLimit(t *testing.T) {
	var parts []string
	for i := 1; i <= MaxComparators; i++ {
		parts = append(parts, fmt.Sprintf(">%d", i))
	}
	r, err := ParseReq(strings.Join(parts, ", "))
	if err != nil {
		t.Fatalf("%d comparators: %v", MaxComparators, err)
	}
	if n := len(r.Comparators()); n != MaxComparators {
		t.Errorf("parsed %d comparators, want %d", n, MaxComparators)
	}
	parts = append(parts, ">33")
	_, err = ParseReq(strings.Join(parts, ", "))
	if err == nil || !strings.Contains(err.Error(), "excessive number of version comparators") {
		t.Errorf("%d comparators: got %v", MaxComparators+1, err)
	}
}

func TestReqEqualAndAny(t *testing.T) {
	if !MustParseReq("^1").Equal(MustParseReq("1")) {
		t.Error("^1 and 1 differ")
	}
	if MustParseReq("^1").Equal(MustParseReq("^2")) || MustParseReq("^1").Equal(MustParseReq("^1, <3")) {
		t.Error("different requirements are Equal")
	}
	for _, s := range []string{"*", "x", "X"} {
		if r := MustParseReq(s); !r.IsAny() || !r.Equal(Req{}) {
			t.Errorf("%q is not the zero Req", s)
		}
	}
	if MustParseReq("1.*").IsAny() {
		t.Error("1.* is any")
	}
	var zero Req
	if zero.String() != "*" || !zero.Matches(MustParse("3.1.4")) || zero.Matches(MustParse("3.1.4-rc")) {
		t.Error("the zero Req is not *")
	}
}

func TestComparatorsIsACopy(t *testing.T) {
	r := MustParseReq(">=1.2.3, <2")
	c := r.Comparators()
	want := []Comparator{
		{Op: OpGreaterEq, Major: 1, Minor: 2, Patch: 3, HasMinor: true, HasPatch: true},
		{Op: OpLess, Major: 2},
	}
	if len(c) != 2 || c[0] != want[0] || c[1] != want[1] {
		t.Fatalf("Comparators() = %+v, want %+v", c, want)
	}
	c[0].Major = 9
	if r.String() != ">=1.2.3, <2" {
		t.Errorf("mutating Comparators() changed the Req to %s", r)
	}
}

func TestReqJSON(t *testing.T) {
	var out struct{ R Req }
	if err := json.Unmarshal([]byte(`{"R":">= 1.2, <2"}`), &out); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	var raw map[string]string
	if err := json.Unmarshal(b, &raw); err != nil || raw["R"] != ">=1.2, <2" {
		t.Errorf("JSON %s (%v)", b, err)
	}
	if err := json.Unmarshal([]byte(`{"R":"1.2.3.4"}`), &out); err == nil {
		t.Error("invalid requirement unmarshalled")
	}
}

func TestMatchesAllocatesNothing(t *testing.T) {
	r := MustParseReq(">=1.2.3-alpha, <2")
	v := MustParse("1.2.3-beta.2")
	if n := testing.AllocsPerRun(100, func() { r.Matches(v) }); n != 0 {
		t.Errorf("Matches allocates %v times", n)
	}
}
