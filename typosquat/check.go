package typosquat

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Check identifies one transformation from a popular name to a look-alike.
type Check uint8

// The checks, in the order a hit lists them.
const (
	Homoglyph     Check = iota // Unicode or ASCII look-alike characters: "serdе" (Cyrillic е), "m0ck", "rnio"
	Delimiter                  // delimiters inserted, removed or moved: "lazystatic", "bit-flags"
	SwappedWords               // the same words in another order: "if-cfg"
	Affix                      // a word added before or after: "lasso-rs", "lfest-main"
	VersionSuffix              // a version appended: "serde2", "tokio-v1"
	Plural                     // a word pluralised or singularised: "notifications"
	RepeatedChar               // a character doubled: "postgress"
	AddedChar                  // a character inserted: "tracings"
	OmittedChar                // a character left out: "serd"
	SwappedChars               // two adjacent characters exchanged: "srede"
	KeyboardTypo               // a character replaced by a neighbouring key (QWERTY, QWERTZ, AZERTY)
	BitFlip                    // a character replaced by one a single bit away
	numChecks
)

var checkNames = [numChecks]string{
	"homoglyph", "delimiter", "swapped-words", "affix", "version-suffix", "plural",
	"repeated-char", "added-char", "omitted-char", "swapped-chars", "keyboard-typo", "bit-flip",
}

// Checks lists every check.
func Checks() []Check {
	all := make([]Check, numChecks)
	for i := range all {
		all[i] = Check(i)
	}
	return all
}

func (c Check) String() string {
	if c < numChecks {
		return checkNames[c]
	}
	return fmt.Sprintf("check(%d)", c)
}

// ParseCheck returns the check named s (as String prints it).
func ParseCheck(s string) (Check, error) {
	for i, n := range checkNames {
		if n == s {
			return Check(i), nil
		}
	}
	return 0, fmt.Errorf("unknown check %q (known: %s)", s, strings.Join(checkNames[:], ", "))
}

// MarshalText makes checks print by name in JSON and TOML.
func (c Check) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText parses a check name.
func (c *Check) UnmarshalText(b []byte) error {
	v, err := ParseCheck(string(b))
	*c = v
	return err
}

// Match is one check that links a candidate to a target, with the transformation it saw: the
// text From the target became To in the candidate, at rune position Pos of the candidate's
// canonical form.
type Match struct {
	Check Check   `json:"check"`
	From  string  `json:"from,omitempty"`
	To    string  `json:"to,omitempty"`
	Pos   int     `json:"pos"`
	Score float64 `json:"score"`
	// Namesakes, for a filler affix when the registry's names are known, is how many other
	// registry names use the target's words: none makes the affix stronger evidence.
	Namesakes *int `json:"namesakes,omitempty"`
}

// Explain says in a few words what the match saw.
func (m Match) Explain() string {
	switch m.Check {
	case Homoglyph:
		return fmt.Sprintf("homoglyph %q for %q", m.To, m.From)
	case Delimiter:
		return fmt.Sprintf("delimiters changed (%s)", m.To)
	case SwappedWords:
		return "words swapped"
	case Affix:
		switch {
		case m.Namesakes == nil:
			return fmt.Sprintf("affix %q added", m.To)
		case *m.Namesakes == 0:
			return fmt.Sprintf("affix %q added; no other crate name uses %q", m.To, m.From)
		case *m.Namesakes == 1:
			return fmt.Sprintf("affix %q added; 1 other crate name uses %q", m.To, m.From)
		}
		return fmt.Sprintf("affix %q added; %d other crate names use %q", m.To, *m.Namesakes, m.From)
	case VersionSuffix:
		return fmt.Sprintf("version suffix %q added", m.To)
	case Plural:
		if len(m.To) > len(m.From) {
			return fmt.Sprintf("plural %q of %q", m.To, m.From)
		}
		return fmt.Sprintf("singular %q of %q", m.To, m.From)
	case RepeatedChar:
		return fmt.Sprintf("%q repeated at %d", m.To, m.Pos)
	case AddedChar:
		return fmt.Sprintf("%q added at %d", m.To, m.Pos)
	case OmittedChar:
		return fmt.Sprintf("%q omitted at %d", m.From, m.Pos)
	case SwappedChars:
		return fmt.Sprintf("%q swapped to %q at %d", m.From, m.To, m.Pos)
	case KeyboardTypo:
		return fmt.Sprintf("neighbouring key %q for %q at %d", m.To, m.From, m.Pos)
	case BitFlip:
		return fmt.Sprintf("bit flip %q for %q at %d", m.To, m.From, m.Pos)
	}
	return m.Check.String()
}

// Hit is a popular package the candidate's name imitates.
type Hit struct {
	Candidate  string  `json:"candidate"`
	Target     string  `json:"target"`
	TargetRank int     `json:"target_rank"`
	Score      float64 `json:"score"`
	Matches    []Match `json:"matches"`
}

// Explain renders the hit as one line: what imitates what, how, and how much it matters.
func (h Hit) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s imitates %s (rank %d, score %.2f): ", h.Candidate, h.Target, h.TargetRank, h.Score)
	for i, m := range h.Matches {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(m.Check.String())
		b.WriteString(": ")
		b.WriteString(m.Explain())
	}
	return escapeUnprintable(b.String())
}

// escapeUnprintable writes control and other unprintable characters as Go escapes, so a
// hostile name ("a\nb", terminal escapes) cannot break the one-line explanation or forge lines.
func escapeUnprintable(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsPrint(r) {
			b.WriteRune(r)
		} else {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}

// MarshalJSON adds the one-line explanation for consumers that only show text.
func (h Hit) MarshalJSON() ([]byte, error) {
	type plain Hit
	return json.Marshal(struct {
		plain
		Explanation string `json:"explanation"`
	}{plain(h), h.Explain()})
}
