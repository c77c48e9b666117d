package typosquat

import (
	"fmt"
	"io"
	"math"
	"path"
	"slices"

	"github.com/BurntSushi/toml"
)

// CheckConfig tunes one check.
type CheckConfig struct {
	Disabled bool `toml:"disabled" json:"disabled"`
	// Weight is how much evidence of imitation the transformation is by itself, on the same
	// log10 scale as the popularity ratio. The defaults are -log10 of the share of honest
	// crates.io names that match some popular crate by this check (docs/typosquat.md): a
	// transformation honest names rarely show weighs more.
	Weight float64 `toml:"weight" json:"weight"`
	// MinLength is the shortest target name (in characters, delimiters included) the check
	// applies to: one-character edits of short names collide with honest names all the time.
	MinLength int `toml:"min_length" json:"min_length"`
}

// AllowRule exempts candidate names matching Candidate from target names matching Target.
// Both are path.Match glob patterns on canonical names ("foo_*"); an empty one matches all.
type AllowRule struct {
	Candidate string `toml:"candidate" json:"candidate"`
	Target    string `toml:"target" json:"target"`
}

// Config is the tuning of a Checker.
type Config struct {
	// Threshold is the lowest score reported. A match scores
	//   log10(target popularity / candidate popularity) + check weight
	//     + LengthWeight * (min(target length, LengthCap) - LengthPivot).
	Threshold float64 `toml:"threshold"`
	// LengthWeight is added to a match's score per character of the target's name beyond
	// LengthPivot (letters and digits only): a long, specific name is rarely matched by chance.
	// Lengths above LengthCap count as LengthCap: past it a name is already specific.
	LengthWeight float64 `toml:"length_weight"`
	LengthPivot  int     `toml:"length_pivot"`
	LengthCap    int     `toml:"length_cap"`
	// MaxWordTokens bounds the words of a name the swapped-words check considers.
	MaxWordTokens int `toml:"max_word_tokens"`
	// Affixes are the words with a meaning the affix check strips from either end ("cli",
	// "sys", "derive"): honest companion crates use them, mostly from the same owners.
	Affixes []string `toml:"affixes"`
	// FillerAffixes are words that add no meaning ("rs", "rust", "lib"); a match by one of them
	// weighs FillerAffixWeight instead of the affix check's weight. When the corpus knows the
	// registry's names (Corpus.WithRegistryNames), it weighs instead
	//   DistinctFillerAffixWeight - NamesakeSlope * log10(1 + namesakes)
	// where namesakes counts the other registry names that use the target's words: a filler
	// affix on a name nobody else uses ("lasso-rs") is likelier imitation than one on a common
	// word ("md5-rs").
	FillerAffixes             []string `toml:"filler_affixes"`
	FillerAffixWeight         float64  `toml:"filler_affix_weight"`
	DistinctFillerAffixWeight float64  `toml:"distinct_filler_affix_weight"`
	NamesakeSlope             float64  `toml:"namesake_slope"`
	// Checks tunes each check, indexed by Check.
	Checks [numChecks]CheckConfig `toml:"-"`
	// Allow lists exempted (candidate, target) pairs and patterns.
	Allow []AllowRule `toml:"allow"`
}

// DefaultConfig returns the configuration measured in docs/typosquat.md.
func DefaultConfig() Config {
	cfg := Config{
		Threshold:         4,
		LengthWeight:      0.2,
		LengthPivot:       8,
		LengthCap:         16,
		MaxWordTokens:     6,
		Affixes:           slices.Clone(DefaultAffixes),
		FillerAffixes:     slices.Clone(DefaultFillerAffixes),
		FillerAffixWeight: 2.1,
		// The slope is measured on honest names (docs/typosquat.md); the weight of a distinctive
		// target was chosen on the dev squats within the false-alarm bound.
		DistinctFillerAffixWeight: 4.0,
		NamesakeSlope:             1.25,
	}
	for c, w := range map[Check]float64{
		Homoglyph: 3.0, RepeatedChar: 2.9, SwappedWords: 2.8, VersionSuffix: 2.5,
		SwappedChars: 2.5, Delimiter: 2.4, Plural: 2.4, OmittedChar: 1.7, BitFlip: 1.6,
		Affix: 1.5, KeyboardTypo: 1.5, AddedChar: 1.4,
	} {
		cfg.Checks[c].Weight = w
	}
	// One-character edits of names this short turn one ordinary word into another.
	for _, c := range []Check{OmittedChar, AddedChar, RepeatedChar, SwappedChars, KeyboardTypo, BitFlip} {
		cfg.Checks[c].MinLength = 4
	}
	return cfg
}

// Validate reports a configuration no checker can use.
func (cfg *Config) Validate() error {
	if cfg.MaxWordTokens < 0 || cfg.MaxWordTokens > MaxNameLen {
		return fmt.Errorf("max_word_tokens %d: want 0 to %d", cfg.MaxWordTokens, MaxNameLen)
	}
	if math.IsNaN(cfg.NamesakeSlope) || cfg.NamesakeSlope < 0 {
		return fmt.Errorf("namesake_slope %v: want a non-negative number", cfg.NamesakeSlope)
	}
	if n := len(cfg.Affixes) + len(cfg.FillerAffixes); n > 1000 {
		return fmt.Errorf("affixes: %d, more than 1000", n)
	}
	for _, a := range slices.Concat(cfg.Affixes, cfg.FillerAffixes) {
		if a == "" || len(a) > MaxNameLen {
			return fmt.Errorf("affix %q: want 1 to %d characters", a, MaxNameLen)
		}
	}
	for i, r := range cfg.Allow {
		for _, p := range []string{r.Candidate, r.Target} {
			if _, err := path.Match(p, ""); err != nil {
				return fmt.Errorf("allow rule %d: pattern %q: %w", i+1, p, err)
			}
		}
	}
	return nil
}

func (cfg *Config) allowed(candidate, target string) bool {
	for _, r := range cfg.Allow {
		if globMatch(r.Candidate, candidate) && globMatch(r.Target, target) {
			return true
		}
	}
	return false
}

func globMatch(pattern, name string) bool {
	if pattern == "" {
		return true
	}
	ok, _ := path.Match(Canonical(pattern), name)
	return ok
}

// fileConfig is the TOML shape of a configuration file; every field is optional and overrides
// the default.
type fileConfig struct {
	Threshold     *float64             `toml:"threshold"`
	LengthWeight  *float64             `toml:"length_weight"`
	LengthPivot   *int                 `toml:"length_pivot"`
	LengthCap     *int                 `toml:"length_cap"`
	MaxWordTokens *int                 `toml:"max_word_tokens"`
	Affixes       []string             `toml:"affixes"`
	FillerAffixes []string             `toml:"filler_affixes"`
	FillerWeight  *float64             `toml:"filler_affix_weight"`
	DistinctFill  *float64             `toml:"distinct_filler_affix_weight"`
	NamesakeSlope *float64             `toml:"namesake_slope"`
	Checks        map[string]fileCheck `toml:"checks"`
	Allow         []AllowRule          `toml:"allow"`
}

type fileCheck struct {
	Disabled  *bool    `toml:"disabled"`
	Weight    *float64 `toml:"weight"`
	MinLength *int     `toml:"min_length"`
}

// maxConfigSize bounds a configuration file.
const maxConfigSize = 1 << 20

// ReadConfig reads a TOML configuration over the defaults; src names the input in errors.
func ReadConfig(r io.Reader, src string) (Config, error) {
	cfg := DefaultConfig()
	data, err := io.ReadAll(io.LimitReader(r, maxConfigSize+1))
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", src, err)
	}
	if len(data) > maxConfigSize {
		return cfg, fmt.Errorf("%s: larger than %d bytes", src, maxConfigSize)
	}
	var fc fileConfig
	md, err := toml.Decode(string(data), &fc)
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", src, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return cfg, fmt.Errorf("%s: unknown key %q", src, und[0].String())
	}
	setIf(&cfg.Threshold, fc.Threshold)
	setIf(&cfg.LengthWeight, fc.LengthWeight)
	setIf(&cfg.LengthPivot, fc.LengthPivot)
	setIf(&cfg.LengthCap, fc.LengthCap)
	setIf(&cfg.MaxWordTokens, fc.MaxWordTokens)
	if fc.Affixes != nil {
		cfg.Affixes = fc.Affixes
	}
	if fc.FillerAffixes != nil {
		cfg.FillerAffixes = fc.FillerAffixes
	}
	setIf(&cfg.FillerAffixWeight, fc.FillerWeight)
	setIf(&cfg.DistinctFillerAffixWeight, fc.DistinctFill)
	setIf(&cfg.NamesakeSlope, fc.NamesakeSlope)
	for name, fck := range fc.Checks {
		c, err := ParseCheck(name)
		if err != nil {
			return cfg, fmt.Errorf("%s: checks: %w", src, err)
		}
		setIf(&cfg.Checks[c].Disabled, fck.Disabled)
		setIf(&cfg.Checks[c].Weight, fck.Weight)
		setIf(&cfg.Checks[c].MinLength, fck.MinLength)
	}
	cfg.Allow = append(cfg.Allow, fc.Allow...)
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("%s: %w", src, err)
	}
	return cfg, nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
