package cratefile

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"
)

// Crate is the content of one crate version.
type Crate struct {
	Name, Version string
	// FS holds the files relative to the crate root (Cargo.toml, src/lib.rs, ...).
	FS       fs.FS
	Manifest *Manifest
	// Size is the total size of the files in bytes, decompressed.
	Size  int64
	Files int

	mem     *memFS // nil for OpenDir
	targets targetMap
}

// Bytes returns the content of a file without copying it when the crate is held in memory.
// The caller must not modify the result.
func (c *Crate) Bytes(name string) ([]byte, error) {
	if c.mem != nil {
		n, err := c.mem.lookup("read", name)
		if err != nil {
			return nil, err
		}
		if n.isDir() {
			return nil, &fs.PathError{Op: "read", Path: name, Err: errIsDir}
		}
		return n.data, nil
	}
	return fs.ReadFile(c.FS, name)
}

// Open reads the .crate file at path.
func Open(path string, lim Limits) (*Crate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, path, lim)
}

// capReader fails once more than max bytes have come through it. It counts what is actually
// read, so lying headers (gzip ISIZE, tar sizes) cannot get past it.
type capReader struct {
	r        io.Reader
	n, max   int64
	exceeded bool
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.exceeded {
		return 0, ErrLimit
	}
	if rest := c.max - c.n + 1; int64(len(p)) > rest {
		p = p[:rest]
	}
	k, err := c.r.Read(p)
	c.n += int64(k)
	if c.n > c.max {
		c.exceeded = true
		return k, ErrLimit
	}
	return k, err
}

// reader holds the state of one Read.
type reader struct {
	file    string
	lim     Limits
	fs      *memFS
	folded  map[string]*node // lowercased path -> node, for case collisions
	prefix  string
	entries int
	size    int64
	files   int
	zin     *capReader // compressed bytes
	tin     *capReader // decompressed tar stream
}

// Read reads a .crate from r; name identifies it in errors (a file path, or name@version).
// Every entry must sit under one <name>-<version>/ prefix that matches the package name and
// version of the Cargo.toml at its root. A Cargo.toml that does not parse rejects the crate.
func Read(r io.Reader, name string, lim Limits) (*Crate, error) {
	lim = lim.withDefaults()
	rd := &reader{file: name, lim: lim, fs: newMemFS(), folded: map[string]*node{}}
	rd.zin = &capReader{r: r, max: lim.MaxCompressed}
	zr, err := gzip.NewReader(rd.zin)
	if err != nil {
		return nil, rd.streamErr("", err)
	}
	// Cargo decodes one gzip member and ignores what follows it; do the same.
	zr.Multistream(false)
	rd.tin = &capReader{r: zr, max: lim.MaxUnpacked}
	tr := tar.NewReader(rd.tin)
	last := ""
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if last != "" {
				err = fmt.Errorf("after entry %q: %w", last, err)
			}
			return nil, rd.streamErr("", err)
		}
		last = hdr.Name
		if err := rd.add(hdr, tr); err != nil {
			return nil, err
		}
	}
	// Reading to the end of the gzip member verifies its checksum.
	if _, err := io.Copy(io.Discard, rd.tin); err != nil {
		return nil, rd.streamErr("", err)
	}
	if rd.prefix == "" {
		return nil, &Error{File: name, Err: fmt.Errorf("%w: empty archive", ErrFormat)}
	}
	rd.fs.sortDirs()
	c := &Crate{FS: rd.fs, mem: rd.fs, Size: rd.size, Files: rd.files}
	if err := c.loadManifest(name, lim.MaxManifest); err != nil {
		return nil, err
	}
	if want := c.Name + "-" + c.Version; rd.prefix != want {
		return nil, &Error{File: name, Err: fmt.Errorf("%w: archive prefix %q but Cargo.toml says %q", ErrPrefix, rd.prefix, want)}
	}
	return c, nil
}

// streamErr reports a failure of the gzip or tar layer, preferring the limit that caused it.
func (rd *reader) streamErr(entry string, err error) error {
	switch {
	case rd.zin.exceeded:
		err = fmt.Errorf("%w: more than %d compressed bytes", ErrLimit, rd.lim.MaxCompressed)
	case rd.tin != nil && rd.tin.exceeded:
		err = fmt.Errorf("%w: more than %d bytes decompressed", ErrLimit, rd.lim.MaxUnpacked)
	case errors.Is(err, ErrLimit):
	default:
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		err = fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return &Error{File: rd.file, Entry: entry, Err: err}
}

func (rd *reader) fail(entry string, err error, format string, args ...any) error {
	return &Error{File: rd.file, Entry: entry, Err: fmt.Errorf("%w: "+format, append([]any{err}, args...)...)}
}

func (rd *reader) add(hdr *tar.Header, tr *tar.Reader) error {
	raw := hdr.Name
	rd.entries++
	if rd.entries > rd.lim.MaxEntries {
		return rd.fail(raw, ErrLimit, "more than %d entries", rd.lim.MaxEntries)
	}
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeDir:
	case tar.TypeXGlobalHeader:
		return nil // pax global header: metadata for extractors, no file
	case tar.TypeSymlink, tar.TypeLink:
		return rd.fail(raw, ErrLink, "link to %q", hdr.Linkname)
	default:
		return rd.fail(raw, ErrSpecialFile, "tar type %q", hdr.Typeflag)
	}
	for k := range hdr.PAXRecords {
		// Sparse files expand holes into zeros the decompressed-byte count never sees.
		if strings.HasPrefix(k, "GNU.sparse.") {
			return rd.fail(raw, ErrSpecialFile, "sparse file")
		}
	}
	parts, err := rd.splitPath(raw)
	if err != nil {
		return err
	}
	if rd.prefix == "" {
		rd.prefix = parts[0]
	} else if parts[0] != rd.prefix {
		return rd.fail(raw, ErrPrefix, "outside %q", rd.prefix+"/")
	}
	rel := parts[1:]
	if len(rel) == 0 {
		if hdr.Typeflag != tar.TypeDir {
			return rd.fail(raw, ErrPrefix, "a file where the %q directory belongs", rd.prefix+"/")
		}
		return nil
	}
	if len(rel) > rd.lim.MaxPathDepth {
		return rd.fail(raw, ErrLimit, "path depth %d, more than %d", len(rel), rd.lim.MaxPathDepth)
	}
	if hdr.Typeflag == tar.TypeDir {
		_, err := rd.node(raw, rel, true)
		return err
	}
	if hdr.Size > rd.lim.MaxFileSize {
		return rd.fail(raw, ErrLimit, "%d bytes, more than the %d allowed for one file", hdr.Size, rd.lim.MaxFileSize)
	}
	if rd.size+hdr.Size > rd.lim.MaxUnpacked {
		return rd.fail(raw, ErrLimit, "files total more than %d bytes", rd.lim.MaxUnpacked)
	}
	n, err := rd.node(raw, rel, false)
	if err != nil {
		return err
	}
	n.mode = fs.FileMode(hdr.Mode) & fs.ModePerm
	n.mtime = hdr.ModTime
	if n.data, err = readData(tr, hdr.Size); err != nil {
		return rd.streamErr(raw, err)
	}
	rd.size += hdr.Size
	rd.files++
	return nil
}

// splitPath checks an entry name and returns its cleaned elements: empty and "." elements
// dropped, so "a//./b" and "a/b" are the same entry.
func (rd *reader) splitPath(raw string) ([]string, error) {
	if len(raw) > rd.lim.MaxPathLen {
		return nil, rd.fail(raw[:64]+"...", ErrLimit, "path of %d bytes, more than %d", len(raw), rd.lim.MaxPathLen)
	}
	if !utf8.ValidString(raw) {
		return nil, rd.fail(raw, ErrUnsafePath, "not valid UTF-8")
	}
	for _, r := range raw {
		// Backslashes are separators on Windows; control characters hide names in listings.
		if r < 0x20 || r == 0x7f || r == '\\' {
			return nil, rd.fail(raw, ErrUnsafePath, "character %q", r)
		}
	}
	if strings.HasPrefix(raw, "/") {
		return nil, rd.fail(raw, ErrUnsafePath, "absolute path")
	}
	parts := strings.Split(raw, "/")
	out := parts[:0]
	for _, p := range parts {
		switch p {
		case "", ".":
		case "..":
			return nil, rd.fail(raw, ErrUnsafePath, `".." element`)
		default:
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, rd.fail(raw, ErrUnsafePath, "empty path")
	}
	return out, nil
}

// node creates the node for rel (and the directories above it) or reports why it cannot.
func (rd *reader) node(raw string, rel []string, dir bool) (*node, error) {
	parent := rd.fs.nodes["."]
	for i := range rel {
		p := strings.Join(rel[:i+1], "/")
		last := i == len(rel)-1
		wantDir := dir || !last
		n := rd.fs.nodes[p]
		if n != nil {
			switch {
			case !n.isDir():
				return nil, rd.fail(raw, ErrDuplicate, "%q is already a file", p)
			case !wantDir:
				return nil, rd.fail(raw, ErrDuplicate, "%q is already a directory", p)
			case last && n.explicit:
				return nil, rd.fail(raw, ErrDuplicate, "directory %q listed twice", p)
			}
			if last {
				n.explicit = true
			}
			parent = n
			continue
		}
		n = &node{name: rel[i], explicit: last}
		if wantDir {
			n.mode = fs.ModeDir | 0o555
		}
		if !rd.lim.AllowCaseCollisions {
			f := strings.ToLower(p)
			if o := rd.folded[f]; o != nil {
				if !o.isDir() || !n.isDir() {
					return nil, rd.fail(raw, ErrDuplicate, "%q differs only in case from an entry already read", p)
				}
			} else {
				rd.folded[f] = n
			}
		}
		rd.fs.nodes[p] = n
		parent.children = append(parent.children, n)
		parent = n
	}
	return parent, nil
}

// readData reads exactly size bytes into one slice. The header's size is not trusted for the
// allocation: a tiny archive claiming a huge file only gets memory as data actually arrives.
func readData(r io.Reader, size int64) ([]byte, error) {
	const step = 1 << 20
	if size <= step {
		buf := make([]byte, size)
		_, err := io.ReadFull(r, buf)
		return buf, err
	}
	buf := make([]byte, 0, step)
	for int64(len(buf)) < size {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), size))
			copy(grown, buf)
			buf = grown
		}
		k, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if err != nil && int64(len(buf)) < size {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return buf, nil
}
