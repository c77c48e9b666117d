package index

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testConfig = `{"dl":"https://crates.io/api/v1/crates","api":"https://crates.io"}`

// goodFiles is a small index in Cargo's layout; each file holds one valid line.
var goodFiles = map[string]string{
	"1/a":           line("a", "1.0.0", ""),
	"2/ab":          line("ab", "1.0.0", ""),
	"3/x/xyz":       line("xyz", "1.0.0", ""),
	"se/rd/serde":   line("serde", "1.0.0", "") + "\n" + line("serde", "1.0.1", "") + "\n",
	"my/cr/mycrate": line("MyCrate", "0.1.0", ""),
}

// misplaced are files at paths the layout does not give for their names.
var misplaced = map[string]string{
	"1/ab":          "belongs at 2/ab",
	"se/rd/tokio":   "belongs at to/ki/tokio",
	"My/Cr/MyCrate": "belongs at my/cr/mycrate",
	"README.md":     "character '.' not allowed",
	"se/rd/9lives":  "must start with a letter",
}

// ignored are files a walk passes over without a word: git metadata and other dot-paths.
var ignored = map[string]string{
	".git/HEAD":            "ref: refs/heads/master",
	".git/objects/ab/cdef": "x",
	".github/workflows/ci": "x",
	"se/.hidden/serde":     line("serde", "9.9.9", ""),
	"se/rd/.serde.swp":     "x",
	".dotfile":             "x",
}

func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type walked struct {
	files map[string]string
	bad   []error
}

func walk(t *testing.T, src Source) (walked, error) {
	t.Helper()
	w := walked{files: make(map[string]string)}
	err := src.Walk(context.Background(), func(f File) error {
		if _, dup := w.files[f.Path]; dup {
			t.Errorf("%s delivered twice", f.Path)
		}
		w.files[f.Path] = string(f.Data)
		return nil
	}, func(err error) { w.bad = append(w.bad, err) })
	return w, err
}

// checkWalk asserts that exactly goodFiles were delivered and each misplaced file reported once.
func checkWalk(t *testing.T, w walked, name string) {
	t.Helper()
	for rel, data := range goodFiles {
		if got, ok := w.files[rel]; !ok {
			t.Errorf("%s not delivered", rel)
		} else if got != data {
			t.Errorf("%s delivered with content %q, want %q", rel, got, data)
		}
	}
	for rel := range w.files {
		if _, ok := goodFiles[rel]; !ok {
			t.Errorf("%s delivered, but it is not a crate file at its place", rel)
		}
	}
	if len(w.bad) != len(misplaced) {
		t.Errorf("%d files reported, want %d: %v", len(w.bad), len(misplaced), w.bad)
	}
	for rel, msg := range misplaced {
		found := false
		for _, err := range w.bad {
			if s := err.Error(); strings.Contains(s, "index file "+rel+":") && strings.Contains(s, msg) {
				found = true
				if !strings.Contains(s, name) {
					t.Errorf("report %q does not name the source %s", s, name)
				}
			}
		}
		if !found {
			t.Errorf("misplaced %s not reported with %q: %v", rel, msg, w.bad)
		}
	}
}

func testTree() map[string]string {
	all := map[string]string{"config.json": testConfig}
	for _, m := range []map[string]string{goodFiles, ignored} {
		for k, v := range m {
			all[k] = v
		}
	}
	for k := range misplaced {
		all[k] = line("x", "1.0.0", "")
	}
	return all
}

func TestDirWalk(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, testTree())
	// A symlink is not followed: it could point anywhere on the machine.
	if err := os.Symlink("/etc/passwd", filepath.Join(root, "1", "b")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "se"), filepath.Join(root, "to")); err != nil {
		t.Fatal(err)
	}
	src := &Dir{Root: root}
	w, err := walk(t, src)
	if err != nil {
		t.Fatal(err)
	}
	checkWalk(t, w, root)
	if src.String() != root {
		t.Errorf("String() = %q", src.String())
	}
}

// TestDirWalkSymlinkRoot checks that an index reached through a symlinked root is read: a
// walk that does not resolve the root sees one non-directory and silently finds nothing.
func TestDirWalkSymlinkRoot(t *testing.T) {
	real := t.TempDir()
	writeTree(t, real, goodFiles)
	link := filepath.Join(t.TempDir(), "index")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	w, err := walk(t, &Dir{Root: link})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.files) != len(goodFiles) || len(w.bad) != 0 {
		t.Errorf("through a symlinked root: %d files, %v; want %d files", len(w.files), w.bad, len(goodFiles))
	}
}

func TestDirOversizedFile(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, goodFiles)
	big := filepath.Join(root, "bi", "gg", "biggie")
	if err := os.MkdirAll(filepath.Dir(big), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: no disk space, but MaxFileBytes+1 bytes to read.
	if err := f.Truncate(MaxFileBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	w, err := walk(t, &Dir{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := w.files["bi/gg/biggie"]; ok {
		t.Errorf("oversized file delivered")
	}
	if len(w.files) != len(goodFiles) {
		t.Errorf("%d files delivered, want the %d others", len(w.files), len(goodFiles))
	}
	if len(w.bad) != 1 || !strings.Contains(w.bad[0].Error(), "biggie") || !strings.Contains(w.bad[0].Error(), "limit") {
		t.Errorf("reports %v, want one naming biggie and the limit", w.bad)
	}
}

func TestDirConfig(t *testing.T) {
	root := t.TempDir()
	src := &Dir{Root: root}
	c, err := src.Config(context.Background())
	if c != nil || err != nil {
		t.Errorf("no config.json: Config() = %v, %v; want nil, nil", c, err)
	}
	writeTree(t, root, map[string]string{"config.json": testConfig})
	c, err = src.Config(context.Background())
	if err != nil || c == nil || c.DL != "https://crates.io/api/v1/crates" || c.API != "https://crates.io" {
		t.Errorf("Config() = %+v, %v", c, err)
	}
	writeTree(t, root, map[string]string{"config.json": `{"api":"https://x"}`})
	if _, err := src.Config(context.Background()); err == nil || !strings.Contains(err.Error(), `"dl"`) {
		t.Errorf("config.json without dl: %v", err)
	}
	writeTree(t, root, map[string]string{"config.json": `{"dl":"https://x/` + strings.Repeat("a", maxConfigBytes) + `"}`})
	if _, err := src.Config(context.Background()); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized config.json: %v", err)
	}
}

func TestDirWalkStops(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, goodFiles)
	stop := errors.New("stop here")
	n := 0
	err := (&Dir{Root: root}).Walk(context.Background(), func(File) error { n++; return stop }, func(error) {})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Walk after fn error: %v after %d calls; want the error after 1", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = (&Dir{Root: root}).Walk(ctx, func(File) error { t.Error("fn called after cancel"); return nil }, func(error) {})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Walk with a cancelled context = %v", err)
	}
	err = (&Dir{Root: filepath.Join(root, "missing")}).Walk(context.Background(), func(File) error { return nil }, func(error) {})
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Walk of a missing root = %v", err)
	}
}

type tarEntry struct {
	hdr  tar.Header
	data string
}

func reg(name, data string) tarEntry {
	return tarEntry{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))}, data: data}
}

func writeTarball(t *testing.T, entries []tarEntry) string {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		if err := tw.WriteHeader(&e.hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "index.tar.gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// treeEntries lists files in a fixed order, as "./"-prefixed names like a `tar -C dir .`.
func treeEntries(files map[string]string) []tarEntry {
	names := make([]string, 0, len(files))
	for k := range files {
		names = append(names, k)
	}
	slices.Sort(names)
	es := []tarEntry{{hdr: tar.Header{Name: "./", Typeflag: tar.TypeDir, Mode: 0o755}}}
	for _, n := range names {
		es = append(es, reg("./"+n, files[n]))
	}
	return es
}

func TestTarballWalk(t *testing.T) {
	es := treeEntries(testTree())
	hostile := line("zz", "6.6.6", "")
	es = append(es,
		tarEntry{hdr: tar.Header{Name: "./1/b", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}},
		tarEntry{hdr: tar.Header{Name: "./1/c", Typeflag: tar.TypeLink, Linkname: "./1/a"}},
		tarEntry{hdr: tar.Header{Name: "./2/zz", Typeflag: tar.TypeFifo}},
		reg("../2/zz", hostile),
		reg("/2/zz", hostile),
		reg("./se/../../2/zz", hostile),
		reg("..", hostile),
	)
	p := writeTarball(t, es)
	src := &Tarball{Path: p}
	w, err := walk(t, src)
	if err != nil {
		t.Fatal(err)
	}
	checkWalk(t, w, p)
	c, err := src.Config(context.Background())
	if err != nil || c == nil || c.DL != "https://crates.io/api/v1/crates" {
		t.Errorf("Config() = %+v, %v", c, err)
	}
}

// TestTarballNoPrefix checks names without "./", as `tar -C dir 1 2 3 ...` writes them.
func TestTarballNoPrefix(t *testing.T) {
	var es []tarEntry
	for _, e := range treeEntries(goodFiles)[1:] {
		es = append(es, reg(strings.TrimPrefix(e.hdr.Name, "./"), e.data))
	}
	p := writeTarball(t, es)
	w, err := walk(t, &Tarball{Path: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.files) != len(goodFiles) || len(w.bad) != 0 {
		t.Errorf("got %d files and reports %v, want %d files", len(w.files), w.bad, len(goodFiles))
	}
	c, err := (&Tarball{Path: p}).Config(context.Background())
	if c != nil || err != nil {
		t.Errorf("no config.json: Config() = %v, %v; want nil, nil", c, err)
	}
}

func TestTarballOversizedEntry(t *testing.T) {
	es := treeEntries(goodFiles)
	es = append(es[:2], append([]tarEntry{reg("./bi/gg/biggie", strings.Repeat("\n", MaxFileBytes+1))}, es[2:]...)...)
	p := writeTarball(t, es)
	w, err := walk(t, &Tarball{Path: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.files) != len(goodFiles) {
		t.Errorf("%d files delivered, want the %d others", len(w.files), len(goodFiles))
	}
	if len(w.bad) != 1 || !strings.Contains(w.bad[0].Error(), "bi/gg/biggie") || !strings.Contains(w.bad[0].Error(), "limit") {
		t.Errorf("reports %v, want one naming bi/gg/biggie and the limit", w.bad)
	}
}

func TestTarballLimits(t *testing.T) {
	// Each file below takes one 512-byte header block and one data block.
	es := []tarEntry{reg("1/a", line("a", "1.0.0", "")), reg("1/b", line("b", "1.0.0", "")), reg("1/c", line("c", "1.0.0", ""))}
	p := writeTarball(t, es)

	tests := []struct {
		name string
		src  *Tarball
		msg  string
	}{
		{"entries", &Tarball{Path: p, MaxEntries: 2}, "more than 2 entries"},
		{"bytes mid-header", &Tarball{Path: p, MaxBytes: 1024 + 100}, "limit of 1124 bytes"},
		{"bytes mid-body", &Tarball{Path: p, MaxBytes: 512 + 100}, "limit of 612 bytes"},
		// The cap falls exactly between two entries: the reader must still say the index
		// was cut short, not end the walk as if the archive were complete.
		{"bytes at an entry boundary", &Tarball{Path: p, MaxBytes: 1024}, "limit of 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := walk(t, tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), p) {
				t.Errorf("Walk = %v (after %d files), want an error naming %s and %q", err, len(w.files), p, tt.msg)
			}
			if tt.src.MaxBytes != 0 && !errors.Is(err, errDecompressedLimit) {
				t.Errorf("Walk = %v, want it to wrap errDecompressedLimit", err)
			}
		})
	}
	// At the exact sizes nothing is lost or refused.
	w, err := walk(t, &Tarball{Path: p, MaxEntries: 3, MaxBytes: 10240})
	if err != nil || len(w.files) != 3 {
		t.Errorf("within limits: %d files, %v", len(w.files), err)
	}
}

func TestTarballBroken(t *testing.T) {
	dir := t.TempDir()
	notGzip := filepath.Join(dir, "plain.tar.gz")
	if err := os.WriteFile(notGzip, []byte("this is not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(writeTarball(t, treeEntries(goodFiles)))
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "cut.tar.gz")
	if err := os.WriteFile(truncated, good[:len(good)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{notGzip, truncated, filepath.Join(dir, "missing.tar.gz")} {
		_, err := walk(t, &Tarball{Path: p})
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Walk(%s) = %v, want an error naming it", filepath.Base(p), err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = (&Tarball{Path: writeTarball(t, treeEntries(goodFiles))}).Walk(ctx, func(File) error { return nil }, func(error) {})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Walk with a cancelled context = %v", err)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tgz := filepath.Join(dir, "i.tgz")
	tarGz := filepath.Join(dir, "i.tar.gz")
	other := filepath.Join(dir, "i.zip")
	for _, p := range []string{tgz, tarGz, other} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if s, err := Open(dir); err != nil || s.(*Dir).Root != dir {
		t.Errorf("Open(dir) = %#v, %v", s, err)
	}
	for _, p := range []string{tgz, tarGz} {
		if s, err := Open(p); err != nil || s.(*Tarball).Path != p {
			t.Errorf("Open(%s) = %#v, %v", p, s, err)
		}
	}
	for _, p := range []string{other, filepath.Join(dir, "none")} {
		if s, err := Open(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("Open(%s) = %v, %v; want an error naming it", p, s, err)
		}
	}
}
