package index

import (
	"encoding/json"
	"strconv"
	"strings"
)

// The object keys of an index line and of one of its dependencies, as Cargo spells them.
var (
	recordKeys = []string{"name", "vers", "deps", "cksum", "features", "features2", "yanked", "links", "v", "rust_version", "pubtime"}
	depKeys    = []string{"name", "req", "features", "optional", "default_features", "target", "kind", "registry", "package"}
)

// checkKeys rejects the keys on which encoding/json and Cargo disagree. encoding/json matches
// a key to a field case-insensitively and lets a repeated key overwrite the first; Cargo's
// serde matches exactly (ignoring "Deps" as unknown) and rejects a repeated field. Without
// this check a hostile index could show cratewatch other dependencies, checksum or yanked
// state than Cargo uses for the same line. line must be valid JSON (Unmarshal accepted it).
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

// object checks the keys of the object at s.i against fields: the record's when dep < 0,
// else those of dependency number dep. The record's "deps" array is checked too.
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

// str reads the string at s.i and returns its value, unescaped.
func (s *keyScanner) str() []byte {
	start := s.i
	if !s.skipStr() {
		return s.b[start+1 : s.i-1]
	}
	var v string
	_ = json.Unmarshal(s.b[start:s.i], &v) // valid JSON: cannot fail
	return []byte(v)
}

// skipStr moves past the string at s.i and reports whether it holds escapes.
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

// skip moves past the value at s.i.
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
