package callgraph

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cratewatch/cratewatch/sarif"
)

// WriteJSON writes the results as indented JSON.
func WriteJSON(w io.Writer, rs []*AdvisoryReach) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}

// WriteSARIF writes one SARIF 2.1.0 result per crate version that reaches an affected function:
// located at its first call on the path, with the whole path as a code flow. A path that needs an
// approximate edge is a "note", an exact one a "warning".
func WriteSARIF(w io.Writer, rs []*AdvisoryReach) error {
	run := sarif.Run{Tool: sarif.Tool{Driver: sarif.Driver{Name: "cratewatch", InformationURI: "https://github.com/cratewatch/cratewatch"}}}
	for i, r := range rs {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarif.Rule{ID: r.ID, ShortDescription: sarif.Message{Text: r.Title},
			HelpURI: "https://rustsec.org/advisories/" + r.ID + ".html"})
		for _, f := range r.Reaching {
			level := "warning"
			if f.Approximate {
				level = "note"
			}
			var flow sarif.ThreadFlow
			for _, s := range f.Path {
				loc := sarif.At(s.file, int(s.line), int(s.col))
				loc.Message = &sarif.Message{Text: s.Caller + " calls " + s.Callee + " (" + s.Label() + ")"}
				flow.Locations = append(flow.Locations, sarif.ThreadFlowLocation{Location: loc})
			}
			first := f.Path[0]
			run.Results = append(run.Results, sarif.Result{RuleID: r.ID, RuleIndex: i, Level: level,
				Message: sarif.Message{Text: fmt.Sprintf("%s %s reaches %s (%s) through %d call(s), from %s",
					f.Crate, f.Version, f.Target, r.ID, len(f.Path), f.Function)},
				Locations: []sarif.Location{sarif.At(first.file, int(first.line), int(first.col))},
				CodeFlows: []sarif.CodeFlow{{ThreadFlows: []sarif.ThreadFlow{flow}}}})
		}
	}
	return sarif.Write(w, run)
}

// OpenVEX v0.2.0.
type vexDoc struct {
	Context    string         `json:"@context"`
	ID         string         `json:"@id"`
	Author     string         `json:"author"`
	Timestamp  string         `json:"timestamp"`
	Version    int            `json:"version"`
	Tooling    string         `json:"tooling"`
	Statements []vexStatement `json:"statements"`
}

type vexStatement struct {
	Vulnerability   vexVuln      `json:"vulnerability"`
	Products        []vexProduct `json:"products"`
	Status          string       `json:"status"`
	Justification   string       `json:"justification,omitempty"`
	ImpactStatement string       `json:"impact_statement,omitempty"`
	ActionStatement string       `json:"action_statement,omitempty"`
}

type vexVuln struct {
	Name string `json:"name"`
}

type vexProduct struct {
	ID string `json:"@id"`
}

// WriteOpenVEX writes an OpenVEX document: "affected" for every crate version with a call path to
// an affected function, "not_affected" with vulnerable_code_not_in_execute_path for those that only
// depend on a vulnerable version. now stamps the document.
func WriteOpenVEX(w io.Writer, rs []*AdvisoryReach, now time.Time) error {
	doc := vexDoc{Context: "https://openvex.dev/ns/v0.2.0", Author: "cratewatch", Version: 1, Tooling: "cratewatch reach",
		Timestamp: now.UTC().Format(time.RFC3339), Statements: []vexStatement{}}
	h := sha256.New()
	for _, r := range rs {
		for _, f := range r.Reaching {
			var hops []string
			for _, s := range f.Path {
				hops = append(hops, s.Caller)
			}
			hops = append(hops, f.Target)
			action := "Update " + r.Package + " to a patched version; call path: " + strings.Join(hops, " -> ")
			if f.OtherPlatform {
				action += " (it takes a call compiled only on platforms other than x86_64 Linux)"
			}
			doc.Statements = append(doc.Statements, vexStatement{Vulnerability: vexVuln{r.ID},
				Products: []vexProduct{{purl(f.Crate, f.Version)}}, Status: "affected", ActionStatement: action})
		}
		for _, c := range r.NotReaching {
			doc.Statements = append(doc.Statements, vexStatement{Vulnerability: vexVuln{r.ID},
				Products: []vexProduct{{purl(c.Crate, c.Version)}}, Status: "not_affected",
				Justification:   "vulnerable_code_not_in_execute_path",
				ImpactStatement: "No call path from " + c.Crate + " " + c.Version + " to " + strings.Join(r.Resolved, ", ")})
		}
		fmt.Fprintf(h, "%s %d %d\n", r.ID, len(r.Reaching), len(r.NotReaching))
	}
	doc.ID = "urn:cratewatch:vex:" + hex.EncodeToString(h.Sum(nil))[:16]
	return writeIndented(w, doc)
}

func purl(name, version string) string { return "pkg:cargo/" + name + "@" + version }

func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
