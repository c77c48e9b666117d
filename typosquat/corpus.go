package typosquat

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxCorpusSize bounds the number of entries a corpus holds, whatever its source says.
const MaxCorpusSize = 1 << 20

// Entry is one popular package of a corpus.
type Entry struct {
	Name string
	// Popularity is any non-negative measure where more is more popular: downloads,
	// reverse-dependency count, or 1/rank for a ranked list. Only ratios between entries matter.
	Popularity float64
	// Owners are opaque owner identities (logins, team names); a candidate sharing one with the
	// target is not a squat.
	Owners []string
	// FirstPublished is when the name first appeared; zero means unknown.
	FirstPublished time.Time
}

// NameCount is a (name, count) pair: downloads from a store, reverse-dependency counts from a
// dependency graph, or any other popularity count.
type NameCount struct {
	Name  string
	Count uint64
}

// Corpus is an immutable set of popular packages with the indexes the checks look variants up
// in. It is safe for concurrent use.
type Corpus struct {
	entries []Entry  // by popularity, most popular first
	canon   []string // canonical (folded) names, parallel to entries
	runes   [][]rune // canon as runes, for comparing same-length neighbours
	floor   float64  // popularity of the least popular entry

	byName      map[string]int32   // canonical name -> entry
	byStripped  map[string][]int32 // canonical name without delimiters -> entries
	byDeletion  map[string][]int32 // canonical name with one character deleted -> entries
	byTokenSort map[string][]int32 // canonical tokens sorted and joined -> entries with >= 2 tokens

	namesakes *namesakes // nil unless WithRegistryNames was given the registry's names
}

// NewCorpus builds a corpus of the size most popular entries (all of them when size <= 0).
// Entries whose canonical names collide keep the most popular one.
func NewCorpus(entries []Entry, size int) (*Corpus, error) {
	if len(entries) > MaxCorpusSize {
		return nil, fmt.Errorf("corpus: %d entries, more than the limit of %d", len(entries), MaxCorpusSize)
	}
	sorted := slices.Clone(entries)
	for i, e := range sorted {
		if err := validateName(e.Name); err != nil {
			return nil, fmt.Errorf("corpus entry %d: %w", i+1, err)
		}
		if math.IsNaN(e.Popularity) || math.IsInf(e.Popularity, 0) || e.Popularity < 0 {
			return nil, fmt.Errorf("corpus entry %d %q: popularity %v is not a non-negative number", i+1, e.Name, e.Popularity)
		}
	}
	slices.SortStableFunc(sorted, func(a, b Entry) int { return cmp.Compare(b.Popularity, a.Popularity) })
	c := &Corpus{
		byName:      make(map[string]int32, len(sorted)),
		byStripped:  make(map[string][]int32, len(sorted)),
		byDeletion:  make(map[string][]int32, 12*len(sorted)),
		byTokenSort: make(map[string][]int32),
	}
	var key []byte
	for _, e := range sorted {
		if size > 0 && len(c.entries) >= size {
			break
		}
		name, _ := Fold(e.Name)
		if _, dup := c.byName[name]; dup {
			continue
		}
		id := int32(len(c.entries))
		c.entries = append(c.entries, e)
		c.canon = append(c.canon, name)
		c.byName[name] = id
		if s := strings.ReplaceAll(name, "_", ""); s != "" {
			c.byStripped[s] = append(c.byStripped[s], id)
		}
		runes := []rune(name)
		c.runes = append(c.runes, runes)
		for i := range runes {
			key = appendWithout(key[:0], runes, i)
			k := string(key)
			if l := c.byDeletion[k]; len(l) == 0 || l[len(l)-1] != id { // "aab" deletes to "ab" twice
				c.byDeletion[k] = append(l, id)
			}
		}
		if words := appendWords(nil, name); len(words) >= 2 {
			k := sortedWords(words)
			c.byTokenSort[k] = append(c.byTokenSort[k], id)
		}
	}
	if len(c.entries) == 0 {
		return nil, errors.New("corpus: no entries")
	}
	c.floor = c.entries[len(c.entries)-1].Popularity
	return c, nil
}

// FromCounts builds a corpus from (name, count) pairs: this is how download counts from a store
// or reverse-dependency counts from a dependency graph plug in.
func FromCounts(counts []NameCount, size int) (*Corpus, error) {
	entries := make([]Entry, len(counts))
	for i, nc := range counts {
		entries[i] = Entry{Name: nc.Name, Popularity: float64(nc.Count)}
	}
	return NewCorpus(entries, size)
}

// ReadRanked reads a ranked list, most popular first: one package per line, the name being the
// first comma-separated field (so the top-crates CSV "name,version,repository" reads as is).
// Blank lines and lines starting with '#' are skipped. With no counts at hand, popularity
// follows Zipf's law, 1/rank, which is close to how downloads fall off on crates.io. src names
// the input in errors; size bounds how many entries are read (all when <= 0).
func ReadRanked(r io.Reader, src string, size int) (*Corpus, error) {
	var entries []Entry
	err := eachLine(r, src, func(line int, text string) error {
		if size > 0 && len(entries) >= size {
			return errStop
		}
		if len(entries) >= MaxCorpusSize {
			return fmt.Errorf("%s: more than %d entries", src, MaxCorpusSize)
		}
		name, _, _ := strings.Cut(text, ",")
		name = strings.TrimSpace(name)
		if err := validateName(name); err != nil {
			return fmt.Errorf("%s line %d: %w", src, line, err)
		}
		entries = append(entries, Entry{Name: name, Popularity: 1 / float64(len(entries)+1)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	c, err := NewCorpus(entries, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	return c, nil
}

// ReadCounts reads "name,count" lines (a comma or a tab separates them), in any order, and
// builds a corpus of the size most counted names. Lines starting with '#' are skipped.
func ReadCounts(r io.Reader, src string, size int) (*Corpus, error) {
	var counts []NameCount
	err := eachLine(r, src, func(line int, text string) error {
		if len(counts) >= MaxCorpusSize {
			return fmt.Errorf("%s: more than %d entries", src, MaxCorpusSize)
		}
		name, count, ok := strings.Cut(text, ",")
		if !ok {
			name, count, ok = strings.Cut(text, "\t")
		}
		if !ok {
			return fmt.Errorf("%s line %d: want \"name,count\", got %.40q", src, line, text)
		}
		n, err := strconv.ParseUint(strings.TrimSpace(count), 10, 64)
		if err != nil {
			return fmt.Errorf("%s line %d: count: %w", src, line, err)
		}
		counts = append(counts, NameCount{Name: strings.TrimSpace(name), Count: n})
		return nil
	})
	if err != nil {
		return nil, err
	}
	c, err := FromCounts(counts, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	return c, nil
}

// errStop ends eachLine early without an error.
var errStop = errors.New("stop")

// maxLineLen bounds one line of a corpus or names file.
const maxLineLen = 64 * 1024

// eachLine calls fn with each line of r that is neither blank nor a '#' comment, trimmed, with
// its 1-based line number. Lines must be valid UTF-8.
func eachLine(r io.Reader, src string, fn func(line int, text string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineLen)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		if !utf8.ValidString(text) {
			return fmt.Errorf("%s line %d: not valid UTF-8", src, line)
		}
		if err := fn(line, text); err == errStop {
			return nil
		} else if err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s line %d: %w", src, line+1, err)
	}
	return nil
}

// Len is the number of entries.
func (c *Corpus) Len() int { return len(c.entries) }

// Entry returns the entry of rank r (1 is the most popular).
func (c *Corpus) Entry(rank int) Entry { return c.entries[rank-1] }

// Rank returns the 1-based rank of name (in any spelling crates.io would treat as the same
// name), or 0 when name is not in the corpus.
func (c *Corpus) Rank(name string) int {
	f, _ := Fold(name)
	if id, ok := c.byName[f]; ok {
		return int(id) + 1
	}
	return 0
}

func appendWithout(dst []byte, runes []rune, skip int) []byte {
	for i, r := range runes {
		if i != skip {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// sortedWords is the key under which names made of the same words in any order meet; it
// sorts words in place.
func sortedWords(words []string) string {
	slices.Sort(words)
	return strings.Join(words, "_")
}
