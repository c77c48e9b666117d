package index

import (
	"fmt"
	"strings"
)

// MaxNameLen bounds crate names; crates.io allows 64 characters.
const MaxNameLen = 64

// ValidName reports whether name is a crate name the index layout can hold: 1 to 64 ASCII
// letters, digits, '-' or '_', starting with a letter (or '_' for registries that allow it).
func ValidName(name string) error {
	if name == "" {
		return fmt.Errorf("empty crate name")
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("crate name %.20q... is %d characters, more than %d", name, len(name), MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9') || c == '-':
			if i == 0 {
				return fmt.Errorf("crate name %q must start with a letter", name)
			}
		default:
			return fmt.Errorf("crate name %q: character %q not allowed", name, c)
		}
	}
	return nil
}

// Path returns the index file path of a crate, relative to the index root, following
// Cargo's layout: names are lowercased; 1/NAME, 2/NAME, 3/F/NAME (F the first character),
// otherwise AB/CD/NAME with the first four characters.
func Path(name string) string {
	n := strings.ToLower(name)
	switch len(n) {
	case 0:
		return ""
	case 1:
		return "1/" + n
	case 2:
		return "2/" + n
	case 3:
		return "3/" + n[:1] + "/" + n
	default:
		return n[:2] + "/" + n[2:4] + "/" + n
	}
}
