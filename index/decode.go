package index

import (
	"errors"
	"fmt"
	"sync"
)

// The decoder reads one index line in a single pass, straight into a Record, with Cargo's
// reading of the JSON (serde's derive): keys match exactly, unknown keys are skipped whatever
// their value, a repeated key is an error. Keys that differ from a field only in case are
// rejected too: encoding/json, which other tools use on the same lines, would read them as
// that field (see keys.go).
//
// It accepts exactly the lines that encoding/json.Unmarshal into the former mirror structs
// accepted, with the same values and null handling, with one deliberate difference: a string
// the decoder keeps (every value of a known field, and feature names) must be valid UTF-8 and
// must not hold a lone \u surrogate escape. encoding/json replaced those with U+FFFD; Cargo's
// serde_json rejects the line, so Cargo never resolves such a version and cratewatch does not
// record it either. Strings inside skipped values get the JSON syntax checks only, as before.
//
// Errors come in the order the former two-pass code reported them, so that the same line
// gets the same field named: a syntax error anywhere first (the whole line is scanned for one
// even after a field error), then the first value of the wrong JSON type, then the first bad
// key, then the checks ParseLine makes on the values.

// maxDepth bounds the nesting of a line's JSON, as encoding/json's scanner did. Unknown values
// are skipped with an explicit stack of this size, never by recursion.
const maxDepth = 10000

// errInvalidUTF8 is wrapped by the error for a kept string that is not valid UTF-8.
var errInvalidUTF8 = errors.New("string is not valid UTF-8 (an invalid byte or a lone \\u surrogate escape)")

type decoder struct {
	b     []byte
	i     int
	depth int
	dep   int // index of the dependency being read; -1 outside the deps array

	keyUTF8 bool // the key nextKey returned last is valid UTF-8

	typeErr error // the first value of the wrong JSON type, or a kept string that is not UTF-8
	keyErr  error // the first repeated key, or key differing from a field only in case

	nDeps       int    // dependencies in the line, counted past MaxDeps
	badKindDep  int    // the first dependency with an unknown kind, or -1
	badKind     string // and that kind
	manyFeature bool   // a features table passed MaxFeatures distinct names

	// Scratch reused between lines: the unescaped text of a string with escapes, and the
	// elements of the array or table being read, copied out at its end into exactly sized
	// values.
	buf   []byte
	strs  []string
	deps  []Dep
	spare Dep
	feats []feature

	open [maxDepth/64 + 1]uint64 // bit d of word d/64: the container at depth d is an object

	// interned holds short strings made for earlier values, by hash: the index repeats the
	// same names, requirements, targets and features on line after line, and a record
	// that reuses them allocates less and keeps less memory alive.
	interned [internSlots]string
}

const (
	internSlots  = 1024 // a power of two
	internMaxLen = 32
)

// string returns b as a string that shares no memory with the line: one made for an earlier
// value with the same text when the cache holds it, else a copy.
func (d *decoder) string(b []byte) string {
	if len(b) == 0 || len(b) > internMaxLen {
		return string(b)
	}
	// Two slots per hash, the newer first: two texts that share a hash do not evict each
	// other on every line.
	// FNV-1a: a fixed hash keeps allocation counts the same from run to run. Texts made to
	// collide only cost the allocations the cache would have saved.
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	set := d.interned[h&(internSlots-2):][:2]
	if set[0] == string(b) {
		return set[0]
	}
	if set[1] == string(b) {
		set[0], set[1] = set[1], set[0]
		return set[0]
	}
	s := string(b)
	set[0], set[1] = s, set[0]
	return s
}

type feature struct {
	name string
	on   []string
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

// Scratch larger than these is dropped rather than kept in the pool: one hostile line must not
// pin megabytes for the life of the process.
const (
	keepStrs  = 1024
	keepDeps  = 256
	keepFeats = 1024
	keepBuf   = 64 << 10
)

func getDecoder(line []byte) *decoder {
	d := decoders.Get().(*decoder)
	d.b, d.i, d.depth, d.dep = line, 0, 0, -1
	d.typeErr, d.keyErr = nil, nil
	d.nDeps, d.badKindDep, d.badKind, d.manyFeature = 0, -1, "", false
	return d
}

func putDecoder(d *decoder) {
	d.b = nil
	d.spare = Dep{}
	if cap(d.buf) > keepBuf {
		d.buf = nil
	}
	d.strs = dropOrClear(d.strs, keepStrs)
	d.deps = dropOrClear(d.deps, keepDeps)
	d.feats = dropOrClear(d.feats, keepFeats)
	decoders.Put(d)
}

// dropOrClear empties scratch for the pool, so that it holds no strings of past lines.
func dropOrClear[T any](s []T, keep int) []T {
	if cap(s) > keep {
		return nil
	}
	return empty(s)
}

// empty clears s and returns it with length 0. Scratch is emptied this way wherever it is
// reset, so that past its length it holds only zero values.
func empty[T any](s []T) []T {
	clear(s)
	return s[:0]
}

// record reads the whole line into r.
func (d *decoder) record(r *Record) error {
	if err := d.valueStart(); err != nil {
		return err
	}
	switch d.b[d.i] {
	case '{':
		if err := d.recordObject(r); err != nil {
			return err
		}
	case 'n':
		// null: every field stays at its zero value, and the checks on them say what is missing.
		if err := d.literal("null"); err != nil {
			return err
		}
	default:
		kind := jsonKindOf(d.b[d.i])
		if err := d.skip(); err != nil {
			return err
		}
		if err := d.end(); err != nil {
			return err
		}
		return fmt.Errorf("not a valid index line: JSON %s where an object belongs", kind)
	}
	return d.end()
}

func (d *decoder) recordObject(r *Record) error {
	if err := d.enter(); err != nil {
		return err
	}
	var seen uint32
	for first := true; ; first = false {
		f, more, err := d.member(first, recordKeys, recordKey, &seen)
		if err != nil || !more {
			return err
		}
		switch f {
		case keyName:
			err = d.stringField("name", &r.Name)
		case keyVers:
			err = d.stringField("vers", &r.Vers)
		case keyDeps:
			err = d.depsField(r)
		case keyCksum:
			err = d.stringField("cksum", &r.Cksum)
		case keyFeatures:
			err = d.featuresField("features", &r.Features)
		case keyFeatures2:
			err = d.featuresField("features2", &r.Features2)
		case keyYanked:
			err = d.boolField("yanked", &r.Yanked)
		case keyLinks:
			err = d.stringField("links", &r.Links)
		case keyV:
			err = d.intField("v", &r.V)
		case keyRustVersion:
			err = d.stringField("rust_version", &r.RustVersion)
		case keyPubtime:
			err = d.stringField("pubtime", &r.Pubtime)
		}
		if err != nil {
			return err
		}
	}
}

// member moves to the next member of an object whose known keys are fields, skipping those
// with unknown keys, and returns the field it sets; more is false at the end of the object.
// exact matches a key to its field; seen holds the fields already set.
func (d *decoder) member(first bool, fields []string, exact func([]byte) int, seen *uint32) (f int, more bool, err error) {
	for ; ; first = false {
		key, more, err := d.nextKey(first)
		if err != nil || !more {
			return -1, false, err
		}
		f := exact(key)
		switch {
		case f >= 0 && *seen&(1<<f) != 0:
			d.keyError(fields[f], "appears twice")
		case f >= 0:
			*seen |= 1 << f
		default:
			f = d.foldedKey(key, fields)
		}
		if f >= 0 {
			return f, true, nil
		}
		if err := d.skip(); err != nil {
			return -1, false, err
		}
	}
}

func (d *decoder) depsField(r *Record) error {
	switch d.b[d.i] {
	case 'n':
		r.Deps = nil
		return d.literal("null")
	case '[':
	default:
		return d.mismatch("deps", "an array")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.deps = empty(d.deps)
	n := 0
	for first := true; ; first = false {
		more, err := d.nextElem(first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		// Past MaxDeps the line is refused, but the rest is still read for the errors that
		// come first, into a spare that is overwritten each time.
		dep := &d.spare
		if n < MaxDeps {
			d.deps = append(d.deps, Dep{})
			dep = &d.deps[len(d.deps)-1]
		}
		*dep = Dep{DefaultFeatures: true}
		d.dep = n
		n++
		switch d.b[d.i] {
		case '{':
			err = d.depObject(dep)
		case 'n':
			err = d.literal("null")
		default:
			err = d.mismatch("deps", "an object")
		}
		d.dep = -1
		if err != nil {
			return err
		}
	}
	d.nDeps = n
	r.Deps = make([]Dep, len(d.deps))
	copy(r.Deps, d.deps)
	return nil
}

func (d *decoder) depObject(dep *Dep) error {
	if err := d.enter(); err != nil {
		return err
	}
	var seen uint32
	for first := true; ; first = false {
		f, more, err := d.member(first, depKeys, depKey, &seen)
		if err != nil || !more {
			return err
		}
		switch f {
		case depName:
			err = d.stringField("deps.name", &dep.Name)
		case depReq:
			err = d.stringField("deps.req", &dep.Req)
		case depFeatures:
			err = d.stringsField("deps.features", &dep.Features)
		case depOptional:
			err = d.boolField("deps.optional", &dep.Optional)
		case depDefaultFeatures:
			// Absent or null means true.
			dep.DefaultFeatures = true
			err = d.boolField("deps.default_features", &dep.DefaultFeatures)
		case depTarget:
			err = d.stringField("deps.target", &dep.Target)
		case depKind:
			err = d.kindField(dep)
		case depRegistry:
			err = d.stringField("deps.registry", &dep.Registry)
		case depPackage:
			err = d.stringField("deps.package", &dep.Package)
		}
		if err != nil {
			return err
		}
	}
}

func (d *decoder) kindField(dep *Dep) error {
	switch d.b[d.i] {
	case 'n':
		dep.Kind = Normal
		return d.literal("null")
	case '"':
	default:
		return d.mismatch("deps.kind", "a string")
	}
	s, ok, err := d.str()
	if err != nil {
		return err
	}
	if !ok {
		d.badUTF8("deps.kind")
		return nil
	}
	switch string(s) {
	case "", "normal":
		dep.Kind = Normal
	case "dev":
		dep.Kind = Dev
	case "build":
		dep.Kind = Build
	default:
		// Reported after the checks that come before it, as ParseDepKind's error.
		if d.badKindDep < 0 {
			d.badKindDep, d.badKind = d.dep, string(s)
		}
	}
	return nil
}

// featuresField reads a features table: feature name to the features and dependencies it enables.
func (d *decoder) featuresField(field string, dst *map[string][]string) error {
	switch d.b[d.i] {
	case 'n':
		*dst = nil
		return d.literal("null")
	case '{':
	default:
		return d.mismatch(field, "an object")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.feats = empty(d.feats)
	var m map[string][]string
	for first := true; ; first = false {
		key, more, err := d.nextKey(first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		var f feature
		if !d.keyUTF8 {
			d.badUTF8(field)
		} else if !d.manyFeature {
			f.name = d.string(key)
		}
		switch d.b[d.i] {
		case 'n':
			err = d.literal("null")
		case '[':
			err = d.stringsField(field, &f.on)
		default:
			err = d.mismatch(field, "an array")
		}
		if err != nil {
			return err
		}
		if d.manyFeature {
			continue
		}
		// A repeated name replaces the earlier one, as in serde's map and encoding/json.
		d.feats = append(d.feats, f)
		if len(d.feats) > MaxFeatures {
			m = d.flushFeatures(m)
		}
	}
	*dst = d.flushFeatures(m)
	return nil
}

// flushFeatures moves the collected features into m, made with their count as its size.
func (d *decoder) flushFeatures(m map[string][]string) map[string][]string {
	if m == nil {
		m = make(map[string][]string, len(d.feats))
	}
	for _, f := range d.feats {
		m[f.name] = f.on
	}
	d.feats = empty(d.feats)
	if len(m) > MaxFeatures {
		d.manyFeature = true
	}
	return m
}

// stringsField reads an array of strings; null elements read as "".
func (d *decoder) stringsField(field string, dst *[]string) error {
	switch d.b[d.i] {
	case 'n':
		*dst = nil
		return d.literal("null")
	case '[':
	default:
		return d.mismatch(field, "an array")
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.strs = empty(d.strs)
	for first := true; ; first = false {
		more, err := d.nextElem(first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		var s string
		switch d.b[d.i] {
		case '"':
			var b []byte
			var ok bool
			if b, ok, err = d.str(); err == nil {
				if ok {
					s = d.string(b)
				} else {
					d.badUTF8(field)
				}
			}
		case 'n':
			err = d.literal("null")
		default:
			err = d.mismatch(field, "a string")
		}
		if err != nil {
			return err
		}
		d.strs = append(d.strs, s)
	}
	*dst = make([]string, len(d.strs))
	copy(*dst, d.strs)
	return nil
}

func (d *decoder) stringField(field string, dst *string) error {
	switch d.b[d.i] {
	case '"':
	case 'n':
		return d.literal("null")
	default:
		return d.mismatch(field, "a string")
	}
	s, ok, err := d.str()
	if err != nil {
		return err
	}
	if !ok {
		d.badUTF8(field)
		return nil
	}
	*dst = d.string(s)
	return nil
}

func (d *decoder) boolField(field string, dst *bool) error {
	switch d.b[d.i] {
	case 't':
		*dst = true
		return d.literal("true")
	case 'f':
		*dst = false
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	return d.mismatch(field, "a boolean")
}

func (d *decoder) intField(field string, dst *int) error {
	switch c := d.b[d.i]; {
	case c == 'n':
		return d.literal("null")
	case c != '-' && (c < '0' || c > '9'):
		return d.mismatch(field, "an integer")
	}
	lit, err := d.number()
	if err != nil {
		return err
	}
	n, ok := parseInt(lit)
	if !ok {
		if d.typeErr == nil {
			d.typeErr = fieldErr(field, "JSON number %.40s where an integer belongs", lit)
		}
		return nil
	}
	*dst = n
	return nil
}

// parseInt reads a JSON number as an int, as strconv.ParseInt does: no fraction, no exponent,
// no overflow.
func parseInt(lit []byte) (int, bool) {
	neg := lit[0] == '-'
	if neg {
		lit = lit[1:]
	}
	var u uint64
	for _, c := range lit {
		if c < '0' || c > '9' || u > (1<<63)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
		if u > 1<<63 {
			return 0, false
		}
	}
	if !neg && u == 1<<63 {
		return 0, false
	}
	n := int64(u)
	if neg {
		n = -n
	}
	if int64(int(n)) != n {
		return 0, false
	}
	return int(n), true
}

// mismatch records a value of the wrong JSON type for field and skips it.
func (d *decoder) mismatch(field, want string) error {
	if d.typeErr == nil {
		d.typeErr = fieldErr(field, "JSON %s where %s belongs", jsonKindOf(d.b[d.i]), want)
	}
	return d.skip()
}

// badUTF8 records a kept string that is not valid UTF-8. field is spelled as for a type error
// ("deps.req"); inside a dependency the error names it by number.
func (d *decoder) badUTF8(field string) {
	if d.typeErr != nil {
		return
	}
	if d.dep >= 0 && len(field) > len("deps.") {
		field = fmt.Sprintf("deps[%d].%s", d.dep, field[len("deps."):])
	}
	d.typeErr = &FieldError{Field: field, Err: errInvalidUTF8}
}

// keyError records a bad key of the record, or of the dependency being read, for field.
func (d *decoder) keyError(field string, format string, args ...any) {
	if d.keyErr != nil {
		return
	}
	if d.dep >= 0 {
		field = fmt.Sprintf("deps[%d].%s", d.dep, field)
	}
	d.keyErr = fieldErr(field, format, args...)
}

// jsonKindOf names the JSON value that starts with c, as encoding/json's type errors did.
func jsonKindOf(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
