package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The tests run the real binary: this test executable re-executes itself as cratewatch, so
// every command starts with fresh flags as it would from a shell.
const asMain = "CRATEWATCH_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func cw(t *testing.T, db string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--db", db}, args...)...)
	cmd.Env = append(os.Environ(), asMain+"=1")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func mustCW(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, err := cw(t, db, args...)
	if err != nil {
		t.Fatalf("cratewatch %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestIngestCrateStats(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cw.db")
	out := mustCW(t, db, "ingest", "--index", "../../examples/index")
	if !strings.Contains(out, "ingested 16 crate files") || !strings.Contains(out, "21 added") {
		t.Fatalf("ingest: %s", out)
	}
	if out = mustCW(t, db, "ingest", "--index", "../../examples/index"); !strings.Contains(out, "16 unchanged, 0 written") {
		t.Fatalf("re-ingest: %s", out)
	}
	var st struct{ Crates, Versions, Yanked, Dependencies int }
	if err := json.Unmarshal([]byte(mustCW(t, db, "stats", "--json")), &st); err != nil {
		t.Fatal(err)
	}
	if st.Crates != 16 || st.Versions != 21 || st.Yanked != 1 || st.Dependencies != 22 {
		t.Fatalf("stats = %+v", st)
	}
	out = mustCW(t, db, "crate", "app@0.1.0")
	if !strings.Contains(out, "sv ^0.6 (normal, renamed from smallvec)") || !strings.Contains(out, "serde 1.0 (build)") {
		t.Fatalf("crate: %s", out)
	}
	if out, err := cw(t, db, "crate", "app@9.9.9"); err == nil || !strings.Contains(out, "has no version 9.9.9") {
		t.Fatalf("missing version: %v %s", err, out)
	}
	if out, err := cw(t, db, "ingest", "--index", "/nonexistent/index"); err == nil || !strings.Contains(out, "/nonexistent/index") {
		t.Fatalf("bad index path: %v %s", err, out)
	}
}

func TestAnalyzeStoresAndResumes(t *testing.T) {
	dir := t.TempDir()
	crate := filepath.Join(dir, "demo-0.1.0")
	os.MkdirAll(filepath.Join(crate, "src"), 0o755)
	os.WriteFile(filepath.Join(crate, "Cargo.toml"), []byte("[package]\nname = \"demo\"\nversion = \"0.1.0\"\n"), 0o644)
	os.WriteFile(filepath.Join(crate, "src", "lib.rs"), []byte("extern \"C\" { fn abs(x: i32) -> i32; }\npub fn f() -> i32 { unsafe { abs(-1) } }\n"), 0o644)
	db := filepath.Join(dir, "cw.db")
	if out := mustCW(t, db, "analyze", "--json", dir); !strings.Contains(out, `"name":"demo"`) {
		t.Fatalf("analyze: %s", out)
	}
	if out := mustCW(t, db, "analyze", "--json", dir); strings.Contains(out, `"name":"demo"`) {
		t.Fatalf("second analyze did not skip the stored crate: %s", out)
	}
	out := mustCW(t, db, "report", "ffi")
	if !strings.Contains(out, "1 crates analysed") || !strings.Contains(out, "1 extern blocks declaring 1 foreign functions") {
		t.Fatalf("report from the store: %s", out)
	}
	if out := mustCW(t, db, "analyze", "--json", "--force", dir); !strings.Contains(out, `"name":"demo"`) {
		t.Fatalf("--force: %s", out)
	}
}

// TestTyposquatRegistryNames: knowing every registry name, a filler affix on a name no other
// crate uses is flagged, one on a common word is not.
func TestTyposquatRegistryNames(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	corpus := filepath.Join(dir, "top.csv")
	var top []string
	for i := range 3000 {
		top = append(top, fmt.Sprintf("filler%d", i))
	}
	top[100], top[101] = "lassox", "md5x"
	os.WriteFile(corpus, []byte(strings.Join(top, "\n")+"\n"), 0o644)
	registry := filepath.Join(dir, "names.txt")
	os.WriteFile(registry, []byte(strings.Join(append(top, "md5x-hash", "rust-md5x", "md5x-sys", "fast-md5x"), "\n")+"\n"), 0o644)
	args := []string{"typosquat", "--corpus", corpus, "lassox-rs", "md5x-rs"}
	if out, err := cw(t, db, args...); err != nil || strings.Contains(out, "imitates") {
		t.Fatalf("name only: both are below the threshold: %v\n%s", err, out)
	}
	out, err := cw(t, db, append(args, "--registry-names", registry)...)
	if err == nil || !strings.Contains(out, `lassox-rs imitates lassox (rank 101`) || !strings.Contains(out, `no other crate name uses "lassox"`) ||
		strings.Contains(out, "md5x-rs imitates") {
		t.Fatalf("with registry names: %v\n%s", err, out)
	}
	if out, err := cw(t, db, append(args, "--registry-names", filepath.Join(dir, "absent.txt"))...); err == nil || !strings.Contains(out, "absent.txt") {
		t.Fatalf("missing registry file: %v\n%s", err, out)
	}
}

func TestTyposquatCorpusFromStore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cw.db")
	if out, err := cw(t, db, "typosquat", "quotee"); err == nil || !strings.Contains(out, "ingest an index") {
		t.Fatalf("empty store: %v %s", err, out)
	}
	mustCW(t, db, "ingest", "--index", "../../examples/index")
	// The example registry is tiny, so popularity ratios are small: lower the threshold.
	cfg := filepath.Join(dir, "ts.toml")
	os.WriteFile(cfg, []byte("threshold = 0.5\n"), 0o644)
	out, err := cw(t, db, "typosquat", "--config", cfg, "quotee", "proc-macro3", "serde")
	if err == nil || !strings.Contains(out, "quotee imitates quote") || !strings.Contains(out, "proc-macro3 imitates proc-macro2") ||
		strings.Contains(out, "serde imitates") {
		t.Fatalf("typosquat with the store's corpus: %v\n%s", err, out)
	}
}

// callers marks a call only another platform compiles, and --linux leaves it out.
func TestCallersOtherPlatform(t *testing.T) {
	corpus := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(corpus, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("vuln-1.0.0/Cargo.toml", "[package]\nname = \"vuln\"\nversion = \"1.0.0\"\n")
	write("vuln-1.0.0/src/lib.rs", "pub fn helper() {}\n")
	for _, c := range []struct{ name, src string }{
		{"onlinux", "pub fn f() { vuln::helper(); }\n"},
		{"winonly", "#[cfg(windows)]\npub fn w() { vuln::helper(); }\n"},
	} {
		write(c.name+"-1.0.0/Cargo.toml", "[package]\nname = \""+c.name+"\"\nversion = \"1.0.0\"\n\n[dependencies]\nvuln = \"1\"\n")
		write(c.name+"-1.0.0/src/lib.rs", c.src)
	}
	db := filepath.Join(t.TempDir(), "cw.db")
	out := mustCW(t, db, "callers", "--corpus", corpus, "vuln::helper")
	if !strings.Contains(out, "onlinux::f (onlinux 1.0.0)  [exact] ") ||
		!strings.Contains(out, "winonly::w (winonly 1.0.0)  [exact, not on x86_64 Linux] winonly-1.0.0/src/lib.rs:2:") {
		t.Fatalf("callers:\n%s", out)
	}
	out = mustCW(t, db, "callers", "--corpus", corpus, "--linux", "vuln::helper")
	if !strings.Contains(out, "onlinux::f") || strings.Contains(out, "winonly") || !strings.Contains(out, "1 caller(s)") {
		t.Fatalf("callers --linux:\n%s", out)
	}
}
