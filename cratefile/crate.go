package cratefile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// loadManifest parses Cargo.toml from c.FS and sets the manifest, name, version and targets.
func (c *Crate) loadManifest(file string, max int64) error {
	f, err := c.FS.Open("Cargo.toml")
	if err != nil {
		return &Error{File: file, Err: fmt.Errorf("%w: %w", ErrManifest, err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return &Error{File: file, Entry: "Cargo.toml", Err: fmt.Errorf("%w: %w", ErrManifest, err)}
	}
	if int64(len(data)) > max {
		return &Error{File: file, Entry: "Cargo.toml", Err: fmt.Errorf("%w: %w: more than %d bytes", ErrManifest, ErrLimit, max)}
	}
	m, err := ParseManifest(data)
	if err != nil {
		return &Error{File: file, Entry: "Cargo.toml", Err: fmt.Errorf("%w: %w", ErrManifest, err)}
	}
	if m.Package.Name == "" {
		return &Error{File: file, Entry: "Cargo.toml", Err: fmt.Errorf("%w: package.name missing", ErrManifest)}
	}
	c.Manifest, c.Name, c.Version = m, m.Package.Name, m.Package.Version
	c.targets = discoverTargets(m, c.FS)
	return nil
}

// OpenDir opens an unpacked crate directory, such as Cargo's registry/src cache or the
// Debian corpus. The files stay on disk and are read through an os.Root, so a symlink that
// appears later still cannot lead outside dir. OpenDir walks the tree once under
// DefaultLimits and rejects symlinks and special files; that check describes the directory
// at the time of the call.
func OpenDir(dir string) (*Crate, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	lim := DefaultLimits()
	fsys := root.FS()
	c := &Crate{FS: fsys}
	entries := 0
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := c.checkDirEntry(p, d, &entries, lim); err != nil {
			return &Error{File: dir, Entry: p, Err: err}
		}
		return nil
	})
	if err != nil {
		root.Close()
		if _, ok := err.(*Error); !ok {
			err = &Error{File: dir, Err: err}
		}
		return nil, err
	}
	if err := c.loadManifest(dir, lim.MaxManifest); err != nil {
		root.Close()
		return nil, err
	}
	return c, nil
}

func (c *Crate) checkDirEntry(p string, d fs.DirEntry, entries *int, lim Limits) error {
	if *entries++; *entries > lim.MaxEntries {
		return fmt.Errorf("%w: more than %d entries", ErrLimit, lim.MaxEntries)
	}
	if len(p) > lim.MaxPathLen {
		return fmt.Errorf("%w: path of %d bytes, more than %d", ErrLimit, len(p), lim.MaxPathLen)
	}
	if depth := strings.Count(p, "/") + 1; depth > lim.MaxPathDepth {
		return fmt.Errorf("%w: path depth %d, more than %d", ErrLimit, depth, lim.MaxPathDepth)
	}
	switch t := d.Type(); {
	case t&fs.ModeSymlink != 0:
		return ErrLink
	case d.IsDir():
		return nil
	case !t.IsRegular():
		return fmt.Errorf("%w: %v", ErrSpecialFile, t)
	}
	info, err := d.Info()
	if err != nil {
		return err
	}
	c.Size += info.Size()
	c.Files++
	if info.Size() > lim.MaxFileSize {
		return fmt.Errorf("%w: %d bytes, more than the %d allowed for one file", ErrLimit, info.Size(), lim.MaxFileSize)
	}
	if c.Size > lim.MaxUnpacked {
		return fmt.Errorf("%w: files total more than %d bytes", ErrLimit, lim.MaxUnpacked)
	}
	return nil
}
