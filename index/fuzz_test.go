package index

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// maxErrLen bounds an error message: hostile values are quoted only in part.
const maxErrLen = 1024

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		line("serde", "1.0.0", ""),
		line("a", "0.0.1-001", `"yanked":true,"links":"z","v":2,"features2":{"x":["dep:y"]}`),
		`{"name":"Foo-Bar","vers":"1.2.3-rc.1+build.7","deps":[{"name":"r","req":">=0.6, <0.8","features":["std"],` +
			`"optional":true,"default_features":false,"target":"cfg(windows)","kind":"dev","registry":"https://x","package":"rand"}],` +
			`"cksum":"` + sumB + `","features":{"e":["r/simd"]},"yanked":false,"rust_version":"1.60","pubtime":"2024-05-06T07:08:09Z"}`,
		`{"name":"a","vers":"1.0.0","deps":[{"name":"b","req":"*","kind":null,"default_features":null}],"cksum":"` + sumA + `"}`,
		`{"name":"a","vers":"1.0.0","deps":[{"name":"b","kind":"test"}],"cksum":"` + sumA + `"}`,
		`{"name":"a","vers":"1.x","cksum":"` + sumA + `"}`,
		`{"name":"a","yanked":"yes"}`,
		line("a", "1.0.0", `"Yanked":true`),
		`[1,2]`, `null`, `{}`, `{"name":"\ud800"}`, "{\"name\":\"a\xff\"}", ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseLine(data)
		if err != nil {
			if !reflect.DeepEqual(r, Record{}) {
				t.Fatalf("error %v came with a partial record %+v", err, r)
			}
			if len(err.Error()) > maxErrLen {
				t.Fatalf("error message of %d bytes", len(err.Error()))
			}
			var fe *FieldError
			if errors.As(err, &fe) && fe.Field == "" {
				t.Fatalf("field error without a field: %v", err)
			}
			return
		}
		if ValidName(r.Name) != nil || r.Version.String() != r.Vers || !cksumRE.MatchString(r.Cksum) {
			t.Fatalf("accepted a record that breaks the invariants: %+v", r)
		}
		if len(r.Deps) > MaxDeps {
			t.Fatalf("%d deps accepted", len(r.Deps))
		}
		for _, d := range r.Deps {
			if ValidName(d.Name) != nil || (d.Package != "" && ValidName(d.Package) != nil) || d.Kind > Build {
				t.Fatalf("accepted a bad dependency %+v", d)
			}
		}
		if bad := cargoKeyClash(data); bad != "" {
			t.Fatalf("accepted a line whose key %q Cargo reads differently", bad)
		}
		// What parsed must come back unchanged through the index's own JSON form.
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", r, err)
		}
		back, err := ParseLine(out)
		if err != nil {
			t.Fatalf("the re-encoded line %s does not parse: %v", out, err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("round trip changed the record:\n first %+v\nsecond %+v\n  line %s", r, back, out)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		`{"dl":"https://crates.io/api/v1/crates","api":"https://crates.io"}`,
		`{"dl":"https://r.example/{prefix}/{lowerprefix}/{crate}/{version}/{sha256-checksum}","auth-required":true}`,
		`{"dl":"file:///srv"}`, `{"dl":"ftp://x"}`, `{}`, `[]`, `{"dl":"http://[::1"}`,
	} {
		f.Add([]byte(s), "MyCrate", "1.0.0")
	}
	f.Fuzz(func(t *testing.T, data []byte, name, vers string) {
		c, err := ParseConfig(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config.json") {
				t.Fatalf("error %q does not name config.json", err)
			}
			return
		}
		if c.DL == "" {
			t.Fatalf("accepted a config without dl: %s", data)
		}
		u := c.DownloadURL(name, vers, sumA)
		if ValidName(name) == nil && !strings.Contains(c.DL, "{") && !strings.HasSuffix(u, "/"+name+"/"+vers+"/download") {
			t.Fatalf("no-marker template %q gave %q for %s %s", c.DL, u, name, vers)
		}
		if ValidName(name) == nil && !strings.Contains(vers, "{") {
			for _, m := range dlMarkers {
				if strings.Contains(u, m) {
					t.Fatalf("marker %s left in %q", m, u)
				}
			}
		}
	})
}

func FuzzFileParse(f *testing.F) {
	f.Add("se/rd/serde", []byte(line("serde", "1.0.0", "")+"\n\n"+line("serde", "1.0.0", "")+"\nbad\n"+line("Serde", "1.0.1", "")))
	f.Add("1/a", []byte("\n\r\n"+line("a", "0.0.1-001", "")+"\r\n{"))
	f.Add("", []byte(line("b", "1.0.0", "")))
	f.Fuzz(func(t *testing.T, path string, data []byte) {
		file := File{Path: path, Data: data}
		recs, errs := file.Parse()
		lines := strings.Count(string(data), "\n") + 1
		if len(recs)+len(errs) > lines {
			t.Fatalf("%d records and %d errors from %d lines", len(recs), len(errs), lines)
		}
		seen := map[string]int{}
		for _, r := range recs {
			if !strings.EqualFold(r.Name, file.Name()) {
				t.Fatalf("record for %q kept in the file of %q", r.Name, file.Name())
			}
			if r.Dup != seen[r.Vers] {
				t.Fatalf("%s has Dup %d, want %d", r.Vers, r.Dup, seen[r.Vers])
			}
			seen[r.Vers]++
		}
		last := 0
		for _, err := range errs {
			var le *LineError
			if !errors.As(err, &le) || le.Path != path || le.Line <= last || le.Line > lines {
				t.Fatalf("error %v is not a LineError in order within the file", err)
			}
			last = le.Line
		}
	})
}

// cargoKeyClash is a slow reference for checkKeys built on json.Decoder's tokens: it returns
// a key of the record or of a dependency that repeats, or matches a field only when case
// is ignored, or "" when there is none. data must be a valid index line.
func cargoKeyClash(data []byte) string {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return ""
	}
	var object func(fields []string, deps bool) string
	object = func(fields []string, deps bool) string {
		seen := map[string]bool{}
		for dec.More() {
			tok, _ := dec.Token()
			key := tok.(string)
			for _, f := range fields {
				if key == f && seen[f] || key != f && strings.EqualFold(key, f) {
					return key
				}
			}
			seen[key] = true
			if deps && key == "deps" {
				if tok, _ := dec.Token(); tok == json.Delim('[') {
					for dec.More() {
						dec.Token() // '{': ParseLine accepted the line, so deps hold objects
						if bad := object(depKeys, false); bad != "" {
							return bad
						}
					}
					dec.Token() // ']'
				}
				continue
			}
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		dec.Token() // '}'
		return ""
	}
	return object(recordKeys, true)
}
