package typosquat

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxNameLen is the longest name, in characters, that a Checker or Corpus accepts. crates.io's
// limit is 64; a bound keeps the per-name work (deletions, permutations) bounded too.
const MaxNameLen = 64

// ErrEmptyName and ErrNameTooLong classify names that are rejected before any check runs.
var (
	ErrEmptyName   = errors.New("empty name")
	ErrNameTooLong = fmt.Errorf("name longer than %d characters", MaxNameLen)
)

// delim is the single delimiter of the canonical form: crates.io treats '-' and '_' as the
// same character when it compares names.
const delim = '_'

// Canonical returns crates.io's comparison form of name: ASCII lowercase with '-' replaced by
// '_'. Non-ASCII runes are lowercased and otherwise kept, so two different Unicode names never
// collide here; confusable folding is a separate step (see Fold).
func Canonical(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		b.WriteRune(canonRune(r))
	}
	return b.String()
}

func canonRune(r rune) rune {
	switch {
	case r == '-':
		return delim
	case r >= 'A' && r <= 'Z':
		return r + ('a' - 'A')
	case r < utf8.RuneSelf:
		return r
	default:
		return unicode.ToLower(r)
	}
}

// confusables maps non-ASCII letters that render like an ASCII letter in common fonts and that
// compatibility decomposition (NFKD) leaves alone: Cyrillic, Greek and a few Latin extensions.
var confusables = map[rune]rune{
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
	'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ԁ': 'd',
	'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'ɡ': 'g', 'ı': 'i', 'ȷ': 'j', 'ſ': 's', 'ℓ': 'l',
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p',
	'τ': 't', 'υ': 'u', 'χ': 'x', 'γ': 'y', 'ω': 'w', 'ᴀ': 'a', 'ʀ': 'r', 'ꜱ': 's', 'ᴜ': 'u',
	'‐': '-', '‑': '-', '‒': '-', '–': '-', '—': '-', '―': '-', '−': '-', '＿': '_',
}

// Fold returns the canonical form of name with Unicode look-alikes replaced by the ASCII
// character they imitate (Cyrillic 'а' becomes 'a', fullwidth 'ｓ' becomes 's', 'é' becomes
// 'e'), and whether anything was folded. ASCII input is returned canonical and unchanged.
func Fold(name string) (string, bool) {
	ascii := true
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return Canonical(name), false
	}
	var b strings.Builder
	b.Grow(len(name))
	folded := false
	for _, r := range name {
		if r < utf8.RuneSelf {
			b.WriteRune(canonRune(r))
			continue
		}
		if a, ok := foldRune(r); ok {
			b.WriteRune(canonRune(a))
			folded = true
			continue
		}
		b.WriteRune(canonRune(r))
	}
	return b.String(), folded
}

// foldRune maps one non-ASCII rune to the ASCII rune it imitates, if any: first the confusables
// table, then compatibility decomposition with combining marks dropped (which covers accents,
// fullwidth and mathematical letters).
func foldRune(r rune) (rune, bool) {
	lr := unicode.ToLower(r)
	if a, ok := confusables[lr]; ok {
		return a, true
	}
	if a, ok := confusables[r]; ok {
		return a, true
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d := norm.NFKD.Bytes(buf[:n])
	base, size := utf8.DecodeRune(d)
	if base >= utf8.RuneSelf || base == utf8.RuneError {
		return 0, false
	}
	for _, m := range string(d[size:]) {
		if !unicode.Is(unicode.Mn, m) {
			return 0, false // a ligature or sequence, not one look-alike letter
		}
	}
	return base, true
}

// validateName rejects names no check can work on, naming the input in the error.
func validateName(name string) error {
	if name == "" {
		return ErrEmptyName
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return fmt.Errorf("name %.20q...: %w", name, ErrNameTooLong)
	}
	return nil
}
