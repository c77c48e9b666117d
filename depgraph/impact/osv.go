package impact

import (
	"fmt"
	"strings"
	"time"

	"github.com/cratewatch/cratewatch/advisory"
)

var now = time.Now

// OSV returns one OSV record per exposed crate, listing its exposed versions explicitly and
// relating it to the advisory, so that OSV consumers (osv-scanner and the like) can flag a
// lockfile that pins an exposed dependent. Ids are "CRATEWATCH-<advisory id>-<crate>".
// Reports computed with countsOnly have no crates and give no records.
func OSV(r *Report) []*advisory.OSV {
	out := []*advisory.OSV{}
	for _, c := range r.Crates {
		o := &advisory.OSV{
			SchemaVersion: "1.6.0",
			ID:            "CRATEWATCH-" + r.ID + "-" + c.Name,
			Summary:       fmt.Sprintf("%s can depend on a version of %s affected by %s", c.Name, r.Package, r.ID),
			Details: fmt.Sprintf("Versions of %s listed here admit, directly or through other crates, a version of %s that %s "+
				"marks vulnerable (%s). One shortest dependency chain:\n\n    %s\n\nComputed by cratewatch from the registry index with Cargo's requirement semantics; "+
				"a lockfile may still pick a safe version.", c.Name, r.Package, r.ID, strings.Join(r.Vulnerable, ", "), c.Chain),
			Affected: []advisory.OSVAffected{{
				Package:  advisory.OSVPackage{Ecosystem: advisory.Ecosystem, Name: c.Name, Purl: "pkg:cargo/" + c.Name},
				Versions: c.Versions,
			}},
		}
		if strings.Contains(r.ID, "-") && !strings.Contains(r.ID, "@") {
			o.Related = []string{r.ID}
		}
		if r.Published != "" {
			o.Published = r.Published + "T12:00:00Z"
			o.Modified = o.Published
		} else {
			o.Modified = now().UTC().Format(time.RFC3339) // generated now; OSV requires the field
		}
		out = append(out, o)
	}
	return out
}
