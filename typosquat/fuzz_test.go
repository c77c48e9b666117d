package typosquat

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"serde", "serdе", "bit-flags", "if-cfg", "lasso-rs", "", "-", "日本語", "\xff", "tokio_v1.2", "notifies", strings.Repeat("a_", 32)} {
		f.Add(s)
	}
	c := fixtureCorpus(f)
	perm := mustChecker(f, c, permissive())
	def := mustChecker(f, c, DefaultConfig())
	f.Fuzz(func(t *testing.T, name string) {
		for _, ch := range []*Checker{perm, def} {
			hits, err := ch.Check(Package{Name: name})
			if err != nil {
				if !errors.Is(err, ErrEmptyName) && !errors.Is(err, ErrNameTooLong) {
					t.Fatalf("%q: unexpected error %v", name, err)
				}
				if name != "" && utf8.RuneCountInString(name) <= MaxNameLen {
					t.Fatalf("%q: rejected a valid-length name: %v", name, err)
				}
				continue
			}
			self := Canonical(name)
			for i, h := range hits {
				if h.TargetRank < 1 || h.TargetRank > c.Len() || c.Entry(h.TargetRank).Name != h.Target {
					t.Fatalf("%q: hit with bad target %+v", name, h)
				}
				if Canonical(h.Target) == self {
					t.Fatalf("%q: matched itself", name)
				}
				if len(h.Matches) == 0 || h.Score < ch.cfg.Threshold || (i > 0 && h.Score > hits[i-1].Score) {
					t.Fatalf("%q: malformed or unordered hit %+v", name, h)
				}
				if strings.Contains(h.Explain(), "\n") {
					t.Fatalf("%q: explanation spans lines", name)
				}
			}
		}
	})
}

func FuzzReadRanked(f *testing.F) {
	f.Add("# c\nsyn,1,x\nserde\n")
	f.Add("a\n\xff\n")
	f.Fuzz(func(t *testing.T, data string) {
		c, err := ReadRanked(strings.NewReader(data), "fuzz", 0)
		if err != nil {
			return
		}
		for r := 1; r <= c.Len(); r++ {
			if c.Rank(c.Entry(r).Name) != r {
				t.Fatalf("entry %d %q not found at its rank", r, c.Entry(r).Name)
			}
		}
		// The same lines as the registry's names: any text is accepted, never a panic.
		withReg, err := c.WithRegistryNames(strings.Split(data, "\n"))
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range []*Checker{mustChecker(t, c, permissive()), mustChecker(t, withReg, permissive())} {
			for r := 1; r <= min(c.Len(), 5); r++ {
				for _, suffix := range []string{"s", "-rs"} {
					if _, err := ch.Check(Package{Name: c.Entry(r).Name + suffix}); err != nil && !errors.Is(err, ErrNameTooLong) {
						t.Fatal(err)
					}
				}
			}
		}
	})
}
