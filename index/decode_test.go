package index

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// checkAgainstReference holds ParseLine to the former encoding/json-based parser on one line:
// an accepted line gives the same Record, field by field; a rejected one is rejected by both,
// naming the same field. The one allowed difference: ParseLine rejects kept strings that are
// not valid UTF-8, which encoding/json read with U+FFFD in their place.
func checkAgainstReference(t *testing.T, data []byte) {
	t.Helper()
	got, err := ParseLine(data)
	want, werr := referenceParseLine(data)
	switch {
	case err == nil && werr != nil:
		t.Fatalf("ParseLine accepted a line the reference rejects (%v):\n%q\n%+v", werr, data, got)
	case err == nil:
		if diff := recordDiff(got, want); diff != "" {
			t.Fatalf("ParseLine and the reference disagree on %s\nline %q", diff, data)
		}
	case werr == nil:
		if !errors.Is(err, errInvalidUTF8) {
			t.Fatalf("ParseLine rejected a line the reference accepts: %v\nline %q", err, data)
		}
	case !errors.Is(err, errInvalidUTF8):
		var fe, wfe *FieldError
		isField, wantField := errors.As(err, &fe), errors.As(werr, &wfe)
		switch {
		case isField != wantField:
			t.Fatalf("ParseLine error %q, reference error %q: one names a field, the other does not\nline %q", err, werr, data)
		case isField && fe.Field != wfe.Field:
			t.Fatalf("ParseLine error %q names another field than the reference's %q\nline %q", err, werr, data)
		}
	}
}

// recordDiff names the fields in which a and b differ, with both values; "" when equal.
func recordDiff(a, b Record) string {
	var diffs []string
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			diffs = append(diffs, fmt.Sprintf("%s: %#v vs reference %#v", va.Type().Field(i).Name, va.Field(i).Interface(), vb.Field(i).Interface()))
		}
	}
	return strings.Join(diffs, "\n")
}

// decodeSeeds are lines that reach the decoder's corners.
var decodeSeeds = []string{
	benchLine("0.2.21"),
	line("a", "1.0.0", `"links":"\"\\\/\b\f\n\r\t\u0041\u00e9\u4e2d\ud83d\ude00"`),
	line("a", "1.0.0", `"links":"\ud800"`),
	line("a", "1.0.0", `"links":"\ud800\u0041"`),
	line("a", "1.0.0", `"links":"\udc00\ud800"`),
	line("a", "1.0.0", "\"links\":\"a\xffb\""),
	line("a", "1.0.0", "\"unknown\":\"a\xff\\ud800\",\"x\xff\":[]"),
	line("a", "1.0.0", `"features":{"\ud800":[]}`),
	line("a", "1.0.0", `"features":{"a":["x"],"a":["y"],"b":null,"c":[null,"z"]}`),
	line("a", "1.0.0", `"x":[{"a":[1,-2.5e+3,true,false,null,"s",{}],"b":{"c":[[]]}}],"y":0`),
	line("a", "1.0.0", `"v":-0`), line("a", "1.0.0", `"v":9223372036854775807`),
	line("a", "1.0.0", `"v":-9223372036854775808`), line("a", "1.0.0", `"v":9223372036854775808`),
	line("a", "1.0.0", `"v":1e2`), line("a", "1.0.0", `"v":1.0`), line("a", "1.0.0", `"v":"2"`),
	line("a", "1.0.0", `"yan\u212aed":true`), line("a", "1.0.0", "\"featureſ\":{}"),
	line("a", "1.0.0", `"deps":[null,{"name":"b"}]`),
	line("a", "1.0.0", `"deps":[{"name":"b","req":"1","kind":"d\u0065v","default_features":null,"optional":null}]`),
	line("a", "1.0.0", `"deps":[{"name":"b","name":"c"}],"yanked":"x"`),
	`{"Name":"a","name":5}`, `{"name":5,`, `{"name":"a"} x`, `{"name":"a",}`, `[1,]`, `{"a":tru}`,
	`{"v":01}`, `{"v":-}`, `{"v":1.}`, `{"v":1e}`, `{"name":"a\q"}`, `{"name":"\u12g4"}`, `{"name" "a"}`,
	" \t\r\n" + line("a", "1.0.0", "") + " \n", "\x00", `"\u0000"`, `{"links":"` + "\x01" + `"}`,
	`{"x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
}

func FuzzParseLineReference(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstReference(t, data)
	})
}

func TestParseLineMatchesReference(t *testing.T) {
	for _, s := range decodeSeeds {
		checkAgainstReference(t, []byte(s))
	}
	for _, tt := range []struct{ name, line string }{
		{"nesting at the limit", `{"x":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `}`},
		{"nesting past the limit", `{"x":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`},
		{"objects nested past the limit", `{"x":` + strings.Repeat(`{"a":`, maxDepth) + "1" + strings.Repeat("}", maxDepth) + `}`},
		{"top-level array past the limit", strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)},
		{"deps past MaxDeps then a type error", line("a", "1.0.0", deps(MaxDeps+1)+`,"yanked":"no"`)},
		{"deps past MaxDeps then a key error", line("a", "1.0.0", deps(MaxDeps+1)+`,"Yanked":true`)},
		{"deps past MaxDeps with a bad one last", line("a", "1.0.0", strings.TrimSuffix(deps(MaxDeps+1), "]")+`,{"name":"x","Kind":1}]`)},
		{"features past MaxFeatures then a type error", line("a", "1.0.0", features(MaxFeatures+1)+`,"v":true`)},
		{"features repeated past MaxFeatures", line("a", "1.0.0", `"features":{`+strings.Repeat(`"f":[],`, MaxFeatures+5)+`"g":["h"]}`)},
		{"features and features2 together past MaxFeatures", line("a", "1.0.0", features(MaxFeatures/2+1)+`,"features2":{`+strings.TrimPrefix(features(MaxFeatures/2), `"features":{`))},
	} {
		t.Run(tt.name, func(t *testing.T) { checkAgainstReference(t, []byte(tt.line)) })
	}
}

// TestRealIndexMatchesReference compares every line of the real 2020 index with the reference.
func TestRealIndexMatchesReference(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 400 MB, twice")
	}
	src := realIndex(t)
	lines := 0
	err := src.Walk(context.Background(), func(f File) error {
		for l := range bytes.SplitSeq(f.Data, []byte("\n")) {
			if l = bytes.TrimSpace(l); len(l) > 0 {
				lines++
				checkAgainstReference(t, l)
			}
		}
		return nil
	}, func(error) {})
	if err != nil {
		t.Fatal(err)
	}
	if lines < 259132 {
		t.Errorf("%d lines, want at least 259132", lines)
	}
}

func TestParseLineEscapes(t *testing.T) {
	r, err := ParseLine([]byte(line("a", "1.0.0", `"links":"\"\\\/\b\f\n\r\t\u0041\u00e9\u4E2D\ud83d\ude00 é",`+
		`"deps":[{"name":"b","req":"\u003e= 1","features":["st\u0064"],"target":"cfg(unix)"}],`+
		`"features":{"\u0073td":["b/st\u0064"]}`)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "\"\\/\b\f\n\r\tAé中😀 é"; r.Links != want {
		t.Errorf("links = %q, want %q", r.Links, want)
	}
	if d := r.Deps[0]; d.Req != ">= 1" || !reflect.DeepEqual(d.Features, []string{"std"}) {
		t.Errorf("dep = %+v", d)
	}
	if !reflect.DeepEqual(r.Features, map[string][]string{"std": {"b/std"}}) {
		t.Errorf("features = %v", r.Features)
	}
}

// TestParseLineInvalidUTF8 documents where ParseLine is stricter than encoding/json was: a kept
// string must be valid UTF-8, as serde_json (Cargo) requires.
func TestParseLineInvalidUTF8(t *testing.T) {
	for _, tt := range []struct{ name, extra, field string }{
		{"invalid byte", "\"links\":\"a\xffb\"", "links"},
		{"lone high surrogate", `"links":"\ud800"`, "links"},
		{"lone low surrogate", `"pubtime":"\udc00x"`, "pubtime"},
		{"high surrogate then no low", `"rust_version":"\ud800\u0041"`, "rust_version"},
		{"surrogate encoded in UTF-8", "\"links\":\"\xed\xa0\x80\"", "links"},
		{"in a dependency's req", `"deps":[{"name":"b","req":"1"},{"name":"c","req":"\ud800"}]`, "deps[1].req"},
		{"in a dependency's features", "\"deps\":[{\"name\":\"b\",\"req\":\"1\",\"features\":[\"\xc3\"]}]", "deps[0].features"},
		{"in a feature name", "\"features\":{\"\xff\":[]}", "features"},
		{"in a feature value", `"features2":{"a":["\udfff"]}`, "features2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLine([]byte(line("a", "1.0.0", tt.extra)))
			var fe *FieldError
			if !errors.Is(err, errInvalidUTF8) || !errors.As(err, &fe) || fe.Field != tt.field {
				t.Fatalf("got %v, want the invalid UTF-8 error for field %q", err, tt.field)
			}
		})
	}
	// Where the string is not kept, only JSON syntax counts, as before.
	for _, extra := range []string{"\"x\":\"\xff\\ud800\"", "\"\xff\":1", `"\udc00":[{"\ud800":"\ud800"}]`,
		"\"deps\":[{\"name\":\"b\",\"req\":\"1\",\"\xfe\":\"\xfe\"}]"} {
		if _, err := ParseLine([]byte(line("a", "1.0.0", extra))); err != nil {
			t.Errorf("%q: %v", extra, err)
		}
	}
}

func TestParseLineUnknownValues(t *testing.T) {
	// Cargo ignores unknown keys whatever their value; so does ParseLine, at any depth.
	nested := strings.Repeat(`{"deps":[`, 100) + strings.Repeat("]}", 100)
	for _, v := range []string{`null`, `true`, `false`, `0`, `-1.5e-7`, `"deps"`, `[]`, `{}`, `[1,"a",null,{"name":5}]`,
		`{"name":"x","deps":[{"kind":"evil"}]}`, nested} {
		r, err := ParseLine([]byte(line("a", "1.0.0", `"future":`+v+`,"deps":[{"name":"b","req":"1","future":`+v+`}]`)))
		if err != nil {
			t.Errorf("unknown value %.40s: %v", v, err)
			continue
		}
		if r.Name != "a" || len(r.Deps) != 1 || r.Deps[0].Name != "b" {
			t.Errorf("unknown value %.40s changed the record: %+v", v, r)
		}
	}
}

func TestParseLineNesting(t *testing.T) {
	ok := `{"name":"a","vers":"1.0.0","cksum":"` + sumA + `","x":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `}`
	if _, err := ParseLine([]byte(ok)); err != nil {
		t.Errorf("nesting of exactly %d: %v", maxDepth, err)
	}
	deep := `{"x":` + strings.Repeat("[", 3*maxDepth) + `}`
	_, err := ParseLine([]byte(deep))
	if err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("nesting past %d: %v", maxDepth, err)
	}
}

func TestParseLineNumbers(t *testing.T) {
	for v, want := range map[string]int{`0`: 0, `-0`: 0, `2`: 2, `-5`: -5, `9223372036854775807`: 1<<63 - 1, `-9223372036854775808`: -1 << 63} {
		r, err := ParseLine([]byte(line("a", "1.0.0", `"v":`+v)))
		if err != nil || r.V != want {
			t.Errorf("v %s: got %d, %v; want %d", v, r.V, err, want)
		}
	}
	for _, v := range []string{`9223372036854775808`, `-9223372036854775809`, `1e2`, `1.0`, `1E+2`, strings.Repeat("9", 1000)} {
		_, err := ParseLine([]byte(line("a", "1.0.0", `"v":`+v)))
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != "v" || !strings.Contains(err.Error(), "where an integer belongs") || len(err.Error()) > 200 {
			t.Errorf("v %.40s: %v", v, err)
		}
	}
}

func TestParseLineSyntax(t *testing.T) {
	for _, l := range []string{`{`, `{"name"`, `{"name":`, `{"name":"a`, `{"name":"a\`, `{"name":"a\u12`, `{"name":"a"`,
		`{"name":"a",`, `{"name":"a",}`, `{,}`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":[1 2]}`, `{"a":[1,]}`, `{"a":[}`,
		`{"a":{]}`, `{"a":tru}`, `{"a":nul}`, `{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":+1}`, `{"a":1e}`, `{"a":-}`,
		`{"a":"\x"}`, "{\"a\":\"\t\"}", `{"a":'s'}`, `{} {}`, `{}}`, `{"deps":[{"name":"a"]}`, `{"deps":[{]}`,
		`{"features":{"a":[}}`, `{"name":5,}`} {
		_, err := ParseLine([]byte(l))
		var fe *FieldError
		if err == nil || errors.As(err, &fe) || !strings.HasPrefix(err.Error(), "not a valid index line") {
			t.Errorf("%q: %v; want a syntax error", l, err)
		}
		checkAgainstReference(t, []byte(l))
	}
}

func TestParseLineOwnsItsStrings(t *testing.T) {
	l := []byte(benchLine("0.2.21"))
	r, err := ParseLine(l)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ParseLine(bytes.Clone(l))
	for i := range l {
		l[i] = 'X'
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("overwriting the line changed the record: %+v", r)
	}
}

// TestParseLineScratchDoesNotLeak checks that the decoder's reused scratch does not carry one
// line's values into the next.
func TestParseLineScratchDoesNotLeak(t *testing.T) {
	big := line("a", "1.0.0", `"deps":[{"name":"b","req":"1","features":["x","y","z"]},{"name":"c","req":"2"}],"features":{"p":["q"],"r":[]}`)
	small := line("a", "1.0.0", `"deps":[{"name":"d","req":"3","features":["w"]}],"features":{"s":["t"]}`)
	for range 3 {
		if _, err := ParseLine([]byte(big)); err != nil {
			t.Fatal(err)
		}
		r, err := ParseLine([]byte(small))
		if err != nil {
			t.Fatal(err)
		}
		want := []Dep{{Name: "d", Req: "3", Features: []string{"w"}, DefaultFeatures: true}}
		if !reflect.DeepEqual(r.Deps, want) || !reflect.DeepEqual(r.Features, map[string][]string{"s": {"t"}}) {
			t.Fatalf("got deps %+v features %v", r.Deps, r.Features)
		}
	}
}

func TestParseLineErrorOrder(t *testing.T) {
	for _, tt := range []struct{ name, line, field, msg string }{
		{"type error before an earlier key error", `{"Name":"a","name":5}`, "name", "JSON number"},
		{"syntax error after a type error", `{"name":5,`, "", "unexpected end"},
		{"key error before a value check", `{"name":"1","vers":"x","Cksum":""}`, "cksum", "only in case"},
		{"first type error wins", line("a", "1.0.0", `"yanked":1,"links":2`), "yanked", "JSON number where a boolean belongs"},
		{"first key error wins", line("a", "1.0.0", `"deps":[{"name":"b","Req":"1","kind":"x","kind":"y"}]`), "deps[0].req", "only in case"},
		{"dep checks in order", line("a", "1.0.0", `"deps":[{"name":"b","req":"1","kind":"x"},{"name":"-"}]`), "deps[0].kind", `unknown dependency kind "x"`},
		{"dep name before its kind", line("a", "1.0.0", `"deps":[{"name":"-","req":"1","kind":"x"}]`), "deps[0].name", "must start with a letter"},
		{"record checks before dep checks", line("a", "1.x", `"deps":[{"name":"-"}]`), "vers", "1.x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLine([]byte(tt.line))
			var fe *FieldError
			switch {
			case err == nil:
				t.Fatal("accepted")
			case tt.field == "" && errors.As(err, &fe), tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field):
				t.Errorf("got %v, want field %q", err, tt.field)
			case !strings.Contains(err.Error(), tt.msg):
				t.Errorf("got %v, want %q", err, tt.msg)
			}
			checkAgainstReference(t, []byte(tt.line))
		})
	}
}

func TestParseLineLongValuesInErrors(t *testing.T) {
	long := strings.Repeat("x", 100000)
	for _, extra := range []string{`"deps":[{"name":"b","req":"1","kind":"` + long + `"}]`, `"cksum":"` + long + `"`,
		`"v":` + strings.Repeat("1", 100000), `"vers":"` + long + `"`, `"deps":[{"name":"` + long + `"}]`,
		`"deps":[{"name":"b","req":"1","package":"` + long + `"}]`, `"deps":[{"name":"b","req":"` + long + `"}]`} {
		_, err := ParseLine([]byte(line("a", "1.0.0", extra)))
		if err == nil || len(err.Error()) > 400 {
			t.Errorf("%.60s: error of %d bytes: %.200v", extra, len(fmt.Sprint(err)), err)
		}
	}
}
