package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/cratewatch/cratewatch/semver"
)

// sumA and sumB are well-formed checksums for fixtures.
var (
	sumA = strings.Repeat("0123456789abcdef", 4)
	sumB = strings.Repeat("fedcba9876543210", 4)
)

func TestParseLineFields(t *testing.T) {
	tests := []struct {
		name string
		line string
		want Record
	}{{
		name: "minimal, every optional field absent",
		line: `{"name":"foo","vers":"0.1.0","deps":[],"cksum":"` + sumA + `","features":{}}`,
		want: Record{Name: "foo", Vers: "0.1.0", Deps: []Dep{}, Cksum: sumA, Features: map[string][]string{},
			Version: semver.MustParse("0.1.0")},
	}, {
		name: "crates.io 2020 style with nulls",
		line: `{"name":"serde_json","vers":"1.0.2","deps":[{"name":"serde","req":"^1.0","features":[],` +
			`"optional":false,"default_features":true,"target":null,"kind":"normal"}],"cksum":"` + sumA +
			`","features":{"preserve_order":["linked-hash-map"]},"yanked":false,"links":null}`,
		want: Record{Name: "serde_json", Vers: "1.0.2", Cksum: sumA,
			Deps:     []Dep{{Name: "serde", Req: "^1.0", Features: []string{}, DefaultFeatures: true}},
			Features: map[string][]string{"preserve_order": {"linked-hash-map"}},
			Version:  semver.MustParse("1.0.2")},
	}, {
		name: "every documented field set",
		line: `{"name":"Foo-Bar","vers":"1.2.3-rc.1+build.7","deps":[` +
			`{"name":"rand_alias","req":">=0.6, <0.8","features":["i128_support","std"],"optional":true,` +
			`"default_features":false,"target":"cfg(windows)","kind":"dev",` +
			`"registry":"https://example.com/index","package":"rand"},` +
			`{"name":"cc","req":"1","features":[],"optional":false,"default_features":true,"target":null,"kind":"build"}],` +
			`"cksum":"` + sumB + `","features":{"extras":["rand_alias/simd_support"],"default":[]},` +
			`"features2":{"serde":["dep:serde","chrono?/serde"]},"yanked":true,"links":"z",` +
			`"v":2,"rust_version":"1.60","pubtime":"2024-05-06T07:08:09Z"}`,
		want: Record{Name: "Foo-Bar", Vers: "1.2.3-rc.1+build.7", Cksum: sumB,
			Deps: []Dep{
				{Name: "rand_alias", Req: ">=0.6, <0.8", Features: []string{"i128_support", "std"}, Optional: true,
					Target: "cfg(windows)", Kind: Dev, Registry: "https://example.com/index", Package: "rand"},
				{Name: "cc", Req: "1", Features: []string{}, DefaultFeatures: true, Kind: Build},
			},
			Features:    map[string][]string{"extras": {"rand_alias/simd_support"}, "default": {}},
			Features2:   map[string][]string{"serde": {"dep:serde", "chrono?/serde"}},
			Yanked:      true,
			Links:       "z",
			V:           2,
			RustVersion: "1.60",
			Pubtime:     "2024-05-06T07:08:09Z",
			Version:     semver.MustParse("1.2.3-rc.1+build.7")},
	}, {
		// Cargo documents default_features as absent = true, and kind as required but
		// missing or null on a few crates.io lines from old publish bugs: both mean "normal".
		name: "dep defaults: default_features, kind, target, registry, package absent",
		line: `{"name":"a","vers":"0.0.1","deps":[{"name":"b","req":"*","features":[],"optional":false}],"cksum":"` + sumA + `","features":{}}`,
		want: Record{Name: "a", Vers: "0.0.1", Cksum: sumA, Features: map[string][]string{},
			Deps:    []Dep{{Name: "b", Req: "*", Features: []string{}, DefaultFeatures: true, Kind: Normal}},
			Version: semver.MustParse("0.0.1")},
	}, {
		name: "every nullable field null",
		line: `{"name":"a","vers":"0.0.1","deps":[{"name":"b","req":"*","features":null,"optional":false,` +
			`"default_features":null,"target":null,"kind":null,"registry":null,"package":null}],"cksum":"` + sumA +
			`","features":null,"features2":null,"yanked":null,"links":null,"v":null,"rust_version":null,"pubtime":null}`,
		want: Record{Name: "a", Vers: "0.0.1", Cksum: sumA,
			Deps:    []Dep{{Name: "b", Req: "*", DefaultFeatures: true}},
			Version: semver.MustParse("0.0.1")},
	}, {
		name: "deps null and unknown fields ignored",
		line: `{"name":"a","vers":"3.0.0","deps":null,"cksum":"` + sumA + `","features":{},"future_field":{"x":[1,2]}}`,
		want: Record{Name: "a", Vers: "3.0.0", Cksum: sumA, Deps: []Dep{}, Features: map[string][]string{},
			Version: semver.MustParse("3.0.0")},
	}, {
		name: "explicit normal kind, v 1",
		line: `{"name":"a","vers":"1.0.0","deps":[{"name":"b","req":"=1.0.0","features":[],"optional":false,"default_features":true,"kind":"normal"}],"cksum":"` + sumA + `","features":{},"v":1}`,
		want: Record{Name: "a", Vers: "1.0.0", Cksum: sumA, Features: map[string][]string{}, V: 1,
			Deps:    []Dep{{Name: "b", Req: "=1.0.0", Features: []string{}, DefaultFeatures: true}},
			Version: semver.MustParse("1.0.0")},
	}, {
		// crates.io once accepted pre-release identifiers with leading zeros; the 2020
		// index holds "bluetooth_client 0.0.1-001" and "hxgm30-client 0.3.0-alpha.01".
		name: "legacy leading-zero pre-release",
		line: `{"name":"bluetooth_client","vers":"0.0.1-001","deps":[],"cksum":"` + sumA + `","features":{},"yanked":false}`,
		want: Record{Name: "bluetooth_client", Vers: "0.0.1-001", Cksum: sumA, Deps: []Dep{}, Features: map[string][]string{},
			Version: semver.Version{Major: 0, Minor: 0, Patch: 1, Pre: "001"}},
	}, {
		name: "legacy leading-zero pre-release with build",
		line: `{"name":"hxgm30-client","vers":"0.3.0-alpha.01+git.5","deps":[],"cksum":"` + sumA + `","features":{}}`,
		want: Record{Name: "hxgm30-client", Vers: "0.3.0-alpha.01+git.5", Cksum: sumA, Deps: []Dep{}, Features: map[string][]string{},
			Version: semver.Version{Major: 0, Minor: 3, Patch: 0, Pre: "alpha.01", Build: "git.5"}},
	}, {
		name: "leading and trailing white space around the object",
		line: " \t{\"name\":\"a\",\"vers\":\"1.0.0\",\"cksum\":\"" + sumA + "\"}\r\n",
		want: Record{Name: "a", Vers: "1.0.0", Cksum: sumA, Deps: []Dep{}, Version: semver.MustParse("1.0.0")},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLine([]byte(tt.line))
			if err != nil {
				t.Fatalf("ParseLine: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseLine:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDepCrate(t *testing.T) {
	r, err := ParseLine([]byte(`{"name":"a","vers":"1.0.0","deps":[{"name":"alias","req":"1","package":"real"},{"name":"plain","req":"1"}],"cksum":"` + sumA + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Deps[0].Crate(); got != "real" {
		t.Errorf("renamed dep Crate() = %q, want the package %q", got, "real")
	}
	if got := r.Deps[1].Crate(); got != "plain" {
		t.Errorf("plain dep Crate() = %q, want its name %q", got, "plain")
	}
}

func TestLegacyVersionOrdering(t *testing.T) {
	v, legacy, err := parseVers("0.0.1-001")
	if err != nil || !legacy {
		t.Fatalf("parseVers(0.0.1-001) = %v, legacy %v, %v; want a legacy version", v, legacy, err)
	}
	if v.Compare(semver.MustParse("0.0.1")) >= 0 {
		t.Errorf("0.0.1-001 must order before the release 0.0.1")
	}
	if v.Compare(semver.MustParse("0.0.0")) <= 0 {
		t.Errorf("0.0.1-001 must order after 0.0.0")
	}
	if _, legacy, err := parseVers("1.0.0-alpha.1"); err != nil || legacy {
		t.Errorf("a strict version took the legacy path (legacy %v, err %v)", legacy, err)
	}
}

// line builds a valid index line for name@vers with the members of extra, a JSON fragment
// ("yanked":true,...), replacing the default ones of the same key.
func line(name, vers, extra string) string {
	keys := []string{"name", "vers", "deps", "cksum", "features"}
	members := map[string]string{"name": strconv.Quote(name), "vers": strconv.Quote(vers), "deps": "[]",
		"cksum": strconv.Quote(sumA), "features": "{}"}
	dec := json.NewDecoder(strings.NewReader("{" + extra + "}"))
	if _, err := dec.Token(); err != nil {
		panic(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			panic(fmt.Sprintf("fixture %s: %v", extra, err))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			panic(fmt.Sprintf("fixture %s: %v", extra, err))
		}
		if _, ok := members[k.(string)]; !ok {
			keys = append(keys, k.(string))
		}
		members[k.(string)] = string(raw)
	}
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(k) + ":" + members[k])
	}
	return "{" + b.String() + "}"
}

func deps(n int) string {
	var b strings.Builder
	b.WriteString(`"deps":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"d%d","req":"1"}`, i)
	}
	return b.String() + "]"
}

func features(n int) string {
	var b strings.Builder
	b.WriteString(`"features":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"f%d":[]`, i)
	}
	return b.String() + "}"
}

func TestParseLineErrors(t *testing.T) {
	tests := []struct {
		name  string
		line  string
		field string // the FieldError's field; "" when the line is not an index object at all
		msg   string // text the message must contain
	}{
		{"not JSON", `serde 1.0.0`, "", "not a valid index line"},
		{"empty", ``, "", "not a valid index line"},
		{"array", `[{"name":"a"}]`, "", "not a valid index line"},
		{"string", `"a"`, "", "not a valid index line"},
		{"two objects", line("a", "1.0.0", "") + line("a", "1.0.1", ""), "", "after top-level value"},
		{"truncated", line("a", "1.0.0", "")[:30], "", "not a valid index line"},
		{"huge", `{"name":"a","x":"` + strings.Repeat("x", MaxLineBytes) + `"}`, "", "limit"},
		{"null", `null`, "name", "empty crate name"},
		{"empty object", `{}`, "name", "empty crate name"},
		{"name missing", `{"vers":"1.0.0","cksum":"` + sumA + `"}`, "name", "empty"},
		{"name starts with digit", line("1abc", "1.0.0", ""), "name", "must start with a letter"},
		{"name with space", line("a b", "1.0.0", ""), "name", "not allowed"},
		{"name with slash", line("../etc", "1.0.0", ""), "name", "not allowed"},
		{"name non-ASCII", line("caf\u00e9", "1.0.0", ""), "name", "not allowed"},
		{"name too long", line(strings.Repeat("a", MaxNameLen+1), "1.0.0", ""), "name", "more than 64"},
		{"name wrong type", `{"name":5}`, "name", "string"},
		{"vers missing", `{"name":"a","cksum":"` + sumA + `"}`, "vers", "empty"},
		{"vers two parts", line("a", "1.0", ""), "vers", "1.0"},
		{"vers wildcard", line("a", "1.x", ""), "vers", "1.x"},
		{"vers leading zero core", line("a", "01.0.0", ""), "vers", "01.0.0"},
		{"vers v prefix", line("a", "v1.0.0", ""), "vers", "v1.0.0"},
		{"vers empty pre", line("a", "1.0.0-", ""), "vers", "1.0.0-"},
		{"vers bad pre char", line("a", "1.0.0-a_b", ""), "vers", "1.0.0-a_b"},
		{"vers legacy with bad build", line("a", "1.0.0-01+a..b", ""), "vers", "1.0.0-01+a..b"},
		{"vers legacy with empty build", line("a", "0.0.0-00+", ""), "vers", "0.0.0-00+"},
		{"vers overflow", line("a", "18446744073709551616.0.0", ""), "vers", "18446744073709551616"},
		{"vers number", `{"name":"a","vers":1}`, "vers", "string"},
		{"cksum missing", `{"name":"a","vers":"1.0.0"}`, "cksum", "64 lowercase hex"},
		{"cksum upper case", line("a", "1.0.0", `"cksum":"`+strings.ToUpper(sumA)+`"`), "cksum", "64 lowercase hex"},
		{"cksum short", line("a", "1.0.0", `"cksum":"`+sumA[:63]+`"`), "cksum", "64 lowercase hex"},
		{"cksum long", line("a", "1.0.0", `"cksum":"`+sumA+`0"`), "cksum", "64 lowercase hex"},
		{"cksum not hex", line("a", "1.0.0", `"cksum":"`+strings.Repeat("g", 64)+`"`), "cksum", "64 lowercase hex"},
		{"cksum trailing newline", line("a", "1.0.0", `"cksum":"`+sumA+`\n"`), "cksum", "64 lowercase hex"},
		{"too many deps", line("a", "1.0.0", deps(MaxDeps+1)), "deps", "more than the limit"},
		{"too many features", line("a", "1.0.0", features(MaxFeatures+1)), "features", "more than the limit"},
		{"deps not an array", line("a", "1.0.0", `"deps":{}`), "deps", "array"},
		{"dep not an object", line("a", "1.0.0", `"deps":["b"]`), "deps", "object"},
		{"dep name empty", line("a", "1.0.0", `"deps":[{"name":"ok","req":"1"},{"name":"","req":"1"}]`), "deps[1].name", "empty"},
		{"dep name bad", line("a", "1.0.0", `"deps":[{"name":"b;c","req":"1"}]`), "deps[0].name", "not allowed"},
		{"dep package bad", line("a", "1.0.0", `"deps":[{"name":"b","req":"1","package":"-x"}]`), "deps[0].package", "must start with a letter"},
		{"dep req huge", line("a", "1.0.0", `"deps":[{"name":"b","req":"`+strings.Repeat("1", maxReqLen+1)+`"}]`), "deps[0].req", "more than the limit"},
		{"dep kind unknown", line("a", "1.0.0", `"deps":[{"name":"b","req":"1","kind":"test"}]`), "deps[0].kind", `unknown dependency kind "test"`},
		{"dep kind empty string", line("a", "1.0.0", `"deps":[{"name":"b","req":"1","kind":""}]`), "", ""},
		{"keys with white space and escapes", " {\"name\" :\"a\", \"v\\u0065rs\"\t:\r\n\"1.0.0\" ,\"cksum\":\"" + sumA + "\",\"links\":\"a\\\"b\"}", "", ""},
		{"dep kind case", line("a", "1.0.0", `"deps":[{"name":"b","req":"1","kind":"Dev"}]`), "deps[0].kind", `"Dev"`},
		{"dep optional wrong type", line("a", "1.0.0", `"deps":[{"name":"b","req":"1","optional":"no"}]`), "deps.optional", "bool"},
		{"dep features wrong type", line("a", "1.0.0", `"deps":[{"name":"b","req":"1","features":"std"}]`), "deps.features", "JSON string where an array belongs"},
		{"yanked wrong type", line("a", "1.0.0", `"yanked":"yes"`), "yanked", "bool"},
		{"features wrong shape", line("a", "1.0.0", `"features":{"std":"alloc"}`), "features", "JSON string where an array belongs"},
		{"v fraction", line("a", "1.0.0", `"v":1.5`), "v", "1.5"},
		// Keys encoding/json would match but Cargo (serde) would not: a hostile line could
		// otherwise hide a dependency from cratewatch that Cargo resolves, or the reverse.
		{"key case deps", line("a", "1.0.0", `"Deps":[{"name":"evil","req":"1"}]`), "deps", `"Deps" differs from it only in case`},
		{"key case name", `{"nAme":"a","vers":"1.0.0","cksum":"` + sumA + `"}`, "name", `"nAme"`},
		{"key case cksum", line("a", "1.0.0", `"CKSUM":"`+sumB+`"`), "cksum", `"CKSUM"`},
		{"key case Kelvin", line("a", "1.0.0", `"yanKed":true`), "yanked", "only in case"},
		{"key case escaped", line("a", "1.0.0", `"Yanked":true`), "yanked", `"Yanked"`},
		{"key repeated", `{"name":"a","vers":"1.0.0","cksum":"` + sumA + `","yanked":false,"yanked":true}`, "yanked", "appears twice"},
		{"key repeated escaped", `{"name":"a","name":"b","vers":"1.0.0","cksum":"` + sumA + `"}`, "name", "appears twice"},
		{"dep key case", line("a", "1.0.0", `"deps":[{"name":"b","req":"1","Kind":"dev"}]`), "deps[0].kind", `"Kind"`},
		{"dep key repeated", line("a", "1.0.0", `"deps":[{"name":"b","req":"1"}, {"name":"c","req":"1","optional":true , "optional":false}]`), "deps[1].optional", "appears twice"},
		{"dep key case package", line("a", "1.0.0", `"deps":[{"name":"b","req":"1","PACKAGE":"x"}]`), "deps[0].package", "only in case"},
		{"unknown keys and map keys", line("a", "1.0.0", `"future":{"Name":1,"name":[{"deps":1}]},"features":{"std":[],"STD":[],"name":[]},`+
			` "deps" : [ {"name":"b","req":"1","public":true,"artifact":["bin"]} , {"name":"c","req":"1"} ] `), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseLine([]byte(tt.line))
			if tt.field == "" && tt.msg == "" {
				// Documents leniency the index needs: the line must parse.
				if err != nil {
					t.Fatalf("ParseLine: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseLine accepted a bad line: %+v", r)
			}
			if !reflect.DeepEqual(r, Record{}) {
				t.Errorf("ParseLine returned a partial record with its error: %+v", r)
			}
			var fe *FieldError
			switch {
			case tt.field == "" && errors.As(err, &fe):
				t.Errorf("got field error %q, want a whole-line error", fe.Field)
			case tt.field != "" && !errors.As(err, &fe):
				t.Errorf("error %q is not a *FieldError", err)
			case tt.field != "" && fe.Field != tt.field:
				t.Errorf("error names field %q, want %q (%v)", fe.Field, tt.field, err)
			}
			if tt.field != "" && !strings.Contains(err.Error(), fmt.Sprintf("field %q", tt.field)) {
				t.Errorf("message %q does not name field %q", err, tt.field)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", err, tt.msg)
			}
			if len(err.Error()) > 400 {
				t.Errorf("message is %d bytes: a hostile value must not be echoed in full", len(err.Error()))
			}
		})
	}
}

func TestParseLineAtLimits(t *testing.T) {
	// The bounds themselves are allowed: a real crate may sit right at them.
	for name, l := range map[string]string{
		"MaxDeps deps":         line("a", "1.0.0", deps(MaxDeps)),
		"MaxFeatures features": line("a", "1.0.0", features(MaxFeatures)),
		"64-character name":    line(strings.Repeat("a", MaxNameLen), "1.0.0", ""),
		"req at its limit":     line("a", "1.0.0", `"deps":[{"name":"b","req":"`+strings.Repeat(" ", maxReqLen-1)+`1"}]`),
	} {
		if _, err := ParseLine([]byte(l)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	pad := MaxLineBytes - len(line("a", "1.0.0", `"x":""`))
	exact := line("a", "1.0.0", `"x":"`+strings.Repeat("x", pad)+`"`)
	if len(exact) != MaxLineBytes {
		t.Fatalf("fixture is %d bytes, want %d", len(exact), MaxLineBytes)
	}
	if _, err := ParseLine([]byte(exact)); err != nil {
		t.Errorf("a line of exactly MaxLineBytes: %v", err)
	}
	if _, err := ParseLine([]byte(exact + " ")); err == nil {
		t.Errorf("a line of MaxLineBytes+1 was accepted")
	}
}

func TestParseDepKind(t *testing.T) {
	for _, k := range []DepKind{Normal, Dev, Build} {
		text, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back DepKind
		if err := back.UnmarshalText(text); err != nil || back != k {
			t.Errorf("%v round-trips to %v, %v", k, back, err)
		}
	}
	if k, err := ParseDepKind(""); err != nil || k != Normal {
		t.Errorf(`ParseDepKind("") = %v, %v; want normal`, k, err)
	}
	if _, err := ParseDepKind("optional"); err == nil {
		t.Errorf("ParseDepKind accepted an unknown kind")
	}
}
