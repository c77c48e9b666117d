package cratefile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// typicalCrate is shaped like a mid-sized library: a manifest, 40 source files of about 6 KB,
// a build script, tests, a README and license files (about 270 KB unpacked).
func typicalCrate(tb testing.TB) (data []byte, unpacked int64) {
	src := strings.Repeat("/// Documented.\npub fn function_name(x: u32) -> u32 {\n    x.wrapping_mul(31).rotate_left(5)\n}\n\n", 70)
	files := []tfile{file("typical-1.2.3/Cargo.toml", fullManifest)}
	for i := range 40 {
		files = append(files, file(fmt.Sprintf("typical-1.2.3/src/module_%02d.rs", i), src))
	}
	for _, p := range []string{"build.rs", "src/lib.rs", "tests/integration.rs", "README.md", "LICENSE-MIT", "LICENSE-APACHE"} {
		files = append(files, file("typical-1.2.3/"+p, src[:2000]))
	}
	files[0].body = bytes.Replace(files[0].body, []byte(`name = "demo"`), []byte(`name = "typical"`), 1)
	files[0].body = bytes.Replace(files[0].body, []byte(`version = "0.4.2"`), []byte(`version = "1.2.3"`), 1)
	files[0].hdr.Size = int64(len(files[0].body))
	for _, f := range files {
		unpacked += f.hdr.Size
	}
	return makeCrate(tb, files...), unpacked
}

func BenchmarkRead(b *testing.B) {
	data, unpacked := typicalCrate(b)
	b.SetBytes(unpacked)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Read(bytes.NewReader(data), "typical.crate", Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseManifest(b *testing.B) {
	b.SetBytes(int64(len(fullManifest)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseManifest([]byte(fullManifest)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseManifestHostile decodes 1 MiB manifests of the shapes that cost the TOML
// decoder most, each as large as the structure bounds of ParseManifest let through: the worst
// a crate can make ParseManifest spend. Units are numbered so that the decoder does the full
// work instead of stopping at a duplicate key; comment lines pad each shape to 1 MiB.
func BenchmarkParseManifestHostile(b *testing.B) {
	const size = 1 << 20
	fill := func(head string, units int, unit func(i int) string) []byte {
		buf := []byte(head)
		for i := 0; i < units && len(buf) < size-64; i++ {
			buf = append(buf, unit(i)...)
		}
		if bytes.HasSuffix(buf, []byte(",")) {
			buf = append(buf, "]\n"...)
		}
		for len(buf) < size {
			buf = append(buf, "# padding padding padding padding padding padding padding\n"...)
		}
		return buf
	}
	const pkg = "[package]\nname = \"a\"\n"
	shapes := map[string][]byte{
		"keys":  fill(pkg+"[badges]\n", maxTOMLKeys-2, func(i int) string { return fmt.Sprintf("f%d = 1\n", i) }),
		"array": fill(pkg+"[features]\nx = [", size, func(int) string { return "\"a\"," }),
		"tables": fill(pkg, maxTOMLOpens/2-2, func(i int) string {
			return fmt.Sprintf("[[bin]]\nname = \"b%d\"\n", i)
		}),
		"nested": fill(pkg, maxTOMLOpens/31-1, func(i int) string {
			return fmt.Sprintf("k%d = %s%s\n", i, strings.Repeat("[", 31), strings.Repeat("]", 31))
		}),
		"dotted": fill(pkg, maxTOMLTotalDots/31-1, func(i int) string {
			return fmt.Sprintf("[t%d%sb]\n", i, strings.Repeat(".a", 30))
		}),
		"inline deps": fill(pkg+"[dependencies]\n", maxTOMLKeys/3-1, func(i int) string {
			return fmt.Sprintf("d%d = { version = \"1\", features = [\"a\", \"b\"] }\n", i)
		}),
		"long string": fill(pkg+"description = \"", size, func(int) string { return "\\u00e9" }),
	}
	for name, data := range shapes {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := ParseManifest(data); err != nil && name != "long string" {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDebianCorpus reads every .crate file of the Debian corpus; skipped when absent.
func BenchmarkDebianCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(debianCorpus(b), "crates", "*.crate"))
	if len(files) == 0 {
		b.Skip("no .crate files")
	}
	var compressed int64
	blobs := make([][]byte, len(files))
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		blobs[i] = data
		compressed += int64(len(data))
	}
	b.ReportAllocs()
	var unpacked int64
	for b.Loop() {
		unpacked = 0
		for i, data := range blobs {
			if c, err := Read(bytes.NewReader(data), files[i], Limits{}); err == nil {
				unpacked += c.Size
			}
		}
	}
	b.SetBytes(unpacked)
	b.ReportMetric(float64(len(files)), "crates/op")
	b.ReportMetric(float64(compressed)/(1<<20), "MiB-compressed/op")
}
