package semver

import (
	"cmp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLen bounds the length of a version or requirement string. Real versions and
// requirements are a few dozen bytes; the bound keeps hostile input cheap to reject.
const MaxLen = 1024

// Version is a semantic version. Pre and Build hold the dot-separated identifiers after '-'
// and '+' without those separators (empty when absent).
type Version struct {
	Major, Minor, Patch uint64
	Pre                 Prerelease
	Build               string
}

// Prerelease is the dot-separated pre-release part of a version, such as "alpha.1".
// The empty Prerelease means a release and orders after every pre-release.
type Prerelease string

// Parse parses a SemVer 2.0 version exactly as Cargo does: MAJOR.MINOR.PATCH with optional
// -PRE and +BUILD, no surrounding whitespace and no leading zeros in numbers.
func Parse(s string) (Version, error) {
	v, err := parseVersion(s)
	if err != nil {
		return Version{}, &Error{Input: s, Req: false, Msg: err.msg}
	}
	return v, nil
}

// MustParse is Parse for constants known to be valid; it panics on an invalid version.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

func parseVersion(s string) (Version, *errMsg) {
	if s == "" {
		return Version{}, &errMsg{"empty string, expected a semver version"}
	}
	if len(s) > MaxLen {
		return Version{}, tooLong(len(s))
	}
	var v Version
	var err *errMsg
	text := s
	if v.Major, text, err = numeric(text, posMajor); err != nil {
		return Version{}, err
	}
	if text, err = dot(text, posMajor); err != nil {
		return Version{}, err
	}
	if v.Minor, text, err = numeric(text, posMinor); err != nil {
		return Version{}, err
	}
	if text, err = dot(text, posMinor); err != nil {
		return Version{}, err
	}
	if v.Patch, text, err = numeric(text, posPatch); err != nil {
		return Version{}, err
	}
	pos := posPatch
	if len(text) > 0 && text[0] == '-' {
		pos = posPre
		var pre string
		if pre, text, err = identifier(text[1:], posPre); err != nil {
			return Version{}, err
		}
		if pre == "" {
			return Version{}, errEmptySegment(posPre)
		}
		v.Pre = Prerelease(pre)
	}
	if len(text) > 0 && text[0] == '+' {
		pos = posBuild
		if v.Build, text, err = identifier(text[1:], posBuild); err != nil {
			return Version{}, err
		}
		if v.Build == "" {
			return Version{}, errEmptySegment(posBuild)
		}
	}
	if text != "" {
		return Version{}, errUnexpectedAfter(pos, text)
	}
	return v, nil
}

// Compare orders versions by SemVer precedence: -1, 0 or +1. Build metadata is ignored, so
// 1.0.0+a and 1.0.0+b compare equal.
func (v Version) Compare(o Version) int {
	if v.Major != o.Major {
		return cmp.Compare(v.Major, o.Major)
	}
	if v.Minor != o.Minor {
		return cmp.Compare(v.Minor, o.Minor)
	}
	if v.Patch != o.Patch {
		return cmp.Compare(v.Patch, o.Patch)
	}
	return v.Pre.Compare(o.Pre)
}

// IsPrerelease reports whether v has a pre-release part.
func (v Version) IsPrerelease() bool { return v.Pre != "" }

// String formats v in canonical form, including build metadata.
func (v Version) String() string {
	var buf [64]byte
	return string(v.appendTo(buf[:0]))
}

func (v Version) appendTo(b []byte) []byte {
	b = strconv.AppendUint(b, v.Major, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, v.Minor, 10)
	b = append(b, '.')
	b = strconv.AppendUint(b, v.Patch, 10)
	if v.Pre != "" {
		b = append(b, '-')
		b = append(b, v.Pre...)
	}
	if v.Build != "" {
		b = append(b, '+')
		b = append(b, v.Build...)
	}
	return b
}

// MarshalText implements encoding.TextMarshaler, so versions are JSON strings.
func (v Version) MarshalText() ([]byte, error) { return v.appendTo(nil), nil }

// UnmarshalText implements encoding.TextUnmarshaler with Parse.
func (v *Version) UnmarshalText(b []byte) error {
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// Compare orders pre-releases by SemVer precedence: the empty (release) value is greatest;
// otherwise identifiers compare left to right, numeric ones numerically and below
// alphanumeric ones, alphanumeric ones in ASCII order, and a longer list wins a tie.
func (p Prerelease) Compare(o Prerelease) int {
	switch {
	case p == o:
		return 0
	case p == "":
		return 1
	case o == "":
		return -1
	}
	a, b := string(p), string(o)
	for {
		if a == "" {
			if b == "" {
				return 0
			}
			return -1
		}
		if b == "" {
			return 1
		}
		var x, y string
		x, a = cutDot(a)
		y, b = cutDot(b)
		xn, yn := allDigits(x), allDigits(y)
		var c int
		switch {
		case xn && yn:
			// No leading zeros in numeric identifiers, so a longer one is larger, which also
			// orders numbers beyond uint64 correctly.
			if c = cmp.Compare(len(x), len(y)); c == 0 {
				c = strings.Compare(x, y)
			}
		case xn:
			return -1
		case yn:
			return 1
		default:
			c = strings.Compare(x, y)
		}
		if c != 0 {
			return c
		}
	}
}

func cutDot(s string) (head, rest string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// position names the part of a version being parsed, for error messages.
type position uint8

const (
	posMajor position = iota
	posMinor
	posPatch
	posPre
	posBuild
)

func (p position) String() string {
	return [...]string{"major version number", "minor version number", "patch version number",
		"pre-release identifier", "build metadata"}[p]
}

// numeric parses a decimal number without leading zeros that fits in uint64.
func numeric(s string, pos position) (uint64, string, *errMsg) {
	var n uint64
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if i > 0 && n == 0 {
			return 0, s, &errMsg{"invalid leading zero in " + pos.String()}
		}
		d := uint64(s[i] - '0')
		if n > (^uint64(0)-d)/10 {
			return 0, s, &errMsg{"value of " + pos.String() + " exceeds u64::MAX"}
		}
		n = n*10 + d
	}
	if i == 0 {
		if s == "" {
			return 0, s, &errMsg{"unexpected end of input while parsing " + pos.String()}
		}
		return 0, s, &errMsg{"unexpected character " + quoteFirst(s) + " while parsing " + pos.String()}
	}
	return n, s[i:], nil
}

func dot(s string, pos position) (string, *errMsg) {
	if s == "" {
		return s, &errMsg{"unexpected end of input while parsing " + pos.String()}
	}
	if s[0] != '.' {
		return s, errUnexpectedAfter(pos, s)
	}
	return s[1:], nil
}

// identifier scans dot-separated [0-9A-Za-z-]+ segments. It returns "" and s unchanged when s
// does not start with an identifier character or a dot, so that the caller reports the
// empty part in its own terms. Numeric pre-release segments may not have leading zeros.
func identifier(s string, pos position) (string, string, *errMsg) {
	i := 0
	for {
		start := i
		nonDigit := false
		for ; i < len(s); i++ {
			c := s[i]
			if c >= '0' && c <= '9' {
				continue
			}
			if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' {
				nonDigit = true
				continue
			}
			break
		}
		if i == start {
			if start == 0 && (i == len(s) || s[i] != '.') {
				return "", s, nil
			}
			return "", s, errEmptySegment(pos)
		}
		if pos == posPre && !nonDigit && i-start > 1 && s[start] == '0' {
			return "", s, &errMsg{"invalid leading zero in " + pos.String()}
		}
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		return s[:i], s[i:], nil
	}
}

func errEmptySegment(pos position) *errMsg {
	return &errMsg{"empty identifier segment in " + pos.String()}
}

func errUnexpectedAfter(pos position, rest string) *errMsg {
	return &errMsg{"unexpected character " + quoteFirst(rest) + " after " + pos.String()}
}

func tooLong(n int) *errMsg {
	return &errMsg{"input of " + strconv.Itoa(n) + " bytes is longer than the limit of " + strconv.Itoa(MaxLen)}
}

func quoteFirst(s string) string {
	r, _ := utf8.DecodeRuneInString(s)
	return strconv.QuoteRune(r)
}

// errMsg is the internal parse failure; Parse and ParseReq wrap it in an *Error that names
// the input.
type errMsg struct{ msg string }

// Error is a version or requirement that does not parse. Input is the offending text.
type Error struct {
	Input string
	Req   bool // Input was a requirement rather than a version
	Msg   string
}

func (e *Error) Error() string {
	in := e.Input
	if len(in) > 80 {
		in = in[:80] + "..."
	}
	what := "version"
	if e.Req {
		what = "version requirement"
	}
	return "invalid " + what + " " + strconv.Quote(in) + ": " + e.Msg
}
