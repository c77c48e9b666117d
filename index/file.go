package index

import (
	"bytes"
	"fmt"
	"strings"
)

// MaxFileBytes bounds one crate's index file. The largest on crates.io are a few MiB.
const MaxFileBytes = 64 << 20

// File is one crate's index file as read from a source.
type File struct {
	// Path is relative to the index root, in Cargo's layout ("se/rd/serde").
	Path string
	Data []byte
}

// Name returns the crate name the file is for: the last element of its path.
func (f File) Name() string { return f.Path[strings.LastIndexByte(f.Path, '/')+1:] }

// LineError reports one line of an index file that could not be used.
type LineError struct {
	Path string
	Line int
	Err  error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("index line %d of %s: %v", e.Line, e.Path, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// Parse parses every line of the file. A malformed line is reported with its line number and
// skipped; the others are still returned. A line whose name differs from the file's crate is
// reported too. A line repeating a version already seen is kept with Dup counting the repeats.
func (f File) Parse() ([]Record, []error) {
	name := f.Name()
	var recs []Record
	var errs []error
	seen := make(map[string]int)
	data := f.Data
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		r, err := ParseLine(line)
		if err == nil && !strings.EqualFold(r.Name, name) {
			err = fieldErr("name", "%q does not belong in the index file of %q", r.Name, name)
		}
		if err == nil {
			r.Dup = seen[r.Vers]
			seen[r.Vers]++
		}
		if err != nil {
			errs = append(errs, &LineError{Path: f.Path, Line: n, Err: err})
			continue
		}
		recs = append(recs, r)
	}
	return recs, errs
}
