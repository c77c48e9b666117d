package advisory

import (
	"archive/tar"
	"cmp"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// Limits on a whole database.
const (
	MaxFiles        = 200000  // files and directories walked, or tar entries read
	MaxArchiveBytes = 1 << 30 // decompressed bytes read from a .tar.gz
)

// FileError is one file that did not load.
type FileError struct {
	Path string `json:"path"`
	Err  error  `json:"-"`
}

func (e FileError) Error() string { return e.Path + ": " + e.Err.Error() }

// Result is what a load found: the advisories, sorted by ID, and the files that failed.
type Result struct {
	Advisories []*Advisory
	Errors     []FileError
	// Skipped counts files that are not advisories (README.md, LICENSE.txt, ...).
	Skipped int
}

// kind classifies a file of the database by its path: RustSec advisories are Markdown files
// under crates/ or rust/; OSV advisories are JSON files anywhere. Everything else is skipped.
type kind int

const (
	kindSkip kind = iota
	kindRustSec
	kindOSV
)

func classify(p string) kind {
	switch path.Ext(p) {
	case ".md":
		for _, dir := range strings.Split(path.Dir(p), "/") {
			if dir == "crates" || dir == "rust" {
				return kindRustSec
			}
		}
	case ".json":
		return kindOSV
	}
	return kindSkip
}

type loader struct {
	res   Result
	seen  map[string]string // advisory ID -> path that defined it
	files int
}

func newLoader() *loader { return &loader{seen: map[string]string{}} }

func (l *loader) count() error {
	l.files++
	if l.files > MaxFiles {
		return fmt.Errorf("more than %d files", MaxFiles)
	}
	return nil
}

// add parses one file's content as k and records the advisory or the error.
func (l *loader) add(p string, k kind, data []byte) {
	var a *Advisory
	var err error
	if k == kindOSV {
		a, err = ParseOSV(p, data)
	} else {
		a, err = ParseRustSec(p, data)
	}
	if err != nil {
		l.fail(p, err)
		return
	}
	if prev, dup := l.seen[a.ID]; dup {
		l.fail(p, fmt.Errorf("advisory %s already defined by %s", a.ID, prev))
		return
	}
	l.seen[a.ID] = p
	l.res.Advisories = append(l.res.Advisories, a)
}

func (l *loader) fail(p string, err error) {
	l.res.Errors = append(l.res.Errors, FileError{Path: p, Err: err})
}

func (l *loader) result() *Result {
	slices.SortFunc(l.res.Advisories, func(a, b *Advisory) int { return cmp.Compare(a.ID, b.ID) })
	return &l.res
}

// LoadDir loads every advisory under the root of fsys: a checkout of the RustSec advisory-db
// (crates/NAME/*.md, rust/NAME/*.md) or a directory of OSV JSON files. Hidden directories
// (.git) are skipped. The error is non-nil only when the walk itself fails or exceeds
// MaxFiles; bad files land in Result.Errors.
func LoadDir(fsys fs.FS) (*Result, error) {
	l := newLoader()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." {
				return err
			}
			l.fail(p, err)
			return nil
		}
		if err := l.count(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		k := classify(p)
		if k == kindSkip || !d.Type().IsRegular() {
			l.res.Skipped++
			return nil
		}
		data, err := readBounded(fsys, p)
		if err != nil {
			l.fail(p, err)
			return nil
		}
		l.add(p, k, data)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading advisories: %w", err)
	}
	return l.result(), nil
}

func readBounded(fsys fs.FS, p string) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f)
}

func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("file is larger than the limit of %d bytes", MaxFileSize)
	}
	return data, nil
}

// LoadTarGz loads the advisories in a gzip-compressed tar of a database, such as a GitHub
// archive of advisory-db. Only regular files are read; links are ignored.
func LoadTarGz(r io.Reader) (*Result, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("loading advisories: not a gzip stream: %w", err)
	}
	defer zr.Close()
	lr := &io.LimitedReader{R: zr, N: MaxArchiveBytes + 1}
	tr := tar.NewReader(lr)
	l := newLoader()
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if lr.N <= 0 {
			return nil, fmt.Errorf("loading advisories: archive holds more than %d bytes", MaxArchiveBytes)
		}
		if err != nil {
			return nil, fmt.Errorf("loading advisories: reading tar after %d entries: %w", l.files, err)
		}
		if err := l.count(); err != nil {
			return nil, fmt.Errorf("loading advisories: %w", err)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if h.Typeflag != tar.TypeReg {
			if h.Typeflag != tar.TypeDir && h.Typeflag != tar.TypeXGlobalHeader {
				l.res.Skipped++
			}
			continue
		}
		k := classify(name)
		if k == kindSkip || hiddenPath(name) {
			l.res.Skipped++
			continue
		}
		data, err := readLimited(tr)
		if err != nil {
			if lr.N <= 0 {
				return nil, fmt.Errorf("loading advisories: archive holds more than %d bytes", MaxArchiveBytes)
			}
			l.fail(name, err)
			continue
		}
		l.add(name, k, data)
	}
	return l.result(), nil
}

func hiddenPath(p string) bool {
	for _, s := range strings.Split(p, "/") {
		if strings.HasPrefix(s, ".") && s != "." && s != ".." {
			return true
		}
	}
	return false
}

// LoadPath loads a directory (LoadDir), a .tar.gz or .tgz archive (LoadTarGz), or a single
// advisory file (.md RustSec or .json OSV).
func LoadPath(p string) (*Result, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("loading advisories: %w", err)
	}
	if st.IsDir() {
		return LoadDir(os.DirFS(p))
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("loading advisories: %w", err)
	}
	defer f.Close()
	switch {
	case strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz"):
		return LoadTarGz(f)
	case strings.HasSuffix(p, ".md") || strings.HasSuffix(p, ".json"):
		l := newLoader()
		data, err := readLimited(f)
		if err != nil {
			l.fail(p, err)
			return l.result(), nil
		}
		k := kindRustSec
		if strings.HasSuffix(p, ".json") {
			k = kindOSV
		}
		l.add(p, k, data)
		return l.result(), nil
	}
	return nil, fmt.Errorf("loading advisories: %s is not a directory, .tar.gz, .md or .json file", p)
}
