package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/cratewatch/cratewatch/advisory"
)

func init() {
	group := &cobra.Command{
		Use:   "advisories",
		Short: "Read security advisories (RustSec advisory-db, OSV JSON)",
	}
	var asJSON, dryRun bool
	load := &cobra.Command{
		Use:   "load PATH|DIR|TARBALL",
		Short: "Parse an advisory database, store it, and report counts and per-file errors",
		Long: `Parse a RustSec advisory-db checkout (crates/*/*.md, rust/*/*.md), a .tar.gz of one,
a directory of OSV JSON files, or a single advisory file, and save the advisories in the store
(new ones added, changed ones replaced; --dry-run only parses). Prints what was found and every
file that did not parse, with the reason; the files that parse are stored all the same, and the
command exits 1 if any file failed.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := advisory.LoadPath(args[0])
			if err != nil {
				return err
			}
			var added, updated int
			if !dryRun {
				st, err := openStore(cmd)
				if err != nil {
					return err
				}
				defer st.Close()
				if added, updated, err = st.PutAdvisories(cmd.Context(), res.Advisories, time.Now()); err != nil {
					return err
				}
			}
			sum := advisory.Summarize(res.Advisories)
			if asJSON {
				type fileError struct {
					Path  string `json:"path"`
					Error string `json:"error"`
				}
				out := struct {
					advisory.Summary
					Skipped int         `json:"skipped_files"`
					Errors  []fileError `json:"errors"`
					Added   int         `json:"stored_new"`
					Updated int         `json:"stored_updated"`
				}{Summary: sum, Skipped: res.Skipped, Errors: []fileError{}, Added: added, Updated: updated}
				for _, e := range res.Errors {
					out.Errors = append(out.Errors, fileError{e.Path, e.Err.Error()})
				}
				if err := printJSON(cmd, out); err != nil {
					return err
				}
			} else {
				w := cmd.OutOrStdout()
				fmt.Fprintf(w, "advisories:      %d (for %d packages)\n", sum.Advisories, sum.Packages)
				fmt.Fprintf(w, "withdrawn:       %d\n", sum.Withdrawn)
				fmt.Fprintf(w, "informational:   %s\n", formatCounts(sum.Informational))
				fmt.Fprintf(w, "categories:      %s\n", formatCounts(sum.Categories))
				fmt.Fprintf(w, "with functions:  %d advisories, %d function paths\n", sum.WithFunctions, sum.FunctionPaths)
				fmt.Fprintf(w, "skipped files:   %d\n", res.Skipped)
				if !dryRun {
					fmt.Fprintf(w, "stored:          %d new, %d updated\n", added, updated)
				}
				fmt.Fprintf(w, "failed files:    %d\n", len(res.Errors))
				for _, e := range res.Errors {
					fmt.Fprintf(w, "  %v\n", e.Err)
				}
			}
			if n := len(res.Errors); n > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d advisory files did not parse", n)}
			}
			return nil
		},
	}
	load.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	load.Flags().BoolVar(&dryRun, "dry-run", false, "parse and report only; store nothing")
	group.AddCommand(load)
	rootCmd.AddCommand(group)
}

// formatCounts prints "a 3, b 1", largest first.
func formatCounts(m map[string]int) string {
	keys := slices.SortedFunc(maps.Keys(m), func(a, b string) int {
		if c := cmp.Compare(m[b], m[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	s := ""
	for i, k := range keys {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", k, m[k])
	}
	if s == "" {
		return "none"
	}
	return s
}
