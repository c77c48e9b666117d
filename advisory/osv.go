package advisory

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cratewatch/cratewatch/semver"
)

// Ecosystem is the OSV ecosystem name of crates.io.
const Ecosystem = "crates.io"

// OSV is an advisory in the OSV schema (https://ossf.github.io/osv-schema/), shaped as the
// RustSec database exports it.
type OSV struct {
	SchemaVersion    string            `json:"schema_version,omitempty"`
	ID               string            `json:"id"`
	Modified         string            `json:"modified"`
	Published        string            `json:"published,omitempty"`
	Withdrawn        string            `json:"withdrawn,omitempty"`
	Aliases          []string          `json:"aliases,omitempty"`
	Related          []string          `json:"related,omitempty"`
	Summary          string            `json:"summary,omitempty"`
	Details          string            `json:"details,omitempty"`
	Severity         []OSVSeverity     `json:"severity,omitempty"`
	Affected         []OSVAffected     `json:"affected,omitempty"`
	References       []OSVReference    `json:"references,omitempty"`
	DatabaseSpecific *OSVDatabaseExtra `json:"database_specific,omitempty"`
}

// OSVSeverity is a severity score, such as {"CVSS_V3", "CVSS:3.1/AV:N/..."}.
type OSVSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// OSVAffected is one affected package.
type OSVAffected struct {
	Package           OSVPackage         `json:"package"`
	Ranges            []OSVRange         `json:"ranges,omitempty"`
	Versions          []string           `json:"versions,omitempty"`
	EcosystemSpecific *OSVEcosystemExtra `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  *OSVAffectedExtra  `json:"database_specific,omitempty"`
}

// OSVPackage names a package.
type OSVPackage struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Purl      string `json:"purl,omitempty"`
}

// OSVRange is a list of events over versions of Type SEMVER, ECOSYSTEM or GIT.
type OSVRange struct {
	Type   string     `json:"type"`
	Events []OSVEvent `json:"events"`
}

// OSVEvent is one range event; exactly one field is set.
type OSVEvent struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// OSVEcosystemExtra carries RustSec's [affected] table.
type OSVEcosystemExtra struct {
	Affects OSVAffects `json:"affects"`
}

// OSVAffects lists the affected platforms and function paths.
type OSVAffects struct {
	Arch      []string `json:"arch"`
	OS        []string `json:"os"`
	Functions []string `json:"functions"`
}

// OSVAffectedExtra carries RustSec metadata about the affected package.
type OSVAffectedExtra struct {
	Categories    []string `json:"categories"`
	CVSS          *string  `json:"cvss"`
	Informational *string  `json:"informational"`
}

// OSVDatabaseExtra carries the RustSec fields OSV has no place for.
type OSVDatabaseExtra struct {
	License       string   `json:"license,omitempty"`
	Keywords      []string `json:"keywords,omitempty"`
	ExpectDeleted bool     `json:"expect_deleted,omitempty"`
	Source        string   `json:"source,omitempty"`
}

// Reference types used in the export.
const (
	refPackage  = "PACKAGE"
	refAdvisory = "ADVISORY"
	refReport   = "REPORT"
	refWeb      = "WEB"
)

// OSVReference is a typed link.
type OSVReference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// minVersion is the lowest version of all, which RustSec writes as the start of a range
// open below.
const minVersion = "0.0.0-0"

var lowest = semver.Version{Pre: "0"}

func osvTime(date string) string { return date + "T12:00:00Z" }

// ToOSV converts a to OSV. The affected ranges are the complement of the patched and
// unaffected requirements, computed with semver.Req.Interval; they are exact for releases
// (see Interval for pre-releases). OSV lists affected functions without their per-function
// requirements, so those are not exported. RustSec keeps no modification time, so Modified
// is the withdrawal date or else the publication date.
func ToOSV(a *Advisory) *OSV {
	o := &OSV{
		SchemaVersion: "1.6.0",
		ID:            a.ID,
		Published:     osvTime(a.Date),
		Modified:      osvTime(a.Date),
		Aliases:       a.Aliases,
		Related:       a.Related,
		Summary:       a.Title,
		Details:       a.Description,
	}
	if a.Withdrawn != "" {
		o.Withdrawn = osvTime(a.Withdrawn)
		o.Modified = o.Withdrawn
	}
	if a.CVSS != "" {
		typ := "CVSS_V3"
		if strings.HasPrefix(a.CVSS, "CVSS:4") {
			typ = "CVSS_V4"
		}
		o.Severity = []OSVSeverity{{Type: typ, Score: a.CVSS}}
	}
	aff := OSVAffected{
		Package: OSVPackage{Ecosystem: Ecosystem, Name: a.Package, Purl: "pkg:cargo/" + a.Package},
		Ranges:  []OSVRange{{Type: "SEMVER", Events: affectedEvents(a)}},
		EcosystemSpecific: &OSVEcosystemExtra{Affects: OSVAffects{
			Arch: nonNil(a.Affected.Arch), OS: nonNil(a.Affected.OS), Functions: functionPaths(a),
		}},
		DatabaseSpecific: &OSVAffectedExtra{Categories: nonNil(a.Categories)},
	}
	if len(aff.Ranges[0].Events) == 0 {
		aff.Ranges = nil
	}
	if a.CVSS != "" {
		aff.DatabaseSpecific.CVSS = &a.CVSS
	}
	if a.Informational != "" {
		aff.DatabaseSpecific.Informational = &a.Informational
	}
	o.Affected = []OSVAffected{aff}
	if a.Source == "" {
		o.References = append(o.References, OSVReference{refPackage, "https://crates.io/crates/" + a.Package})
	}
	if strings.HasPrefix(a.ID, "RUSTSEC-") {
		o.References = append(o.References, OSVReference{refAdvisory, "https://rustsec.org/advisories/" + a.ID + ".html"})
	}
	if a.URL != "" {
		o.References = append(o.References, OSVReference{refReport, a.URL})
	}
	for _, u := range a.References {
		o.References = append(o.References, OSVReference{refWeb, u})
	}
	if a.License != "" || len(a.Keywords) > 0 || a.ExpectDeleted || a.Source != "" {
		o.DatabaseSpecific = &OSVDatabaseExtra{License: a.License, Keywords: a.Keywords, ExpectDeleted: a.ExpectDeleted, Source: a.Source}
	}
	return o
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func functionPaths(a *Advisory) []string {
	out := make([]string, 0, len(a.Affected.Functions))
	for p := range a.Affected.Functions {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// affectedEvents returns OSV events for the versions matched by neither the patched nor the
// unaffected requirements.
func affectedEvents(a *Advisory) []OSVEvent {
	var safe []semver.Interval
	for _, r := range slices.Concat(a.Unaffected, a.Patched) {
		if iv := r.Interval(); !iv.IsEmpty() {
			safe = append(safe, iv)
		}
	}
	var events []OSVEvent
	for _, gap := range complement(safe) {
		events = append(events, OSVEvent{Introduced: lowerString(gap.Lo)})
		if gap.Hi.Bounded {
			if gap.Hi.Inclusive {
				// OSV forbids mixing fixed and last_affected, so close with the successor.
				if next, ok := successor(gap.Hi.Version); ok {
					events = append(events, OSVEvent{Fixed: next.String()})
				}
			} else {
				events = append(events, OSVEvent{Fixed: gap.Hi.Version.String()})
			}
		}
	}
	return events
}

func lowerString(b semver.Bound) string {
	if !b.Bounded {
		return minVersion
	}
	if b.Inclusive {
		return b.Version.String()
	}
	if next, ok := successor(b.Version); ok {
		return next.String()
	}
	return b.Version.String()
}

// successor returns the lowest version above v in precedence order: 1.2.4-0 after 1.2.3,
// 1.2.3-rc.1.0 after 1.2.3-rc.1.
func successor(v semver.Version) (semver.Version, bool) {
	v.Build = ""
	if v.Pre != "" {
		v.Pre += ".0"
		return v, true
	}
	if v.Patch == math.MaxUint64 {
		return v, false
	}
	v.Patch++
	v.Pre = "0"
	return v, true
}

// complement returns the gaps between the union of ivs, in ascending order.
func complement(ivs []semver.Interval) []semver.Interval {
	if len(ivs) == 0 {
		return []semver.Interval{{}}
	}
	slices.SortFunc(ivs, func(a, b semver.Interval) int { return cmpLower(a.Lo, b.Lo) })
	var gaps []semver.Interval
	// cur is the upper end of the union so far.
	cur := ivs[0].Hi
	if ivs[0].Lo.Bounded {
		gaps = append(gaps, semver.Interval{Hi: flip(ivs[0].Lo)})
	}
	for _, iv := range ivs[1:] {
		if !cur.Bounded {
			return gaps
		}
		if touches(cur, iv.Lo) {
			if !iv.Hi.Bounded || cmpUpper(iv.Hi, cur) > 0 {
				cur = iv.Hi
			}
			continue
		}
		gaps = append(gaps, semver.Interval{Lo: flip(cur), Hi: flip(iv.Lo)})
		cur = iv.Hi
	}
	if cur.Bounded {
		gaps = append(gaps, semver.Interval{Lo: flip(cur)})
	}
	return gaps
}

// flip turns an upper bound into the lower bound of what lies above it, and back.
func flip(b semver.Bound) semver.Bound {
	b.Inclusive = !b.Inclusive
	return b
}

// touches reports whether a union ending at upper bound hi leaves no version before lower
// bound lo.
func touches(hi, lo semver.Bound) bool {
	if !lo.Bounded {
		return true
	}
	c := lo.Version.Compare(hi.Version)
	return c < 0 || (c == 0 && (hi.Inclusive || lo.Inclusive))
}

func cmpLower(a, b semver.Bound) int {
	switch {
	case !a.Bounded && !b.Bounded:
		return 0
	case !a.Bounded:
		return -1
	case !b.Bounded:
		return 1
	}
	if c := a.Version.Compare(b.Version); c != 0 {
		return c
	}
	switch {
	case a.Inclusive == b.Inclusive:
		return 0
	case a.Inclusive:
		return -1
	}
	return 1
}

func cmpUpper(a, b semver.Bound) int {
	if c := a.Version.Compare(b.Version); c != 0 {
		return c
	}
	switch {
	case a.Inclusive == b.Inclusive:
		return 0
	case a.Inclusive:
		return 1
	}
	return -1
}

// ParseOSV parses one OSV JSON document about a crates.io package into an Advisory
// (FromOSV). path names the file in errors and is recorded in the Advisory.
func ParseOSV(path string, data []byte) (*Advisory, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("advisory %s: file is %d bytes, more than the limit of %d", path, len(data), MaxFileSize)
	}
	var o OSV
	if err := json.Unmarshal(data, &o); err != nil {
		return nil, fmt.Errorf("advisory %s: OSV JSON: %w", path, err)
	}
	a, err := FromOSV(&o)
	if err != nil {
		return nil, fmt.Errorf("advisory %s: %w", path, err)
	}
	a.Path = path
	return a, nil
}

// FromOSV converts an OSV advisory about one crates.io package to an Advisory. The affected
// SEMVER or ECOSYSTEM ranges and listed versions become their complement: the stretch below
// the first affected version is "unaffected", every stretch above an affected one "patched".
func FromOSV(o *OSV) (*Advisory, error) {
	a := &Advisory{ID: o.ID, Title: o.Summary, Description: o.Details, Aliases: o.Aliases, Related: o.Related}
	if a.Title == "" {
		a.Title = o.ID
	}
	date := o.Published
	if date == "" {
		date = o.Modified
	}
	if len(date) < 10 {
		return nil, fmt.Errorf("OSV %s: published %q is not an RFC 3339 time", o.ID, date)
	}
	a.Date = date[:10]
	if o.Withdrawn != "" {
		if len(o.Withdrawn) < 10 {
			return nil, fmt.Errorf("OSV %s: withdrawn %q is not an RFC 3339 time", o.ID, o.Withdrawn)
		}
		a.Withdrawn = o.Withdrawn[:10]
	}
	for _, s := range o.Severity {
		if strings.HasPrefix(s.Type, "CVSS_") && a.CVSS == "" {
			a.CVSS = s.Score
		}
	}
	var affected []semver.Interval
	found := false
	if len(o.Affected) > MaxListLen {
		return nil, fmt.Errorf("OSV %s: %d affected entries, more than %d", o.ID, len(o.Affected), MaxListLen)
	}
	for i, af := range o.Affected {
		if af.Package.Ecosystem != Ecosystem {
			continue
		}
		if found && af.Package.Name != a.Package {
			return nil, fmt.Errorf("OSV %s: affects more than one crate (%s and %s)", o.ID, a.Package, af.Package.Name)
		}
		found = true
		a.Package = af.Package.Name
		ivs, err := osvIntervals(af)
		if err != nil {
			return nil, fmt.Errorf("OSV %s: affected[%d]: %w", o.ID, i, err)
		}
		affected = append(affected, ivs...)
		if es := af.EcosystemSpecific; es != nil {
			a.Affected.Arch = appendNew(a.Affected.Arch, es.Affects.Arch)
			a.Affected.OS = appendNew(a.Affected.OS, es.Affects.OS)
			if len(es.Affects.Functions) > MaxFunctions {
				return nil, fmt.Errorf("OSV %s: %d functions, more than %d", o.ID, len(es.Affects.Functions), MaxFunctions)
			}
			for _, f := range es.Affects.Functions {
				if err := checkFunctionPath(f); err != nil {
					return nil, fmt.Errorf("OSV %s: %w", o.ID, err)
				}
				if a.Affected.Functions == nil {
					a.Affected.Functions = map[string][]semver.Req{}
				}
				a.Affected.Functions[f] = nil
			}
		}
		if ds := af.DatabaseSpecific; ds != nil {
			a.Categories = appendNew(a.Categories, ds.Categories)
			if ds.Informational != nil {
				a.Informational = *ds.Informational
			}
			if ds.CVSS != nil && a.CVSS == "" {
				a.CVSS = *ds.CVSS
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("OSV %s: no affected package in the %s ecosystem", o.ID, Ecosystem)
	}
	if err := a.setSafeFromAffected(affected); err != nil {
		return nil, fmt.Errorf("OSV %s: %w", o.ID, err)
	}
	for _, r := range o.References {
		switch {
		case r.Type == refPackage && strings.HasPrefix(r.URL, "https://crates.io/crates/"),
			r.Type == refAdvisory && strings.HasPrefix(r.URL, "https://rustsec.org/advisories/"):
		case r.Type == refReport && a.URL == "":
			a.URL = r.URL
		default:
			a.References = append(a.References, r.URL)
		}
	}
	if ds := o.DatabaseSpecific; ds != nil {
		a.License, a.Keywords, a.ExpectDeleted, a.Source = ds.License, ds.Keywords, ds.ExpectDeleted, ds.Source
	}
	if err := a.validate(); err != nil {
		return nil, fmt.Errorf("OSV %s: %w", o.ID, err)
	}
	return a, nil
}

func appendNew(dst, src []string) []string {
	for _, s := range src {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

// osvIntervals reads the affected intervals of one package: SEMVER and ECOSYSTEM ranges
// (crates.io versions are SemVer) and explicit versions. GIT ranges say nothing about
// crate versions and are ignored.
func osvIntervals(af OSVAffected) ([]semver.Interval, error) {
	if len(af.Ranges) > MaxListLen || len(af.Versions) > MaxListLen {
		return nil, fmt.Errorf("more than %d ranges or versions", MaxListLen)
	}
	var out []semver.Interval
	for _, s := range af.Versions {
		v, err := semver.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("versions: %w", err)
		}
		b := semver.Bound{Version: v, Inclusive: true, Bounded: true}
		out = append(out, semver.Interval{Lo: b, Hi: b})
	}
	for ri, r := range af.Ranges {
		if r.Type != "SEMVER" && r.Type != "ECOSYSTEM" {
			continue
		}
		if len(r.Events) > MaxListLen {
			return nil, fmt.Errorf("ranges[%d]: more than %d events", ri, MaxListLen)
		}
		ivs, err := eventIntervals(r.Events)
		if err != nil {
			return nil, fmt.Errorf("ranges[%d]: %w", ri, err)
		}
		out = append(out, ivs...)
	}
	return out, nil
}

type event struct {
	v    semver.Version
	zero bool // introduced "0": below every version
	kind byte // 'i' introduced, 'f' fixed, 'l' last_affected
}

// eventIntervals follows the OSV evaluation rule: sort events by version, then a version is
// affected when the closest event at or below it is an introduction.
func eventIntervals(evs []OSVEvent) ([]semver.Interval, error) {
	var list []event
	for i, e := range evs {
		var s string
		var k byte
		switch {
		case e.Introduced != "":
			s, k = e.Introduced, 'i'
		case e.Fixed != "":
			s, k = e.Fixed, 'f'
		case e.LastAffected != "":
			s, k = e.LastAffected, 'l'
		case e.Limit != "":
			continue
		default:
			return nil, fmt.Errorf("events[%d] is empty", i)
		}
		if k == 'i' && s == "0" {
			list = append(list, event{zero: true, kind: k})
			continue
		}
		v, err := semver.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("events[%d]: %w", i, err)
		}
		list = append(list, event{v: v, kind: k})
	}
	slices.SortStableFunc(list, func(a, b event) int {
		switch {
		case a.zero && b.zero:
			return 0
		case a.zero:
			return -1
		case b.zero:
			return 1
		}
		return a.v.Compare(b.v)
	})
	var out []semver.Interval
	var open *semver.Interval
	for _, e := range list {
		switch e.kind {
		case 'i':
			if open == nil {
				open = &semver.Interval{}
				if !e.zero {
					open.Lo = semver.Bound{Version: e.v, Inclusive: true, Bounded: true}
				}
			}
		case 'f', 'l':
			if open != nil {
				open.Hi = semver.Bound{Version: e.v, Inclusive: e.kind == 'l', Bounded: true}
				out = append(out, *open)
				open = nil
			}
		}
	}
	if open != nil {
		out = append(out, *open)
	}
	return out, nil
}

// setSafeFromAffected turns affected intervals into Unaffected (below the first) and
// Patched (above each) requirements.
func (a *Advisory) setSafeFromAffected(affected []semver.Interval) error {
	for i, gap := range complement(affected) {
		if gap.Hi.Bounded && !gap.Hi.Inclusive && gap.Hi.Version == lowest {
			continue // below 0.0.0-0 there is no version
		}
		var parts []string
		if gap.Lo.Bounded {
			op := ">= "
			if !gap.Lo.Inclusive {
				op = "> "
			}
			parts = append(parts, op+gap.Lo.Version.String())
		}
		if gap.Hi.Bounded {
			op := "< "
			if gap.Hi.Inclusive {
				op = "<= "
			}
			parts = append(parts, op+gap.Hi.Version.String())
		}
		if len(parts) == 0 {
			// Nothing is affected; "*" marks every version safe.
			parts = []string{"*"}
		}
		r, err := semver.ParseReq(strings.Join(parts, ", "))
		if err != nil {
			return fmt.Errorf("cannot express safe range: %w", err)
		}
		if i == 0 && !gap.Lo.Bounded {
			a.Unaffected = append(a.Unaffected, r)
		} else {
			a.Patched = append(a.Patched, r)
		}
	}
	if a.Patched == nil {
		a.Patched = []semver.Req{}
	}
	return nil
}
