package index

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Source is a whole index that can be enumerated: a local directory or a .tar.gz of one.
// (A sparse HTTP index cannot be listed; see Sparse.)
type Source interface {
	// Config returns the index's config.json, or nil when the source has none.
	Config(ctx context.Context) (*Config, error)
	// Walk calls fn for every crate index file. Files that are not at the path the layout
	// gives for their name are passed to bad and skipped.
	Walk(ctx context.Context, fn func(File) error, bad func(error)) error
	// String names the source in messages.
	String() string
}

// Open returns the Source for a local path: a directory or a .tar.gz / .tgz of one.
func Open(p string) (Source, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", p, err)
	}
	if st.IsDir() {
		return &Dir{Root: p}, nil
	}
	if strings.HasSuffix(p, ".tar.gz") || strings.HasSuffix(p, ".tgz") {
		return &Tarball{Path: p}, nil
	}
	return nil, fmt.Errorf("index %s: not a directory, .tar.gz or URL", p)
}

// checkPath validates a relative path found in an index and reports whether it is a crate file.
func checkPath(rel string) (bool, error) {
	if rel == "config.json" || strings.HasPrefix(rel, ".") || strings.Contains(rel, "/.") {
		return false, nil
	}
	name := path.Base(rel)
	if err := ValidName(name); err != nil {
		return false, fmt.Errorf("index file %s: %w", rel, err)
	}
	if want := Path(name); want != rel {
		return false, fmt.Errorf("index file %s: crate %q belongs at %s", rel, name, want)
	}
	return true, nil
}

// Dir is an index checked out in a local directory (a git clone or a copy).
type Dir struct{ Root string }

func (d *Dir) String() string { return d.Root }

func (d *Dir) Config(ctx context.Context) (*Config, error) {
	data, err := readLimited(filepath.Join(d.Root, "config.json"), maxConfigBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseConfig(data)
}

func (d *Dir) Walk(ctx context.Context, fn func(File) error, bad func(error)) error {
	// WalkDir does not follow a symlinked root: it would see one non-directory and find
	// nothing, so the root is resolved first (links below it are still not followed).
	root := d.Root
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	return filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("index %s: %w", d.Root, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if e.IsDir() {
			if rel != "." && strings.HasPrefix(e.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !e.Type().IsRegular() {
			return nil
		}
		ok, perr := checkPath(rel)
		if perr != nil {
			bad(fmt.Errorf("%s: %w", d.Root, perr))
		}
		if !ok {
			return nil
		}
		data, err := readLimited(p, MaxFileBytes)
		if err != nil {
			bad(err)
			return nil
		}
		return fn(File{Path: rel, Data: data})
	})
}

func readLimited(p string, limit int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than the limit of %d bytes", p, limit)
	}
	return data, nil
}

// Tarball is an index packed as a .tar.gz, read as a stream without unpacking.
type Tarball struct {
	Path string
	// MaxBytes bounds the decompressed size (0: 16 GiB); MaxEntries the entry count (0: 10 million).
	MaxBytes   int64
	MaxEntries int
}

func (t *Tarball) String() string { return t.Path }

// Config scans the tarball for config.json.
func (t *Tarball) Config(ctx context.Context) (*Config, error) {
	var cfg *Config
	err := t.scan(ctx, func(rel string, r io.Reader, size int64) (bool, error) {
		if rel != "config.json" {
			return true, nil
		}
		data, err := io.ReadAll(io.LimitReader(r, maxConfigBytes+1))
		if err != nil {
			return false, err
		}
		cfg, err = ParseConfig(data)
		return false, err
	})
	return cfg, err
}

func (t *Tarball) Walk(ctx context.Context, fn func(File) error, bad func(error)) error {
	return t.scan(ctx, func(rel string, r io.Reader, size int64) (bool, error) {
		ok, err := checkPath(rel)
		if err != nil {
			bad(fmt.Errorf("%s: %w", t.Path, err))
		}
		if !ok {
			return true, nil
		}
		if size > MaxFileBytes {
			bad(fmt.Errorf("%s: index file %s is %d bytes, more than the limit of %d", t.Path, rel, size, MaxFileBytes))
			return true, nil
		}
		data := make([]byte, size)
		if _, err := io.ReadFull(r, data); err != nil {
			return false, fmt.Errorf("%s: %s: %w", t.Path, rel, err)
		}
		return true, fn(File{Path: rel, Data: data})
	})
}

// scan visits the regular files of the tarball; visit returns false to stop early.
func (t *Tarball) scan(ctx context.Context, visit func(rel string, r io.Reader, size int64) (bool, error)) error {
	f, err := os.Open(t.Path)
	if err != nil {
		return fmt.Errorf("index %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("index %s: %w", t.Path, err)
	}
	maxBytes, maxEntries := t.MaxBytes, t.MaxEntries
	if maxBytes == 0 {
		maxBytes = 16 << 30
	}
	if maxEntries == 0 {
		maxEntries = 10_000_000
	}
	tr := tar.NewReader(&capReader{r: zr, left: maxBytes, limit: maxBytes})
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if n > maxEntries {
			return fmt.Errorf("index %s: more than %d entries", t.Path, maxEntries)
		}
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("index %s: %w", t.Path, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		rel := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
			continue
		}
		more, err := visit(rel, tr, h.Size)
		if err != nil || !more {
			return err
		}
	}
}

// capReader fails once more than limit bytes are read. An io.LimitedReader would end with io.EOF,
// which the tar reader takes for the end of the archive when the cap falls between entries,
// and for a truncated entry otherwise: a capped index would look complete or corrupt.
type capReader struct {
	r           io.Reader
	left, limit int64
}

// errDecompressedLimit is wrapped by the error a capped read returns.
var errDecompressedLimit = errors.New("decompressed size exceeds the limit")

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// Only an attempt to read past the cap is an error: a stream that ends exactly
		// there is complete.
		var one [1]byte
		if n, _ := io.ReadFull(c.r, one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("%w of %d bytes", errDecompressedLimit, c.limit)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
