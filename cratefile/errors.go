package cratefile

import (
	"errors"
	"fmt"
)

// Categories of rejection; test with errors.Is.
var (
	ErrLimit       = errors.New("limit exceeded")
	ErrFormat      = errors.New("not a valid gzip'd tar")
	ErrUnsafePath  = errors.New("unsafe path")
	ErrLink        = errors.New("links are not allowed")
	ErrSpecialFile = errors.New("only regular files and directories are allowed")
	ErrDuplicate   = errors.New("duplicate entry")
	ErrPrefix      = errors.New("bad <name>-<version>/ prefix")
	ErrManifest    = errors.New("bad Cargo.toml")
)

// Error is a rejection of a crate: File names the crate (as the caller named it), Entry the
// archive entry at fault as stored, or "" when the problem is the archive as a whole.
type Error struct {
	File  string
	Entry string
	Err   error
}

func (e *Error) Error() string {
	if e.Entry != "" {
		return fmt.Sprintf("%s: entry %q: %v", e.File, e.Entry, e.Err)
	}
	return e.File + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }
