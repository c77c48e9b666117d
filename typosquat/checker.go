package typosquat

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Package is a name to check, with what the registry knows about it.
type Package struct {
	Name string
	// Owners are opaque owner identities, compared with the corpus entries' owners.
	Owners []string
	// FirstPublished is when the name first appeared; zero means unknown (a name being
	// published now).
	FirstPublished time.Time
	// Popularity is on the corpus's scale; zero means unknown, and the candidate counts as no
	// more popular than the least popular corpus entry. A candidate that is itself in the corpus
	// takes its corpus popularity.
	Popularity float64
}

// Checker tests names against a corpus. It is safe for concurrent use.
type Checker struct {
	corpus  *Corpus
	cfg     Config
	affixes []affix
}

type affix struct {
	word   string
	filler bool
}

// NewChecker returns a checker of corpus with configuration cfg (see DefaultConfig).
func NewChecker(corpus *Corpus, cfg Config) (*Checker, error) {
	if corpus == nil {
		return nil, fmt.Errorf("typosquat: nil corpus")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ch := &Checker{corpus: corpus, cfg: cfg}
	for _, a := range cfg.Affixes {
		ch.affixes = append(ch.affixes, affix{Canonical(a), false})
	}
	for _, a := range cfg.FillerAffixes {
		ch.affixes = append(ch.affixes, affix{Canonical(a), true})
	}
	return ch, nil
}

// Corpus returns the checker's corpus.
func (ch *Checker) Corpus() *Corpus { return ch.corpus }

// found is one raw match before grouping by target.
type found struct {
	target   int32
	evidence float64 // the check's weight, which for an affix depends on the word
	m        Match
}

// scan holds the state of checking one name.
type scan struct {
	c     *Corpus
	cfg   *Config
	self  int32 // the candidate's own corpus entry, or -1
	name  string
	runes []rune
	key   []byte
	found []found
}

// Check returns the hits for p, most alarming first. A name that is empty or longer than
// MaxNameLen is an error; any other input, however odd, is checked.
func (ch *Checker) Check(p Package) ([]Hit, error) {
	if err := validateName(p.Name); err != nil {
		return nil, err
	}
	c := ch.corpus
	canon := Canonical(p.Name)
	folded, wasFolded := Fold(p.Name)
	s := &scan{c: c, cfg: &ch.cfg, self: -1, name: folded}
	if id, ok := c.byName[canon]; ok {
		s.self = id
	}
	var buf [MaxNameLen]rune
	s.runes = buf[:0]
	for _, r := range folded {
		s.runes = append(s.runes, r)
	}
	s.key = make([]byte, 0, 4*MaxNameLen+16)

	if wasFolded {
		if id, ok := c.byName[folded]; ok {
			s.add(id, Match{Check: Homoglyph, From: c.canon[id], To: p.Name})
		}
	}
	s.edits()
	s.homoglyphSeqs()
	s.delimiters()
	s.swappedWords()
	s.affixes(ch.affixes)
	s.versionSuffix()
	s.plurals()
	if len(s.found) == 0 {
		return nil, nil
	}
	return ch.hits(p, s), nil
}

func (s *scan) add(id int32, m Match) {
	if id == s.self {
		return
	}
	cc := &s.cfg.Checks[m.Check]
	if cc.Disabled || utf8.RuneCountInString(s.c.canon[id]) < cc.MinLength {
		return
	}
	s.found = append(s.found, found{id, cc.Weight, m})
}

func (s *scan) lookup(key []byte) (int32, bool) {
	id, ok := s.c.byName[string(key)]
	return id, ok
}

// edits finds targets one character edit away: the candidate with a character added
// (deleting it gives the target), with one left out (the candidate is in the target's
// deletion neighbourhood), substituted or with two adjacent characters swapped (both share
// a deletion). Delimiters are left to the delimiter check.
func (s *scan) edits() {
	r := s.runes
	n := len(r)
	for _, id := range s.c.byDeletion[s.name] {
		t := s.c.runes[id]
		if len(t) != n+1 {
			continue
		}
		j := 0
		for j < n && t[j] == r[j] {
			j++
		}
		if t[j] != delim {
			s.add(id, Match{Check: OmittedChar, From: string(t[j]), Pos: j})
		}
	}
	for i := range n {
		if r[i] == delim || (i > 0 && r[i] == r[i-1]) {
			continue // deleting the first of a run of equal runes finds the same keys
		}
		s.key = appendWithout(s.key[:0], r, i)
		if id, ok := s.lookup(s.key); ok {
			if (i > 0 && r[i-1] == r[i]) || (i+1 < n && r[i+1] == r[i]) {
				s.add(id, Match{Check: RepeatedChar, To: string(r[i]), Pos: i})
			} else {
				s.add(id, Match{Check: AddedChar, To: string(r[i]), Pos: i})
			}
		}
		for _, id := range s.c.byDeletion[string(s.key)] {
			if t := s.c.runes[id]; len(t) == n {
				s.sameLength(id, t)
			}
		}
	}
}

// sameLength classifies a same-length target that shares a deletion with the candidate:
// one substituted character or two swapped adjacent ones.
func (s *scan) sameLength(id int32, t []rune) {
	r := s.runes
	j := 0
	for j < len(r) && t[j] == r[j] {
		j++
	}
	if j == len(r) {
		return
	}
	if j+1 < len(r) && t[j] == r[j+1] && t[j+1] == r[j] && string(t[j+2:]) == string(r[j+2:]) {
		if t[j] != delim && t[j+1] != delim {
			s.add(id, Match{Check: SwappedChars, From: string(t[j : j+2]), To: string(r[j : j+2]), Pos: j})
		}
		return
	}
	a, b := t[j], r[j]
	if a == delim || b == delim || string(t[j+1:]) != string(r[j+1:]) {
		return
	}
	m := Match{From: string(a), To: string(b), Pos: j}
	if isHomoglyph(a, b) {
		m.Check = Homoglyph
		s.add(id, m)
	}
	if isKeyboardNeighbour(a, b) {
		m.Check = KeyboardTypo
		s.add(id, m)
	}
	if isBitFlip(a, b) {
		m.Check = BitFlip
		s.add(id, m)
	}
}

// homoglyphSeqs replaces each occurrence of a multi-character look-alike ("rn" for "m") in
// either direction and looks the result up.
func (s *scan) homoglyphSeqs() {
	for _, p := range homoglyphSeqs {
		for dir := range 2 {
			from, to := p[0], p[1]
			if dir == 1 {
				from, to = to, from
			}
			for off := 0; ; {
				i := strings.Index(s.name[off:], from)
				if i < 0 {
					break
				}
				i += off
				s.key = append(append(append(s.key[:0], s.name[:i]...), to...), s.name[i+len(from):]...)
				if id, ok := s.lookup(s.key); ok {
					s.add(id, Match{Check: Homoglyph, From: to, To: from, Pos: utf8.RuneCountInString(s.name[:i])})
				}
				off = i + 1
			}
		}
	}
}

func (s *scan) delimiters() {
	s.key = s.key[:0]
	for i := 0; i < len(s.name); i++ {
		if s.name[i] != delim {
			s.key = append(s.key, s.name[i])
		}
	}
	if len(s.key) == 0 {
		return
	}
	for _, id := range s.c.byStripped[string(s.key)] {
		if s.c.canon[id] == s.name {
			continue // a folded look-alike of the very name, reported as a homoglyph
		}
		s.add(id, Match{Check: Delimiter, From: s.c.canon[id], To: s.name})
	}
}

// swappedWords looks the candidate's words up in sorted order, so any permutation is found
// with one lookup; the token bound only limits how odd a name is still considered a phrase.
func (s *scan) swappedWords() {
	words := appendWords(nil, s.name)
	if k := len(words); k < 2 || k > s.cfg.MaxWordTokens {
		return
	}
	mine := strings.Join(words, "_")
	for _, id := range s.c.byTokenSort[sortedWords(words)] {
		if wordKey(s.c.canon[id]) != mine {
			s.add(id, Match{Check: SwappedWords, From: s.c.canon[id], To: s.name})
		}
	}
}

// minAffixBase is the shortest target an affix without a delimiter may be glued to: shorter
// bases make ordinary words ("rsa" = "rs" + "a").
const minAffixBase = 3

func (s *scan) affixes(affixes []affix) {
	name := s.name
	for _, a := range affixes {
		if len(name) <= len(a.word) {
			continue
		}
		if base, ok := strings.CutPrefix(name, a.word); ok {
			s.affix(base, a, true)
		}
		if base, ok := strings.CutSuffix(name, a.word); ok {
			s.affix(base, a, false)
		}
	}
}

func (s *scan) affix(base string, a affix, prefix bool) {
	glued := true
	if prefix && base[0] == delim {
		base, glued = base[1:], false
	} else if !prefix && base[len(base)-1] == delim {
		base, glued = base[:len(base)-1], false
	}
	if base == "" || (glued && utf8.RuneCountInString(base) < minAffixBase) {
		return
	}
	id, ok := s.c.byName[base]
	if !ok {
		return
	}
	shown := a.word
	switch {
	case prefix && !glued:
		shown = a.word + "-"
	case !prefix && !glued:
		shown = "-" + a.word
	}
	n := len(s.found)
	s.add(id, Match{Check: Affix, From: base, To: shown})
	if !a.filler || len(s.found) == n {
		return
	}
	f := &s.found[n]
	f.evidence = s.cfg.FillerAffixWeight
	if k, known := s.c.namesakesOf(id, s.name); known {
		// Never below the flat weight: the targets with the most namesakes are the most
		// popular crates, whose look-alikes matter most.
		f.evidence = max(s.cfg.FillerAffixWeight, s.cfg.DistinctFillerAffixWeight-s.cfg.NamesakeSlope*math.Log10(1+float64(k)))
		f.m.Namesakes = &k
	}
}

// versionSuffix strips a version from the end ("2", "-v2", "_0_3", "v1.2") and looks the rest
// up. A bare number glued to the name must be one digit, or "base64" would be "base" at
// version 64.
func (s *scan) versionSuffix() {
	name := s.name
	i := len(name)
	groups, digits := 0, 0
	for i > 0 {
		c := name[i-1]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > 3 {
				return
			}
		case (c == delim || c == '.') && digits > 0:
			groups++
			digits = 0
		default:
			goto done
		}
		i--
	}
done:
	if digits > 0 {
		groups++
	}
	if groups == 0 || i == len(name) {
		return
	}
	end := i
	marked := name[i] == delim || name[i] == '.'
	if end > 0 && name[end-1] == 'v' {
		end--
		marked = true
	}
	if end > 0 && name[end-1] == delim {
		end--
		marked = true
	}
	if !marked && (groups > 1 || len(name)-i > 1) {
		return
	}
	base := strings.TrimRight(name[:end], "_.")
	if base == "" {
		return
	}
	if id, ok := s.c.byName[base]; ok {
		s.add(id, Match{Check: VersionSuffix, From: base, To: name[end:]})
	}
}

// plurals toggles the number of each word: "notifications" finds "notification" and
// "notification" finds "notifications", with the -es and -ies forms.
func (s *scan) plurals() {
	name := s.name
	for start := 0; start < len(name); {
		end := strings.IndexByte(name[start:], delim)
		if end < 0 {
			end = len(name)
		} else {
			end += start
		}
		if w := name[start:end]; len(w) >= 3 {
			for _, v := range numberVariants(w) {
				s.key = append(append(append(s.key[:0], name[:start]...), v...), name[end:]...)
				if id, ok := s.lookup(s.key); ok {
					s.add(id, Match{Check: Plural, From: v, To: w, Pos: utf8.RuneCountInString(name[:start])})
				}
			}
		}
		start = end + 1
	}
}

// numberVariants returns the other grammatical numbers of an English word, at most three.
func numberVariants(w string) []string {
	var out []string
	switch {
	case strings.HasSuffix(w, "ies"):
		out = append(out, w[:len(w)-3]+"y")
	case strings.HasSuffix(w, "ses"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		out = append(out, w[:len(w)-2], w[:len(w)-1])
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		out = append(out, w+"es")
	case strings.HasSuffix(w, "s"):
		out = append(out, w[:len(w)-1])
	case strings.HasSuffix(w, "y"):
		out = append(out, w[:len(w)-1]+"ies", w+"s")
	case strings.HasSuffix(w, "x"), strings.HasSuffix(w, "ch"), strings.HasSuffix(w, "sh"):
		out = append(out, w+"es")
	default:
		out = append(out, w+"s")
	}
	return out
}

// hits groups the raw matches by target, scores them, applies the exclusions and the
// threshold, and orders the result.
func (ch *Checker) hits(p Package, s *scan) []Hit {
	c := ch.corpus
	popC := p.Popularity
	if s.self >= 0 {
		popC = c.entries[s.self].Popularity
	}
	if popC <= 0 {
		popC = c.floor
	}
	slices.SortStableFunc(s.found, func(a, b found) int {
		return cmp.Or(cmp.Compare(a.target, b.target), cmp.Compare(a.m.Check, b.m.Check), cmp.Compare(b.evidence, a.evidence))
	})
	var hits []Hit
	for i := 0; i < len(s.found); {
		id := s.found[i].target
		j := i
		for j < len(s.found) && s.found[j].target == id {
			j++
		}
		group := s.found[i:j]
		i = j
		e := &c.entries[id]
		if ch.excluded(p, s.name, e, c.canon[id]) {
			continue
		}
		h := Hit{Candidate: p.Name, Target: e.Name, TargetRank: int(id) + 1, Score: math.Inf(-1)}
		motive := popularityRatio(e.Popularity, popC)
		length := min(ch.cfg.LengthCap, utf8.RuneCountInString(c.canon[id])-strings.Count(c.canon[id], "_"))
		for k, f := range group {
			if k > 0 && f.m.Check == group[k-1].m.Check {
				continue
			}
			f.m.Score = motive + f.evidence + ch.cfg.LengthWeight*float64(length-ch.cfg.LengthPivot)
			h.Matches = append(h.Matches, f.m)
			h.Score = max(h.Score, f.m.Score)
		}
		if h.Score >= ch.cfg.Threshold {
			hits = append(hits, h)
		}
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.TargetRank, b.TargetRank))
	})
	return hits
}

// popularityRatio is log10 of how many times more popular the target is than the candidate.
func popularityRatio(target, candidate float64) float64 {
	if target <= 0 {
		return math.Inf(-1)
	}
	if candidate <= 0 {
		candidate = math.SmallestNonzeroFloat64
	}
	return math.Log10(target / candidate)
}

func (ch *Checker) excluded(p Package, name string, e *Entry, target string) bool {
	for _, o := range p.Owners {
		for _, t := range e.Owners {
			if strings.EqualFold(o, t) {
				return true
			}
		}
	}
	if !p.FirstPublished.IsZero() && !e.FirstPublished.IsZero() && e.FirstPublished.After(p.FirstPublished) {
		return true
	}
	return ch.cfg.allowed(name, target)
}
