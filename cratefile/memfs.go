package cratefile

import (
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// node is one file or directory of a crate held in memory. A file owns exactly one []byte.
type node struct {
	name     string // base name; "." for the root
	data     []byte
	mode     fs.FileMode
	mtime    time.Time
	children []*node // directories only, sorted by name once the archive is read
	explicit bool    // the archive had an entry for it (directories may be implied by paths)
}

func (n *node) isDir() bool { return n.mode.IsDir() }

// node is both the fs.FileInfo and the fs.DirEntry of itself.
func (n *node) Name() string               { return n.name }
func (n *node) Size() int64                { return int64(len(n.data)) }
func (n *node) Mode() fs.FileMode          { return n.mode }
func (n *node) ModTime() time.Time         { return n.mtime }
func (n *node) IsDir() bool                { return n.isDir() }
func (n *node) Sys() any                   { return nil }
func (n *node) Type() fs.FileMode          { return n.mode.Type() }
func (n *node) Info() (fs.FileInfo, error) { return n, nil }

// memFS is a read-only in-memory file system; paths are relative to the crate root.
type memFS struct {
	nodes map[string]*node
}

func newMemFS() *memFS {
	root := &node{name: ".", mode: fs.ModeDir | 0o555, explicit: true}
	return &memFS{nodes: map[string]*node{".": root}}
}

func (m *memFS) lookup(op, name string) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n := m.nodes[name]
	if n == nil {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return n, nil
}

func (m *memFS) Open(name string) (fs.File, error) {
	n, err := m.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return &openDir{handle: handle{path: name}, n: n}, nil
	}
	return &openFile{handle: handle{path: name}, n: n}, nil
}

func (m *memFS) Stat(name string) (fs.FileInfo, error) {
	return m.lookup("stat", name)
}

// ReadFile returns a copy, as fs.ReadFileFS requires; Crate.Bytes shares the stored slice.
func (m *memFS) ReadFile(name string) ([]byte, error) {
	n, err := m.lookup("readfile", name)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: errIsDir}
	}
	return slices.Clone(n.data), nil
}

func (m *memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := m.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	out := make([]fs.DirEntry, len(n.children))
	for i, c := range n.children {
		out[i] = c
	}
	return out, nil
}

// sortDirs orders every directory's children by name, as fs.ReadDirFS requires.
func (m *memFS) sortDirs() {
	for _, n := range m.nodes {
		if len(n.children) > 1 {
			slices.SortFunc(n.children, func(a, b *node) int { return strings.Compare(a.name, b.name) })
		}
	}
}

type fsError string

func (e fsError) Error() string { return string(e) }

const (
	errIsDir  = fsError("is a directory")
	errNotDir = fsError("not a directory")
)

// handle is the open/closed state shared by open files and directories.
type handle struct {
	path   string
	closed bool
}

func (h *handle) check(op string) error {
	if h.closed {
		return &fs.PathError{Op: op, Path: h.path, Err: fs.ErrClosed}
	}
	return nil
}

func (h *handle) Close() error {
	if err := h.check("close"); err != nil {
		return err
	}
	h.closed = true
	return nil
}

type openFile struct {
	handle
	n   *node
	off int64
}

func (f *openFile) Stat() (fs.FileInfo, error) { return f.n, nil }

func (f *openFile) Read(p []byte) (int, error) {
	if err := f.check("read"); err != nil {
		return 0, err
	}
	if f.off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	k := copy(p, f.n.data[f.off:])
	f.off += int64(k)
	return k, nil
}

func (f *openFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.check("read"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.path, Err: fs.ErrInvalid}
	}
	if off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	k := copy(p, f.n.data[off:])
	if k < len(p) {
		return k, io.EOF
	}
	return k, nil
}

func (f *openFile) Seek(offset int64, whence int) (int64, error) {
	if err := f.check("seek"); err != nil {
		return 0, err
	}
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += int64(len(f.n.data))
	default:
		return 0, &fs.PathError{Op: "seek", Path: f.path, Err: fs.ErrInvalid}
	}
	if offset < 0 {
		return 0, &fs.PathError{Op: "seek", Path: f.path, Err: fs.ErrInvalid}
	}
	f.off = offset
	return offset, nil
}

type openDir struct {
	handle
	n    *node
	next int
}

func (d *openDir) Stat() (fs.FileInfo, error) { return d.n, nil }

func (d *openDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: errIsDir}
}

func (d *openDir) ReadDir(count int) ([]fs.DirEntry, error) {
	if err := d.check("readdir"); err != nil {
		return nil, err
	}
	rest := d.n.children[d.next:]
	if count > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if count > 0 && count < len(rest) {
		rest = rest[:count]
	}
	out := make([]fs.DirEntry, len(rest))
	for i, c := range rest {
		out[i] = c
	}
	d.next += len(rest)
	return out, nil
}
