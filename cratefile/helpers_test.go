package cratefile

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"testing"
	"time"
)

// tfile is one tar entry of a test crate; body is written as the entry's data.
type tfile struct {
	hdr  tar.Header
	body []byte
}

func file(name, body string) tfile {
	return tfile{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}, body: []byte(body)}
}

func dir(name string) tfile {
	return tfile{hdr: tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755}}
}

func special(name string, typ byte, link string) tfile {
	return tfile{hdr: tar.Header{Name: name, Typeflag: typ, Linkname: link, Mode: 0o644}}
}

func manifestFor(name, version string) string {
	return "[package]\nname = \"" + name + "\"\nversion = \"" + version + "\"\nedition = \"2021\"\n"
}

// makeTar writes the entries as a tar stream, without the gzip layer.
func makeTar(tb testing.TB, files ...tfile) []byte {
	tb.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := f.hdr
		if h.ModTime.IsZero() && h.Typeflag != tar.TypeXGlobalHeader {
			h.ModTime = time.Unix(1700000000, 0)
		}
		if err := tw.WriteHeader(&h); err != nil {
			tb.Fatalf("tar header %q: %v", h.Name, err)
		}
		if _, err := tw.Write(f.body); err != nil {
			tb.Fatalf("tar body %q: %v", h.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func gz(tb testing.TB, data []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func makeCrate(tb testing.TB, files ...tfile) []byte {
	tb.Helper()
	return gz(tb, makeTar(tb, files...))
}

// simpleCrate is foo-1.0.0 with a manifest and a library, plus extra entries.
func simpleCrate(tb testing.TB, extra ...tfile) []byte {
	tb.Helper()
	files := []tfile{
		file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0")),
		file("foo-1.0.0/src/lib.rs", "pub fn f() {}\n"),
	}
	return makeCrate(tb, append(files, extra...)...)
}

// rawHeader builds a tar header block by hand, for entries archive/tar refuses to write.
func rawHeader(name string, typ byte, size int64, gnu bool) []byte {
	b := make([]byte, 512)
	copy(b[0:100], name)
	copy(b[100:108], "0000644\x00")
	copy(b[108:116], "0000000\x00")
	copy(b[116:124], "0000000\x00")
	copy(b[124:136], fmt.Sprintf("%011o\x00", size))
	copy(b[136:148], "00000000000\x00")
	b[156] = typ
	if gnu {
		copy(b[257:265], "ustar  \x00")
		copy(b[483:495], fmt.Sprintf("%011o\x00", size)) // GNU sparse real size
	} else {
		copy(b[257:265], "ustar\x0000")
	}
	copy(b[148:156], "        ")
	sum := 0
	for _, c := range b {
		sum += int(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

// pad rounds data up to whole tar blocks.
func pad(data []byte) []byte {
	if r := len(data) % 512; r != 0 {
		data = append(data, make([]byte, 512-r)...)
	}
	return data
}

// paxRecord formats one "len key=value\n" record.
func paxRecord(k, v string) string {
	rec := " " + k + "=" + v + "\n"
	n := len(rec)
	for len(fmt.Sprint(n))+len(rec) != n {
		n = len(fmt.Sprint(n)) + len(rec)
	}
	return fmt.Sprint(n) + rec
}
