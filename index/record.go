package index

import (
	"fmt"
	"strconv"

	"github.com/cratewatch/cratewatch/semver"
)

// Limits on a single index line and its contents. crates.io's largest index lines are a few
// hundred KiB (crates with thousands of features); these bounds leave room for that while
// keeping one hostile line from exhausting memory.
const (
	MaxLineBytes = 4 << 20
	MaxDeps      = 4096
	MaxFeatures  = 16384
	maxReqLen    = 1024
)

// DepKind is the kind of a dependency: normal, dev or build.
type DepKind uint8

const (
	Normal DepKind = iota
	Dev
	Build
)

func (k DepKind) String() string {
	switch k {
	case Dev:
		return "dev"
	case Build:
		return "build"
	}
	return "normal"
}

// MarshalText writes the kind as the index spells it.
func (k DepKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads the kind as the index spells it.
func (k *DepKind) UnmarshalText(b []byte) (err error) {
	*k, err = ParseDepKind(string(b))
	return err
}

// ParseDepKind parses a dependency kind as written in the index; the empty string is normal.
func ParseDepKind(s string) (DepKind, error) {
	switch s {
	case "", "normal":
		return Normal, nil
	case "dev":
		return Dev, nil
	case "build":
		return Build, nil
	}
	return 0, fmt.Errorf("unknown dependency kind %.40q", s)
}

// Dep is one dependency of a published version, as recorded in the index.
type Dep struct {
	// Name is the name the dependent uses; it differs from Package when the dependency is renamed.
	Name            string   `json:"name"`
	Req             string   `json:"req"`
	Features        []string `json:"features"`
	Optional        bool     `json:"optional"`
	DefaultFeatures bool     `json:"default_features"`
	Target          string   `json:"target,omitempty"`
	Kind            DepKind  `json:"kind"`
	Registry        string   `json:"registry,omitempty"`
	Package         string   `json:"package,omitempty"`
}

// Crate returns the real name of the depended-on crate (Package when renamed, else Name).
func (d *Dep) Crate() string {
	if d.Package != "" {
		return d.Package
	}
	return d.Name
}

// Record is one line of a crate's index file: one published version.
type Record struct {
	Name        string              `json:"name"`
	Vers        string              `json:"vers"`
	Deps        []Dep               `json:"deps"`
	Cksum       string              `json:"cksum"`
	Features    map[string][]string `json:"features"`
	Features2   map[string][]string `json:"features2,omitempty"`
	Yanked      bool                `json:"yanked"`
	Links       string              `json:"links,omitempty"`
	V           int                 `json:"v,omitempty"`
	RustVersion string              `json:"rust_version,omitempty"`
	Pubtime     string              `json:"pubtime,omitempty"`

	// Version is Vers parsed.
	Version semver.Version `json:"-"`
	// Dup counts earlier lines of the same file with the same vers: 0 for the first. The
	// crates.io index holds a few exact and near duplicates from publish races; they are kept
	// as entries of their own, not merged or dropped.
	Dup int `json:"-"`
}

// FieldError reports a line whose field is present but invalid.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %q: %v", e.Field, e.Err) }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// ParseLine parses and validates one index line. It never panics; an invalid line gets an
// error naming the offending field. The Record shares no memory with line.
func ParseLine(line []byte) (Record, error) {
	if len(line) > MaxLineBytes {
		return Record{}, fmt.Errorf("line is %d bytes, more than the limit of %d", len(line), MaxLineBytes)
	}
	d := getDecoder(line)
	defer putDecoder(d)
	var r Record
	err := d.record(&r)
	if err == nil {
		err = d.typeErr
	}
	if err == nil {
		err = d.keyErr
	}
	if err == nil {
		err = d.check(&r)
	}
	if err != nil {
		return Record{}, err
	}
	return r, nil
}

// check validates the values of a record read without error, in the order the errors are
// reported, and sets the fields derived from them.
func (d *decoder) check(r *Record) error {
	if err := ValidName(r.Name); err != nil {
		return &FieldError{Field: "name", Err: err}
	}
	v, _, err := parseVers(r.Vers)
	if err != nil {
		return &FieldError{Field: "vers", Err: err}
	}
	r.Version = v
	if !validCksum(r.Cksum) {
		return fieldErr("cksum", "want 64 lowercase hex digits, got %.80q", r.Cksum)
	}
	if d.nDeps > MaxDeps {
		return fieldErr("deps", "%d dependencies, more than the limit of %d", d.nDeps, MaxDeps)
	}
	if n := len(r.Features) + len(r.Features2); d.manyFeature || n > MaxFeatures {
		atLeast := ""
		if d.manyFeature {
			atLeast = "at least "
		}
		return fieldErr("features", "%s%d features, more than the limit of %d", atLeast, n, MaxFeatures)
	}
	if r.Deps == nil {
		r.Deps = []Dep{}
	}
	for i := range r.Deps {
		dep := &r.Deps[i]
		if err := ValidName(dep.Name); err != nil {
			return &FieldError{Field: depField(i, "name"), Err: err}
		}
		// An unparsable requirement is kept as written: Cargo itself accepted old syntax that
		// today's parser rejects, and dropping the whole version would lose data. Consumers
		// parse Req and treat a failure as "admits nothing".
		if len(dep.Req) > maxReqLen {
			return fieldErr(depField(i, "req"), "%d bytes, more than the limit of %d", len(dep.Req), maxReqLen)
		}
		if i == d.badKindDep {
			_, err := ParseDepKind(d.badKind)
			return &FieldError{Field: depField(i, "kind"), Err: err}
		}
		if dep.Package != "" {
			if err := ValidName(dep.Package); err != nil {
				return &FieldError{Field: depField(i, "package"), Err: err}
			}
		}
	}
	return nil
}

func depField(i int, name string) string { return "deps[" + strconv.Itoa(i) + "]." + name }

// validCksum reports whether s is a SHA-256 sum as the index writes it: 64 lowercase hex digits.
func validCksum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
