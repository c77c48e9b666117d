package advisory

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/cratewatch/cratewatch/semver"
)

// Limits on one advisory. The largest real advisory is a few kilobytes with a few dozen
// function paths; these leave ample room and keep a hostile file cheap.
const (
	MaxFileSize  = 1 << 20
	MaxListLen   = 1000   // entries in any list: aliases, references, requirements...
	MaxFunctions = 10000  // affected function paths in one advisory
	maxFieldLen  = 100000 // bytes in a single string field other than the description
)

// Informational kinds used by RustSec; other values are kept as written.
const (
	InformationalNotice       = "notice"
	InformationalUnmaintained = "unmaintained"
	InformationalUnsound      = "unsound"
)

// Advisory is one security advisory about one package (crate).
type Advisory struct {
	ID            string       `json:"id"`
	Package       string       `json:"package"`
	Date          string       `json:"date"` // YYYY-MM-DD
	Title         string       `json:"title"`
	Description   string       `json:"description,omitempty"` // Markdown
	URL           string       `json:"url,omitempty"`
	Categories    []string     `json:"categories,omitempty"` // e.g. "memory-corruption", "malicious"
	Keywords      []string     `json:"keywords,omitempty"`
	Aliases       []string     `json:"aliases,omitempty"` // CVE-..., GHSA-...
	Related       []string     `json:"related,omitempty"`
	Informational string       `json:"informational,omitempty"` // "", "unmaintained", "unsound", "notice", ...
	Withdrawn     string       `json:"withdrawn,omitempty"`     // date, when withdrawn
	CVSS          string       `json:"cvss,omitempty"`          // CVSS vector, "CVSS:3.1/AV:N/..."
	References    []string     `json:"references,omitempty"`
	ExpectDeleted bool         `json:"expect_deleted,omitempty"` // the crate is expected to vanish from the registry
	License       string       `json:"license,omitempty"`        // license of the advisory text
	Source        string       `json:"source,omitempty"`         // registry of the package, when not crates.io
	Patched       []semver.Req `json:"patched"`
	Unaffected    []semver.Req `json:"unaffected,omitempty"`
	Affected      Affected     `json:"affected"`
	// Path is the file the advisory was read from, relative to the loaded root.
	Path string `json:"path,omitempty"`
}

// Affected narrows an advisory to platforms and functions.
type Affected struct {
	Arch []string `json:"arch,omitempty"`
	OS   []string `json:"os,omitempty"`
	// Functions maps a canonical Rust path ("crate::module::Type::method") to the version
	// requirements it is vulnerable in; an empty list means every vulnerable version.
	Functions map[string][]semver.Req `json:"functions,omitempty"`
}

// Vulnerable reports whether version v of the package is affected: v matches none of the
// patched and none of the unaffected requirements.
func (a *Advisory) Vulnerable(v semver.Version) bool {
	for _, r := range a.Patched {
		if r.Matches(v) {
			return false
		}
	}
	for _, r := range a.Unaffected {
		if r.Matches(v) {
			return false
		}
	}
	return true
}

// AffectedFunctions returns, sorted, the function paths vulnerable in version v: none if v
// itself is not vulnerable.
func (a *Advisory) AffectedFunctions(v semver.Version) []string {
	if !a.Vulnerable(v) {
		return nil
	}
	var out []string
	for path, reqs := range a.Affected.Functions {
		ok := len(reqs) == 0
		for _, r := range reqs {
			ok = ok || r.Matches(v)
		}
		if ok {
			out = append(out, path)
		}
	}
	slices.Sort(out)
	return out
}

// HasCategory reports whether the advisory lists category c (such as "malicious").
func (a *Advisory) HasCategory(c string) bool { return slices.Contains(a.Categories, c) }

// rawAdvisory mirrors the TOML front matter; unknown keys are rejected, as RustSec does.
type rawAdvisory struct {
	Advisory struct {
		ID            string   `toml:"id"`
		Package       string   `toml:"package"`
		Date          string   `toml:"date"`
		URL           string   `toml:"url"`
		Title         string   `toml:"title"`
		Description   string   `toml:"description"`
		Categories    []string `toml:"categories"`
		Keywords      []string `toml:"keywords"`
		Aliases       []string `toml:"aliases"`
		Related       []string `toml:"related"`
		Informational string   `toml:"informational"`
		Withdrawn     string   `toml:"withdrawn"`
		CVSS          string   `toml:"cvss"`
		References    []string `toml:"references"`
		ExpectDeleted bool     `toml:"expect-deleted"`
		License       string   `toml:"license"`
		Source        string   `toml:"source"`
	} `toml:"advisory"`
	Versions struct {
		Patched    []string `toml:"patched"`
		Unaffected []string `toml:"unaffected"`
	} `toml:"versions"`
	Affected struct {
		Arch      []string            `toml:"arch"`
		OS        []string            `toml:"os"`
		Functions map[string][]string `toml:"functions"`
	} `toml:"affected"`
}

// ParseRustSec parses one RustSec advisory file: a ```toml fenced front-matter block, then
// Markdown whose first "# " heading is the title and whose remainder is the description.
// path names the file in errors and is recorded in the Advisory.
func ParseRustSec(path string, data []byte) (*Advisory, error) {
	a, err := parseRustSec(data)
	if err != nil {
		return nil, fmt.Errorf("advisory %s: %w", path, err)
	}
	a.Path = path
	return a, nil
}

func parseRustSec(data []byte) (*Advisory, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("file is %d bytes, more than the limit of %d", len(data), MaxFileSize)
	}
	if !utf8.Valid(data) {
		return nil, errors.New("file is not valid UTF-8")
	}
	front, body, err := splitFrontMatter(string(data))
	if err != nil {
		return nil, err
	}
	var raw rawAdvisory
	md, err := toml.Decode(front, &raw)
	if err != nil {
		return nil, fmt.Errorf("front matter: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, 0, len(und))
		for _, k := range und {
			keys = append(keys, k.String())
		}
		return nil, fmt.Errorf("front matter: unknown keys %s", strings.Join(keys, ", "))
	}
	title, desc, err := splitTitle(body)
	if err != nil {
		return nil, err
	}
	ra := &raw.Advisory
	if title == "" {
		// The older format kept title and description in the TOML.
		title, desc = strings.TrimSpace(ra.Title), strings.TrimSpace(ra.Description)
	} else if ra.Title != "" || ra.Description != "" {
		return nil, errors.New("title or description given both in the front matter and as Markdown")
	}
	a := &Advisory{
		ID: ra.ID, Package: ra.Package, Date: ra.Date, Title: title, Description: desc, URL: ra.URL,
		Categories: ra.Categories, Keywords: ra.Keywords, Aliases: ra.Aliases, Related: ra.Related,
		Informational: ra.Informational, Withdrawn: ra.Withdrawn, CVSS: ra.CVSS,
		References: ra.References, ExpectDeleted: ra.ExpectDeleted, License: ra.License,
		Source: ra.Source, Affected: Affected{Arch: raw.Affected.Arch, OS: raw.Affected.OS},
	}
	if a.Patched, err = parseReqs("versions.patched", raw.Versions.Patched); err != nil {
		return nil, err
	}
	if a.Unaffected, err = parseReqs("versions.unaffected", raw.Versions.Unaffected); err != nil {
		return nil, err
	}
	if a.Affected.Functions, err = parseFunctions(raw.Affected.Functions); err != nil {
		return nil, err
	}
	if err := a.validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// splitFrontMatter separates the ```toml block from the Markdown after it.
func splitFrontMatter(s string) (front, body string, err error) {
	s = strings.TrimPrefix(s, "\ufeff")
	first, rest, ok := strings.Cut(s, "\n")
	if !ok || strings.TrimRight(first, " \t\r") != "```toml" {
		return "", "", errors.New("does not start with a ```toml front-matter block")
	}
	for off := 0; off < len(rest); {
		line, _, _ := strings.Cut(rest[off:], "\n")
		if strings.TrimRight(line, " \t\r") == "```" {
			end := off + len(line)
			if end < len(rest) {
				end++
			}
			return rest[:off], rest[end:], nil
		}
		off += len(line) + 1
	}
	return "", "", errors.New("front-matter block has no closing ```")
}

// splitTitle takes the first "# " heading as the title; the rest is the description.
// It returns an empty title when the Markdown is empty.
func splitTitle(body string) (title, desc string, err error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", "", nil
	}
	first, rest, _ := strings.Cut(body, "\n")
	first = strings.TrimRight(first, "\r")
	if !strings.HasPrefix(first, "# ") {
		return "", "", fmt.Errorf("markdown does not start with a \"# \" title heading (found %.40q)", first)
	}
	return strings.TrimSpace(first[2:]), strings.TrimSpace(rest), nil
}

func parseReqs(field string, in []string) ([]semver.Req, error) {
	if len(in) > MaxListLen {
		return nil, fmt.Errorf("%s: %d entries, more than the limit of %d", field, len(in), MaxListLen)
	}
	out := make([]semver.Req, 0, len(in))
	for i, s := range in {
		// RustSec writes requirements like "^1.2, <1.5" and sometimes with stray spaces,
		// which Cargo's parser accepts as written.
		r, err := semver.ParseReq(s)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", field, i, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func parseFunctions(in map[string][]string) (map[string][]semver.Req, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > MaxFunctions {
		return nil, fmt.Errorf("affected.functions: %d paths, more than the limit of %d", len(in), MaxFunctions)
	}
	out := make(map[string][]semver.Req, len(in))
	for path, reqs := range in {
		if err := checkFunctionPath(path); err != nil {
			return nil, fmt.Errorf("affected.functions: %w", err)
		}
		rs, err := parseReqs(fmt.Sprintf("affected.functions %q", path), reqs)
		if err != nil {
			return nil, err
		}
		out[path] = rs
	}
	return out, nil
}

// checkFunctionPath accepts Rust paths joined by "::" whose first segment is the crate
// name. Later segments may carry generic arguments, as in "diesel::serialize::ToSql<Text,Pg>"
// or "FromSql::<Text,Sqlite>::from_sql", so they are only required to be non-empty and free
// of spaces and control characters.
func checkFunctionPath(p string) error {
	if len(p) > 1000 {
		return fmt.Errorf("function path %.40q... is longer than 1000 bytes", p)
	}
	segs := strings.Split(p, "::")
	if len(segs) < 2 {
		return fmt.Errorf("function path %q is not crate::...::name", p)
	}
	for i, s := range segs {
		if s == "" {
			return fmt.Errorf("function path %q has an empty segment", p)
		}
		for j, r := range s {
			if unicode.IsSpace(r) || !unicode.IsPrint(r) {
				return fmt.Errorf("function path %q contains a space or control character", p)
			}
			if i == 0 && !(r == '_' || unicode.IsLetter(r) || (j > 0 && unicode.IsDigit(r))) {
				return fmt.Errorf("function path %q: crate %q is not an identifier", p, s)
			}
		}
	}
	return nil
}

func (a *Advisory) validate() error {
	if err := checkToken("advisory.id", a.ID, 64); err != nil {
		return err
	}
	if err := checkToken("advisory.package", a.Package, 64); err != nil {
		return err
	}
	if err := checkDate("advisory.date", a.Date); err != nil {
		return err
	}
	if a.Withdrawn != "" {
		if err := checkDate("advisory.withdrawn", a.Withdrawn); err != nil {
			return err
		}
	}
	if a.Title == "" {
		return errors.New("no title: neither a \"# \" heading nor advisory.title")
	}
	if len(a.Title) > maxFieldLen {
		return fmt.Errorf("title is %d bytes, more than %d", len(a.Title), maxFieldLen)
	}
	if a.URL != "" {
		if err := checkURL("advisory.url", a.URL); err != nil {
			return err
		}
	}
	for i, u := range a.References {
		if err := checkURL(fmt.Sprintf("advisory.references[%d]", i), u); err != nil {
			return err
		}
	}
	if a.CVSS != "" && !strings.HasPrefix(a.CVSS, "CVSS:") {
		return fmt.Errorf("advisory.cvss %.60q is not a CVSS vector (CVSS:3.x/... or CVSS:4.0/...)", a.CVSS)
	}
	lists := []struct {
		name string
		v    []string
	}{
		{"advisory.categories", a.Categories}, {"advisory.keywords", a.Keywords},
		{"advisory.aliases", a.Aliases}, {"advisory.related", a.Related},
		{"advisory.references", a.References}, {"affected.arch", a.Affected.Arch}, {"affected.os", a.Affected.OS},
	}
	for _, l := range lists {
		if len(l.v) > MaxListLen {
			return fmt.Errorf("%s: %d entries, more than the limit of %d", l.name, len(l.v), MaxListLen)
		}
		for i, s := range l.v {
			if s == "" || len(s) > 1000 {
				return fmt.Errorf("%s[%d]: empty or longer than 1000 bytes", l.name, i)
			}
		}
	}
	return nil
}

// checkToken requires a non-empty printable value without spaces.
func checkToken(field, s string, max int) error {
	if s == "" {
		return fmt.Errorf("%s is missing", field)
	}
	if len(s) > max {
		return fmt.Errorf("%s %.40q... is longer than %d bytes", field, s, max)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return fmt.Errorf("%s %q contains a space or control character", field, s)
		}
	}
	return nil
}

func checkDate(field, s string) error {
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return fmt.Errorf("%s %.40q is not a YYYY-MM-DD date", field, s)
	}
	return nil
}

func checkURL(field, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %.80q is not an http(s) URL", field, s)
	}
	return nil
}
