package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"

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
	return 0, fmt.Errorf("unknown dependency kind %q", s)
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

// rawDep mirrors the JSON of a dependency. JSON null leaves a non-pointer field at its zero
// value, so only default_features, whose absence means true, needs a pointer.
type rawDep struct {
	Name            string   `json:"name"`
	Req             string   `json:"req"`
	Features        []string `json:"features"`
	Optional        bool     `json:"optional"`
	DefaultFeatures *bool    `json:"default_features"`
	Target          string   `json:"target"`
	Kind            string   `json:"kind"`
	Registry        string   `json:"registry"`
	Package         string   `json:"package"`
}

type rawRecord struct {
	Name        string              `json:"name"`
	Vers        string              `json:"vers"`
	Deps        []rawDep            `json:"deps"`
	Cksum       string              `json:"cksum"`
	Features    map[string][]string `json:"features"`
	Features2   map[string][]string `json:"features2"`
	Yanked      bool                `json:"yanked"`
	Links       string              `json:"links"`
	V           int                 `json:"v"`
	RustVersion string              `json:"rust_version"`
	Pubtime     string              `json:"pubtime"`
}

var cksumRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

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
// error naming the offending field.
func ParseLine(line []byte) (Record, error) {
	var r Record
	if len(line) > MaxLineBytes {
		return r, fmt.Errorf("line is %d bytes, more than the limit of %d", len(line), MaxLineBytes)
	}
	var raw rawRecord
	if err := json.Unmarshal(line, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return r, fieldErr(te.Field, "JSON %s where %s belongs", te.Value, jsonKind(te.Type))
		}
		return r, fmt.Errorf("not a valid index line: %w", err)
	}
	if err := checkKeys(line); err != nil {
		return r, err
	}
	if err := ValidName(raw.Name); err != nil {
		return r, &FieldError{Field: "name", Err: err}
	}
	v, _, err := parseVers(raw.Vers)
	if err != nil {
		return r, &FieldError{Field: "vers", Err: err}
	}
	if !cksumRE.MatchString(raw.Cksum) {
		return r, fieldErr("cksum", "want 64 lowercase hex digits, got %.80q", raw.Cksum)
	}
	if len(raw.Deps) > MaxDeps {
		return r, fieldErr("deps", "%d dependencies, more than the limit of %d", len(raw.Deps), MaxDeps)
	}
	if len(raw.Features)+len(raw.Features2) > MaxFeatures {
		return r, fieldErr("features", "%d features, more than the limit of %d", len(raw.Features)+len(raw.Features2), MaxFeatures)
	}
	r = Record{
		Name:        raw.Name,
		Vers:        raw.Vers,
		Cksum:       raw.Cksum,
		Features:    raw.Features,
		Features2:   raw.Features2,
		Yanked:      raw.Yanked,
		Links:       raw.Links,
		V:           raw.V,
		RustVersion: raw.RustVersion,
		Pubtime:     raw.Pubtime,
		Version:     v,
		Deps:        make([]Dep, len(raw.Deps)),
	}
	for i := range raw.Deps {
		rd := &raw.Deps[i]
		field := fmt.Sprintf("deps[%d]", i)
		if err := ValidName(rd.Name); err != nil {
			return Record{}, &FieldError{Field: field + ".name", Err: err}
		}
		// An unparsable requirement is kept as written: Cargo itself accepted old syntax that
		// today's parser rejects, and dropping the whole version would lose data. Consumers
		// parse Req and treat a failure as "admits nothing".
		if len(rd.Req) > maxReqLen {
			return Record{}, fieldErr(field+".req", "%d bytes, more than the limit of %d", len(rd.Req), maxReqLen)
		}
		d := Dep{
			Name:            rd.Name,
			Req:             rd.Req,
			Features:        rd.Features,
			Optional:        rd.Optional,
			DefaultFeatures: rd.DefaultFeatures == nil || *rd.DefaultFeatures,
			Target:          rd.Target,
			Registry:        rd.Registry,
			Package:         rd.Package,
		}
		if d.Kind, err = ParseDepKind(rd.Kind); err != nil {
			return Record{}, &FieldError{Field: field + ".kind", Err: err}
		}
		if d.Package != "" {
			if err := ValidName(d.Package); err != nil {
				return Record{}, &FieldError{Field: field + ".package", Err: err}
			}
		}
		r.Deps[i] = d
	}
	return r, nil
}

// jsonKind names the JSON a Go type decodes from, for messages about the index's fields.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return t.String()
}
