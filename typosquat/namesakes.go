package typosquat

import (
	"fmt"
	"slices"
	"strings"
)

// MaxRegistryNames bounds the registry names a corpus counts namesakes in.
const MaxRegistryNames = 1 << 23

// maxNamesakeWords bounds the length, in words, of the runs of a registry name compared with
// corpus names; a corpus name of more words has no namesakes counted (it is specific anyway).
const maxNamesakeWords = 8

// namesakes is what a corpus knows about the whole registry's names: for each corpus entry,
// how many other registry names use its words.
type namesakes struct {
	count      []int32             // parallel to Corpus.entries
	registered map[string]struct{} // canonical registry names
}

// WithRegistryNames returns a copy of c that also knows every name of the registry (popular or
// not), so the affix check can tell a distinctive target from a common word. For each corpus
// entry it counts the registry names, other than the entry's own, that contain the entry's
// words as a run of whole words: "lasso" is used by no other crate name, "log" by hundreds.
// Measured on crates.io (docs/typosquat.md), the share of targets that have an honest
// filler-affixed namesake ("md5-rs") grows about as (1+count)^1.25, so a filler affix on a
// distinctive name is far stronger evidence of imitation than one on a common word. names may
// hold anything; names that are not valid crate names are skipped.
func (c *Corpus) WithRegistryNames(names []string) (*Corpus, error) {
	if len(names) > MaxRegistryNames {
		return nil, fmt.Errorf("registry names: %d, more than the limit of %d", len(names), MaxRegistryNames)
	}
	byWords := make(map[string]int32, len(c.canon))
	for id, name := range c.canon {
		if w := wordKey(name); w != "" && strings.Count(w, "_") < maxNamesakeWords {
			if _, dup := byWords[w]; !dup {
				byWords[w] = int32(id)
			}
		}
	}
	ns := &namesakes{count: make([]int32, len(c.canon)), registered: make(map[string]struct{}, len(names))}
	lastSeen := make([]int32, len(c.canon)) // 1 + index of the last name counted for an entry
	var words []string
	var key []byte
	for i, raw := range names {
		if validateName(raw) != nil {
			continue
		}
		name, _ := Fold(raw)
		if _, dup := ns.registered[name]; dup {
			continue // one crate, however often or in whatever spelling it is listed
		}
		ns.registered[name] = struct{}{}
		words = appendWords(words[:0], name)
		for start := range words {
			key = key[:0]
			for end := start; end < len(words) && end-start < maxNamesakeWords; end++ {
				if end > start {
					key = append(key, delim)
				}
				key = append(key, words[end]...)
				id, ok := byWords[string(key)]
				if !ok || lastSeen[id] == int32(i+1) || (start == 0 && end == len(words)-1) {
					continue // not a corpus name, already counted, or the entry's own name
				}
				lastSeen[id] = int32(i + 1)
				ns.count[id]++
			}
		}
	}
	cp := *c
	cp.namesakes = ns
	return &cp, nil
}

// namesakesOf returns how many registry names other than the target's and the candidate's
// use the target's words, and whether the registry's names are known at all.
func (c *Corpus) namesakesOf(target int32, candidate string) (int, bool) {
	if c.namesakes == nil {
		return 0, false
	}
	n := int(c.namesakes.count[target])
	if _, ok := c.namesakes.registered[candidate]; ok && n > 0 && containsWords(candidate, c.canon[target]) {
		n-- // the candidate, already published, counted itself
	}
	return n, true
}

// wordKey is name's words joined by single delimiters ("_foo__bar" is "foo_bar").
func wordKey(name string) string {
	return strings.Join(appendWords(nil, name), "_")
}

func appendWords(dst []string, name string) []string {
	for w := range strings.SplitSeq(name, "_") {
		if w != "" {
			dst = append(dst, w)
		}
	}
	return dst
}

// containsWords reports whether name's words contain target's words as a run.
func containsWords(name, target string) bool {
	n, t := appendWords(nil, name), appendWords(nil, target)
	if len(t) == 0 {
		return false
	}
	for i := 0; i+len(t) <= len(n); i++ {
		if slices.Equal(n[i:i+len(t)], t) {
			return true
		}
	}
	return false
}
