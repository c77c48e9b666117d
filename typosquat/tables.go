package typosquat

// keyboardRows are the character rows of the three layouts typists of Rust names mostly use.
// Two keys are neighbours when they sit side by side in a row or touch across adjacent rows
// (rows are staggered, so key i touches keys i-1..i (above) and i..i+1 (below) of the next row
// in the conventional stagger; using i-1..i+1 both ways over-approximates slightly and keeps the
// table symmetric).
var keyboardRows = [][]string{
	{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}, // QWERTY
	{"1234567890", "qwertzuiop", "asdfghjkl", "yxcvbnm"}, // QWERTZ
	{"1234567890", "azertyuiop", "qsdfghjklm", "wxcvbn"}, // AZERTY
}

// keyboardNeighbour[a][b] is true when a and b are neighbouring keys on any of the layouts.
var keyboardNeighbour = func() (t [128][128]bool) {
	for _, rows := range keyboardRows {
		for ri, row := range rows {
			for i := range len(row) {
				if i+1 < len(row) {
					t[row[i]][row[i+1]], t[row[i+1]][row[i]] = true, true
				}
				if ri+1 < len(rows) {
					next := rows[ri+1]
					for j := i - 1; j <= i+1; j++ {
						if j >= 0 && j < len(next) {
							t[row[i]][next[j]], t[next[j]][row[i]] = true, true
						}
					}
				}
			}
		}
	}
	return t
}()

// homoglyphPairs are ASCII characters that look alike in common fonts.
var homoglyphPairs = [][2]rune{{'0', 'o'}, {'1', 'l'}, {'1', 'i'}, {'l', 'i'}, {'5', 's'}}

// homoglyphSeqs are ASCII sequences that look like another character in common fonts.
var homoglyphSeqs = [][2]string{{"rn", "m"}, {"vv", "w"}, {"cl", "d"}}

func isHomoglyph(a, b rune) bool {
	for _, p := range homoglyphPairs {
		if (a == p[0] && b == p[1]) || (a == p[1] && b == p[0]) {
			return true
		}
	}
	return false
}

// isBitFlip reports whether a and b differ in exactly one bit, the error a flipped bit in
// memory or on a wire makes in a name fetched by a build.
func isBitFlip(a, b rune) bool {
	x := a ^ b
	return a < 128 && b < 128 && x != 0 && x&(x-1) == 0
}

func isKeyboardNeighbour(a, b rune) bool {
	return a < 128 && b < 128 && keyboardNeighbour[a][b]
}

// DefaultFillerAffixes are words that, added to an existing name, make a new name that means
// the same thing.
var DefaultFillerAffixes = []string{"rs", "rust", "lib", "main", "crate"}

// DefaultAffixes are words with a meaning that honest companion crates add to a name.
var DefaultAffixes = []string{
	"cli", "core", "sys", "api", "cargo", "utils", "util", "derive", "macros", "macro", "common", "types", "tool", "tools", "client",
	"helper", "helpers", "ffi", "async", "std", "ext", "impl", "internal", "shared", "plugin",
	"wasm", "bin", "fork", "next", "new",
}
