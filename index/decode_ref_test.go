package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// This file keeps ParseLine as it was before the single-pass decoder: encoding/json into
// mirror structs, then checkKeys over the line for the keys encoding/json reads differently
// from Cargo. It is the reference the differential fuzz test (FuzzParseLineReference) and
// the real-index comparison hold the decoder to.

var cksumRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// refDep mirrors the JSON of a dependency. JSON null leaves a non-pointer field at its zero
// value, so only default_features, whose absence means true, needs a pointer.
type refDep struct {
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

type refRecord struct {
	Name        string              `json:"name"`
	Vers        string              `json:"vers"`
	Deps        []refDep            `json:"deps"`
	Cksum       string              `json:"cksum"`
	Features    map[string][]string `json:"features"`
	Features2   map[string][]string `json:"features2"`
	Yanked      bool                `json:"yanked"`
	Links       string              `json:"links"`
	V           int                 `json:"v"`
	RustVersion string              `json:"rust_version"`
	Pubtime     string              `json:"pubtime"`
}

// referenceParseLine is the former ParseLine.
func referenceParseLine(line []byte) (Record, error) {
	var r Record
	if len(line) > MaxLineBytes {
		return r, fmt.Errorf("line is %d bytes, more than the limit of %d", len(line), MaxLineBytes)
	}
	var raw refRecord
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

// checkKeys rejects the keys on which encoding/json and Cargo disagree: case variants of a
// field and repeated fields. line must be valid JSON (Unmarshal accepted it).
func checkKeys(line []byte) error {
	s := keyScanner{b: line}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return nil // null: Unmarshal left everything at zero
	}
	return s.object(recordKeys, -1)
}

// keyScanner walks JSON already known to be valid, so it checks no syntax.
type keyScanner struct {
	b []byte
	i int
}

func (s *keyScanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *keyScanner) peek() byte {
	s.ws()
	return s.b[s.i]
}

func (s *keyScanner) object(fields []string, dep int) error {
	var seen uint64
	s.i++ // '{'
	for {
		switch s.peek() {
		case '}':
			s.i++
			return nil
		case ',':
			s.i++
			s.ws()
		}
		key := s.str()
		s.ws()
		s.i++ // ':'
		s.ws()
		if err := checkKey(key, fields, &seen, dep); err != nil {
			return err
		}
		if dep >= 0 || string(key) != "deps" || s.b[s.i] != '[' {
			s.skip()
			continue
		}
		if err := s.deps(); err != nil {
			return err
		}
	}
}

func (s *keyScanner) deps() error {
	s.i++ // '['
	for n := 0; ; n++ {
		switch s.peek() {
		case ']':
			s.i++
			return nil
		case ',':
			s.i++
			s.ws()
		}
		if s.b[s.i] != '{' {
			s.skip()
			continue
		}
		if err := s.object(depKeys, n); err != nil {
			return err
		}
	}
}

func checkKey(key []byte, fields []string, seen *uint64, dep int) error {
	field := func(f string) string {
		if dep < 0 {
			return f
		}
		return "deps[" + strconv.Itoa(dep) + "]." + f
	}
	for i, f := range fields {
		if string(key) == f {
			if *seen&(1<<i) != 0 {
				return fieldErr(field(f), "appears twice")
			}
			*seen |= 1 << i
			return nil
		}
	}
	for _, f := range fields {
		if strings.EqualFold(string(key), f) {
			return fieldErr(field(f), "key %.80q differs from it only in case", key)
		}
	}
	return nil
}

func (s *keyScanner) str() []byte {
	start := s.i
	if !s.skipStr() {
		return s.b[start+1 : s.i-1]
	}
	var v string
	_ = json.Unmarshal(s.b[start:s.i], &v) // valid JSON: cannot fail
	return []byte(v)
}

func (s *keyScanner) skipStr() (escaped bool) {
	s.i++
	for s.b[s.i] != '"' {
		if s.b[s.i] == '\\' {
			escaped = true
			s.i++
		}
		s.i++
	}
	s.i++
	return escaped
}

func (s *keyScanner) skip() {
	depth := 0
	for {
		switch s.b[s.i] {
		case '"':
			s.skipStr()
		case '{', '[':
			depth++
			s.i++
		case '}', ']':
			depth--
			s.i++
		default:
			s.i++
		}
		if depth == 0 {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return
			}
		}
	}
}
