package cratefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// debianCorpus is where ../shared/scripts/debian-crates.sh puts its crates.
func debianCorpus(tb testing.TB) string {
	home, err := os.UserHomeDir()
	if err != nil {
		tb.Skip(err)
	}
	d := filepath.Join(home, ".cache", "cratewatch", "debian-crates")
	if _, err := os.Stat(filepath.Join(d, "crates")); err != nil {
		tb.Skip("Debian corpus absent; fetch it with ../shared/scripts/debian-crates.sh")
	}
	return d
}

// TestDebianCorpus reads every .crate of the Debian corpus and opens every unpacked crate
// directory: real crates must be accepted, and both ways of opening a crate must agree.
// Debian repackages crates, and two of its changes are rejected as they would be in a crate
// from a registry: symlinks it adds (to shared license files, or to system fonts), and
// directory names it rewrites (build metadata dropped, "md-5" cut to "md") so that the
// archive prefix no longer matches Cargo.toml. Those are counted; anything else fails.
func TestDebianCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus test in -short mode")
	}
	d := debianCorpus(t)
	files, _ := filepath.Glob(filepath.Join(d, "crates", "*.crate"))
	if len(files) == 0 {
		t.Skip("no .crate files yet")
	}
	var ok, debian, deps, dirOK, dirLinks int
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".crate")
		c, err := Open(f, Limits{})
		switch {
		case errors.Is(err, ErrLink) || errors.Is(err, ErrPrefix):
			debian++
			t.Logf("Debian repackaging: %v", err)
		case err != nil:
			t.Errorf("%v", err)
		default:
			ok++
			deps += len(c.Manifest.Deps())
			if base != c.Name+"-"+c.Version {
				t.Errorf("%s: read as %s-%s", f, c.Name, c.Version)
			}
		}
		dir := filepath.Join(d, "registry", base)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		dc, err := OpenDir(dir)
		switch {
		case errors.Is(err, ErrLink):
			dirLinks++
			continue
		case err != nil:
			t.Errorf("OpenDir: %v", err)
			continue
		}
		dirOK++
		if c != nil && (dc.Name != c.Name || dc.Version != c.Version || dc.Files != c.Files || dc.Size != c.Size) {
			t.Errorf("%s: directory %s-%s %d files %d bytes, crate file %s-%s %d files %d bytes",
				dir, dc.Name, dc.Version, dc.Files, dc.Size, c.Name, c.Version, c.Files, c.Size)
		}
	}
	t.Logf("%d of %d crate files read, %d rejected for Debian's repackaging, %d dependencies; "+
		"%d directories opened, %d rejected for Debian's symlinks", ok, len(files), debian, deps, dirOK, dirLinks)
}
