package tuf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// indexLine holds the fields of an index line the client needs. It is a stopgap until the
// index package's line parser lands; only these four fields are read.
type indexLine struct {
	Name   string `json:"name"`
	Vers   string `json:"vers"`
	Cksum  string `json:"cksum"`
	Yanked bool   `json:"yanked"`
}

// findVersion returns the line of version vers in an index file, or with vers empty the last
// non-yanked line (Cargo appends versions in publication order).
func findVersion(path string, data []byte, name, vers string) (*indexLine, error) {
	var found *indexLine
	for n, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var l indexLine
		if err := json.Unmarshal(line, &l); err != nil {
			return nil, fmt.Errorf("index line %d of %s: %w", n+1, path, err)
		}
		if !strings.EqualFold(l.Name, name) {
			return nil, fmt.Errorf("index line %d of %s: names crate %q, not %q", n+1, path, l.Name, name)
		}
		if vers != "" && l.Vers == vers {
			found = &l
		} else if vers == "" && !l.Yanked {
			found = &l
		}
	}
	if found == nil {
		if vers == "" {
			return nil, fmt.Errorf("%s: %w: no unyanked version of %s", path, ErrNotFound, name)
		}
		return nil, fmt.Errorf("%s: %w: %s has no version %q", path, ErrNotFound, name, vers)
	}
	if len(found.Cksum) != 64 {
		return nil, fmt.Errorf("%s: %s %s: cksum %.70q is not a hex sha256", path, name, found.Vers, found.Cksum)
	}
	return found, nil
}

// downloadURL expands Cargo's dl template from config.json.
func downloadURL(config []byte, name, vers, cksum string) (string, error) {
	var c struct {
		DL string `json:"dl"`
	}
	if err := json.Unmarshal(config, &c); err != nil {
		return "", fmt.Errorf("config.json: %w", err)
	}
	if c.DL == "" {
		return "", fmt.Errorf("config.json: no \"dl\"")
	}
	markers := []string{"{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"}
	has := false
	for _, m := range markers {
		has = has || strings.Contains(c.DL, m)
	}
	dl := c.DL
	if !has {
		dl = strings.TrimSuffix(dl, "/") + "/{crate}/{version}/download"
	}
	out := strings.NewReplacer("{crate}", name, "{version}", vers, "{prefix}", cratePrefix(name),
		"{lowerprefix}", cratePrefix(strings.ToLower(name)), "{sha256-checksum}", cksum).Replace(dl)
	u, err := url.Parse(out)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("config.json: dl %.100q does not expand to an http(s) URL", c.DL)
	}
	return out, nil
}

// cratePrefix is Cargo's {prefix}: the index directory of a crate, in the name's own case.
func cratePrefix(name string) string {
	switch len(name) {
	case 1:
		return "1"
	case 2:
		return "2"
	case 3:
		return "3/" + name[:1]
	default:
		return name[:2] + "/" + name[2:4]
	}
}
