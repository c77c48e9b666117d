package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/depgraph"
	"github.com/cratewatch/cratewatch/depgraph/impact"
)

func init() {
	var gf graphFlags
	var advPath, format string
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "impact RUSTSEC-ID|CVE|GHSA|CRATE@VERSION|CRATE@REQ  |  impact --all",
		Short: "Which crates and versions can end up using a vulnerable version",
		Long: `Apply an advisory (by id or alias, from --advisories or else the advisories saved in the
store by 'cratewatch advisories load') or a vulnerable version set named by
hand to the dependency graph of the store: every crate version that can resolve to a vulnerable
version directly or transitively, with one shortest dependency chain per crate, and whether each
crate's newest version is still exposed. Yanked versions are never chosen; versions exposed only
through a yanked version are counted apart. With --all, every live advisory whose package is in
the store, as a table ranked by blast radius (crates whose newest version is exposed).`,
		Args: func(cmd *cobra.Command, args []string) error {
			if all {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON {
				format = "json"
			}
			switch format {
			case "text", "json", "osv":
			default:
				return fmt.Errorf("--format %q: want text, json or osv", format)
			}
			if all && format == "osv" {
				return fmt.Errorf("--format osv applies to one advisory, not --all")
			}
			f, err := gf.filter()
			if err != nil {
				return err
			}
			opt := depgraph.Options{Filter: f}
			var advs []*advisory.Advisory
			advFrom := advPath
			if (all || !strings.Contains(args[0], "@")) && advPath == "" {
				// Advisories saved by 'cratewatch advisories load'.
				if advs, err = storedAdvisories(cmd); err != nil {
					return err
				}
				if len(advs) == 0 {
					return fmt.Errorf("no advisories: run 'cratewatch advisories load PATH', pass --advisories PATH or set CRATEWATCH_ADVISORIES")
				}
				advFrom = "the store"
			} else if all || !strings.Contains(args[0], "@") {
				res, err := advisory.LoadPath(advPath)
				if err != nil {
					return err
				}
				if n := len(res.Errors); n > 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "cratewatch: %d advisory files did not parse (see `cratewatch advisories load`)\n", n)
				}
				advs = res.Advisories
			}
			start := time.Now()
			g, err := loadGraph(cmd)
			if err != nil {
				return err
			}
			built := time.Since(start)
			if all {
				start = time.Now()
				sum := impact.All(g, advs, opt)
				if format == "json" {
					return printJSON(cmd, sum)
				}
				printSummary(cmd, sum, built, time.Since(start))
				return nil
			}
			var rep *impact.Report
			if strings.Contains(args[0], "@") {
				pkg, vulnerable, err := impact.Target(args[0])
				if err != nil {
					return err
				}
				rep, err = impact.Compute(g, args[0], pkg, vulnerable, opt, false)
				if err != nil {
					return err
				}
			} else {
				a := impact.Find(advs, args[0])
				if a == nil {
					return fmt.Errorf("advisory %q not found in %s", args[0], advFrom)
				}
				if rep, err = impact.ForAdvisory(g, a, opt, false); err != nil {
					return err
				}
			}
			switch format {
			case "json":
				return printJSON(cmd, rep)
			case "osv":
				return printJSON(cmd, impact.OSV(rep))
			}
			printReport(cmd, rep)
			return nil
		},
	}
	gf.register(cmd)
	cmd.Flags().StringVar(&advPath, "advisories", os.Getenv("CRATEWATCH_ADVISORIES"),
		"advisory database: RustSec checkout, .tar.gz of one, or OSV directory (env CRATEWATCH_ADVISORIES; default: the store's)")
	cmd.Flags().BoolVar(&all, "all", false, "every advisory whose package is in the store")
	cmd.Flags().StringVar(&format, "format", "text", "text, json, or osv (one OSV record per exposed crate)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "same as --format json")
	rootCmd.AddCommand(cmd)
}

func printReport(cmd *cobra.Command, r *impact.Report) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%s: %s", r.ID, r.Package)
	if r.Title != "" {
		fmt.Fprintf(w, ": %s", r.Title)
	}
	fmt.Fprintf(w, " (%s)\n", r.Kind)
	fmt.Fprintf(w, "vulnerable versions: %d", len(r.Vulnerable))
	if r.NewestVulnerable {
		fmt.Fprint(w, " (the newest is vulnerable)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "exposed: %d crates, %d versions; newest version exposed: %d crates; exposed only through yanked versions: %d versions\n",
		r.ExposedCrates, r.ExposedVersions, r.BlastRadius, r.YankedOnly)
	for _, c := range r.Crates {
		mark := " "
		if c.NewestExposed {
			mark = "*"
		}
		extra := ""
		if c.DevOnly {
			extra = " (dev only)"
		}
		fmt.Fprintf(w, "%s %-40s %5d/%-5d%s  %s\n", mark, c.Name, len(c.Versions), c.Total, extra, c.Chain)
	}
	if len(r.Crates) > 0 {
		fmt.Fprintln(w, "* newest version exposed; counts are exposed/total versions; chain from the newest exposed version")
	}
}

func printSummary(cmd *cobra.Command, s *impact.Summary, built, took time.Duration) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "%-18s %-24s %-13s %6s %8s %10s %7s %7s\n", "advisory", "package", "kind", "vuln", "exp.vers", "exp.crates", "radius", "fresh")
	for _, r := range s.Reports {
		fmt.Fprintf(w, "%-18s %-24s %-13s %6d %8d %10d %7d %7d\n", r.ID, r.Package, r.Kind, len(r.Vulnerable), r.ExposedVersions, r.ExposedCrates, r.BlastRadius, r.FreshRadius)
	}
	fmt.Fprintln(w, "radius: crates whose newest version can resolve to a vulnerable version; fresh: whose newest version's fresh resolution (highest admitted versions) includes one")
	fmt.Fprintf(w, "%d advisories, %d applied; skipped: %s\n", s.Advisories, len(s.Reports), formatCounts(s.Skipped))
	fmt.Fprintf(w, "graph built in %s, impact computed in %s\n", built.Round(time.Millisecond), took.Round(time.Millisecond))
}

// storedAdvisories returns the advisories saved by 'cratewatch advisories load'.
func storedAdvisories(cmd *cobra.Command) ([]*advisory.Advisory, error) {
	st, err := openStore(cmd)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Advisories(cmd.Context())
}
