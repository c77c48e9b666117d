package callgraph

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteJSON writes the results as indented JSON.
func WriteJSON(w io.Writer, rs []*AdvisoryReach) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rs)
}

// SARIF 2.1.0, the subset a reachability finding needs.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	HelpURI          string       `json:"helpUri"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations"`
	CodeFlows []sarifCodeFlow `json:"codeFlows,omitempty"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
	Message  *sarifMessage `json:"message,omitempty"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int32 `json:"startLine"`
	StartColumn int32 `json:"startColumn,omitempty"`
}

type sarifCodeFlow struct {
	ThreadFlows []sarifThreadFlow `json:"threadFlows"`
}

type sarifThreadFlow struct {
	Locations []sarifFlowLocation `json:"locations"`
}

type sarifFlowLocation struct {
	Location sarifLocation `json:"location"`
}

// WriteSARIF writes one SARIF 2.1.0 result per crate version that reaches an affected function:
// located at its first call on the path, with the whole path as a code flow. A path that needs an
// approximate edge is a "note", an exact one a "warning".
func WriteSARIF(w io.Writer, rs []*AdvisoryReach) error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "cratewatch", InformationURI: "https://github.com/cratewatch/cratewatch"}}}
	run.Results = []sarifResult{}
	run.Tool.Driver.Rules = []sarifRule{}
	for _, r := range rs {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: r.ID, ShortDescription: sarifMessage{r.Title},
			HelpURI: "https://rustsec.org/advisories/" + r.ID + ".html"})
		for _, f := range r.Reaching {
			level := "warning"
			if f.Approximate {
				level = "note"
			}
			var flow sarifThreadFlow
			for _, s := range f.Path {
				flow.Locations = append(flow.Locations, sarifFlowLocation{sarifLocation{
					Physical: sarifPhysical{sarifArtifact{s.file}, sarifRegion{s.line, s.col}},
					Message:  &sarifMessage{s.Caller + " calls " + s.Callee + " (" + s.Kind + ")"}}})
			}
			first := f.Path[0]
			run.Results = append(run.Results, sarifResult{RuleID: r.ID, Level: level,
				Message: sarifMessage{fmt.Sprintf("%s %s reaches %s (%s) through %d call(s), from %s",
					f.Crate, f.Version, f.Target, r.ID, len(f.Path), f.Function)},
				Locations: []sarifLocation{{Physical: sarifPhysical{sarifArtifact{first.file}, sarifRegion{first.line, first.col}}}},
				CodeFlows: []sarifCodeFlow{{ThreadFlows: []sarifThreadFlow{flow}}}})
		}
	}
	return writeIndented(w, sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
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
			doc.Statements = append(doc.Statements, vexStatement{Vulnerability: vexVuln{r.ID},
				Products: []vexProduct{{purl(f.Crate, f.Version)}}, Status: "affected",
				ActionStatement: "Update " + r.Package + " to a patched version; call path: " + strings.Join(hops, " -> ")})
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
