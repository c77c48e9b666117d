package typosquat

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fixture is a small corpus, most popular first, covering every check.
var fixture = []string{
	"serde", "tokio", "cfg-if", "lazy_static", "bitflags", "mio", "regex", "tracing",
	"once_cell", "postgres", "tauri-winrt-notification", "windows-service", "lasso", "winx",
	"rand", "clap", "hyper", "notify", "dirs", "a-b",
}

func fixtureCorpus(t testing.TB) *Corpus {
	t.Helper()
	entries := make([]Entry, len(fixture))
	for i, n := range fixture {
		entries[i] = Entry{Name: n, Popularity: 1 / float64(i+1)}
	}
	c, err := NewCorpus(entries, 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// permissive reports every match, so the checks are tested apart from the scoring.
func permissive() Config {
	cfg := DefaultConfig()
	cfg.Threshold = math.Inf(-1)
	for c := range cfg.Checks {
		cfg.Checks[c].MinLength = 0
	}
	return cfg
}

func mustChecker(t testing.TB, c *Corpus, cfg Config) *Checker {
	t.Helper()
	ch, err := NewChecker(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// matchOf returns the match of check against target among hits.
func matchOf(hits []Hit, target string, check Check) (Match, bool) {
	for _, h := range hits {
		if h.Target != target {
			continue
		}
		for _, m := range h.Matches {
			if m.Check == check {
				return m, true
			}
		}
	}
	return Match{}, false
}

func TestChecks(t *testing.T) {
	ch := mustChecker(t, fixtureCorpus(t), permissive())
	tests := []struct {
		name, target string
		check        Check
		from, to     string
	}{
		{"serdе", "serde", Homoglyph, "serde", "serdе"}, // Cyrillic е
		{"ｓｅｒｄｅ", "serde", Homoglyph, "serde", "ｓｅｒｄｅ"},
		{"sérde", "serde", Homoglyph, "serde", "sérde"},
		{"t0kio", "tokio", Homoglyph, "o", "0"},
		{"rnio", "mio", Homoglyph, "m", "rn"},
		{"c1ap", "clap", Homoglyph, "l", "1"},
		{"lazystatic", "lazy_static", Delimiter, "lazy_static", "lazystatic"},
		{"bit-flags", "bitflags", Delimiter, "bitflags", "bit_flags"},
		{"tauri-win-rt-notification", "tauri-winrt-notification", Delimiter, "tauri_winrt_notification", "tauri_win_rt_notification"},
		{"if-cfg", "cfg-if", SwappedWords, "cfg_if", "if_cfg"},
		{"service_windows", "windows-service", SwappedWords, "windows_service", "service_windows"},
		{"lasso-rs", "lasso", Affix, "lasso", "-rs"},
		{"rust-lasso", "lasso", Affix, "lasso", "rust-"},
		{"winxrs", "winx", Affix, "winx", "rs"},
		{"tokio-cli", "tokio", Affix, "tokio", "-cli"},
		{"serde2", "serde", VersionSuffix, "serde", "2"},
		{"tokio-v1", "tokio", VersionSuffix, "tokio", "_v1"},
		{"regex_0_2", "regex", VersionSuffix, "regex", "_0_2"},
		{"tauri-winrt-notifications", "tauri-winrt-notification", Plural, "notification", "notifications"},
		{"notifies", "notify", Plural, "notify", "notifies"},
		{"dir", "dirs", Plural, "dirs", "dir"},
		{"postgress", "postgres", RepeatedChar, "", "s"},
		{"serrde", "serde", RepeatedChar, "", "r"},
		{"tracings", "tracing", AddedChar, "", "s"},
		{"hyperx", "hyper", AddedChar, "", "x"},
		{"serd", "serde", OmittedChar, "e", ""},
		{"rgex", "regex", OmittedChar, "e", ""},
		{"srede", "serde", SwappedChars, "er", "re"},
		{"tokoi", "tokio", SwappedChars, "io", "oi"},
		{"sersde", "serde", AddedChar, "", "s"},
		{"serfe", "serde", KeyboardTypo, "d", "f"}, // neighbours on every layout
		{"tokip", "tokio", KeyboardTypo, "o", "p"},
		{"sepde", "serde", BitFlip, "r", "p"}, // 'r'^'p' = 0x02
		{"raod", "rand", BitFlip, "n", "o"},   // 'n'^'o' = 0x01
	}
	for _, tc := range tests {
		hits, err := ch.Check(Package{Name: tc.name})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		m, ok := matchOf(hits, tc.target, tc.check)
		if !ok {
			t.Errorf("%s: no %s match with %s; hits %v", tc.name, tc.check, tc.target, hits)
			continue
		}
		if m.From != tc.from || m.To != tc.to {
			t.Errorf("%s: %s match From %q To %q, want %q %q", tc.name, tc.check, m.From, m.To, tc.from, tc.to)
		}
		if m.Explain() == "" {
			t.Errorf("%s: empty explanation", tc.name)
		}
	}
}

func TestKeyboardLayouts(t *testing.T) {
	for _, tc := range []struct {
		a, b rune
		want bool
	}{
		{'s', 'd', true}, {'q', 'w', true}, {'g', 'b', true}, {'1', 'q', true},
		{'z', 'u', true},  // QWERTZ: z between t and u
		{'a', 'z', true},  // AZERTY: a, z side by side; QWERTY: a above z
		{'q', 's', true},  // AZERTY: q, s side by side
		{'m', 'l', true},  // AZERTY: m at the end of the home row
		{'a', 'p', false}, // far apart everywhere
		{'e', 'n', false},
		{'é', 'e', false}, // not on the tables: no out-of-range index
	} {
		if got := isKeyboardNeighbour(tc.a, tc.b); got != tc.want {
			t.Errorf("isKeyboardNeighbour(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
		if got := isKeyboardNeighbour(tc.b, tc.a); got != tc.want {
			t.Errorf("isKeyboardNeighbour(%q, %q) not symmetric", tc.b, tc.a)
		}
	}
	if !isBitFlip('a', 'c') || isBitFlip('a', 'd') || isBitFlip('a', 'a') || isBitFlip('a', 'a'+1024) {
		t.Error("isBitFlip: wrong on a/c, a/d, a/a or a non-ASCII rune")
	}
}

func TestNoFalseMatches(t *testing.T) {
	ch := mustChecker(t, fixtureCorpus(t), permissive())
	for _, name := range []string{"serde", "Serde", "SERDE", "serde_json", "zzzzzz", "completely-unrelated", "lazy-static", "cfg_if"} {
		hits, err := ch.Check(Package{Name: name})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, h := range hits {
			if Canonical(h.Target) == Canonical(name) {
				t.Errorf("%s matched itself: %v", name, h)
			}
		}
		if name == "zzzzzz" || name == "completely-unrelated" || name == "serde_json" {
			if len(hits) > 0 {
				t.Errorf("%s: unexpected hits %v", name, hits)
			}
		}
	}
	// A version glued to a name needs a mark or a single digit.
	hits, _ := ch.Check(Package{Name: "regex64"})
	if _, ok := matchOf(hits, "regex", VersionSuffix); ok {
		t.Error("regex64 read as regex at version 64")
	}
	// A glued affix needs a base of three characters.
	c2, _ := NewCorpus([]Entry{{Name: "a", Popularity: 1}, {Name: "ab", Popularity: 1}}, 0)
	hits, _ = mustChecker(t, c2, permissive()).Check(Package{Name: "rsa"})
	if _, ok := matchOf(hits, "a", Affix); ok {
		t.Error("rsa read as rs + a")
	}
}

func TestMinLength(t *testing.T) {
	cfg := permissive()
	cfg.Checks[OmittedChar].MinLength = 5
	ch := mustChecker(t, fixtureCorpus(t), cfg)
	hits, _ := ch.Check(Package{Name: "mi"}) // "mio" has 3 characters
	if _, ok := matchOf(hits, "mio", OmittedChar); ok {
		t.Error("omitted-char matched a target shorter than its min_length")
	}
	hits, _ = ch.Check(Package{Name: "regx"})
	if _, ok := matchOf(hits, "regex", OmittedChar); !ok {
		t.Error("omitted-char missed a target of min_length")
	}
	cfg.Checks[OmittedChar].Disabled = true
	hits, _ = mustChecker(t, fixtureCorpus(t), cfg).Check(Package{Name: "regx"})
	if _, ok := matchOf(hits, "regex", OmittedChar); ok {
		t.Error("a disabled check matched")
	}
}

func TestOddInput(t *testing.T) {
	ch := mustChecker(t, fixtureCorpus(t), permissive())
	if _, err := ch.Check(Package{Name: ""}); !errors.Is(err, ErrEmptyName) {
		t.Errorf("empty name: err %v, want ErrEmptyName", err)
	}
	long := strings.Repeat("a", MaxNameLen)
	if _, err := ch.Check(Package{Name: long}); err != nil {
		t.Errorf("64-character name: %v", err)
	}
	if _, err := ch.Check(Package{Name: long + "b"}); !errors.Is(err, ErrNameTooLong) {
		t.Errorf("65-character name: err %v, want ErrNameTooLong", err)
	}
	// 64 runes of 4 bytes each is within the limit: the limit counts characters.
	if _, err := ch.Check(Package{Name: strings.Repeat("😀", MaxNameLen)}); err != nil {
		t.Errorf("64 emoji: %v", err)
	}
	// Words in a long name: the sorted-token lookup is one lookup whatever the count.
	words := strings.TrimSuffix(strings.Repeat("ab-", 21), "-")
	if _, err := ch.Check(Package{Name: words}); err != nil {
		t.Errorf("21 words: %v", err)
	}
	for _, name := range []string{"-", "_", "---", "_-_-_", "-serde-", "__serde", "ser--de", "\xff\xfe", "s\x00erde", "😀", "ß", "ǅ", "İstanbul", "ﬁ", "serde\u0301", "\u0301"} {
		hits, err := ch.Check(Package{Name: name})
		if err != nil {
			t.Errorf("%q: %v", name, err)
		}
		for _, h := range hits {
			if len(h.Matches) == 0 || h.Target == "" {
				t.Errorf("%q: malformed hit %+v", name, h)
			}
		}
	}
	// Delimiter-only names have no letters to compare: they match nothing.
	for _, name := range []string{"-", "___", "-_-"} {
		if hits, _ := ch.Check(Package{Name: name}); len(hits) > 0 {
			t.Errorf("%q: hits %v", name, hits)
		}
	}
	// Extra delimiters around a popular name are a delimiter change.
	hits, _ := ch.Check(Package{Name: "-serde-"})
	if _, ok := matchOf(hits, "serde", Delimiter); !ok {
		t.Errorf("-serde-: no delimiter match, hits %v", hits)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Serde-JSON": "serde_json", "ѕеrdе": "serde", "ｓｅｒｄｅ": "serde", "Çà-va": "ca_va",
		"tokio—rs": "tokio_rs", "𝐬𝐞𝐫𝐝𝐞": "serde", "日本": "日本",
	} {
		if got, _ := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	if _, folded := Fold("serde"); folded {
		t.Error("Fold(serde) reports folding")
	}
	if got := Canonical("ѕerde"); got == "serde" {
		t.Error("Canonical folds confusables; only Fold should")
	}
}

func TestScoring(t *testing.T) {
	ch := mustChecker(t, fixtureCorpus(t), permissive())
	// serde (rank 1) outranks a less popular look-alike target.
	hits, _ := ch.Check(Package{Name: "serd"})
	if len(hits) == 0 || hits[0].Target != "serde" {
		t.Fatalf("serd: %v", hits)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].Score > hits[i-1].Score {
			t.Errorf("hits not ordered by score: %v", hits)
		}
	}
	// The same transformation scores higher on a more popular target.
	a, _ := ch.Check(Package{Name: "serde-rs"})
	b, _ := ch.Check(Package{Name: "winx-rs"})
	if a[0].Score <= b[0].Score {
		t.Errorf("serde-rs %.2f should outscore winx-rs %.2f", a[0].Score, b[0].Score)
	}
	// A candidate in the corpus is weighed by its own popularity: a more popular name is not a
	// squat of a less popular one.
	c, _ := NewCorpus([]Entry{{Name: "bigcrate", Popularity: 20}, {Name: "bigcrates", Popularity: 10}}, 0)
	chk := mustChecker(t, c, DefaultConfig())
	if hits, _ := chk.Check(Package{Name: "bigcrate"}); len(hits) > 0 {
		t.Errorf("popular bigcrate flagged as a squat of obscure bigcrates: %v", hits)
	}
	hits, _ = mustChecker(t, c, permissive()).Check(Package{Name: "bigcrates"})
	if len(hits) != 1 || hits[0].Score >= DefaultConfig().Threshold {
		t.Errorf("bigcrates vs bigcrate: want one low-scored hit, got %v", hits)
	}
	// Two obscure names alike do not alarm the default configuration: with a popularity
	// ratio of 1, an added character is not enough.
	c, _ = NewCorpus([]Entry{{Name: "obscurename", Popularity: 10}}, 0)
	if hits, _ := mustChecker(t, c, DefaultConfig()).Check(Package{Name: "obscurenames", Popularity: 10}); len(hits) > 0 {
		t.Errorf("obscure look-alike flagged: %v", hits)
	}
}

func TestExclusions(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	c, err := NewCorpus([]Entry{
		{Name: "serde", Popularity: 100, Owners: []string{"dtolnay"}, FirstPublished: day(10)},
		{Name: "tokio", Popularity: 90, Owners: []string{"carllerche"}},
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := permissive()
	cfg.Allow = []AllowRule{{Candidate: "tokio-cli", Target: "tokio"}, {Candidate: "*-sys"}}
	ch := mustChecker(t, c, cfg)
	for _, tc := range []struct {
		p    Package
		want int
	}{
		{Package{Name: "serd"}, 1},
		{Package{Name: "serd", Owners: []string{"DTolnay"}}, 0},                    // shared owner
		{Package{Name: "serd", Owners: []string{"mallory"}}, 1},                    // not shared
		{Package{Name: "serd", FirstPublished: day(5)}, 0},                         // target newer than candidate
		{Package{Name: "serd", FirstPublished: day(15)}, 1},                        // target older
		{Package{Name: "tokio-cli"}, 0},                                            // allowed pair
		{Package{Name: "Tokio_CLI"}, 0},                                            // the pair in another spelling
		{Package{Name: "tokio-sys"}, 0},                                            // allowed pattern
		{Package{Name: "tokio-core"}, 1},                                           // not allowed
		{Package{Name: "tokio-cli", FirstPublished: day(1)}, 0},                    // tokio's date unknown: the pair still applies
		{Package{Name: "serd", Owners: []string{"a"}, FirstPublished: day(20)}, 1}, // every exclusion fails
	} {
		hits, err := ch.Check(tc.p)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != tc.want {
			t.Errorf("%+v: %d hits, want %d: %v", tc.p, len(hits), tc.want, hits)
		}
	}
}

func TestReadConfig(t *testing.T) {
	cfg, err := ReadConfig(strings.NewReader(`
threshold = 2.5
filler_affixes = ["rs"]
distinct_filler_affix_weight = 3.5
namesake_slope = 0.5
[checks.omitted-char]
min_length = 7
weight = 0.5
[checks.bit-flip]
disabled = true
[[allow]]
candidate = "serde-*"
target = "serde"
`), "test.toml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Threshold != 2.5 || cfg.Checks[OmittedChar].MinLength != 7 || cfg.Checks[OmittedChar].Weight != 0.5 ||
		!cfg.Checks[BitFlip].Disabled || !slices.Equal(cfg.FillerAffixes, []string{"rs"}) || len(cfg.Allow) != 1 ||
		cfg.DistinctFillerAffixWeight != 3.5 || cfg.NamesakeSlope != 0.5 {
		t.Errorf("config not applied: %+v", cfg)
	}
	if cfg.Checks[Delimiter].Weight != DefaultConfig().Checks[Delimiter].Weight {
		t.Error("an unset check lost its default")
	}
	for _, bad := range []string{
		`threshold = "x"`, `nope = 1`, `[checks.no-such-check]` + "\nweight = 1", `max_word_tokens = -1`,
		"[[allow]]\ncandidate = \"[\"", `affixes = [""]`, "threshold = \x00", `namesake_slope = -1`,
	} {
		if _, err := ReadConfig(strings.NewReader(bad), "bad.toml"); err == nil || !strings.Contains(err.Error(), "bad.toml") {
			t.Errorf("%q: err %v, want an error naming bad.toml", bad, err)
		}
	}
}

func TestReadCorpus(t *testing.T) {
	c, err := ReadRanked(strings.NewReader("# header\nsyn,2.0,dtolnay/syn\n\nserde,1.0,x\nSerde,1.0,dup\nquote\n"), "top.csv", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Len() != 3 || c.Rank("serde") != 2 || c.Rank("quote") != 3 || c.Rank("SYN") != 1 || c.Rank("nope") != 0 {
		t.Errorf("ranked corpus: len %d ranks %d %d %d", c.Len(), c.Rank("serde"), c.Rank("quote"), c.Rank("SYN"))
	}
	if c, _ := ReadRanked(strings.NewReader("a\nb\nc\n"), "x", 2); c.Len() != 2 {
		t.Errorf("size 2: len %d", c.Len())
	}
	c, err = ReadCounts(strings.NewReader("small,10\nbig\t1000\n"), "counts", 0)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rank("big") != 1 || c.Entry(1).Popularity != 1000 {
		t.Errorf("counts corpus not ordered by count")
	}
	for _, bad := range []struct{ in, want string }{
		{"", "no entries"},
		{strings.Repeat("a", 65) + "\n", "line 1"},
		{"ok\n\xff\n", "line 2"},
		{strings.Repeat("x", maxLineLen+10), "line 1"},
	} {
		if _, err := ReadRanked(strings.NewReader(bad.in), "r.csv", 0); err == nil || !strings.Contains(err.Error(), "r.csv") || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ReadRanked(%.20q): err %v, want one naming r.csv and %q", bad.in, err, bad.want)
		}
	}
	for _, bad := range []string{"name\n", "name,-1\n", "name,x\n", ",5\n"} {
		if _, err := ReadCounts(strings.NewReader(bad), "c.txt", 0); err == nil || !strings.Contains(err.Error(), "c.txt") {
			t.Errorf("ReadCounts(%q): err %v", bad, err)
		}
	}
	if _, err := NewCorpus([]Entry{{Name: "x", Popularity: math.NaN()}}, 0); err == nil {
		t.Error("NaN popularity accepted")
	}
}

func TestHitExplain(t *testing.T) {
	ch := mustChecker(t, fixtureCorpus(t), permissive())
	hits, err := ch.Check(Package{Name: "bit-flags"})
	if err != nil || len(hits) != 1 {
		t.Fatalf("bit-flags: %v %v", hits, err)
	}
	line := hits[0].Explain()
	for _, want := range []string{"bit-flags", "bitflags", "rank 5", "delimiter"} {
		if !strings.Contains(line, want) || strings.Contains(line, "\n") {
			t.Errorf("explanation %q lacks %q or spans lines", line, want)
		}
	}
	js, err := hits[0].MarshalJSON()
	if err != nil || !strings.Contains(string(js), `"check":"delimiter"`) || !strings.Contains(string(js), `"explanation"`) {
		t.Errorf("JSON %s, %v", js, err)
	}
	for _, c := range Checks() {
		if p, err := ParseCheck(c.String()); err != nil || p != c {
			t.Errorf("ParseCheck(%s) = %v, %v", c, p, err)
		}
		if (Match{Check: c}).Explain() == "" {
			t.Errorf("%s: empty explanation", c)
		}
	}
}

func TestCheckMany(t *testing.T) {
	ch := mustChecker(t, fixtureCorpus(t), permissive())
	pkgs := []Package{{Name: "bit-flags"}, {Name: ""}, {Name: "fine-name"}}
	for range 300 {
		pkgs = append(pkgs, Package{Name: "lazystatic"})
	}
	res, err := ch.CheckMany(t.Context(), pkgs, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Hits) != 1 || res[1].Err == nil || len(res[2].Hits) != 0 || len(res[len(res)-1].Hits) != 1 {
		t.Errorf("results out of order or wrong: %+v", res[:3])
	}
	names, err := ReadNames(strings.NewReader("# c\na\n\n b \n"), "n")
	if err != nil || !slices.Equal(names, []string{"a", "b"}) {
		t.Errorf("ReadNames: %q %v", names, err)
	}
}

func TestRuneSafety(t *testing.T) {
	// Multi-byte runes next to every edit position: positions are rune indexes.
	c, _ := NewCorpus([]Entry{{Name: "日本語ライブラリ", Popularity: 1}}, 0)
	ch := mustChecker(t, c, permissive())
	hits, err := ch.Check(Package{Name: "日本語ライブラ"})
	if err != nil {
		t.Fatal(err)
	}
	m, ok := matchOf(hits, "日本語ライブラリ", OmittedChar)
	if !ok || m.From != "リ" || m.Pos != 7 || !utf8.ValidString(m.From) {
		t.Errorf("omitted rune: %+v %v", m, hits)
	}
	hits, _ = ch.Check(Package{Name: "日本語ラブイラリ"})
	if _, ok := matchOf(hits, "日本語ライブラリ", SwappedChars); !ok {
		t.Errorf("swapped runes not found: %v", hits)
	}
}
