package semver

import (
	"strconv"
	"strings"
)

// MaxComparators is the most comparators one requirement may hold, as in Cargo.
const MaxComparators = 32

// Op is the operator of one comparator.
type Op uint8

// The operators. OpWildcard is a bare requirement with a wildcard part, like 1.* or 1.2.x.
const (
	OpCaret     Op = iota // ^1.2.3, and the bare form 1.2.3
	OpTilde               // ~1.2.3
	OpExact               // =1.2.3
	OpGreater             // >1.2.3
	OpGreaterEq           // >=1.2.3
	OpLess                // <1.2.3
	OpLessEq              // <=1.2.3
	OpWildcard            // 1.*, 1.2.*
)

func (op Op) String() string {
	return [...]string{"^", "~", "=", ">", ">=", "<", "<=", ""}[op]
}

// Comparator is one operator applied to a partial version. Minor and Patch are meaningful
// only when HasMinor and HasPatch are set; Pre is set only with a full version.
type Comparator struct {
	Op                  Op
	Major, Minor, Patch uint64
	HasMinor, HasPatch  bool
	Pre                 Prerelease
}

// Req is a version requirement: a conjunction of comparators. The zero Req is "*", which
// matches every release (but no pre-release).
type Req struct {
	cmps []Comparator
}

// ParseReq parses a requirement as Cargo does: comparators separated by commas, each an
// optional operator (^ ~ = > >= < <=, none meaning ^) and a version of one to three parts
// whose trailing parts may be wildcards (* x X); "*" alone means any version. Spaces may
// surround operators and commas. The empty string is an error, as in Cargo.
func ParseReq(s string) (Req, error) {
	r, err := parseReq(s)
	if err != nil {
		return Req{}, &Error{Input: s, Req: true, Msg: err.msg}
	}
	return r, nil
}

// MustParseReq is ParseReq for constants known to be valid; it panics on an invalid one.
func MustParseReq(s string) Req {
	r, err := ParseReq(s)
	if err != nil {
		panic(err)
	}
	return r
}

func parseReq(s string) (Req, *errMsg) {
	if len(s) > MaxLen {
		return Req{}, tooLong(len(s))
	}
	text := trimSpaces(s)
	if ch, rest, ok := wildcard(text); ok {
		rest = trimSpaces(rest)
		switch {
		case rest == "":
			return Req{}, nil
		case rest[0] == ',':
			return Req{}, errWildcardNotAlone(ch)
		default:
			return Req{}, errAfterWildcard
		}
	}
	cmps := make([]Comparator, 0, min(strings.Count(text, ",")+1, MaxComparators))
	for {
		c, pos, rest, err := comparator(text)
		if err != nil {
			if ch, after, ok := wildcard(text); ok {
				after = trimSpaces(after)
				if after == "" || after[0] == ',' {
					err = errWildcardNotAlone(ch)
				}
			}
			return Req{}, err
		}
		cmps = append(cmps, c)
		if rest == "" {
			return Req{cmps: cmps}, nil
		}
		if rest[0] != ',' {
			return Req{}, &errMsg{"expected comma after " + pos.String() + ", found " + quoteFirst(rest)}
		}
		if len(cmps) == MaxComparators {
			return Req{}, &errMsg{"excessive number of version comparators"}
		}
		text = trimSpaces(rest[1:])
	}
}

var errAfterWildcard = &errMsg{"unexpected character after wildcard in version req"}

func errWildcardNotAlone(ch byte) *errMsg {
	return &errMsg{"wildcard req (" + string(ch) + ") must be the only comparator in the version req"}
}

// trimSpaces drops leading ASCII spaces only: Cargo accepts no other whitespace.
func trimSpaces(s string) string {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	return s
}

func wildcard(s string) (byte, string, bool) {
	if len(s) > 0 && (s[0] == '*' || s[0] == 'x' || s[0] == 'X') {
		return s[0], s[1:], true
	}
	return 0, s, false
}

func parseOp(s string) (Op, string, bool) {
	if s == "" {
		return OpCaret, s, false
	}
	switch s[0] {
	case '=':
		return OpExact, s[1:], true
	case '>':
		if len(s) > 1 && s[1] == '=' {
			return OpGreaterEq, s[2:], true
		}
		return OpGreater, s[1:], true
	case '<':
		if len(s) > 1 && s[1] == '=' {
			return OpLessEq, s[2:], true
		}
		return OpLess, s[1:], true
	case '~':
		return OpTilde, s[1:], true
	case '^':
		return OpCaret, s[1:], true
	}
	return OpCaret, s, false
}

// comparator parses one comparator and the spaces after it, returning the last position
// parsed for the caller's error messages.
func comparator(s string) (Comparator, position, string, *errMsg) {
	var c Comparator
	op, text, explicit := parseOp(s)
	c.Op = op
	text = trimSpaces(text)
	var err *errMsg
	pos := posMajor
	if c.Major, text, err = numeric(text, pos); err != nil {
		return c, pos, text, err
	}
	minorWild := false
	if len(text) > 0 && text[0] == '.' {
		pos = posMinor
		if _, rest, ok := wildcard(text[1:]); ok {
			minorWild = true
			if !explicit {
				c.Op = OpWildcard
			}
			text = rest
		} else {
			if c.Minor, text, err = numeric(text[1:], pos); err != nil {
				return c, pos, text, err
			}
			c.HasMinor = true
		}
	}
	if len(text) > 0 && text[0] == '.' {
		pos = posPatch
		if _, rest, ok := wildcard(text[1:]); ok {
			if !explicit {
				c.Op = OpWildcard
			}
			text = rest
		} else if minorWild {
			return c, pos, text, errAfterWildcard
		} else {
			if c.Patch, text, err = numeric(text[1:], pos); err != nil {
				return c, pos, text, err
			}
			c.HasPatch = true
		}
	}
	if c.HasPatch && len(text) > 0 && text[0] == '-' {
		pos = posPre
		var pre string
		if pre, text, err = identifier(text[1:], posPre); err != nil {
			return c, pos, text, err
		}
		if pre == "" {
			return c, pos, text, errEmptySegment(posPre)
		}
		c.Pre = Prerelease(pre)
	}
	if c.HasPatch && len(text) > 0 && text[0] == '+' {
		// Build metadata is accepted and dropped: it never affects matching.
		pos = posBuild
		var build string
		if build, text, err = identifier(text[1:], posBuild); err != nil {
			return c, pos, text, err
		}
		if build == "" {
			return c, pos, text, errEmptySegment(posBuild)
		}
	}
	return c, pos, trimSpaces(text), nil
}

// Matches reports whether v satisfies every comparator of r, with Cargo's pre-release rule:
// a pre-release version matches only if some comparator names a pre-release of the same
// major.minor.patch, so ^1.2.3 does not select 1.3.0-alpha but >=1.2.3-alpha does select
// 1.2.3-beta.
func (r Req) Matches(v Version) bool {
	for i := range r.cmps {
		if !r.cmps[i].matches(&v) {
			return false
		}
	}
	if v.Pre == "" {
		return true
	}
	for i := range r.cmps {
		c := &r.cmps[i]
		if c.Pre != "" && c.Major == v.Major && c.HasMinor && c.Minor == v.Minor && c.HasPatch && c.Patch == v.Patch {
			return true
		}
	}
	return false
}

func (c *Comparator) matches(v *Version) bool {
	switch c.Op {
	case OpExact, OpWildcard:
		return c.exact(v)
	case OpGreater:
		return c.greater(v)
	case OpGreaterEq:
		return c.exact(v) || c.greater(v)
	case OpLess:
		return c.less(v)
	case OpLessEq:
		return c.exact(v) || c.less(v)
	case OpTilde:
		return c.tilde(v)
	default:
		return c.caret(v)
	}
}

func (c *Comparator) exact(v *Version) bool {
	return v.Major == c.Major &&
		(!c.HasMinor || v.Minor == c.Minor) &&
		(!c.HasPatch || v.Patch == c.Patch) &&
		v.Pre == c.Pre
}

func (c *Comparator) greater(v *Version) bool {
	if v.Major != c.Major {
		return v.Major > c.Major
	}
	if !c.HasMinor {
		return false
	}
	if v.Minor != c.Minor {
		return v.Minor > c.Minor
	}
	if !c.HasPatch {
		return false
	}
	if v.Patch != c.Patch {
		return v.Patch > c.Patch
	}
	return v.Pre.Compare(c.Pre) > 0
}

func (c *Comparator) less(v *Version) bool {
	if v.Major != c.Major {
		return v.Major < c.Major
	}
	if !c.HasMinor {
		return false
	}
	if v.Minor != c.Minor {
		return v.Minor < c.Minor
	}
	if !c.HasPatch {
		return false
	}
	if v.Patch != c.Patch {
		return v.Patch < c.Patch
	}
	return v.Pre.Compare(c.Pre) < 0
}

func (c *Comparator) tilde(v *Version) bool {
	if v.Major != c.Major || (c.HasMinor && v.Minor != c.Minor) {
		return false
	}
	if c.HasPatch && v.Patch != c.Patch {
		return v.Patch > c.Patch
	}
	return v.Pre.Compare(c.Pre) >= 0
}

func (c *Comparator) caret(v *Version) bool {
	if v.Major != c.Major {
		return false
	}
	if !c.HasMinor {
		return true
	}
	if !c.HasPatch {
		if c.Major > 0 {
			return v.Minor >= c.Minor
		}
		return v.Minor == c.Minor
	}
	switch {
	case c.Major > 0:
		if v.Minor != c.Minor {
			return v.Minor > c.Minor
		}
		if v.Patch != c.Patch {
			return v.Patch > c.Patch
		}
	case c.Minor > 0:
		if v.Minor != c.Minor {
			return false
		}
		if v.Patch != c.Patch {
			return v.Patch > c.Patch
		}
	default:
		if v.Minor != c.Minor || v.Patch != c.Patch {
			return false
		}
	}
	return v.Pre.Compare(c.Pre) >= 0
}

// Comparators returns a copy of r's comparators; none for "*".
func (r Req) Comparators() []Comparator {
	return append([]Comparator(nil), r.cmps...)
}

// IsAny reports whether r is "*".
func (r Req) IsAny() bool { return len(r.cmps) == 0 }

// Equal reports whether r and o hold the same comparators in the same order.
func (r Req) Equal(o Req) bool {
	if len(r.cmps) != len(o.cmps) {
		return false
	}
	for i := range r.cmps {
		if r.cmps[i] != o.cmps[i] {
			return false
		}
	}
	return true
}

// String formats r in Cargo's canonical form: "^1.2.3, <2" for "1.2.3,<2", "*" for any.
func (r Req) String() string {
	if len(r.cmps) == 0 {
		return "*"
	}
	var buf [64]byte
	b := buf[:0]
	for i := range r.cmps {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = r.cmps[i].appendTo(b)
	}
	return string(b)
}

// String formats c as Cargo does: "^1.2", "1.*", ">=1.2.3-alpha".
func (c Comparator) String() string {
	var buf [32]byte
	return string(c.appendTo(buf[:0]))
}

func (c *Comparator) appendTo(b []byte) []byte {
	b = append(b, c.Op.String()...)
	b = strconv.AppendUint(b, c.Major, 10)
	if !c.HasMinor {
		if c.Op == OpWildcard {
			b = append(b, ".*"...)
		}
		return b
	}
	b = append(b, '.')
	b = strconv.AppendUint(b, c.Minor, 10)
	if !c.HasPatch {
		if c.Op == OpWildcard {
			b = append(b, ".*"...)
		}
		return b
	}
	b = append(b, '.')
	b = strconv.AppendUint(b, c.Patch, 10)
	if c.Pre != "" {
		b = append(b, '-')
		b = append(b, c.Pre...)
	}
	return b
}

// MarshalText implements encoding.TextMarshaler with String.
func (r Req) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseReq.
func (r *Req) UnmarshalText(b []byte) error {
	p, err := ParseReq(string(b))
	if err != nil {
		return err
	}
	*r = p
	return nil
}
