package cratefile

import (
	"bytes"
	"errors"
	"io/fs"
	"testing"
)

func FuzzRead(f *testing.F) {
	f.Add(simpleCrate(f))
	f.Add(simpleCrate(f, dir("foo-1.0.0/src/bin/"), file("foo-1.0.0/src/bin/x.rs", "fn main(){}"), file("foo-1.0.0/build.rs", "")))
	f.Add(makeTar(f, file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0"))))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	lim := Limits{MaxCompressed: 1 << 16, MaxUnpacked: 1 << 20, MaxEntries: 256}
	f.Add(makeTar(f, dir("foo-1.0.0/"), file("foo-1.0.0/Cargo.toml", manifestFor("foo", "1.0.0")), file("foo-1.0.0/src/main.rs", "")))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Mutating compressed bytes rarely yields a valid stream: anything that is not gzip is
		// taken as the tar inside, so the fuzzer works on entries and paths.
		if !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			data = gz(t, data)
		}
		c, err := Read(bytes.NewReader(data), "fuzz.crate", lim)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || ce.File != "fuzz.crate" {
				t.Fatalf("error without the crate name: %v", err)
			}
			return
		}
		if c.Size > lim.MaxUnpacked || c.Files > lim.MaxEntries || c.Manifest == nil {
			t.Fatalf("limits not kept: %d bytes, %d files", c.Size, c.Files)
		}
		// Whatever was accepted is a consistent file system.
		var size int64
		files := 0
		err = fs.WalkDir(c.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !fs.ValidPath(p) {
				t.Errorf("invalid path %q", p)
			}
			if !d.IsDir() {
				b, err := c.Bytes(p)
				if err != nil {
					return err
				}
				size += int64(len(b))
				files++
				c.TargetKind(p)
			}
			return nil
		})
		if err != nil || size != c.Size || files != c.Files {
			t.Fatalf("walk: %v; %d bytes in %d files, crate says %d in %d", err, size, files, c.Size, c.Files)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(fullManifest))
	f.Add([]byte("[package]\nname = \"a\"\ndescription = \"\"\"x\"\"\"\"\"\n[lib]\nproc_macro = true\n"))
	f.Add([]byte("[project]\nname = 'a'\n[[lib]]\n[target.'cfg(unix)'.dev_dependencies]\nx = { version = '1', default_features = false }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			return
		}
		for _, d := range m.Deps() {
			if d.Name == "" && d.Package == "" {
				t.Fatalf("dependency with neither name nor package: %+v", d)
			}
		}
	})
}
