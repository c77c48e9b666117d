package index

import (
	"errors"
	"strings"
	"testing"
)

func TestFileName(t *testing.T) {
	for path, want := range map[string]string{"se/rd/serde": "serde", "1/a": "a", "3/f/foo": "foo", "bare": "bare"} {
		if got := (File{Path: path}).Name(); got != want {
			t.Errorf("File{%q}.Name() = %q, want %q", path, got, want)
		}
	}
}

func TestFileParse(t *testing.T) {
	data := strings.Join([]string{
		line("serde", "1.0.0", ""),              // line 1
		"",                                      // 2: blank lines are skipped, not errors
		line("serde", "1.0.1", `"yanked":true`), // 3
		`{"name":"serde","vers":"1.x","deps":[],"cksum":"` + sumA + `"}`, // 4: bad vers
		"not json at all",                       // 5
		"   \t ",                                // 6: white space only
		line("Serde", "1.0.2", ""),              // 7: names compare case-insensitively with the file
		line("serde_json", "1.0.3", ""),         // 8: another crate's line
		line("serde", "1.0.0", `"yanked":true`), // 9: duplicate of line 1
		line("serde", "1.0.0", ""),              // 10: and again
		line("serde", "1.0.4", "") + "\r",       // 11: CRLF line ending
		line("serde", "1.0.5", ""),              // 12: no final newline
	}, "\n")
	recs, errs := File{Path: "se/rd/serde", Data: []byte(data)}.Parse()

	type key struct {
		vers   string
		dup    int
		yanked bool
	}
	want := []key{{"1.0.0", 0, false}, {"1.0.1", 0, true}, {"1.0.2", 0, false}, {"1.0.0", 1, true}, {"1.0.0", 2, false}, {"1.0.4", 0, false}, {"1.0.5", 0, false}}
	var got []key
	for _, r := range recs {
		got = append(got, key{r.Vers, r.Dup, r.Yanked})
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	wantErrs := []struct {
		line  int
		field string
		text  string
	}{
		{4, "vers", `index line 4 of se/rd/serde: field "vers"`},
		{5, "", "index line 5 of se/rd/serde: not a valid index line"},
		{8, "name", `index line 8 of se/rd/serde: field "name": "serde_json" does not belong in the index file of "serde"`},
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("got %d errors %v, want %d", len(errs), errs, len(wantErrs))
	}
	for i, w := range wantErrs {
		var le *LineError
		if !errors.As(errs[i], &le) {
			t.Fatalf("error %d %v is not a *LineError", i, errs[i])
		}
		if le.Line != w.line || le.Path != "se/rd/serde" {
			t.Errorf("error %d at %s:%d, want se/rd/serde:%d", i, le.Path, le.Line, w.line)
		}
		if !strings.HasPrefix(errs[i].Error(), w.text) {
			t.Errorf("error %d = %q, want it to start %q", i, errs[i], w.text)
		}
		var fe *FieldError
		if w.field != "" && (!errors.As(errs[i], &fe) || fe.Field != w.field) {
			t.Errorf("error %d does not unwrap to a FieldError for %q", i, w.field)
		}
	}
}

func TestFileParseEmpty(t *testing.T) {
	for _, data := range []string{"", "\n", "\n\n  \n"} {
		recs, errs := File{Path: "1/a", Data: []byte(data)}.Parse()
		if len(recs) != 0 || len(errs) != 0 {
			t.Errorf("Parse(%q) = %v, %v; want nothing", data, recs, errs)
		}
	}
}

// TestFileParseAllBad checks that a file of nothing but bad lines reports every one and
// returns no records, rather than stopping at the first.
func TestFileParseAllBad(t *testing.T) {
	const n = 50
	data := strings.Repeat("{\n", n)
	recs, errs := File{Path: "1/a", Data: []byte(data)}.Parse()
	if len(recs) != 0 || len(errs) != n {
		t.Fatalf("got %d records and %d errors, want 0 and %d", len(recs), len(errs), n)
	}
	var le *LineError
	if !errors.As(errs[n-1], &le) || le.Line != n {
		t.Errorf("last error %v, want line %d", errs[n-1], n)
	}
}
