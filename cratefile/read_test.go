package cratefile

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestReadCrate(t *testing.T) {
	manifest := `[package]
name = "foo-bar"
version = "1.2.3-beta.1"
edition = "2021"
build = "build/main.rs"

[[bin]]
name = "tool"
path = "src/tool.rs"
`
	data := makeCrate(t,
		dir("foo-bar-1.2.3-beta.1/"),
		file("foo-bar-1.2.3-beta.1/Cargo.toml", manifest),
		dir("foo-bar-1.2.3-beta.1/src/"),
		file("foo-bar-1.2.3-beta.1/src/lib.rs", "mod parse;\n"),
		file("foo-bar-1.2.3-beta.1/src/parse.rs", "fn p() {}\n"),
		file("foo-bar-1.2.3-beta.1/src/tool.rs", "fn main() {}\n"),
		file("foo-bar-1.2.3-beta.1/build/main.rs", "fn main() {}\n"),
		file("foo-bar-1.2.3-beta.1/build/util.rs", "\n"),
		file("foo-bar-1.2.3-beta.1/./examples//demo.rs", "fn main() {}\n"),
		file("foo-bar-1.2.3-beta.1/tests/it/main.rs", "#[test] fn t() {}\n"),
		file("foo-bar-1.2.3-beta.1/benches/b.rs", "\n"),
		file("foo-bar-1.2.3-beta.1/README.md", "# foo\n"),
		file("foo-bar-1.2.3-beta.1/empty", ""),
	)
	c, err := Read(bytes.NewReader(data), "foo.crate", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "foo-bar" || c.Version != "1.2.3-beta.1" {
		t.Errorf("name, version = %q, %q", c.Name, c.Version)
	}
	if c.Files != 11 {
		t.Errorf("Files = %d, want 11", c.Files)
	}
	var want int64
	err = fs.WalkDir(c.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			info, _ := d.Info()
			want += info.Size()
		}
		return err
	})
	if err != nil || c.Size != want || want == 0 {
		t.Errorf("Size = %d, files in FS sum to %d (walk error %v)", c.Size, want, err)
	}
	if err := fstest.TestFS(c.FS, "Cargo.toml", "src/lib.rs", "examples/demo.rs", "tests/it/main.rs", "empty"); err != nil {
		t.Fatal(err)
	}
	b, err := c.Bytes("src/parse.rs")
	if err != nil || string(b) != "fn p() {}\n" {
		t.Errorf("Bytes(src/parse.rs) = %q, %v", b, err)
	}
	if _, err := c.Bytes("src"); err == nil {
		t.Error("Bytes of a directory succeeded")
	}
	kinds := map[string]Kind{
		"src/lib.rs":       KindLib,
		"src/parse.rs":     KindLib,
		"src/tool.rs":      KindBin,
		"build/main.rs":    KindBuild,
		"build/util.rs":    KindBuild,
		"examples/demo.rs": KindExample,
		"tests/it/main.rs": KindTest,
		"benches/b.rs":     KindBench,
		"README.md":        KindOther,
		"Cargo.toml":       KindOther,
	}
	for p, k := range kinds {
		if got := c.TargetKind(p); got != k {
			t.Errorf("TargetKind(%q) = %v, want %v", p, got, k)
		}
	}
}

func TestReadRejects(t *testing.T) {
	ok := []tfile{file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0"))}
	with := func(extra ...tfile) []byte { return makeCrate(t, append(append([]tfile{}, ok...), extra...)...) }
	big := strings.Repeat("x", 4096)
	cases := []struct {
		name  string
		data  []byte
		lim   Limits
		want  error
		entry string // must appear in the message
	}{
		{"absolute", with(file("/etc/passwd", "x")), Limits{}, ErrUnsafePath, "/etc/passwd"},
		{"dotdot", with(file("foo-1.0.0/../x", "x")), Limits{}, ErrUnsafePath, "foo-1.0.0/../x"},
		{"deep dotdot", with(file("foo-1.0.0/src/../../../etc/x", "x")), Limits{}, ErrUnsafePath, "../etc/x"},
		{"symlink", with(special("foo-1.0.0/src/lib.rs", tar.TypeSymlink, "/etc/passwd")), Limits{}, ErrLink, "src/lib.rs"},
		{"hardlink", with(special("foo-1.0.0/h", tar.TypeLink, "foo-1.0.0/Cargo.toml")), Limits{}, ErrLink, "foo-1.0.0/h"},
		{"char device", with(special("foo-1.0.0/tty", tar.TypeChar, "")), Limits{}, ErrSpecialFile, "tty"},
		{"block device", with(special("foo-1.0.0/sda", tar.TypeBlock, "")), Limits{}, ErrSpecialFile, "sda"},
		{"fifo", with(special("foo-1.0.0/pipe", tar.TypeFifo, "")), Limits{}, ErrSpecialFile, "pipe"},
		{"duplicate", with(file("foo-1.0.0/a.rs", "1"), file("foo-1.0.0/a.rs", "2")), Limits{}, ErrDuplicate, "a.rs"},
		{"duplicate after cleaning", with(file("foo-1.0.0/src/a.rs", "1"), file("foo-1.0.0/./src//a.rs", "2")), Limits{}, ErrDuplicate, "./src//a.rs"},
		{"duplicate dir", with(dir("foo-1.0.0/src/"), dir("foo-1.0.0/src")), Limits{}, ErrDuplicate, "src"},
		{"case duplicate", with(file("foo-1.0.0/src/lib.rs", "1"), file("foo-1.0.0/src/LIB.rs", "2")), Limits{}, ErrDuplicate, "LIB.rs"},
		{"case duplicate dir and file", with(file("foo-1.0.0/Src", "1"), file("foo-1.0.0/src/lib.rs", "2")), Limits{}, ErrDuplicate, "src/lib.rs"},
		{"file then dir", with(file("foo-1.0.0/src", "1"), file("foo-1.0.0/src/lib.rs", "2")), Limits{}, ErrDuplicate, "src/lib.rs"},
		{"dir then file", with(file("foo-1.0.0/src/lib.rs", "1"), file("foo-1.0.0/src", "2")), Limits{}, ErrDuplicate, "foo-1.0.0/src"},
		{"outside prefix", with(file("bar-1.0.0/x.rs", "x")), Limits{}, ErrPrefix, "bar-1.0.0/x.rs"},
		{"no prefix", with(file("x.rs", "x")), Limits{}, ErrPrefix, "x.rs"},
		{"file as prefix", with(file("foo-1.0.0", "x")), Limits{}, ErrPrefix, "foo-1.0.0"},
		{"prefix disagrees with manifest", makeCrate(t, file("foo-2.0.0/Cargo.toml", manifestFor("foo", "1.0.0"))), Limits{}, ErrPrefix, "foo-1.0.0"},
		{"no manifest", makeCrate(t, file("foo-1.0.0/src/lib.rs", "")), Limits{}, ErrManifest, "Cargo.toml"},
		{"manifest is a dir", makeCrate(t, file("foo-1.0.0/Cargo.toml/x", "")), Limits{}, ErrManifest, "Cargo.toml"},
		{"bad manifest", makeCrate(t, file("foo-1.0.0/Cargo.toml", "[package]\nname = [1]\n")), Limits{}, ErrManifest, "package.name"},
		{"manifest too large", makeCrate(t, file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0")+"#"+big)), Limits{MaxManifest: 1024}, ErrLimit, "Cargo.toml"},
		{"invalid utf-8", with(file("foo-1.0.0/\xff.rs", "x")), Limits{}, ErrUnsafePath, `\xff`},
		{"control character", with(file("foo-1.0.0/a\x1b[2J.rs", "x")), Limits{}, ErrUnsafePath, `\x1b`},
		{"backslash", with(file(`foo-1.0.0/..\..\x`, "x")), Limits{}, ErrUnsafePath, `\\`},
		{"path too long", with(file("foo-1.0.0/"+strings.Repeat("a", 200), "x")), Limits{MaxPathLen: 100}, ErrLimit, "foo-1.0.0/aaa"},
		{"path too deep", with(file("foo-1.0.0/"+strings.Repeat("d/", 10)+"x", "x")), Limits{MaxPathDepth: 10}, ErrLimit, "d/d/x"},
		{"too many entries", with(file("foo-1.0.0/a", ""), file("foo-1.0.0/b", ""), file("foo-1.0.0/c", "")), Limits{MaxEntries: 3}, ErrLimit, "foo-1.0.0/c"},
		{"file too large", with(file("foo-1.0.0/big", big)), Limits{MaxFileSize: 4095}, ErrLimit, "big"},
		{"files too large", with(file("foo-1.0.0/a", big), file("foo-1.0.0/b", big)), Limits{MaxUnpacked: 8000}, ErrLimit, "foo-1.0.0/b"},
		{"compressed too large", with(file("foo-1.0.0/a", big)), Limits{MaxCompressed: 100}, ErrLimit, "foo.crate"},
		{"not gzip", []byte("PK\x03\x04 this is a zip"), Limits{}, ErrFormat, "foo.crate"},
		{"gzip of garbage", gz(t, bytes.Repeat([]byte("garbage!"), 200)), Limits{}, ErrFormat, "foo.crate"},
		{"truncated", with(file("foo-1.0.0/a", big))[:200], Limits{}, ErrFormat, "foo.crate"},
		{"empty archive", makeCrate(t), Limits{}, ErrFormat, "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Read(bytes.NewReader(tc.data), "foo.crate", tc.lim)
			if err == nil {
				t.Fatalf("accepted: %+v", c)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "foo.crate" {
				t.Errorf("error %v does not name the crate file", err)
			}
			if msg := fmt.Sprintf("%q", err.Error()); !strings.Contains(err.Error(), tc.entry) && !strings.Contains(msg, tc.entry) {
				t.Errorf("error %v does not mention %q", err, tc.entry)
			}
		})
	}
}

func TestCaseCollisionsAllowed(t *testing.T) {
	data := simpleCrate(t, file("foo-1.0.0/README", "a"), file("foo-1.0.0/readme", "b"))
	if _, err := Read(bytes.NewReader(data), "c", Limits{}); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("default limits: %v, want ErrDuplicate", err)
	}
	c, err := Read(bytes.NewReader(data), "c", Limits{AllowCaseCollisions: true})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := c.Bytes("README")
	b, _ := c.Bytes("readme")
	if string(a) != "a" || string(b) != "b" {
		t.Errorf("README, readme = %q, %q", a, b)
	}
}

// A gzip bomb: a few kilobytes that inflate to 24 MiB. The archive itself is well formed, and
// each header tells the truth, so only counting the inflated bytes as they come stops it.
func TestGzipBomb(t *testing.T) {
	zeros := make([]byte, 24<<20)
	tarData := makeTar(t,
		file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0")),
		tfile{hdr: tar.Header{Name: "foo-1.0.0/zeros", Typeflag: tar.TypeReg, Size: int64(len(zeros))}, body: zeros},
	)
	bomb := gz(t, tarData)
	if len(bomb) > 1<<20 {
		t.Fatalf("bomb is %d bytes compressed", len(bomb))
	}
	lim := Limits{MaxUnpacked: 4 << 20}
	if _, err := Read(bytes.NewReader(bomb), "bomb.crate", lim); !errors.Is(err, ErrLimit) {
		t.Fatalf("bomb: %v, want ErrLimit", err)
	}
	// The same bytes hidden after the end of the archive, where no header accounts for them.
	tail := append(makeTar(t, file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0"))), zeros...)
	_, err := Read(bytes.NewReader(gz(t, tail)), "tail.crate", lim)
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "decompressed") {
		t.Fatalf("bomb after the archive: %v, want a decompressed-size ErrLimit", err)
	}
	// With room enough, the same crate reads.
	c, err := Read(bytes.NewReader(bomb), "bomb.crate", Limits{MaxUnpacked: 32 << 20})
	if err != nil || c.Size != int64(len(zeros))+int64(len(manifestFor("foo", "1.0.0"))) {
		t.Fatalf("with room: %v", err)
	}
}

func TestCorruptChecksum(t *testing.T) {
	data := simpleCrate(t)
	data[len(data)-6] ^= 0xff // inside the CRC-32 of the gzip trailer
	if _, err := Read(bytes.NewReader(data), "c.crate", Limits{}); !errors.Is(err, ErrFormat) {
		t.Fatalf("corrupt checksum: %v, want ErrFormat", err)
	}
}

func TestTrailingBytesIgnored(t *testing.T) {
	// Cargo reads one gzip member and ignores what follows; so does Read.
	data := append(simpleCrate(t), "trailing junk"...)
	if _, err := Read(bytes.NewReader(data), "c.crate", Limits{}); err != nil {
		t.Fatal(err)
	}
}

func TestLongNames(t *testing.T) {
	long := "foo-1.0.0/" + strings.Repeat("long-directory-name/", 8) + "file.rs"
	for _, format := range []tar.Format{tar.FormatPAX, tar.FormatGNU} {
		f := file(long, "x")
		f.hdr.Format = format
		c, err := Read(bytes.NewReader(simpleCrate(t, f)), "c", Limits{})
		if err != nil {
			t.Fatalf("%v: %v", format, err)
		}
		if b, err := c.Bytes(strings.TrimPrefix(long, "foo-1.0.0/")); err != nil || string(b) != "x" {
			t.Errorf("%v: long name read back as %q, %v", format, b, err)
		}
		// The final name is what gets checked, not the truncated ustar field.
		evil := file("foo-1.0.0/"+strings.Repeat("a/", 60)+"../../../../"+strings.Repeat("../", 60)+"x", "x")
		evil.hdr.Format = format
		if _, err := Read(bytes.NewReader(simpleCrate(t, evil)), "c", Limits{}); !errors.Is(err, ErrUnsafePath) {
			t.Errorf("%v: long name with ..: %v", format, err)
		}
	}
}

func TestSparseRejected(t *testing.T) {
	// Sparse files expand holes into zeros that no decompressed byte accounts for.
	manifest := makeTar(t, file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0")))
	manifest = manifest[:len(manifest)-1024] // drop the end-of-archive blocks
	records := paxRecord("GNU.sparse.major", "1") + paxRecord("GNU.sparse.minor", "0") +
		paxRecord("GNU.sparse.name", "foo-1.0.0/sparse") + paxRecord("GNU.sparse.realsize", "1000000000")
	pax := append(rawHeader("foo-1.0.0/PaxHeaders/sparse", tar.TypeXHeader, int64(len(records)), false), pad([]byte(records))...)
	// Version 1.0 keeps the sparse map in the data: one region of 1 byte at offset 0.
	spmap := pad([]byte("1\n0\n1\n"))
	pax = append(pax, rawHeader("foo-1.0.0/sparse", tar.TypeReg, int64(len(spmap))+512, false)...)
	pax = append(pax, spmap...)
	pax = append(pax, pad([]byte("x"))...)
	gnu := rawHeader("foo-1.0.0/old", tar.TypeGNUSparse, 0, true)
	for name, entry := range map[string][]byte{"pax": pax, "gnu": gnu} {
		stream := append(append(append([]byte{}, manifest...), entry...), make([]byte, 1024)...)
		_, err := Read(bytes.NewReader(gz(t, stream)), "c", Limits{})
		if !errors.Is(err, ErrSpecialFile) {
			t.Errorf("%s sparse: %v, want ErrSpecialFile", name, err)
		}
	}
}

func TestGlobalHeaderSkipped(t *testing.T) {
	// git archive writes a pax global header with the commit id.
	g := tfile{hdr: tar.Header{Name: "pax_global_header", Typeflag: tar.TypeXGlobalHeader, PAXRecords: map[string]string{"comment": "abc"}}}
	c, err := Read(bytes.NewReader(makeCrate(t, g, file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0")))), "c", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Files != 1 {
		t.Errorf("Files = %d", c.Files)
	}
}

func TestManyEntries(t *testing.T) {
	files := []tfile{file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0"))}
	for i := range 9999 {
		files = append(files, file(fmt.Sprintf("foo-1.0.0/src/m%d/f%d.rs", i%100, i), "fn f() {}\n"))
	}
	data := makeCrate(t, files...)
	c, err := Read(bytes.NewReader(data), "many.crate", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Files != 10000 {
		t.Errorf("Files = %d, want 10000", c.Files)
	}
	entries, err := fs.ReadDir(c.FS, "src")
	if err != nil || len(entries) != 100 {
		t.Errorf("src has %d entries, %v", len(entries), err)
	}
	if b, err := fs.ReadFile(c.FS, "src/m42/f9942.rs"); err != nil || string(b) != "fn f() {}\n" {
		t.Errorf("src/m42/f9942.rs = %q, %v", b, err)
	}
	if _, err := Read(bytes.NewReader(data), "many.crate", Limits{MaxEntries: 9999}); !errors.Is(err, ErrLimit) {
		t.Errorf("MaxEntries 9999: %v", err)
	}
}

func TestOpen(t *testing.T) {
	p := filepath.Join(t.TempDir(), "foo-1.0.0.crate")
	if err := os.WriteFile(p, simpleCrate(t), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Open(p, Limits{})
	if err != nil || c.Name != "foo" {
		t.Fatalf("Open: %v", err)
	}
	if _, err := Open(p+".missing", Limits{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestOpenDir(t *testing.T) {
	d := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		full := filepath.Join(d, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Cargo.toml", manifestFor("bar", "0.3.0"))
	write("src/main.rs", "fn main() {}\n")
	write("build.rs", "fn main() {}\n")
	c, err := OpenDir(d)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "bar" || c.Version != "0.3.0" || c.Files != 3 || c.Size == 0 {
		t.Errorf("got %s %s, %d files, %d bytes", c.Name, c.Version, c.Files, c.Size)
	}
	if c.TargetKind("build.rs") != KindBuild || c.TargetKind("src/main.rs") != KindBin {
		t.Errorf("kinds: build.rs %v, src/main.rs %v", c.TargetKind("build.rs"), c.TargetKind("src/main.rs"))
	}
	if b, err := c.Bytes("src/main.rs"); err != nil || string(b) != "fn main() {}\n" {
		t.Errorf("Bytes: %q, %v", b, err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(d, "src", "passwd")); err != nil {
		t.Skip(err)
	}
	if _, err := OpenDir(d); !errors.Is(err, ErrLink) || !strings.Contains(err.Error(), "src/passwd") {
		t.Errorf("symlink: %v", err)
	}
	if _, err := OpenDir(filepath.Join(d, "nope")); err == nil {
		t.Error("missing dir opened")
	}
}

func TestMemFSErrors(t *testing.T) {
	c, err := Read(bytes.NewReader(simpleCrate(t)), "c", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"/src/lib.rs", "src/../Cargo.toml", "", "src/"} {
		if _, err := c.FS.Open(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q): %v, want ErrInvalid", name, err)
		}
	}
	if _, err := c.FS.Open("src/nope.rs"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing): %v", err)
	}
	f, err := c.FS.Open("src/lib.rs")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("read after close: %v", err)
	}
	if _, err := fs.ReadDir(c.FS, "src/lib.rs"); err == nil {
		t.Error("ReadDir of a file succeeded")
	}
	if _, err := fs.ReadFile(c.FS, "src"); err == nil {
		t.Error("ReadFile of a directory succeeded")
	}
	// ReadFile hands out a copy: changing it leaves the crate intact.
	b, _ := fs.ReadFile(c.FS, "src/lib.rs")
	b[0] = 'X'
	if again, _ := c.Bytes("src/lib.rs"); again[0] == 'X' {
		t.Error("ReadFile shares the stored bytes")
	}
	d, _ := c.FS.Open("src")
	if _, err := d.Read(make([]byte, 1)); err == nil {
		t.Error("Read of a directory succeeded")
	}
	if _, err := io.ReadAll(d); err == nil {
		t.Error("ReadAll of a directory succeeded")
	}
}
