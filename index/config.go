package index

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Config is an index's config.json.
type Config struct {
	// DL is the download URL template, or a base URL to which /{crate}/{version}/download is added.
	DL           string `json:"dl"`
	API          string `json:"api,omitempty"`
	AuthRequired bool   `json:"auth-required,omitempty"`
}

const maxConfigBytes = 64 << 10

// ParseConfig parses and validates config.json.
func ParseConfig(data []byte) (*Config, error) {
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("config.json: %d bytes, more than the limit of %d", len(data), maxConfigBytes)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	if c.DL == "" {
		return nil, fmt.Errorf(`config.json: field "dl" is missing`)
	}
	u, err := url.Parse(c.DL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") {
		return nil, fmt.Errorf(`config.json: field "dl": %q is not an http(s) or file URL`, c.DL)
	}
	return &c, nil
}

var dlMarkers = []string{"{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"}

// DownloadURL expands the dl template for one version the way Cargo does: with no marker in
// the template, "/{crate}/{version}/download" is appended.
func (c *Config) DownloadURL(name, vers, cksum string) string {
	tmpl := c.DL
	has := false
	for _, m := range dlMarkers {
		if strings.Contains(tmpl, m) {
			has = true
			break
		}
	}
	if !has {
		tmpl = strings.TrimSuffix(tmpl, "/") + "/{crate}/{version}/download"
	}
	prefix := strings.TrimSuffix(Path(name), "/"+strings.ToLower(name))
	return strings.NewReplacer(
		"{crate}", name,
		"{version}", vers,
		"{prefix}", prefixOf(name, prefix),
		"{lowerprefix}", prefix,
		"{sha256-checksum}", cksum,
	).Replace(tmpl)
}

// prefixOf gives the {prefix} marker: the directory part of the path with the name's own case.
func prefixOf(name, lower string) string {
	switch len(name) {
	case 0, 1, 2:
		return lower
	case 3:
		return "3/" + name[:1]
	}
	return name[:2] + "/" + name[2:4]
}
