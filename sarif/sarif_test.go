package sarif

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestWriteShape(t *testing.T) {
	var b bytes.Buffer
	loc := At("demo-1.0.0/build.rs", 12, 5)
	loc.PhysicalLocation.Region.Snippet = &Message{Text: "Command::new(\"sh\")"}
	err := Write(&b, Run{Tool: Tool{Driver: Driver{Name: "cratewatch", InformationURI: "https://example.com"}},
		Results: []Result{{RuleID: "x", Level: "error", Message: Message{Text: "m"}, Locations: []Location{loc, At("a/b.rs", 0, 0)}}}})
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["version"] != "2.1.0" || doc["$schema"] != Schema {
		t.Fatalf("header: %v", doc)
	}
	run := doc["runs"].([]any)[0].(map[string]any)
	if rules := run["tool"].(map[string]any)["driver"].(map[string]any)["rules"]; rules == nil {
		t.Fatal("rules must be an array, not null")
	}
	locs := run["results"].([]any)[0].(map[string]any)["locations"].([]any)
	region := locs[0].(map[string]any)["physicalLocation"].(map[string]any)["region"].(map[string]any)
	if region["startLine"] != 12.0 || region["startColumn"] != 5.0 || region["snippet"].(map[string]any)["text"] != `Command::new("sh")` {
		t.Fatalf("region: %v", region)
	}
	if _, ok := locs[1].(map[string]any)["physicalLocation"].(map[string]any)["region"]; ok {
		t.Fatal("a location without a line must have no region")
	}
}
