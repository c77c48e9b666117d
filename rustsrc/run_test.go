package rustsrc

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func writeCrate(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAnalyzeDirectories(t *testing.T) {
	root := t.TempDir()
	writeCrate(t, filepath.Join(root, "foo-sys-0.1.0"), map[string]string{
		"Cargo.toml":    "[package]\nname = \"foo-sys\"\nversion = \"0.1.0\"\nlinks = \"foo\"\nbuild = \"build/main.rs\"\n\n[lib]\npath = \"lib/root.rs\"\n",
		"lib/root.rs":   "mod ffi;\npub use ffi::*;\n",
		"lib/ffi.rs":    "#[link(name = \"foo\")] extern \"C\" { pub fn foo_init() -> i32; }\n",
		"build/main.rs": "fn main() { pkg_config::probe_library(\"foo\").unwrap(); }\n",
		"csrc/foo.c":    "int foo_init(void) { return 0; }\n",
	})
	writeCrate(t, filepath.Join(root, "plain-1.0.0"), map[string]string{
		"Cargo.toml": "[package]\nname = \"plain\"\nversion = \"1.0.0\"\n",
		"src/lib.rs": "pub fn f() { unsafe { g() } }\n",
	})
	if err := os.WriteFile(filepath.Join(root, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	inputs, err := ExpandInputs([]string{root})
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 2 || !strings.HasSuffix(inputs[0], "foo-sys-0.1.0") {
		t.Fatalf("inputs %v", inputs)
	}
	if _, err := ExpandInputs([]string{filepath.Join(root, "foo-sys-0.1.0", "lib")}); err == nil || !strings.Contains(err.Error(), "lib") {
		t.Errorf("want an error naming the input, got %v", err)
	}
	var recs []Record
	var buf bytes.Buffer
	err = AnalyzeAll(context.Background(), inputs, 2, DefaultCrateLimits(), nil, func(r Record) {
		recs = append(recs, r)
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(recs, func(a, b Record) int { return strings.Compare(a.Input, b.Input) })
	if len(recs) != 2 || recs[0].Facts == nil || recs[1].Facts == nil {
		t.Fatalf("records %+v", recs)
	}
	foo := recs[0].Facts
	if foo.Name != "foo-sys" || foo.FFI.Links != "foo" || foo.FFI.ExternFns != 1 || strings.Join(foo.FFI.LinkNames, ",") != "foo" ||
		foo.FFI.BuildScript != "build/main.rs" || strings.Join(foo.FFI.BuildTools, ",") != "pkg-config" || foo.FFI.Native["c"].Files != 1 {
		t.Errorf("foo-sys facts %+v", foo)
	}
	if len(foo.Modules) != 3 || foo.Modules[1].Path != "crate::ffi" || foo.Modules[1].File != "lib/ffi.rs" {
		t.Errorf("modules %+v", foo.Modules)
	}
	if recs[1].Facts.Unsafe.Blocks != 1 {
		t.Errorf("plain facts %+v", recs[1].Facts)
	}

	// Resume: records read back, a truncated last line ignored, done inputs skipped.
	data := buf.String() + `{"input": "trunc`
	done := map[string]bool{}
	if err := ReadRecords(strings.NewReader(data), "facts.jsonl", func(r Record) error { done[r.Input] = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(done) != 2 {
		t.Errorf("done %v", done)
	}
	if err := ReadRecords(strings.NewReader("{bad\n"+buf.String()), "facts.jsonl", func(Record) error { return nil }); err == nil || !strings.Contains(err.Error(), "facts.jsonl line 1") {
		t.Errorf("bad line: %v", err)
	}
	n := 0
	_ = AnalyzeAll(context.Background(), inputs, 1, DefaultCrateLimits(), func(in string) bool { return done[in] }, func(Record) { n++ })
	if n != 0 {
		t.Errorf("%d inputs analysed again", n)
	}

	// The report over these records.
	rep := Summarize(recs)
	var text, page bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "2 crates analysed") || !strings.Contains(text.String(), "foo-sys 0.1.0") {
		t.Errorf("text report:\n%s", text.String())
	}
	if rep.Shares[0].N != 1 || rep.Shares[0].Pct() != 50 {
		t.Errorf("share %+v", rep.Shares[0])
	}
	if err := rep.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	h := page.String()
	if !strings.Contains(h, "<svg") || strings.Contains(h, "src=") || strings.Contains(h, "href=") || !strings.Contains(h, "foo-sys 0.1.0") {
		t.Errorf("html report is not self-contained or misses data")
	}
}

func TestAnalyzeErrorsNameInput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "broken-1.0.0.crate")
	if err := os.WriteFile(p, []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := AnalyzePath(p, DefaultCrateLimits())
	if r.Facts != nil || !strings.Contains(r.Error, p) {
		t.Errorf("record %+v", r)
	}
}
